-- Hard deletions of portal-visible rows, so delta sync can tell clients to drop them.
-- Rows that only become invisible (unpublished, unreleased, unshared) keep their row
-- and get a new version instead.

CREATE TABLE sync_tombstones (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    location_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE INDEX sync_tombstones_version ON sync_tombstones (version);
