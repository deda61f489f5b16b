-- Messages on requests (issue 15): the contact and staff talk on the request itself.
-- A message is for the customer or internal; internal ones never leave the staff side.

CREATE TABLE request_messages (
    id TEXT PRIMARY KEY,
    request_id TEXT NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    visibility TEXT NOT NULL CHECK (visibility IN ('customer', 'internal')),
    body TEXT NOT NULL,
    -- The contact who wrote it; NULL when staff did (the portal says "service team").
    author_portal_user_id TEXT REFERENCES portal_users (id),
    -- Who on the staff side wrote it (a staff member's name or an API key's), for staff only.
    author_label TEXT NOT NULL,
    -- A contact's retries (the desktop outbox) send the same key: one message, however often.
    idempotency_key TEXT,
    created_at BIGINT NOT NULL,
    UNIQUE (author_portal_user_id, idempotency_key),
    CHECK (author_portal_user_id IS NULL OR visibility = 'customer')
);
CREATE INDEX request_messages_thread ON request_messages (request_id, id);

-- A contact's message waits for staff: the inbox marks the request until staff open it.
ALTER TABLE requests ADD COLUMN staff_unread BIGINT NOT NULL DEFAULT 0 CHECK (staff_unread IN (0, 1));

-- A staff reply is a milestone on the timeline and a live event. A CHECK cannot be
-- altered on SQLite: both tables are rebuilt with the new kind allowed.
CREATE TABLE timeline_events_next (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    location_id TEXT NOT NULL REFERENCES locations (id),
    kind TEXT NOT NULL CHECK (kind IN (
        'request_submitted', 'request_accepted', 'request_rejected', 'request_replied',
        'appointment_scheduled', 'appointment_rescheduled', 'appointment_cancelled',
        'visit_completed', 'report_shared', 'follow_up_required', 'follow_up_planned')),
    subject_id TEXT NOT NULL,
    occurred_at BIGINT NOT NULL,
    version BIGINT NOT NULL
);
INSERT INTO timeline_events_next (id, customer_id, location_id, kind, subject_id, occurred_at, version)
    SELECT id, customer_id, location_id, kind, subject_id, occurred_at, version FROM timeline_events;
DROP TABLE timeline_events;
ALTER TABLE timeline_events_next RENAME TO timeline_events;
CREATE INDEX timeline_events_scope ON timeline_events (customer_id, location_id, occurred_at);
CREATE INDEX timeline_events_version ON timeline_events (version);
CREATE INDEX timeline_events_customer_order ON timeline_events (customer_id, id);
CREATE INDEX timeline_events_location_order ON timeline_events (location_id, id);
CREATE INDEX timeline_events_customer_version ON timeline_events (customer_id, version, id);
CREATE INDEX timeline_events_location_version ON timeline_events (location_id, version, id);
CREATE INDEX timeline_events_subject ON timeline_events (subject_id);

CREATE TABLE portal_events_next (
    id TEXT PRIMARY KEY,
    version BIGINT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN (
        'request_status_changed', 'request_replied', 'appointment_scheduled', 'appointment_rescheduled',
        'appointment_cancelled', 'report_shared', 'follow_up_required', 'follow_up_planned', 'attachment_released')),
    subject_id TEXT NOT NULL,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    location_id TEXT NOT NULL REFERENCES locations (id),
    -- Only this portal user receives the event (their own request); NULL: everyone in scope.
    audience TEXT REFERENCES portal_users (id),
    occurred_at BIGINT NOT NULL
);
INSERT INTO portal_events_next (id, version, kind, subject_id, customer_id, location_id, audience, occurred_at)
    SELECT id, version, kind, subject_id, customer_id, location_id, audience, occurred_at FROM portal_events;
DROP TABLE portal_events;
ALTER TABLE portal_events_next RENAME TO portal_events;
CREATE INDEX portal_events_version ON portal_events (version);
