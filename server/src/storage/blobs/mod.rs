//! Attachment bytes, addressed by their SHA-256, behind one streaming trait with three
//! stores: files under the data directory, the database itself, or an S3-compatible
//! object store (`ORDINAVO_BLOB_STORE`). An upload streams into a staged blob, is
//! checked, and only then gets its content address; nothing is ever held whole in memory.

mod database;
mod fs;
mod incoming;
pub mod migrate;
pub mod orphans;
mod s3;
mod spec;

use std::ops::Range;
use std::sync::Arc;

use axum::body::Bytes;
use futures_util::stream::BoxStream;

pub use database::DatabaseBlobStore;
pub use fs::FsBlobStore;
pub use incoming::{ReceiveError, StagedFile};
pub use s3::S3BlobStore;
pub use spec::{BlobStoreSpec, S3Spec};

use super::{Backend, Db, WriteTx};

/// A blob's bytes, chunk by chunk.
pub type ByteStream = BoxStream<'static, std::io::Result<Bytes>>;

/// Where a blob lives in a store: its content address once committed, or the upload
/// it belongs to while it streams in and is checked.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum BlobKey {
    /// The lower-case hex SHA-256 of the content.
    Stored(String),
    /// A random id (32 hex digits) of one upload.
    Staged(String),
}

impl BlobKey {
    /// The key of stored content; refuses anything but 64 hex digits, so no key can
    /// name a path or object outside the store.
    pub fn stored(sha256: &str) -> anyhow::Result<Self> {
        anyhow::ensure!(is_hex(sha256, 64), "malformed storage key");
        Ok(Self::Stored(sha256.to_ascii_lowercase()))
    }

    /// A fresh staged key for a new upload.
    pub fn new_staged() -> Self {
        Self::Staged(uuid::Uuid::now_v7().simple().to_string())
    }

    fn staged(id: &str) -> anyhow::Result<Self> {
        anyhow::ensure!(is_hex(id, 32), "malformed upload key");
        Ok(Self::Staged(id.to_ascii_lowercase()))
    }

    /// One string for the key, as the database store and object names spell it.
    pub fn name(&self) -> String {
        match self {
            Self::Stored(sha) => sha.clone(),
            Self::Staged(id) => format!("upload-{id}"),
        }
    }

    /// The inverse of `name`.
    pub fn parse(name: &str) -> anyhow::Result<Self> {
        match name.strip_prefix("upload-") {
            Some(id) => Self::staged(id),
            None => Self::stored(name),
        }
    }
}

fn is_hex(text: &str, len: usize) -> bool {
    text.len() == len && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A blob store. Implementations keep at most one chunk or part of a blob in memory.
#[async_trait::async_trait]
pub trait BlobStore: Send + Sync {
    /// Starts a staged blob, written chunk by chunk.
    async fn create(&self) -> anyhow::Result<Box<dyn BlobWriter>>;
    /// Moves a finished staged blob to its content address `sha256`. The database
    /// store does it inside `tx`, so the blob and its record commit together. Content
    /// already stored is kept once, and marked as just written. Call it through
    /// `StagedFile::commit`, which first holds the key against orphan collection.
    async fn commit(&self, tx: &mut WriteTx, staged: &BlobKey, sha256: &str) -> anyhow::Result<BlobKey>;
    /// The bytes of `range` (which must lie within the blob).
    async fn read(&self, key: &BlobKey, range: Range<u64>) -> anyhow::Result<ByteStream>;
    /// Whether a stored blob is there, for `blobs migrate`.
    async fn contains(&self, key: &BlobKey) -> anyhow::Result<bool>;
    /// Every blob and staged upload last written before `before_ms` (Unix milliseconds).
    async fn list_older_than(&self, before_ms: i64) -> anyhow::Result<Vec<BlobKey>>;
    /// Deletes a blob; a blob that is already gone is not an error.
    async fn delete(&self, key: &BlobKey) -> anyhow::Result<()>;
    /// Deletes an orphan while `tx` holds its key (see `orphans`): the database store
    /// inside `tx`, the others at once.
    async fn delete_in(&self, _tx: &mut WriteTx, key: &BlobKey) -> anyhow::Result<()> {
        self.delete(key).await
    }
    /// Whether the store answers, for `/readyz`.
    async fn ready(&self) -> anyhow::Result<()>;
}

/// One staged blob being written.
#[async_trait::async_trait]
pub trait BlobWriter: Send {
    fn key(&self) -> &BlobKey;
    async fn write(&mut self, chunk: &[u8]) -> anyhow::Result<()>;
    /// Makes the bytes written so far readable under `key`.
    async fn finish(self: Box<Self>) -> anyhow::Result<()>;
    /// Throws the bytes away.
    async fn abort(self: Box<Self>);
}

/// Opens the configured store, or the backend's default: the database on PostgreSQL,
/// so that several instances share attachments, files under the data directory otherwise.
pub fn open(spec: Option<&BlobStoreSpec>, data_dir: &std::path::Path, db: &Db) -> anyhow::Result<Arc<dyn BlobStore>> {
    let default = match db.backend {
        Backend::Postgres => BlobStoreSpec::Database,
        Backend::Sqlite => BlobStoreSpec::Fs,
    };
    Ok(match spec.unwrap_or(&default) {
        BlobStoreSpec::Fs => Arc::new(FsBlobStore::new(data_dir)),
        BlobStoreSpec::Database => Arc::new(DatabaseBlobStore::new(db.clone())),
        BlobStoreSpec::S3(s3) => Arc::new(S3BlobStore::new(s3)?),
    })
}

/// Reads a whole range into memory: only for the few KiB of a ZIP's directory.
pub async fn read_to_vec(store: &dyn BlobStore, key: &BlobKey, range: Range<u64>) -> anyhow::Result<Vec<u8>> {
    use futures_util::TryStreamExt;
    let mut out = Vec::new();
    let mut stream = store.read(key, range).await?;
    while let Some(chunk) = stream.try_next().await? {
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_name_only_content_addresses_and_uploads() {
        let sha = "ab".repeat(32);
        assert_eq!(BlobKey::parse(&sha).unwrap(), BlobKey::Stored(sha.clone()));
        let staged = BlobKey::new_staged();
        assert_eq!(BlobKey::parse(&staged.name()).unwrap(), staged);
        for bad in ["../../etc/passwd", "upload-../x", &format!("{sha}/x"), "", "upload-"] {
            assert!(BlobKey::parse(bad).is_err(), "{bad}");
        }
    }
}
