//! The signed-in client: one user on one server, with the cache, the session in the
//! keyring and the API. Everything the app does goes through here.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use portal_types::{AcceptInvitation, AttachmentView, Me, NewRequestInput, RequestView, SyncKind};
use serde::de::DeserializeOwned;

use crate::address::ServerAddress;
use crate::api::Api;
use crate::attention::{Attention, Group};
use crate::cache::window::{Slice, Window};
use crate::cache::{
    remove_path, Cache, CacheKey, NewFile, Queued, QueuedFile, QueuedMessage, Reader, CACHE_FILE, LAST_EVENT,
    LAST_SYNCED, SETTINGS,
};
use crate::error::{ClientError, ClientResult};
use crate::notices::Settings;
use crate::notifier::Notifier;
use crate::records::{row_of, Row};
use crate::session::{self, Account};
use crate::sync::engine::{self, Outcome, Run};
use crate::upload;

/// Changes per sync page, unless `set_page_size` says otherwise.
const PAGE_SIZE: u32 = 1000;

pub struct Client {
    app_dir: PathBuf,
    account: Account,
    api: Api,
    cache: Cache,
    key: CacheKey,
    /// The cache found at start could not be unlocked and was started afresh.
    rebuilt: bool,
    notifier: Arc<dyn Notifier>,
    page_size: u32,
}

impl Client {
    /// Signs in with e-mail and password and keeps the session in the keyring.
    pub async fn sign_in(
        app_dir: &Path,
        server: &ServerAddress,
        email: &str,
        password: &str,
        notifier: Arc<dyn Notifier>,
    ) -> ClientResult<Client> {
        let token = Api::new(server.clone(), None).sign_in(email.trim(), password).await?;
        let me = Api::new(server.clone(), Some(token.token.clone())).me().await?;
        Self::start(app_dir, Account::new(server, email), token.token, &me, notifier)
    }

    /// Accepts an invitation (a code or an `ordinavo://invite/…` link) and signs in.
    pub async fn accept_invitation(
        app_dir: &Path,
        server: &ServerAddress,
        input: &AcceptInvitation,
        notifier: Arc<dyn Notifier>,
    ) -> ClientResult<Client> {
        let token = Api::new(server.clone(), None).accept_invitation(input).await?;
        let me = Api::new(server.clone(), Some(token.token.clone())).me().await?;
        Self::start(app_dir, Account::new(server, &me.email), token.token, &me, notifier)
    }

    fn start(
        app_dir: &Path,
        account: Account,
        token: String,
        me: &Me,
        notifier: Arc<dyn Notifier>,
    ) -> ClientResult<Client> {
        // Another user's leftovers never survive a new sign-in.
        if let Some(previous) = session::current(app_dir)? {
            if previous != account {
                wipe(app_dir, &previous)?;
            }
        }
        account.store_token(&token)?;
        session::set_current(app_dir, &account)?;
        let api = Api::new(account.address()?, Some(token));
        let (cache, key, rebuilt) = unlock(app_dir, &account)?;
        cache.set_profile(me)?;
        let app_dir = app_dir.to_path_buf();
        Ok(Client { app_dir, account, api, cache, key, rebuilt, notifier, page_size: PAGE_SIZE })
    }

    /// Opens the signed-in account from the last run, if its token is still in the
    /// keyring, straight into the cached data; no network needed.
    pub fn resume(app_dir: &Path, notifier: Arc<dyn Notifier>) -> ClientResult<Option<Client>> {
        let Some(account) = session::current(app_dir)? else {
            return Ok(None);
        };
        let Some(token) = account.token()? else {
            wipe(app_dir, &account)?;
            return Ok(None);
        };
        let api = Api::new(account.address()?, Some(token));
        let (cache, key, rebuilt) = unlock(app_dir, &account)?;
        cache.sweep_files()?;
        let app_dir = app_dir.to_path_buf();
        let client = Client { app_dir, account, api, cache, key, rebuilt, notifier, page_size: PAGE_SIZE };
        // Notifications a crash cut off are shown now, still exactly once.
        engine::show_pending(&client.cache, client.notifier.as_ref())?;
        Ok(Some(client))
    }

    /// Asks for smaller sync pages: more, shorter transactions, as on a slow link
    /// (and in tests, many pages from a small data set).
    pub fn set_page_size(&mut self, size: u32) {
        self.page_size = size.clamp(1, PAGE_SIZE);
    }

    pub fn account(&self) -> &Account {
        &self.account
    }

    /// True when the cache found at start could not be unlocked (its key left the
    /// keyring) and was discarded: the app says so while a fresh sync fills it.
    pub fn rebuilt(&self) -> bool {
        self.rebuilt
    }

    /// The API, for the live event connection.
    pub fn api(&self) -> &Api {
        &self.api
    }

    /// Signs out on the server (when reachable) and leaves nothing behind locally.
    pub async fn sign_out(self) -> ClientResult<()> {
        if let Err(err) = self.api.sign_out().await {
            tracing::info!(code = err.code(), "server sign-out skipped");
        }
        let Client { app_dir, account, cache, .. } = self;
        drop(cache);
        wipe(&app_dir, &account)
    }

    /// Signs out on every device, then leaves nothing behind here either.
    pub async fn sign_out_everywhere(self) -> ClientResult<()> {
        self.api.sign_out_everywhere().await?;
        let Client { app_dir, account, cache, .. } = self;
        drop(cache);
        wipe(&app_dir, &account)
    }

    /// Runs sync to the end. A session the server ended wipes this user's data.
    pub async fn sync(&mut self) -> ClientResult<Outcome> {
        let result = engine::run(&self.api, &mut self.cache, self.notifier.as_ref(), self.page_size).await;
        self.ended_wipes(result)
    }

    /// Begins a sync to run page by page with `sync_step`.
    pub fn begin_sync(&self) -> ClientResult<Run> {
        Run::start(&self.cache)
    }

    /// Syncs one page of `run`; true while more pages wait.
    pub async fn sync_step(&mut self, run: &mut Run) -> ClientResult<bool> {
        let result = run.step(&self.api, &mut self.cache, self.notifier.as_ref(), self.page_size).await;
        self.ended_wipes(result)
    }

    /// A read-only connection to this user's cache, for reads that must not wait for sync.
    pub fn reader(&self) -> ClientResult<Reader> {
        Reader::open(&self.account.dir(&self.app_dir), &self.key)
    }

    fn ended_wipes<T>(&self, result: ClientResult<T>) -> ClientResult<T> {
        if let Err(ClientError::SessionEnded) = &result {
            wipe(&self.app_dir, &self.account)?;
        }
        result
    }

    /// One window of a cached list (a portal view type), in list order.
    pub fn window<T: DeserializeOwned>(&self, window: &Window) -> ClientResult<Slice<T>> {
        self.cache.window(window)
    }

    pub fn get<T: DeserializeOwned>(&self, kind: SyncKind, id: &str) -> ClientResult<Option<T>> {
        self.cache.get(kind, id)
    }

    pub fn count(&self, kind: SyncKind) -> ClientResult<usize> {
        self.cache.count(kind)
    }

    pub fn last_synced_at(&self) -> ClientResult<Option<String>> {
        self.cache.meta(LAST_SYNCED)
    }

    pub fn last_event_id(&self) -> ClientResult<Option<String>> {
        self.cache.meta(LAST_EVENT)
    }

    /// Remembers the last live event handled, to resume the stream after it.
    pub fn set_last_event_id(&self, id: &str) -> ClientResult<()> {
        self.cache.set_meta(LAST_EVENT, id)
    }

    /// What needs the user's attention (see `crate::attention`).
    pub fn attention(&self) -> ClientResult<Attention> {
        self.cache.attention()
    }

    /// The user opened the group's screen: what it shows is seen.
    pub fn look(&self, group: Group) -> ClientResult<()> {
        self.cache.look(group)
    }

    pub fn settings(&self) -> ClientResult<Settings> {
        engine::settings(&self.cache)
    }

    pub fn set_settings(&self, settings: &Settings) -> ClientResult<()> {
        self.cache.set_meta(SETTINGS, &serde_json::to_string(settings).unwrap_or_default())
    }

    /// Requests waiting to be sent.
    pub fn outbox(&self) -> ClientResult<Vec<Queued>> {
        self.cache.outbox()
    }

    /// Queues a request with a fresh idempotency key; sending happens in `flush_outbox`.
    pub fn queue_request(&self, input: &NewRequestInput) -> ClientResult<String> {
        let key = uuid::Uuid::now_v7().to_string();
        self.cache.queue(&key, input, &crate::now())?;
        Ok(key)
    }

    /// Messages waiting to be sent.
    pub fn queued_messages(&self) -> ClientResult<Vec<QueuedMessage>> {
        self.cache.queued_messages()
    }

    /// Queues a message on a request with a fresh idempotency key; sending happens in
    /// `flush_outbox`.
    pub fn queue_message(&self, request_id: &str, body: &str) -> ClientResult<String> {
        let key = uuid::Uuid::now_v7().to_string();
        self.cache.queue_message(&key, request_id, body, &crate::now())?;
        Ok(key)
    }

    /// Drops a message the server refused.
    pub fn discard_message(&self, idempotency_key: &str) -> ClientResult<()> {
        self.cache.discard_message(idempotency_key)
    }

    /// Files waiting to be sent.
    pub fn queued_files(&self) -> ClientResult<Vec<QueuedFile>> {
        self.cache.queued_files()
    }

    /// Queues a file for a request with a fresh idempotency key, once its size is
    /// one the server takes (a missing type comes from the extension); sending
    /// happens in `flush_outbox`.
    pub fn queue_file(&self, file: &NewFile) -> ClientResult<String> {
        upload::check_size(file.file_name, file.bytes.len())?;
        let content_type = upload::content_type(file.file_name, file.content_type);
        let key = uuid::Uuid::now_v7().to_string();
        self.cache.queue_file(&key, &NewFile { content_type: &content_type, ..*file }, &crate::now())?;
        Ok(key)
    }

    /// Drops a file the server refused.
    pub fn discard_file(&self, idempotency_key: &str) -> ClientResult<()> {
        self.cache.discard_file(idempotency_key)
    }

    /// Sends every waiting request, then every waiting message, then every waiting
    /// file. `after_send` runs between the server's answer and storing it (the moment
    /// a crash is most dangerous, which the tests exercise). Stops at the first
    /// transient failure; refused ones stay, marked with the reason.
    pub async fn flush_outbox(&mut self, after_send: &(dyn Fn(&str) + Sync)) -> ClientResult<usize> {
        let mut sent = self.flush_requests(after_send).await?;
        for queued in self.cache.queued_messages()?.into_iter().filter(|q| q.last_error.is_none()) {
            let posted = self.api.post_message(&queued.request_id, &queued.body, &queued.idempotency_key).await;
            match self.answered(posted.map(drop))? {
                Ok(()) => {
                    after_send(&queued.idempotency_key);
                    let row = self.fresh_request(&queued.request_id).await?;
                    self.cache.message_sent(&queued.idempotency_key, &row)?;
                    sent += 1;
                }
                Err(err) => self.cache.message_refused(&queued.idempotency_key, &err.to_string())?,
            }
        }
        for queued in self.cache.queued_files()?.into_iter().filter(|q| q.last_error.is_none()) {
            let Some(bytes) = self.cache.queued_file_bytes(&queued.idempotency_key)? else { continue };
            let file = NewFile {
                request_id: &queued.request_id,
                file_name: &queued.file_name,
                content_type: &queued.content_type,
                bytes: &bytes,
            };
            let uploaded = self.api.upload_file(&file, &queued.idempotency_key).await;
            match self.answered(uploaded.map(drop))? {
                Ok(()) => {
                    after_send(&queued.idempotency_key);
                    let row = self.fresh_request(&queued.request_id).await?;
                    self.cache.file_sent(&queued.idempotency_key, &row)?;
                    sent += 1;
                }
                Err(err) => self.cache.file_refused(&queued.idempotency_key, &err.to_string())?,
            }
        }
        Ok(sent)
    }

    /// The server's answer to a send from the outbox: a transient failure stops the
    /// flush (`Err`), an ended session wipes the cache, and anything else is taken
    /// (`Ok(Ok)`) or refused for good (`Ok(Err)`).
    fn answered(&self, result: ClientResult<()>) -> ClientResult<Result<(), ClientError>> {
        match result {
            Ok(()) => Ok(Ok(())),
            Err(err) if err.is_transient() => Err(err),
            Err(ClientError::SessionEnded) => self.ended_wipes(Err(ClientError::SessionEnded)),
            Err(err) => Ok(Err(err)),
        }
    }

    /// A request as the server has it now, as a cache row. (`&mut`: a shared borrow
    /// held across the await would need the cache connection to be `Sync`.)
    async fn fresh_request(&mut self, id: &str) -> ClientResult<Row> {
        let view = self.api.request(id).await;
        let view = self.ended_wipes(view)?;
        Ok(row_of(&portal_types::SyncItem::Request(view)))
    }

    async fn flush_requests(&mut self, after_send: &(dyn Fn(&str) + Sync)) -> ClientResult<usize> {
        let mut sent = 0;
        for queued in self.cache.outbox()?.into_iter().filter(|q| q.last_error.is_none()) {
            match self.api.submit_request(&queued.input, &queued.idempotency_key).await {
                Ok(view) => {
                    after_send(&queued.idempotency_key);
                    let row = row_of(&portal_types::SyncItem::Request(view));
                    self.cache.sent(&queued.idempotency_key, &row)?;
                    sent += 1;
                }
                Err(err) if err.is_transient() => return Err(err),
                Err(ClientError::SessionEnded) => return self.ended_wipes(Err(ClientError::SessionEnded)),
                Err(err) => self.cache.refused(&queued.idempotency_key, &err.to_string())?,
            }
        }
        Ok(sent)
    }

    /// Drops a request the server refused.
    pub fn discard_queued(&self, idempotency_key: &str) -> ClientResult<()> {
        self.cache.discard(idempotency_key)
    }

    pub async fn cancel_request(&mut self, id: &str) -> ClientResult<RequestView> {
        let result = self.api.cancel_request(id).await;
        let view = self.ended_wipes(result)?;
        self.cache.put(&row_of(&portal_types::SyncItem::Request(view.clone())))?;
        Ok(view)
    }

    /// The cached attachment, standalone or listed in a cached report.
    pub fn attachment(&self, id: &str) -> ClientResult<AttachmentView> {
        if let Some(attachment) = self.cache.get::<AttachmentView>(SyncKind::Attachment, id)? {
            return Ok(attachment);
        }
        self.cache.report_attachment(id)?.ok_or_else(|| ClientError::NotFound("The attachment".into()))
    }

    /// Whether the downloaded file of attachment `id` may be opened with the system's
    /// default application, rather than only shown in its folder.
    pub fn opens_directly(&self, id: &str, path: &Path) -> ClientResult<bool> {
        Ok(crate::opening::opens_directly(&self.attachment(id)?.content_type, path))
    }

    /// The downloaded copy of an attachment, available offline.
    pub fn downloaded(&self, id: &str) -> ClientResult<Option<PathBuf>> {
        Ok(self.cache.file(id)?.filter(|path| path.exists()))
    }

    /// Downloads an attachment (or returns the copy already kept), reporting progress.
    pub async fn download(&mut self, id: &str, progress: impl FnMut(u64, u64)) -> ClientResult<PathBuf> {
        if let Some(path) = self.downloaded(id)? {
            return Ok(path);
        }
        let attachment = self.attachment(id)?;
        let folder = self.cache.files_dir().join(id);
        let result = crate::download::fetch(&self.api, &attachment, &folder, progress).await;
        let path = self.ended_wipes(result)?;
        let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        self.cache.add_file(id, &format!("{id}/{name}"), &attachment.sha256)?;
        Ok(path)
    }
}

/// Opens the account's cache with its key from the keyring. A cache no key opens (the
/// keyring lost it, or the cache predates encryption) is discarded and started afresh
/// under a new key, for a full sync: its data is on the server. True then.
fn unlock(app_dir: &Path, account: &Account) -> ClientResult<(Cache, CacheKey, bool)> {
    let dir = account.dir(app_dir);
    if let Some(key) = account.cache_key()? {
        match Cache::open(&dir, &key) {
            Ok(cache) => return Ok((cache, key, false)),
            Err(ClientError::CacheLocked) => {}
            Err(err) => return Err(err),
        }
    }
    let found = dir.join(CACHE_FILE).exists();
    if found {
        tracing::warn!("the cache could not be unlocked; starting it afresh");
    }
    remove_path(&dir)?;
    let key = CacheKey::generate();
    account.store_cache_key(&key)?;
    Ok((Cache::open(&dir, &key)?, key, found))
}

/// Deletes an account's token, cache key, cache and files, and forgets it as the
/// current account.
pub fn wipe(app_dir: &Path, account: &Account) -> ClientResult<()> {
    account.delete_token()?;
    account.delete_cache_key()?;
    remove_path(&account.dir(app_dir))?;
    if session::current(app_dir)?.as_ref() == Some(account) {
        session::clear_current(app_dir)?;
    }
    Ok(())
}
