//! Write transactions: one per request, so a failed request leaves nothing half-written.

use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use sqlx::{Any, Transaction};
use tokio::sync::OwnedMutexGuard;

use super::{Backend, Db};

/// A transaction that may change data. Holds SQLite's writer slot until it ends and
/// hands out this transaction's change version.
pub struct WriteTx {
    tx: Transaction<'static, Any>,
    backend: Backend,
    version: Option<i64>,
    _writer: Option<OwnedMutexGuard<()>>,
}

impl Db {
    /// Starts a write transaction.
    pub async fn begin_write(&self) -> Result<WriteTx, sqlx::Error> {
        let writer = match &self.write_lock {
            Some(lock) => Some(Arc::clone(lock).lock_owned().await),
            None => None,
        };
        // SQLite: take the write lock at BEGIN, so a transaction that reads first can never
        // fail to upgrade its lock while another connection or process writes.
        let tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(WriteTx { tx, backend: self.backend, version: None, _writer: writer })
    }
}

impl WriteTx {
    /// The database this transaction writes to.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The change version of every portal-visible row this transaction writes.
    ///
    /// The counter is one row, bumped inside the transaction: its row lock makes
    /// concurrent PostgreSQL writers commit in version order, so a sync cursor that
    /// has seen version N can never later miss a committed change below N.
    pub async fn version(&mut self) -> Result<i64, sqlx::Error> {
        if let Some(version) = self.version {
            return Ok(version);
        }
        let (version,): (i64,) =
            sqlx::query_as("UPDATE sync_clock SET version = version + 1 WHERE id = 1 RETURNING version")
                .fetch_one(&mut *self.tx)
                .await?;
        self.version = Some(version);
        Ok(version)
    }

    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }
}

impl Deref for WriteTx {
    type Target = Transaction<'static, Any>;
    fn deref(&self) -> &Self::Target {
        &self.tx
    }
}

impl DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.tx
    }
}
