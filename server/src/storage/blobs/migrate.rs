//! `ordinavo-server blobs migrate --to …`: copies the blob of every attachment and
//! desktop release package from the configured store to another, checking each one's
//! SHA-256 on the way. Blobs already in the target are skipped, so an interrupted run
//! simply starts again. The source is left as it was, for the operator to remove once
//! the servers use the new store.

use std::sync::Arc;

use anyhow::Context;

use super::{BlobKey, BlobStore, StagedFile};
use crate::storage::Db;

/// What a run did, blob by blob.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Report {
    pub copied: usize,
    pub already_there: usize,
    /// Missing from the source, or not matching their SHA-256 there: named, not copied.
    pub broken: Vec<String>,
}

/// Copies every referenced blob of `from` that `to` lacks.
pub async fn run(db: &Db, from: &dyn BlobStore, to: &Arc<dyn BlobStore>) -> anyhow::Result<Report> {
    let mut report = Report::default();
    let mut after = String::new();
    loop {
        let page: Vec<(String, i64)> = sqlx::query_as(
            "SELECT storage_key, MAX(size_bytes) FROM (
                 SELECT storage_key, size_bytes FROM attachments
                 UNION ALL SELECT storage_key, size_bytes FROM desktop_release_files
             ) stored WHERE storage_key > $1
             GROUP BY storage_key ORDER BY storage_key LIMIT 200",
        )
        .bind(&after)
        .fetch_all(&db.pool)
        .await?;
        let Some((last, _)) = page.last() else { break };
        after = last.clone();
        for (name, size) in page {
            let key = BlobKey::stored(&name)?;
            if to.contains(&key).await? {
                report.already_there += 1;
            } else if copy(db, from, to, &key, size as u64).await? {
                report.copied += 1;
            } else {
                report.broken.push(name);
            }
        }
    }
    Ok(report)
}

/// Copies one blob; false when the source lacks it or its bytes do not match the key.
async fn copy(
    db: &Db,
    from: &dyn BlobStore,
    to: &Arc<dyn BlobStore>,
    key: &BlobKey,
    size: u64,
) -> anyhow::Result<bool> {
    let BlobKey::Stored(sha) = key else { return Ok(false) };
    let Ok(bytes) = from.read(key, 0..size).await else { return Ok(false) };
    let staged = match StagedFile::receive(to, size, bytes).await {
        Ok(staged) => staged,
        Err(super::ReceiveError::Store(err)) => return Err(err).context("writing to the target store"),
        Err(_) => return Ok(false),
    };
    if staged.sha256 != *sha || staged.size != size {
        return Ok(false);
    }
    let mut tx = db.begin_write().await?;
    staged.commit(&mut tx).await?;
    tx.commit().await?;
    Ok(true)
}
