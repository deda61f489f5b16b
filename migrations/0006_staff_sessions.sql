-- Staff admin web: cookie sessions (token stored hashed) with a per-session CSRF
-- token, and the customer-facing labels of public statuses that staff may reword.

CREATE TABLE staff_sessions (
    id TEXT PRIMARY KEY,
    staff_user_id TEXT NOT NULL REFERENCES staff_users (id),
    token_hash TEXT NOT NULL UNIQUE,
    -- Not a credential by itself: it is echoed in every form of this session.
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    -- Absolute end of the session; the idle limit is checked against last_seen_at.
    expires_at BIGINT NOT NULL,
    ip TEXT NOT NULL DEFAULT '',
    revoked_at BIGINT
);
CREATE INDEX staff_sessions_user ON staff_sessions (staff_user_id);

CREATE TABLE public_status_labels (
    status TEXT NOT NULL,
    language TEXT NOT NULL CHECK (language IN ('en', 'ar')),
    label TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (status, language)
);
