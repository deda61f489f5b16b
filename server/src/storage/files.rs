//! Attachment bytes, stored as files addressed by their SHA-256 under the data
//! directory. Behind a trait so another store (object storage) can replace it.

use std::path::{Path, PathBuf};

use anyhow::Context;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

/// A stored blob: where it lives and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredBlob {
    pub storage_key: String,
    pub sha256: String,
    pub size_bytes: u64,
}

#[async_trait::async_trait]
pub trait BlobStore: Send + Sync {
    /// Stores `bytes`; storing the same content twice yields the same key.
    async fn put(&self, bytes: &[u8]) -> anyhow::Result<StoredBlob>;
    /// Opens a stored blob for reading.
    async fn open(&self, storage_key: &str) -> anyhow::Result<tokio::fs::File>;
}

/// Files under `<data dir>/attachments/<first two hex digits>/<sha256>`.
pub struct FsBlobStore {
    root: PathBuf,
}

impl FsBlobStore {
    pub fn new(data_dir: &Path) -> Self {
        Self { root: data_dir.join("attachments") }
    }

    fn path_of(&self, storage_key: &str) -> anyhow::Result<PathBuf> {
        anyhow::ensure!(
            storage_key.len() == 64 && storage_key.bytes().all(|b| b.is_ascii_hexdigit()),
            "malformed storage key"
        );
        Ok(self.root.join(&storage_key[..2]).join(storage_key))
    }
}

#[async_trait::async_trait]
impl BlobStore for FsBlobStore {
    async fn put(&self, bytes: &[u8]) -> anyhow::Result<StoredBlob> {
        let sha256 = hex::encode(Sha256::digest(bytes));
        let path = self.path_of(&sha256)?;
        if tokio::fs::try_exists(&path).await.unwrap_or(false) {
            return Ok(StoredBlob { storage_key: sha256.clone(), sha256, size_bytes: bytes.len() as u64 });
        }
        let dir = path.parent().context("blob path has a parent")?;
        tokio::fs::create_dir_all(dir).await.with_context(|| format!("creating {}", dir.display()))?;
        // Write to a unique temporary name, then rename: readers never see a partial file.
        let tmp = dir.join(format!(".{}.{}", sha256, uuid::Uuid::now_v7()));
        let mut file = tokio::fs::File::create(&tmp).await.context("creating attachment file")?;
        file.write_all(bytes).await.context("writing attachment file")?;
        file.sync_all().await.context("syncing attachment file")?;
        drop(file);
        tokio::fs::rename(&tmp, &path).await.context("moving attachment file into place")?;
        Ok(StoredBlob { storage_key: sha256.clone(), sha256, size_bytes: bytes.len() as u64 })
    }

    async fn open(&self, storage_key: &str) -> anyhow::Result<tokio::fs::File> {
        let path = self.path_of(storage_key)?;
        tokio::fs::File::open(&path).await.with_context(|| format!("opening blob {storage_key}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn same_content_same_key_and_readable() {
        let dir = tempfile::tempdir().unwrap();
        let store = FsBlobStore::new(dir.path());
        let a = store.put(b"hello report").await.unwrap();
        let b = store.put(b"hello report").await.unwrap();
        assert_eq!(a, b);
        assert_eq!(a.size_bytes, 12);
        let mut file = store.open(&a.storage_key).await.unwrap();
        let mut text = String::new();
        tokio::io::AsyncReadExt::read_to_string(&mut file, &mut text).await.unwrap();
        assert_eq!(text, "hello report");
    }

    #[tokio::test]
    async fn rejects_keys_that_could_escape_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let store = FsBlobStore::new(dir.path());
        assert!(store.open("../../etc/passwd").await.is_err());
    }
}
