//! Portal reads on SQLite, run where the request runs.
//!
//! sqlx gives each SQLite connection a worker thread and passes every statement, row
//! and completion between it and the request's task through channels. A portal read
//! (one packed JSON value from an index, well under a millisecond) then spent more
//! time in those hand-offs than in SQLite (docs/performance.md). These reads take a
//! connection of their own from a small pool and run the statement on the spot; the
//! connections only read (`query_only`), so writes keep sqlx's single writer.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

pub use rusqlite::types::Value;
use rusqlite::{Connection, OpenFlags};

/// Idle connections kept for reuse; one per busy thread is all that is ever needed.
const KEEP: usize = 8;

/// Prepared statements kept per connection: one per distinct portal read.
const STATEMENTS: usize = 256;

/// Read-only connections to one SQLite file.
pub struct Reader {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl Reader {
    pub fn new(path: &Path) -> Self {
        Self { path: path.to_path_buf(), idle: Mutex::new(Vec::new()) }
    }

    /// The first column of the first row of `sql` as text (`None` when no row or
    /// NULL), with `args` bound to `$1`, `$2`, ….
    pub fn text(&self, sql: &str, args: impl IntoIterator<Item = Value>) -> Result<Option<String>, sqlx::Error> {
        let connection = match self.idle.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).pop() {
            Some(connection) => connection,
            None => self.open().map_err(failed)?,
        };
        let found = read(&connection, sql, args).map_err(failed);
        let mut idle = self.idle.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if idle.len() < KEEP {
            idle.push(connection);
        }
        found
    }

    fn open(&self) -> rusqlite::Result<Connection> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let connection = Connection::open_with_flags(&self.path, flags)?;
        connection.busy_timeout(Duration::from_secs(5))?;
        connection.pragma_update(None, "query_only", true)?;
        connection.set_prepared_statement_cache_capacity(STATEMENTS);
        Ok(connection)
    }
}

fn read(connection: &Connection, sql: &str, args: impl IntoIterator<Item = Value>) -> rusqlite::Result<Option<String>> {
    let mut statement = connection.prepare_cached(sql)?;
    for (number, value) in args.into_iter().enumerate() {
        // `$n` is a named parameter to SQLite: bound by its name, so the same number
        // used twice is one value. A value the text does not name is left out.
        let Some(index) = statement.parameter_index(&format!("${}", number + 1))? else {
            continue;
        };
        statement.raw_bind_parameter(index, value)?;
    }
    let mut rows = statement.raw_query();
    match rows.next()? {
        Some(row) => row.get(0),
        None => Ok(None),
    }
}

fn failed(err: rusqlite::Error) -> sqlx::Error {
    sqlx::Error::Protocol(format!("SQLite read: {err}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binds_numbered_placeholders_by_name_and_only_reads() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("read.db");
        let writer = Connection::open(&path).unwrap();
        writer.execute_batch("CREATE TABLE t (id TEXT, n INTEGER); INSERT INTO t VALUES ('a', 1), ('b', 2);").unwrap();
        let reader = Reader::new(&path);
        let args = || [Value::Integer(2), Value::Text("b".into())];
        let sql = "SELECT id || '/' || $1 FROM t WHERE n = $1 AND id = $2";
        assert_eq!(reader.text(sql, args()).unwrap().as_deref(), Some("b/2"));
        assert_eq!(reader.text(sql, args()).unwrap().as_deref(), Some("b/2"), "again, from the statement cache");
        assert_eq!(reader.text("SELECT id FROM t WHERE n > 5", []).unwrap(), None);
        assert!(reader.text("DELETE FROM t", []).is_err(), "a reader must not write");
        assert_eq!(reader.text("SELECT count(*) || '' FROM t", []).unwrap().as_deref(), Some("2"));
    }
}
