-- Desktop app releases, kept in the database so that every server instance serves the
-- same update manifests. A release is one version on one channel with a staged
-- rollout; each platform's package is a blob in the blob store, with its signature.

CREATE TABLE desktop_releases (
    id TEXT PRIMARY KEY,
    version TEXT NOT NULL UNIQUE,
    channel TEXT NOT NULL CHECK (channel IN ('stable', 'beta')),
    -- Installations whose bucket (0–99, from a hash of their id) is below this are offered it.
    rollout_percent BIGINT NOT NULL CHECK (rollout_percent BETWEEN 0 AND 100),
    paused BIGINT NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
    notes TEXT NOT NULL,
    -- RFC 3339, as the updater shows it.
    pub_date TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE desktop_release_files (
    id TEXT PRIMARY KEY,
    release_id TEXT NOT NULL REFERENCES desktop_releases (id),
    target TEXT NOT NULL,
    arch TEXT NOT NULL,
    bundle TEXT NOT NULL CHECK (bundle IN ('deb', 'rpm')),
    -- The package's SHA-256, its key in the blob store.
    storage_key TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    -- The updater's signature of the package (made with the private key at release time).
    signature TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (release_id, target, arch, bundle)
);
-- Orphan collection asks, blob by blob, whether a release file still refers to it.
CREATE INDEX desktop_release_files_storage_key ON desktop_release_files (storage_key);

-- Staff allow the beta channel per customer.
ALTER TABLE customers ADD COLUMN desktop_beta BIGINT NOT NULL DEFAULT 0 CHECK (desktop_beta IN (0, 1));

-- The desktop app version a portal session signed in with (from the client's
-- User-Agent), so staff see how a rollout is going.
ALTER TABLE portal_sessions ADD COLUMN client_version TEXT;
