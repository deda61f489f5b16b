//! Blobs in the database (`stored_blobs` and `stored_blob_chunks`), for deployments
//! whose instances share nothing but PostgreSQL. Chunks have a fixed size, so a range
//! maps to the few rows it covers; each is read with its own query, keeping one chunk
//! in memory at a time.

use std::ops::Range;

use anyhow::Context;
use axum::body::Bytes;
use futures_util::StreamExt;

use super::{BlobKey, BlobStore, BlobWriter, ByteStream};
use crate::storage::{now_ms, Db, WriteTx};

/// Large enough that a 25 MiB file is 100 rows, small enough to hold a few at once.
const CHUNK: usize = 256 * 1024;

pub struct DatabaseBlobStore {
    db: Db,
}

impl DatabaseBlobStore {
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

struct DatabaseWriter {
    db: Db,
    key: BlobKey,
    buffer: Vec<u8>,
    seq: i64,
    size: i64,
}

impl DatabaseWriter {
    /// Writes one chunk in its own short transaction: an upload never holds SQLite's writer slot while it streams.
    async fn flush_chunk(&mut self) -> anyhow::Result<()> {
        let mut tx = self.db.begin_write().await?;
        sqlx::query("INSERT INTO stored_blob_chunks (storage_key, seq, data) VALUES ($1, $2, $3)")
            .bind(self.key.name())
            .bind(self.seq)
            .bind(std::mem::take(&mut self.buffer))
            .execute(&mut **tx)
            .await
            .context("writing a blob chunk")?;
        tx.commit().await?;
        self.seq += 1;
        Ok(())
    }
}

#[async_trait::async_trait]
impl BlobWriter for DatabaseWriter {
    fn key(&self) -> &BlobKey {
        &self.key
    }

    async fn write(&mut self, mut chunk: &[u8]) -> anyhow::Result<()> {
        while !chunk.is_empty() {
            let take = chunk.len().min(CHUNK - self.buffer.len());
            self.buffer.extend_from_slice(&chunk[..take]);
            self.size += take as i64;
            chunk = &chunk[take..];
            if self.buffer.len() == CHUNK {
                self.flush_chunk().await?;
            }
        }
        Ok(())
    }

    async fn finish(mut self: Box<Self>) -> anyhow::Result<()> {
        if !self.buffer.is_empty() {
            self.flush_chunk().await?;
        }
        let mut tx = self.db.begin_write().await?;
        sqlx::query("UPDATE stored_blobs SET size_bytes = $1 WHERE storage_key = $2")
            .bind(self.size)
            .bind(self.key.name())
            .execute(&mut **tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn abort(self: Box<Self>) {
        if let Err(err) = delete_blob(&self.db, &self.key).await {
            tracing::warn!(error = ?err, "could not delete an aborted upload; orphan collection will");
        }
    }
}

async fn delete_blob(db: &Db, key: &BlobKey) -> anyhow::Result<()> {
    let mut tx = db.begin_write().await?;
    delete_blob_in(&mut tx, key).await?;
    tx.commit().await?;
    Ok(())
}

async fn delete_blob_in(tx: &mut WriteTx, key: &BlobKey) -> anyhow::Result<()> {
    sqlx::query("DELETE FROM stored_blob_chunks WHERE storage_key = $1").bind(key.name()).execute(&mut ***tx).await?;
    sqlx::query("DELETE FROM stored_blobs WHERE storage_key = $1").bind(key.name()).execute(&mut ***tx).await?;
    Ok(())
}

#[async_trait::async_trait]
impl BlobStore for DatabaseBlobStore {
    async fn create(&self) -> anyhow::Result<Box<dyn BlobWriter>> {
        let key = BlobKey::new_staged();
        let mut tx = self.db.begin_write().await?;
        sqlx::query("INSERT INTO stored_blobs (storage_key, size_bytes, written_at) VALUES ($1, 0, $2)")
            .bind(key.name())
            .bind(now_ms())
            .execute(&mut **tx)
            .await
            .context("starting a blob")?;
        tx.commit().await?;
        Ok(Box::new(DatabaseWriter { db: self.db.clone(), key, buffer: Vec::with_capacity(CHUNK), seq: 0, size: 0 }))
    }

    async fn commit(&self, tx: &mut WriteTx, staged: &BlobKey, sha256: &str) -> anyhow::Result<BlobKey> {
        let key = BlobKey::stored(sha256)?;
        let (staged, stored) = (staged.name(), key.name());
        let reused = sqlx::query("UPDATE stored_blobs SET written_at = $1 WHERE storage_key = $2")
            .bind(now_ms())
            .bind(&stored)
            .execute(&mut ***tx)
            .await?
            .rows_affected()
            > 0;
        if reused {
            sqlx::query("DELETE FROM stored_blob_chunks WHERE storage_key = $1")
                .bind(&staged)
                .execute(&mut ***tx)
                .await?;
            sqlx::query("DELETE FROM stored_blobs WHERE storage_key = $1").bind(&staged).execute(&mut ***tx).await?;
        } else {
            sqlx::query("UPDATE stored_blob_chunks SET storage_key = $1 WHERE storage_key = $2")
                .bind(&stored)
                .bind(&staged)
                .execute(&mut ***tx)
                .await?;
            sqlx::query("UPDATE stored_blobs SET storage_key = $1, written_at = $2 WHERE storage_key = $3")
                .bind(&stored)
                .bind(now_ms())
                .bind(&staged)
                .execute(&mut ***tx)
                .await?;
        }
        Ok(key)
    }

    async fn read(&self, key: &BlobKey, range: Range<u64>) -> anyhow::Result<ByteStream> {
        anyhow::ensure!(self.contains(key).await?, "blob {key:?} is not in the database");
        let chunk = CHUNK as u64;
        let first = range.start / chunk;
        let last = if range.is_empty() { first } else { (range.end - 1) / chunk + 1 };
        let (db, name) = (self.db.clone(), key.name());
        let stream = futures_util::stream::iter(first..last).then(move |seq| {
            let (db, name, range) = (db.clone(), name.clone(), range.clone());
            async move {
                let (data,): (Vec<u8>,) =
                    sqlx::query_as("SELECT data FROM stored_blob_chunks WHERE storage_key = $1 AND seq = $2")
                        .bind(&name)
                        .bind(seq as i64)
                        .fetch_one(&db.pool)
                        .await
                        .map_err(std::io::Error::other)?;
                let offset = seq * chunk;
                let from = range.start.saturating_sub(offset).min(data.len() as u64) as usize;
                let to = (range.end - offset).min(data.len() as u64) as usize;
                Ok(Bytes::from(data).slice(from..to.max(from)))
            }
        });
        Ok(stream.boxed())
    }

    async fn contains(&self, key: &BlobKey) -> anyhow::Result<bool> {
        let found: Option<(String,)> = sqlx::query_as("SELECT storage_key FROM stored_blobs WHERE storage_key = $1")
            .bind(key.name())
            .fetch_optional(&self.db.pool)
            .await?;
        Ok(found.is_some())
    }

    async fn list_older_than(&self, before_ms: i64) -> anyhow::Result<Vec<BlobKey>> {
        let rows: Vec<(String,)> = sqlx::query_as("SELECT storage_key FROM stored_blobs WHERE written_at < $1")
            .bind(before_ms)
            .fetch_all(&self.db.pool)
            .await?;
        rows.iter().map(|(name,)| BlobKey::parse(name)).collect()
    }

    async fn delete(&self, key: &BlobKey) -> anyhow::Result<()> {
        delete_blob(&self.db, key).await
    }

    async fn delete_in(&self, tx: &mut WriteTx, key: &BlobKey) -> anyhow::Result<()> {
        delete_blob_in(tx, key).await
    }

    async fn ready(&self) -> anyhow::Result<()> {
        sqlx::query("SELECT storage_key FROM stored_blobs LIMIT 1").fetch_optional(&self.db.pool).await?;
        Ok(())
    }
}
