-- Where each session's delta sync stands. The client holds only a random token: the
-- position itself (a change version, which counts every customer's changes, and the
-- last record looked at, which may be one the user cannot see) stays here, and a
-- token works only for the session it was issued to.

CREATE TABLE portal_sync_cursors (
    token TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES portal_sessions (id) ON DELETE CASCADE,
    version BIGINT NOT NULL,
    kind BIGINT NOT NULL,
    last_id TEXT NOT NULL,
    scope TEXT NOT NULL,
    -- The clock when this sync started from the start: up to it nothing can have
    -- been sent before, so only visible rows need reading.
    fresh_until BIGINT NOT NULL
);
CREATE INDEX portal_sync_cursors_session ON portal_sync_cursors (session_id);
