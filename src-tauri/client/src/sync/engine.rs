//! Runs sync against the server: fetch a page, plan it, apply it in one
//! transaction, delete the files it dropped, then show the notifications it raised.
//! Because the cursor commits with each page, an interrupted sync resumes where it stopped.

use portal_types::{
    AppointmentView, FollowUpView, MessageFrom, ReportView, RequestView, SyncKind, TimelineEntryView, TimelineKind,
};

use super::plan::{plan, removed_reports, LocalState};
use crate::api::Api;
use crate::attention::Group;
use crate::cache::{remove_path, Cache, CURSOR};
use crate::error::ClientResult;
use crate::notices::{self, Notice, Settings};
use crate::notifier::Notifier;

/// Set once the first complete sync recorded the history that must not notify.
const BASELINED: &str = "notification_baseline";

/// What one sync did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Outcome {
    pub pages: usize,
    pub changes: usize,
    pub notified: usize,
}

/// How far a sync has come, for a progress bar.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Progress {
    pub received: u64,
    /// How many records the whole sync brings, when the server said
    /// (on the first page of a sync from the start).
    pub total: Option<u64>,
}

/// One sync in progress, page by page, so a caller can let others use the cache
/// between pages and report progress.
#[derive(Debug)]
pub struct Run {
    baseline: bool,
    settings: Settings,
    pub outcome: Outcome,
    pub progress: Progress,
}

impl Run {
    pub fn start(cache: &Cache) -> ClientResult<Run> {
        Ok(Run {
            baseline: cache.meta(BASELINED)?.is_none(),
            settings: settings(cache)?,
            outcome: Outcome::default(),
            progress: Progress::default(),
        })
    }

    /// Fetches, plans and applies one page; true while more pages wait.
    pub async fn step(
        &mut self,
        api: &Api,
        cache: &mut Cache,
        notifier: &dyn Notifier,
        page_size: u32,
    ) -> ClientResult<bool> {
        let cursor = cache.meta(CURSOR)?;
        let page = api.sync_page(cursor.as_deref(), page_size).await?;
        // What staff may change outside the synced records (the status wording, the
        // user's name and language) is read with the last page, so badges and
        // notifications use it from here on.
        let extras = if page.more { None } else { Some((api.status_labels().await?, api.me().await?)) };
        self.outcome.pages += 1;
        self.outcome.changes += page.changes.len();
        if page.total.is_some() {
            self.progress.total = page.total;
        }
        self.progress.received += page.changes.len() as u64;
        let removed = removed_reports(&page);
        let local =
            LocalState { downloaded: cache.downloaded()?, report_attachments: cache.report_attachments(&removed)? };
        let plan = plan(page, &local);
        let ids: Vec<String> = plan.timeline.iter().map(|e| e.id.clone()).collect();
        let ledger = cache.ledger(&ids)?;
        let (show, record) = notices::decide(&plan.timeline, &ledger, &self.settings, self.baseline);
        let show: Vec<String> = show.into_iter().map(|e| e.id.clone()).collect();
        let record: Vec<String> = record.into_iter().map(|e| e.id.clone()).collect();
        let mut gone = cache.apply(&plan, &show, &record, &crate::now())?;
        if let Some((labels, me)) = &extras {
            cache.set_status_labels(labels)?;
            cache.set_profile(me)?;
        }
        if !plan.more {
            gone.extend(cache.recheck_files()?);
        }
        for relative in gone {
            let folder = relative.split('/').next().unwrap_or_default();
            remove_path(&cache.files_dir().join(folder))?;
        }
        self.outcome.notified += show_pending(cache, notifier)?;
        if !plan.more && self.baseline {
            // The history this first sync brought is seen: only what comes after counts.
            for group in Group::ALL.into_iter().filter(|g| !g.counts_before_first_look()) {
                cache.look(group)?;
            }
            cache.set_meta(BASELINED, "1")?;
        }
        Ok(plan.more)
    }
}

/// Syncs until the server has no more changes.
pub async fn run(api: &Api, cache: &mut Cache, notifier: &dyn Notifier, page_size: u32) -> ClientResult<Outcome> {
    let mut run = Run::start(cache)?;
    while run.step(api, cache, notifier, page_size).await? {}
    Ok(run.outcome)
}

/// The notification settings stored in the cache.
pub fn settings(cache: &Cache) -> ClientResult<Settings> {
    Ok(crate::cache::settings_from(cache.meta(crate::cache::SETTINGS)?))
}

/// Shows every recorded but unshown notification, marking each shown once it is.
/// More than `DIGEST_AFTER` at once are summed up in one notification (each still
/// counts as notified once). Returns how many entries were notified.
pub fn show_pending(cache: &Cache, notifier: &dyn Notifier) -> ClientResult<usize> {
    let mut pending = Vec::new();
    for event_id in cache.unshown()? {
        match cache.get::<TimelineEntryView>(SyncKind::Timeline, &event_id)? {
            Some(entry) => pending.push(entry),
            // The entry left the cache (its subject is no longer visible): nothing to tell.
            None => cache.mark_shown(&event_id)?,
        }
    }
    if pending.len() > notices::DIGEST_AFTER {
        let kinds: Vec<TimelineKind> = pending.iter().map(|e| e.kind).collect();
        let language = cache.meta(crate::cache::LANGUAGE)?.unwrap_or_default();
        if let Err(err) = notifier.show(&notices::digest(&kinds, &language)) {
            tracing::warn!(error = %err, "notification not shown; retrying at the next sync");
            return Ok(0);
        }
        for entry in &pending {
            cache.mark_shown(&entry.id)?;
        }
        return Ok(pending.len());
    }
    let mut shown = 0;
    for entry in pending {
        if let Err(err) = notifier.show(&notice(cache, &entry)?) {
            tracing::warn!(error = %err, "notification not shown; retrying at the next sync");
            continue;
        }
        cache.mark_shown(&entry.id)?;
        shown += 1;
    }
    Ok(shown)
}

/// The start of a message, short enough for a notification.
fn excerpt(text: &str) -> String {
    const LONGEST: usize = 120;
    let text = text.trim();
    match text.char_indices().nth(LONGEST) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_string(),
    }
}

fn notice(cache: &Cache, entry: &TimelineEntryView) -> ClientResult<Notice> {
    let detail = match entry.kind {
        TimelineKind::FollowUpRequired | TimelineKind::FollowUpPlanned => {
            cache.get::<FollowUpView>(SyncKind::FollowUp, &entry.subject_id)?.map(|f| f.description)
        }
        TimelineKind::ReportShared => cache.get::<ReportView>(SyncKind::Report, &entry.subject_id)?.map(|r| r.title),
        // The reply itself, under the request it answers.
        TimelineKind::RequestReplied => cache.get::<RequestView>(SyncKind::Request, &entry.subject_id)?.map(|r| {
            let reply = r.messages.iter().rev().find(|m| m.from == MessageFrom::Staff);
            match reply {
                Some(reply) => format!("{}: {}", r.title, excerpt(&reply.body)),
                None => r.title,
            }
        }),
        TimelineKind::AppointmentScheduled | TimelineKind::AppointmentRescheduled => cache
            .get::<AppointmentView>(SyncKind::Appointment, &entry.subject_id)?
            .map(|a| format!("{} ({})", a.starts_at, a.time_zone)),
        _ => None,
    };
    let language = cache.meta(crate::cache::LANGUAGE)?.unwrap_or_default();
    let labels = cache.status_labels()?;
    let (title, body) = notices::text(entry.kind, detail.as_deref(), &language, labels.as_ref());
    Ok(Notice { subject: Some((entry.kind, entry.subject_id.clone())), title, body })
}
