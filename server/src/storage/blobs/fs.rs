//! Blobs as files under the data directory: stored content at
//! `attachments/<first two hex digits>/<sha256>` (the layout from before streaming),
//! uploads in progress under `attachments/uploads/`, on the same file system so that
//! committing one is a rename.

use std::io::SeekFrom;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use anyhow::Context;
use futures_util::StreamExt;
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};
use tokio_util::io::ReaderStream;

use super::{BlobKey, BlobStore, BlobWriter, ByteStream};
use crate::storage::WriteTx;

pub struct FsBlobStore {
    root: PathBuf,
}

impl FsBlobStore {
    pub fn new(data_dir: &Path) -> Self {
        Self { root: data_dir.join("attachments") }
    }

    fn path_of(&self, key: &BlobKey) -> PathBuf {
        match key {
            BlobKey::Stored(sha) => self.root.join(&sha[..2]).join(sha),
            BlobKey::Staged(id) => self.root.join("uploads").join(id),
        }
    }
}

struct FsWriter {
    key: BlobKey,
    path: PathBuf,
    file: tokio::fs::File,
}

#[async_trait::async_trait]
impl BlobWriter for FsWriter {
    fn key(&self) -> &BlobKey {
        &self.key
    }

    async fn write(&mut self, chunk: &[u8]) -> anyhow::Result<()> {
        self.file.write_all(chunk).await.context("writing an upload file")
    }

    async fn finish(mut self: Box<Self>) -> anyhow::Result<()> {
        self.file.flush().await.context("writing an upload file")?;
        self.file.sync_all().await.context("syncing an upload file")
    }

    async fn abort(self: Box<Self>) {
        drop(self.file);
        let _ = tokio::fs::remove_file(&self.path).await;
    }
}

#[async_trait::async_trait]
impl BlobStore for FsBlobStore {
    async fn create(&self) -> anyhow::Result<Box<dyn BlobWriter>> {
        let key = BlobKey::new_staged();
        let path = self.path_of(&key);
        let dir = path.parent().context("an upload path has a parent")?;
        tokio::fs::create_dir_all(dir).await.with_context(|| format!("creating {}", dir.display()))?;
        let file = tokio::fs::File::create(&path).await.context("creating an upload file")?;
        Ok(Box::new(FsWriter { key, path, file }))
    }

    async fn commit(&self, _tx: &mut WriteTx, staged: &BlobKey, sha256: &str) -> anyhow::Result<BlobKey> {
        let key = BlobKey::stored(sha256)?;
        let (from, to) = (self.path_of(staged), self.path_of(&key));
        if tokio::fs::try_exists(&to).await.unwrap_or(false) {
            let _ = tokio::fs::remove_file(&from).await;
            let file = std::fs::File::options().append(true).open(&to).context("opening a stored blob")?;
            file.set_modified(SystemTime::now()).context("marking a stored blob as reused")?;
            return Ok(key);
        }
        let dir = to.parent().context("a blob path has a parent")?;
        tokio::fs::create_dir_all(dir).await.with_context(|| format!("creating {}", dir.display()))?;
        // A rename: readers never see a partial file.
        tokio::fs::rename(&from, &to).await.context("moving an upload into place")?;
        Ok(key)
    }

    async fn read(&self, key: &BlobKey, range: Range<u64>) -> anyhow::Result<ByteStream> {
        let mut file =
            tokio::fs::File::open(self.path_of(key)).await.with_context(|| format!("opening blob {key:?}"))?;
        file.seek(SeekFrom::Start(range.start)).await.context("seeking in a blob")?;
        Ok(ReaderStream::new(file.take(range.end.saturating_sub(range.start))).boxed())
    }

    async fn contains(&self, key: &BlobKey) -> anyhow::Result<bool> {
        Ok(tokio::fs::try_exists(self.path_of(key)).await?)
    }

    async fn list_older_than(&self, before_ms: i64) -> anyhow::Result<Vec<BlobKey>> {
        let before = SystemTime::UNIX_EPOCH + Duration::from_millis(u64::try_from(before_ms).unwrap_or(0));
        let mut keys = Vec::new();
        let mut shards = match tokio::fs::read_dir(&self.root).await {
            Ok(shards) => shards,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(keys),
            Err(err) => return Err(err).context("listing blobs"),
        };
        while let Some(shard) = shards.next_entry().await? {
            let staged = shard.file_name() == "uploads";
            if !shard.file_type().await?.is_dir() {
                continue;
            }
            let mut files = tokio::fs::read_dir(shard.path()).await?;
            while let Some(file) = files.next_entry().await? {
                let name = file.file_name().to_string_lossy().into_owned();
                let key = if staged { BlobKey::staged(&name) } else { BlobKey::stored(&name) };
                // Anything else (a temporary file of an older version) is not ours to judge.
                let Ok(key) = key else { continue };
                // A file another sweep has just deleted is no longer there to list.
                let Ok(modified) = file.metadata().await.and_then(|meta| meta.modified()) else { continue };
                if modified < before {
                    keys.push(key);
                }
            }
        }
        Ok(keys)
    }

    async fn ready(&self) -> anyhow::Result<()> {
        let dir = self.root.join("uploads");
        tokio::fs::create_dir_all(&dir).await.with_context(|| format!("creating {}", dir.display()))
    }

    async fn delete(&self, key: &BlobKey) -> anyhow::Result<()> {
        match tokio::fs::remove_file(self.path_of(key)).await {
            Err(err) if err.kind() != std::io::ErrorKind::NotFound => Err(err).context("deleting a blob"),
            _ => Ok(()),
        }
    }
}
