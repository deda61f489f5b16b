//! The local cache of one user on one server: an encrypted SQLite database (SQLCipher,
//! WAL) beside a folder of downloaded files, both readable by this OS user only. It
//! holds portal view types only.

mod attention;
mod file_outbox;
mod key;
mod message_outbox;
mod outbox;
mod reader;
mod schema;
pub mod window;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use portal_types::{AttachmentView, Me, ReportView, StatusLabels, SyncKind};
use rusqlite::{params, Connection, OptionalExtension};
use serde::de::DeserializeOwned;

use crate::attention::{Attention, Group};
use crate::error::ClientResult;
use crate::records::{row_of_body, Row};
use crate::sync::plan::Plan;

pub use file_outbox::{NewFile, QueuedFile};
pub use key::CacheKey;
pub use message_outbox::QueuedMessage;
pub use outbox::Queued;
pub use reader::Reader;
use window::{Slice, Window};

/// The database file in a cache folder.
pub const CACHE_FILE: &str = "cache.sqlite";
/// Set by schema step 2 when rows cached before it need their filter columns.
const REDERIVE: &str = "rederive";
/// Set by a reset page: once that sync ends, downloaded files the new scope no
/// longer lists go (`recheck_files`).
const FILES_RECHECK: &str = "files_recheck";

pub const CURSOR: &str = "sync_cursor";
pub const LAST_SYNCED: &str = "last_synced_at";
pub const LAST_EVENT: &str = "last_event_id";
pub const SETTINGS: &str = "settings";
/// The user's language from `/me` (`en` or `ar`), for notification texts.
pub const LANGUAGE: &str = "language";
/// The user's display name from `/me`, for Settings.
pub const DISPLAY_NAME: &str = "display_name";
/// `1` when `/me` says the user is a customer admin (the Colleagues screen is theirs).
pub const CUSTOMER_ADMIN: &str = "customer_admin";
/// The company's status wording (`StatusLabels` as JSON), refreshed by every sync.
pub const STATUS_LABELS: &str = "status_labels";

/// An open cache.
pub struct Cache {
    conn: Connection,
    files: PathBuf,
}

impl Cache {
    /// Opens (creating and migrating) the cache in `dir` with its key; `CacheLocked`
    /// when the key does not open it.
    pub fn open(dir: &Path, key: &CacheKey) -> ClientResult<Cache> {
        private_dir(dir)?;
        private_dir(&dir.join("files"))?;
        let mut conn = Connection::open(dir.join(CACHE_FILE))?;
        key.unlock(&conn)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        schema::migrate(&mut conn)?;
        let mut cache = Cache { conn, files: dir.join("files") };
        if cache.meta(REDERIVE)?.is_some() {
            cache.rederive()?;
        }
        Ok(cache)
    }

    /// Fills the filter columns of rows stored before they existed, from their bodies.
    fn rederive(&mut self) -> ClientResult<()> {
        let tx = self.conn.transaction()?;
        {
            let mut all = tx.prepare("SELECT kind, body FROM records")?;
            let rows = all.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
            for row in rows {
                let (kind, body) = row?;
                let derived = serde_json::from_value(serde_json::Value::String(kind))
                    .ok()
                    .and_then(|kind| row_of_body(kind, &body));
                if let Some(derived) = derived {
                    upsert(&tx, &derived)?;
                }
            }
        }
        tx.execute("DELETE FROM meta WHERE key = ?1", [REDERIVE])?;
        tx.commit()?;
        Ok(())
    }

    /// The folder downloaded files live in.
    pub fn files_dir(&self) -> &Path {
        &self.files
    }

    pub fn meta(&self, key: &str) -> ClientResult<Option<String>> {
        Ok(self.conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0)).optional()?)
    }

    pub fn set_meta(&self, key: &str, value: &str) -> ClientResult<()> {
        write_meta(&self.conn, key, value)
    }

    pub fn status_labels(&self) -> ClientResult<Option<StatusLabels>> {
        Ok(labels_from(self.meta(STATUS_LABELS)?))
    }

    /// Stores the status wording; true when it differs from what was stored.
    pub fn set_status_labels(&self, labels: &StatusLabels) -> ClientResult<bool> {
        // A map of strings always serializes.
        let json = serde_json::to_string(labels).unwrap_or_default();
        if self.meta(STATUS_LABELS)?.as_deref() == Some(json.as_str()) {
            return Ok(false);
        }
        self.set_meta(STATUS_LABELS, &json)?;
        Ok(true)
    }

    /// Keeps what `/me` says of the user: their name, language and whether they are a
    /// customer admin.
    pub fn set_profile(&self, me: &Me) -> ClientResult<()> {
        self.set_meta(LANGUAGE, &me.language)?;
        self.set_meta(CUSTOMER_ADMIN, if me.customer_admin { "1" } else { "0" })?;
        self.set_meta(DISPLAY_NAME, &me.display_name)
    }

    /// What needs the user's attention (see `crate::attention`).
    pub fn attention(&self) -> ClientResult<Attention> {
        attention::read(&self.conn)
    }

    /// The user looked at the group's screen: what it holds now no longer counts.
    pub fn look(&self, group: Group) -> ClientResult<()> {
        attention::look(&self.conn, group)
    }

    /// One window of a list (see `window`).
    pub fn window<T: DeserializeOwned>(&self, window: &Window) -> ClientResult<Slice<T>> {
        window::read(&self.conn, window, chrono::Utc::now())
    }

    pub fn get<T: DeserializeOwned>(&self, kind: SyncKind, id: &str) -> ClientResult<Option<T>> {
        window::get(&self.conn, kind, id)
    }

    /// Number of cached records of a kind.
    pub fn count(&self, kind: SyncKind) -> ClientResult<usize> {
        Ok(self.conn.query_row("SELECT COUNT(*) FROM records WHERE kind = ?1", [kind.as_str()], |r| r.get(0))?)
    }

    /// Downloaded files: attachment id to the checksum of the stored content.
    pub fn downloaded(&self) -> ClientResult<HashMap<String, String>> {
        let mut statement = self.conn.prepare("SELECT attachment_id, sha256 FROM files")?;
        let rows = statement.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The stored path of a downloaded attachment.
    pub fn file(&self, attachment_id: &str) -> ClientResult<Option<PathBuf>> {
        let path: Option<String> = self
            .conn
            .query_row("SELECT path FROM files WHERE attachment_id = ?1", [attachment_id], |r| r.get(0))
            .optional()?;
        Ok(path.map(|p| self.files.join(p)))
    }

    /// Records a finished download; `relative` is its path under the files folder.
    pub fn add_file(&self, attachment_id: &str, relative: &str, sha256: &str) -> ClientResult<()> {
        self.conn.execute(
            "INSERT INTO files (attachment_id, path, sha256) VALUES (?1, ?2, ?3)
             ON CONFLICT (attachment_id) DO UPDATE SET path = excluded.path, sha256 = excluded.sha256",
            [attachment_id, relative, sha256],
        )?;
        Ok(())
    }

    /// Attachment ids listed by the given cached reports.
    pub fn report_attachments(&self, report_ids: &[String]) -> ClientResult<HashMap<String, Vec<String>>> {
        let mut map = HashMap::new();
        for id in report_ids {
            if let Some(report) = self.get::<ReportView>(SyncKind::Report, id)? {
                map.insert(id.clone(), report.attachments.into_iter().map(|a| a.id).collect());
            }
        }
        Ok(map)
    }

    /// An attachment as listed in a cached report (attachments mostly arrive inside theirs).
    pub fn report_attachment(&self, id: &str) -> ClientResult<Option<AttachmentView>> {
        let json: Option<String> = self
            .conn
            .query_row(
                "SELECT a.value FROM records r, json_each(r.body, '$.attachments') a
                 WHERE r.kind = 'report' AND json_extract(a.value, '$.id') = ?1 LIMIT 1",
                [id],
                |r| r.get(0),
            )
            .optional()?;
        Ok(json.and_then(|j| serde_json::from_str(&j).ok()))
    }

    /// Event ids already notified or recorded as seen.
    pub fn ledger(&self, ids: &[String]) -> ClientResult<HashSet<String>> {
        let mut statement = self.conn.prepare("SELECT 1 FROM notified WHERE event_id = ?1")?;
        let mut seen = HashSet::new();
        for id in ids {
            if statement.exists([id])? {
                seen.insert(id.clone());
            }
        }
        Ok(seen)
    }

    /// Applies one planned page in one transaction: records, removals, the files
    /// that go, the notification ledger and the new cursor. Returns the relative
    /// paths of files to delete from disk after the commit.
    pub fn apply(
        &mut self,
        plan: &Plan,
        notify: &[String],
        record_only: &[String],
        now: &str,
    ) -> ClientResult<Vec<String>> {
        let tx = self.conn.transaction()?;
        if plan.wipe {
            tx.execute("DELETE FROM records", [])?;
            tx.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?1, '1')", [FILES_RECHECK])?;
        }
        let mut gone = Vec::new();
        {
            let mut path_of = tx.prepare("SELECT path FROM files WHERE attachment_id = ?1")?;
            let mut drop_file = tx.prepare("DELETE FROM files WHERE attachment_id = ?1")?;
            for id in &plan.drop_files {
                if let Some(path) = path_of.query_row([id], |r| r.get::<_, String>(0)).optional()? {
                    gone.push(path);
                }
                drop_file.execute([id])?;
            }
            for row in &plan.upserts {
                upsert(&tx, row)?;
            }
            let mut remove = tx.prepare("DELETE FROM records WHERE kind = ?1 AND id = ?2")?;
            for (kind, id) in &plan.removals {
                remove.execute(params![kind.as_str(), id])?;
            }
            let mut ledger = tx.prepare("INSERT OR IGNORE INTO notified (event_id, shown) VALUES (?1, ?2)")?;
            for id in notify {
                ledger.execute(params![id, 0])?;
            }
            for id in record_only {
                ledger.execute(params![id, 1])?;
            }
            write_meta(&tx, CURSOR, &plan.cursor)?;
            write_meta(&tx, LAST_SYNCED, now)?;
        }
        tx.commit()?;
        Ok(gone)
    }

    /// Notifications recorded but not yet shown (for example, cut off by a crash).
    pub fn unshown(&self) -> ClientResult<Vec<String>> {
        let mut statement = self.conn.prepare("SELECT event_id FROM notified WHERE shown = 0 ORDER BY event_id")?;
        let rows = statement.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn mark_shown(&self, event_id: &str) -> ClientResult<()> {
        self.conn.execute("UPDATE notified SET shown = 1 WHERE event_id = ?1", [event_id])?;
        Ok(())
    }

    /// Stores a record the server returned outside of sync (a submitted or cancelled request).
    pub fn put(&self, row: &Row) -> ClientResult<()> {
        upsert(&self.conn, row)
    }

    /// After a sync that began with a reset: forgets the downloaded files whose
    /// attachment the cache no longer lists with the same content, and returns their
    /// paths to delete. Files still in scope stay downloaded.
    pub fn recheck_files(&mut self) -> ClientResult<Vec<String>> {
        if self.meta(FILES_RECHECK)?.is_none() {
            return Ok(Vec::new());
        }
        let mut stale = Vec::new();
        for (id, sha256) in self.downloaded()? {
            let listed = match self.get::<AttachmentView>(SyncKind::Attachment, &id)? {
                Some(attachment) => Some(attachment),
                None => self.report_attachment(&id)?,
            };
            if listed.map(|a| a.sha256) != Some(sha256) {
                stale.push(id);
            }
        }
        let tx = self.conn.transaction()?;
        let mut gone = Vec::new();
        for id in &stale {
            let path: Option<String> =
                tx.query_row("SELECT path FROM files WHERE attachment_id = ?1", [id], |r| r.get(0)).optional()?;
            gone.extend(path);
            tx.execute("DELETE FROM files WHERE attachment_id = ?1", [id])?;
        }
        tx.execute("DELETE FROM meta WHERE key = ?1", [FILES_RECHECK])?;
        tx.commit()?;
        Ok(gone)
    }

    /// Deletes downloaded files on disk that no row refers to (left by a crash
    /// between a commit and the file deletion).
    pub fn sweep_files(&self) -> ClientResult<()> {
        let mut statement = self.conn.prepare("SELECT path FROM files")?;
        let kept: HashSet<String> = statement.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
        for entry in std::fs::read_dir(&self.files)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().to_string();
            let in_use = kept.iter().any(|path| path.split('/').next() == Some(name.as_str()));
            if !in_use {
                remove_path(&entry.path())?;
            }
        }
        Ok(())
    }
}

/// The notification settings from their stored JSON; defaults when unset.
pub fn settings_from(stored: Option<String>) -> crate::notices::Settings {
    stored.and_then(|s| serde_json::from_str(&s).ok()).unwrap_or_default()
}

/// The status wording from its stored JSON; `None` before the first sync stored it.
pub fn labels_from(stored: Option<String>) -> Option<StatusLabels> {
    stored.and_then(|s| serde_json::from_str(&s).ok())
}

/// Stores a record with its filter columns, replacing an older version.
/// Sets a meta value, whether it was there or not.
fn write_meta(conn: &Connection, key: &str, value: &str) -> ClientResult<()> {
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [key, value],
    )?;
    Ok(())
}

fn upsert(conn: &Connection, row: &Row) -> ClientResult<()> {
    let mut statement = conn.prepare_cached(
        "INSERT INTO records (kind, id, sort_key, body, location_id, status, ends_at, span, related, search)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
         ON CONFLICT (kind, id) DO UPDATE SET sort_key = excluded.sort_key, body = excluded.body,
             location_id = excluded.location_id, status = excluded.status, ends_at = excluded.ends_at,
             span = excluded.span, related = excluded.related, search = excluded.search",
    )?;
    statement.execute(params![
        row.kind.as_str(),
        row.id,
        row.sort_key,
        row.body,
        row.location_id,
        row.status,
        row.ends_at,
        row.span,
        row.related,
        row.search
    ])?;
    Ok(())
}

/// Removes a file or a folder, treating "already gone" as done.
/// Creates `dir` (and missing parents) readable by this user only, and narrows an
/// existing one: the cache and the downloaded files are the customer's data.
fn private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        builder.mode(0o700).create(dir)?;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
    }
    #[cfg(not(unix))]
    builder.create(dir)
}

pub fn remove_path(path: &Path) -> std::io::Result<()> {
    let result = if path.is_dir() { std::fs::remove_dir_all(path) } else { std::fs::remove_file(path) };
    match result {
        Err(err) if err.kind() != std::io::ErrorKind::NotFound => Err(err),
        _ => Ok(()),
    }
}
