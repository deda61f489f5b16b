//! The customer's access log: sign-ins, failed sign-ins, downloads, ended sessions and
//! staff "view as contact" views, per portal user. Each entry is written in the same
//! transaction as what it records, so the log never claims what rolled back. Staff
//! appear by role only. A contact reads their own entries, a customer admin those of
//! every colleague within their grants (`records::colleagues`).

use portal_types::{AccessKind, AccessLogEntryView, SessionEnd};

use super::query::{Arg, Select};
use super::time::Timestamp;
use crate::error::AppResult;
use crate::storage::{new_id, now_ms, Db, WriteTx};

/// What one entry says, beyond whom it is about and when.
#[derive(Debug, Clone)]
pub struct Entry {
    pub kind: AccessKind,
    pub ip: Option<String>,
    pub app_version: Option<String>,
    pub attachment_id: Option<String>,
    pub file_name: Option<String>,
    pub session_end: Option<SessionEnd>,
    pub staff_role: Option<String>,
}

impl Entry {
    fn of(kind: AccessKind) -> Self {
        Entry {
            kind,
            ip: None,
            app_version: None,
            attachment_id: None,
            file_name: None,
            session_end: None,
            staff_role: None,
        }
    }

    /// A sign-in, or (`succeeded` false) a failed one, from `ip` with the desktop app's
    /// version read from its User-Agent.
    pub fn sign_in(succeeded: bool, ip: &str, user_agent: &str) -> Self {
        let kind = if succeeded { AccessKind::SignIn } else { AccessKind::SignInFailed };
        Entry {
            ip: Some(ip.to_string()),
            app_version: crate::domain::version::from_user_agent(user_agent),
            ..Self::of(kind)
        }
    }

    pub fn download(ip: &str, attachment_id: &str, file_name: &str) -> Self {
        Entry {
            ip: Some(ip.to_string()),
            attachment_id: Some(attachment_id.to_string()),
            file_name: Some(file_name.to_string()),
            ..Self::of(AccessKind::Download)
        }
    }

    pub fn session_ended(why: SessionEnd) -> Self {
        Entry { session_end: Some(why), ..Self::of(AccessKind::SessionEnded) }
    }

    /// Staff with `role` viewed the portal as the user sees it.
    pub fn staff_view(role: &str) -> Self {
        Entry { staff_role: Some(role.to_string()), ..Self::of(AccessKind::StaffView) }
    }
}

/// Records `entry` about `user_id` now.
pub async fn record(tx: &mut WriteTx, user_id: &str, entry: Entry) -> Result<(), sqlx::Error> {
    record_at(tx, user_id, now_ms(), entry).await
}

/// Records `entry` about `user_id` as of `at` (Unix ms): a session's expiry is logged
/// when it is found, as of when it ran out.
pub async fn record_at(tx: &mut WriteTx, user_id: &str, at: i64, entry: Entry) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO portal_access_log (id, portal_user_id, occurred_at, kind, ip, app_version, attachment_id,
             file_name, session_end, staff_role)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(new_id())
    .bind(user_id)
    .bind(at)
    .bind(entry.kind.as_str())
    .bind(entry.ip)
    .bind(entry.app_version)
    .bind(entry.attachment_id)
    .bind(entry.file_name)
    .bind(entry.session_end.map(|why| why.as_str().to_string()))
    .bind(entry.staff_role)
    .execute(&mut ***tx)
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    occurred_at: i64,
    kind: String,
    portal_user_id: String,
    display_name: String,
    ip: Option<String>,
    app_version: Option<String>,
    attachment_id: Option<String>,
    file_name: Option<String>,
    session_end: Option<String>,
    staff_role: Option<String>,
}

impl Row {
    fn view(self) -> Result<AccessLogEntryView, sqlx::Error> {
        let decode = |what: String| sqlx::Error::Decode(what.into());
        Ok(AccessLogEntryView {
            kind: AccessKind::try_from(self.kind).map_err(decode)?,
            session_end: self.session_end.map(SessionEnd::try_from).transpose().map_err(decode)?,
            occurred_at: Timestamp(self.occurred_at).rfc3339(),
            id: self.id,
            user_id: self.portal_user_id,
            user_name: self.display_name,
            ip: self.ip,
            app_version: self.app_version,
            attachment_id: self.attachment_id,
            file_name: self.file_name,
            staff_role: self.staff_role,
        })
    }
}

/// The entries about `user_ids`, newest first: at most `limit + 1` older than `before`
/// (an entry id), so the caller can tell whether more follow.
pub async fn about(
    db: &Db,
    user_ids: &[String],
    before: Option<&str>,
    limit: usize,
) -> AppResult<Vec<AccessLogEntryView>> {
    let mut select = Select::new(
        "SELECT a.id, a.occurred_at, a.kind, a.portal_user_id, u.display_name, a.ip, a.app_version, \
         a.attachment_id, a.file_name, a.session_end, a.staff_role \
         FROM portal_access_log a JOIN portal_users u ON u.id = a.portal_user_id",
    );
    select.filter_in("a.portal_user_id", user_ids);
    if let Some(before) = before {
        select.filter("a.id < {}", Arg::Text(before.to_string()));
    }
    let rows: Vec<Row> = select.fetch_all(db, &format!("ORDER BY a.id DESC LIMIT {}", limit + 1)).await?;
    Ok(rows.into_iter().map(Row::view).collect::<Result<_, _>>()?)
}
