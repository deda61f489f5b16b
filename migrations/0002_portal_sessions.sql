-- Portal sign-in: sessions (token stored hashed) and login throttling counters.

CREATE TABLE portal_sessions (
    id TEXT PRIMARY KEY,
    portal_user_id TEXT NOT NULL REFERENCES portal_users (id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    -- Absolute end of the session; the idle limit is checked against last_seen_at.
    expires_at BIGINT NOT NULL,
    ip TEXT NOT NULL DEFAULT '',
    user_agent TEXT NOT NULL DEFAULT '',
    revoked_at BIGINT
);
CREATE INDEX portal_sessions_user ON portal_sessions (portal_user_id);

-- Failed sign-ins per account and per client address within a window. Updated with
-- one atomic upsert per attempt, so concurrent attempts are all counted.
CREATE TABLE login_throttle (
    throttle_key TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    failures BIGINT NOT NULL
);
