//! A second, read-only connection to a cache, for the UI: in WAL mode it reads the
//! last committed state while sync writes on the cache's own connection, so screens
//! never wait for a sync page to apply.

use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use portal_types::{StatusLabels, SyncKind};
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use serde::de::DeserializeOwned;

use super::attention;
use super::file_outbox::{queued_files, QueuedFile};
use super::message_outbox::{queued_messages, QueuedMessage};
use super::outbox::{queued, Queued};
use super::window::{self, Slice, Window};
use super::{labels_from, settings_from, CacheKey, CACHE_FILE, DISPLAY_NAME, LAST_SYNCED, SETTINGS, STATUS_LABELS};
use crate::attention::Attention;
use crate::error::ClientResult;
use crate::notices::Settings;

pub struct Reader {
    conn: Mutex<Connection>,
}

impl Reader {
    /// Opens the cache in `dir` for reading; the cache itself must exist (opened by `Cache::open`).
    pub fn open(dir: &Path, key: &CacheKey) -> ClientResult<Reader> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(dir.join(CACHE_FILE), flags)?;
        // A checkpoint or a schema step can hold the database briefly.
        conn.busy_timeout(Duration::from_secs(5))?;
        key.unlock(&conn)?;
        Ok(Reader { conn: Mutex::new(conn) })
    }

    fn with<T>(&self, read: impl FnOnce(&Connection) -> ClientResult<T>) -> ClientResult<T> {
        // A panic during another read leaves the connection itself usable.
        let conn = self.conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        read(&conn)
    }

    /// One window of a list (see `cache::window`).
    pub fn window<T: DeserializeOwned>(&self, window: &Window) -> ClientResult<Slice<T>> {
        self.with(|conn| window::read(conn, window, chrono::Utc::now()))
    }

    pub fn get<T: DeserializeOwned>(&self, kind: SyncKind, id: &str) -> ClientResult<Option<T>> {
        self.with(|conn| window::get(conn, kind, id))
    }

    pub fn last_synced_at(&self) -> ClientResult<Option<String>> {
        self.meta(LAST_SYNCED)
    }

    /// Requests waiting to be sent, or refused with a reason.
    pub fn outbox(&self) -> ClientResult<Vec<Queued>> {
        self.with(queued)
    }

    /// Messages waiting to be sent, or refused with a reason.
    pub fn queued_messages(&self) -> ClientResult<Vec<QueuedMessage>> {
        self.with(queued_messages)
    }

    /// Files waiting to be sent, or refused with a reason.
    pub fn queued_files(&self) -> ClientResult<Vec<QueuedFile>> {
        self.with(queued_files)
    }

    pub fn settings(&self) -> ClientResult<Settings> {
        Ok(settings_from(self.meta(SETTINGS)?))
    }

    /// The user's name as the server knows it (stored at sign-in and by every sync).
    pub fn display_name(&self) -> ClientResult<Option<String>> {
        self.meta(DISPLAY_NAME)
    }

    /// Whether the user is a customer admin, as the last `/me` said.
    pub fn customer_admin(&self) -> ClientResult<bool> {
        Ok(self.meta(super::CUSTOMER_ADMIN)?.as_deref() == Some("1"))
    }

    /// What needs the user's attention, for the tray, the window title and the badge.
    pub fn attention(&self) -> ClientResult<Attention> {
        self.with(attention::read)
    }

    /// The user's language from `/me` (`en` or `ar`), for the app's native texts.
    pub fn language(&self) -> ClientResult<Option<String>> {
        self.meta(super::LANGUAGE)
    }

    /// The company's status wording, once a sync stored it.
    pub fn status_labels(&self) -> ClientResult<Option<StatusLabels>> {
        Ok(labels_from(self.meta(STATUS_LABELS)?))
    }

    fn meta(&self, key: &str) -> ClientResult<Option<String>> {
        self.with(|conn| Ok(conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0)).optional()?))
    }
}
