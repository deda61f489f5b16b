-- What delta sync has sent to each session (each device's cache). A removal is sent
-- only for a record the session received, so hidden records never reveal their ids.

CREATE TABLE portal_sync_sent (
    session_id TEXT NOT NULL REFERENCES portal_sessions (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    PRIMARY KEY (session_id, kind, id)
);
