-- Live events for connected portal clients, kept so that a client that was away
-- (or a server that restarted) still delivers what was missed. Ordered by the
-- change version of the transaction that wrote them, which follows commit order.

CREATE TABLE portal_events (
    id TEXT PRIMARY KEY,
    version BIGINT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN (
        'request_status_changed', 'appointment_scheduled', 'appointment_rescheduled', 'appointment_cancelled',
        'report_shared', 'follow_up_required', 'follow_up_planned')),
    subject_id TEXT NOT NULL,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    location_id TEXT NOT NULL REFERENCES locations (id),
    -- Only this portal user receives the event (their own request); NULL: everyone in scope.
    audience TEXT REFERENCES portal_users (id),
    occurred_at BIGINT NOT NULL
);
CREATE INDEX portal_events_version ON portal_events (version);
