//! Opening the database: SQLite (WAL, foreign keys, busy timeout) or PostgreSQL.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use sqlx::any::AnyPoolOptions;
use sqlx::AnyConnection;
use sqlx::{AnyPool, Executor};
use tokio::sync::Mutex;

use super::reader::Reader;
use crate::config::redact_url;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The connection pool plus what write transactions need to know about the backend.
#[derive(Clone)]
pub struct Db {
    pub pool: AnyPool,
    pub backend: Backend,
    /// SQLite allows one writer at a time; writers queue here instead of failing with
    /// "database is locked" when a deferred transaction upgrades its lock.
    pub(super) write_lock: Option<Arc<Mutex<()>>>,
    /// Portal reads on a SQLite file run here, not through the pool (see `reader`).
    pub reader: Option<Arc<Reader>>,
}

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

/// Connects to `url`; a SQLite file and its directory are created when missing.
pub async fn connect(url: &str) -> anyhow::Result<Db> {
    sqlx::any::install_default_drivers();
    let backend = if url.starts_with("sqlite:") { Backend::Sqlite } else { Backend::Postgres };
    let url = match backend {
        Backend::Sqlite => sqlite_url(url)?,
        Backend::Postgres => url.to_string(),
    };
    let options = AnyPoolOptions::new()
        .max_connections(if backend == Backend::Sqlite { 8 } else { 16 })
        .acquire_timeout(Duration::from_secs(10))
        .after_connect(move |conn: &mut AnyConnection, _| {
            Box::pin(async move {
                if backend == Backend::Sqlite {
                    conn.execute("PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL;")
                        .await?;
                }
                Ok(())
            })
        });
    let pool = options.connect(&url).await.map_err(|err| describe_connect_error(&url, err))?;
    let reader = sqlite_file(&url).map(|path| Arc::new(Reader::new(Path::new(path))));
    Ok(Db { pool, backend, write_lock: (backend == Backend::Sqlite).then(|| Arc::new(Mutex::new(()))), reader })
}

/// Applies pending migrations from `migrations/`.
pub async fn migrate(db: &Db) -> anyhow::Result<()> {
    MIGRATOR.run(&db.pool).await.context("applying database migrations")
}

/// The file of a SQLite URL; none for an in-memory database, which only its own
/// connections can see.
fn sqlite_file(url: &str) -> Option<&str> {
    let path = url.strip_prefix("sqlite:")?;
    let path = path.trim_start_matches("//").split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:").then_some(path)
}

/// Adds `mode=rwc` so a missing file is created, after creating its directory.
fn sqlite_url(url: &str) -> anyhow::Result<String> {
    if let Some(path) = sqlite_file(url) {
        if let Some(dir) = Path::new(path).parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).with_context(|| format!("creating data directory {}", dir.display()))?;
        }
    }
    Ok(if url.contains('?') { url.to_string() } else { format!("{url}?mode=rwc") })
}

/// Names the host and the cause, never the password.
fn describe_connect_error(url: &str, err: sqlx::Error) -> anyhow::Error {
    let host = url
        .split("://")
        .nth(1)
        .and_then(|rest| rest.rsplit('@').next())
        .and_then(|rest| rest.split('/').next())
        .unwrap_or("database");
    anyhow::anyhow!("cannot connect to the database at {host} ({}): {err}", redact_url(url))
}
