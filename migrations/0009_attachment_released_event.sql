-- Releasing a file is a live event, so the desktop app fetches it at once. A CHECK
-- cannot be altered on SQLite: the table is rebuilt with the new kind allowed.

CREATE TABLE portal_events_next (
    id TEXT PRIMARY KEY,
    version BIGINT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN (
        'request_status_changed', 'appointment_scheduled', 'appointment_rescheduled', 'appointment_cancelled',
        'report_shared', 'follow_up_required', 'follow_up_planned', 'attachment_released')),
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
