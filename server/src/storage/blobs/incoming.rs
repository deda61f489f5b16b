//! An upload on its way into a store: streamed chunk by chunk into a staged blob while
//! its SHA-256 is computed, its size counted against the limit, its first bytes kept
//! and its UTF-8 validity followed, so the upload checks never need the whole file.

use std::sync::Arc;

use axum::body::Bytes;
use futures_util::{Stream, TryStreamExt};
use sha2::{Digest, Sha256};

use super::{orphans, read_to_vec, BlobKey, BlobStore, BlobWriter};
use crate::domain::upload::{self, FileContent, HEAD_LEN};
use crate::domain::zip_names;
use crate::storage::WriteTx;

/// Why receiving a file failed. The staged blob is gone in every case.
#[derive(Debug)]
pub enum ReceiveError<E> {
    /// More than the limit arrived.
    TooLarge,
    /// Reading the incoming stream failed (a malformed or cut-off request).
    Source(E),
    /// The store failed.
    Store(anyhow::Error),
}

/// A received file in a staged blob, checked and committed by its attachment record.
/// Dropped uncommitted (the upload was refused), it deletes its blob.
pub struct StagedFile {
    store: Arc<dyn BlobStore>,
    key: BlobKey,
    pub sha256: String,
    pub size: u64,
    head: Vec<u8>,
    utf8: bool,
    committed: bool,
}

impl StagedFile {
    /// Streams `chunks` into a new staged blob of `store`, refusing more than `limit` bytes.
    pub async fn receive<S, E>(store: &Arc<dyn BlobStore>, limit: u64, chunks: S) -> Result<Self, ReceiveError<E>>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
    {
        let mut writer = store.create().await.map_err(ReceiveError::Store)?;
        match receive_into(writer.as_mut(), limit, chunks).await {
            Ok(received) => {
                writer.finish().await.map_err(ReceiveError::Store)?;
                let Received { key, sha256, size, head, utf8 } = received;
                Ok(Self { store: store.clone(), key, sha256, size, head, utf8, committed: false })
            }
            Err(err) => {
                writer.abort().await;
                Err(err)
            }
        }
    }

    /// A file already in memory (the demo's), through the same path as an upload.
    pub async fn from_bytes(store: &Arc<dyn BlobStore>, bytes: Vec<u8>) -> anyhow::Result<Self> {
        let chunks = futures_util::stream::iter([Ok::<_, std::convert::Infallible>(Bytes::from(bytes))]);
        Self::receive(store, u64::MAX, chunks).await.map_err(|err| match err {
            ReceiveError::Store(err) => err,
            other => anyhow::anyhow!("storing a file: {other:?}"),
        })
    }

    /// Reads what the upload checks need and hands it to `check`. A ZIP's directory is
    /// read back from the staged blob: it lies at the end of the file.
    pub async fn check<T>(&self, check: impl FnOnce(&FileContent) -> T) -> anyhow::Result<T> {
        let zip_entries = if upload::is_zip(&self.head) { self.zip_entries().await? } else { None };
        Ok(check(&FileContent { head: &self.head, utf8: self.utf8, zip_entries: zip_entries.as_deref() }))
    }

    async fn zip_entries(&self) -> anyhow::Result<Option<Vec<String>>> {
        let store = self.store.as_ref();
        let tail = read_to_vec(store, &self.key, self.size.saturating_sub(zip_names::TAIL_LEN)..self.size).await?;
        let Some(directory) = zip_names::find_directory(&tail, self.size) else {
            return Ok(None);
        };
        let range = directory.offset..directory.offset + directory.len;
        Ok(zip_names::directory_names(&read_to_vec(store, &self.key, range).await?, directory.count))
    }

    /// Gives the blob its content address, as part of `tx` (see `BlobStore::commit`).
    /// The address is held first, until `tx` ends, so that orphan collection cannot
    /// delete content already stored between its reuse here and the commit of the
    /// record that refers to it (see `orphans`).
    pub async fn commit(mut self, tx: &mut WriteTx) -> anyhow::Result<BlobKey> {
        orphans::hold(tx, &BlobKey::stored(&self.sha256)?).await?;
        let key = self.store.commit(tx, &self.key, &self.sha256).await?;
        self.committed = true;
        Ok(key)
    }
}

impl Drop for StagedFile {
    fn drop(&mut self) {
        if self.committed {
            return;
        }
        let (store, key) = (self.store.clone(), self.key.clone());
        // Without a runtime (a test ending) orphan collection removes it later.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                if let Err(err) = store.delete(&key).await {
                    tracing::warn!(error = ?err, "could not delete a refused upload; orphan collection will");
                }
            });
        }
    }
}

struct Received {
    key: BlobKey,
    sha256: String,
    size: u64,
    head: Vec<u8>,
    utf8: bool,
}

async fn receive_into<S, E>(writer: &mut dyn BlobWriter, limit: u64, mut chunks: S) -> Result<Received, ReceiveError<E>>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
{
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    let mut head = Vec::with_capacity(HEAD_LEN);
    let mut utf8 = Utf8Check::default();
    while let Some(chunk) = chunks.try_next().await.map_err(ReceiveError::Source)? {
        size += chunk.len() as u64;
        if size > limit {
            return Err(ReceiveError::TooLarge);
        }
        hasher.update(&chunk);
        let room = HEAD_LEN - head.len();
        head.extend_from_slice(&chunk[..chunk.len().min(room)]);
        utf8.feed(&chunk);
        writer.write(&chunk).await.map_err(ReceiveError::Store)?;
    }
    Ok(Received { key: writer.key().clone(), sha256: hex::encode(hasher.finalize()), size, head, utf8: utf8.valid() })
}

/// UTF-8 validation across chunk boundaries: a character cut in two waits for its rest.
#[derive(Default)]
struct Utf8Check {
    invalid: bool,
    /// The start of a character whose last bytes are in the next chunk (at most 3 bytes).
    pending: Vec<u8>,
}

impl Utf8Check {
    fn feed(&mut self, mut chunk: &[u8]) {
        if self.invalid {
            return;
        }
        while !self.pending.is_empty() {
            let Some((&byte, rest)) = chunk.split_first() else { return };
            self.pending.push(byte);
            chunk = rest;
            match std::str::from_utf8(&self.pending) {
                Ok(_) => self.pending.clear(),
                Err(err) if err.error_len().is_some() => {
                    self.invalid = true;
                    return;
                }
                Err(_) => {}
            }
        }
        match std::str::from_utf8(chunk) {
            Ok(_) => {}
            Err(err) if err.error_len().is_none() => self.pending = chunk[err.valid_up_to()..].to_vec(),
            Err(_) => self.invalid = true,
        }
    }

    fn valid(&self) -> bool {
        !self.invalid && self.pending.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid_in_chunks(bytes: &[u8], size: usize) -> bool {
        let mut check = Utf8Check::default();
        bytes.chunks(size).for_each(|chunk| check.feed(chunk));
        check.valid()
    }

    #[test]
    fn utf8_is_checked_across_chunk_boundaries() {
        let text = "Prüfprotokoll تقرير الزيارة 📎 done".as_bytes();
        for size in 1..8 {
            assert!(valid_in_chunks(text, size), "chunks of {size}");
        }
        assert!(!valid_in_chunks(&[b'a', 0xF0, 0x9F], 1), "a character cut off at the end");
        assert!(!valid_in_chunks(&[0xC3, b'a'], 1), "a broken sequence");
        assert!(!valid_in_chunks(&[0xFF, 0xFE, 0x00], 2));
    }
}
