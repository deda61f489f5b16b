-- Photos and documents from the site (issue 15): a contact attaches files to their
-- request. Such a file is the customer's own, so it is released from the start.

-- The contact who sent it; NULL for a staff upload.
ALTER TABLE attachments ADD COLUMN uploaded_by_portal_user_id TEXT REFERENCES portal_users (id);
-- A contact's retries (the desktop outbox) send the same key: one file, however often.
ALTER TABLE attachments ADD COLUMN idempotency_key TEXT;
CREATE UNIQUE INDEX attachments_upload_key ON attachments (uploaded_by_portal_user_id, idempotency_key);
-- A request's files (portal views embed them; staff list them, also from the work it became).
CREATE INDEX attachments_request ON attachments (request_id, id);
CREATE INDEX attachments_target ON attachments (target_id, id);
