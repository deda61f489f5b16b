-- Attachment bytes kept in the database (ORDINAVO_BLOB_STORE=database, the default on
-- PostgreSQL), so that several server instances share them with no other part.
-- A blob is one row plus its content in ordered chunks of a fixed size; an upload still
-- streaming in or being checked is a row named 'upload-<id>' until it is committed.
CREATE TABLE stored_blobs (
    storage_key TEXT PRIMARY KEY,
    size_bytes BIGINT NOT NULL,
    -- Last written or reused: orphan collection spares younger blobs.
    written_at BIGINT NOT NULL
);
CREATE TABLE stored_blob_chunks (
    storage_key TEXT NOT NULL,
    seq BIGINT NOT NULL,
    data BYTEA NOT NULL,
    PRIMARY KEY (storage_key, seq)
);
-- Orphan collection asks, blob by blob, whether any attachment still refers to it.
CREATE INDEX attachments_storage_key ON attachments (storage_key);
