-- Customer admins and the customer's access log (issue 15).

-- Staff mark a portal user as a customer admin: they may invite, disable and re-enable
-- colleagues of their customer within their own grants, and see every request made
-- within those grants. An invitation carries the mark to the user it creates.
ALTER TABLE portal_users ADD COLUMN customer_admin BIGINT NOT NULL DEFAULT 0 CHECK (customer_admin IN (0, 1));
ALTER TABLE portal_invitations ADD COLUMN customer_admin BIGINT NOT NULL DEFAULT 0 CHECK (customer_admin IN (0, 1));
-- Who invited: a staff member (invited_by) or a customer admin (this column).
ALTER TABLE portal_invitations ADD COLUMN invited_by_portal_user TEXT REFERENCES portal_users (id);
CREATE INDEX portal_invitations_customer ON portal_invitations (customer_id, id);
CREATE INDEX contacts_customer_email ON contacts (customer_id, email);

-- A customer admin's request list reads every request in scope, newest first, one
-- index range per granted customer or location.
CREATE INDEX requests_customer_order ON requests (customer_id, id);
CREATE INDEX requests_location_order ON requests (location_id, id);

-- What the customer may read about access to their data: sign-ins, failed sign-ins,
-- downloads, ended sessions and staff "view as contact" views. Written in the same
-- transaction as the event it records. Staff are named by role only.
CREATE TABLE portal_access_log (
    id TEXT PRIMARY KEY,
    portal_user_id TEXT NOT NULL REFERENCES portal_users (id),
    occurred_at BIGINT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('sign_in', 'sign_in_failed', 'download', 'session_ended', 'staff_view')),
    ip TEXT,
    app_version TEXT,
    attachment_id TEXT,
    file_name TEXT,
    session_end TEXT,
    staff_role TEXT
);
CREATE INDEX portal_access_log_user_order ON portal_access_log (portal_user_id, id);
