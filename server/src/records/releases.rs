//! Desktop app releases and their per-platform packages, as `release publish` writes
//! them and the update endpoint and the "Desktop releases" page read them; also which
//! customers may use the beta channel and which app versions portal sessions report.

use serde_json::json;

use super::audit::{self, Actor};
use crate::domain::rollout::Candidate;
use crate::error::{AppError, AppResult};
use crate::storage::{new_id, now_ms, Db, WriteTx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Release {
    pub id: String,
    pub version: String,
    pub channel: String,
    pub rollout_percent: i64,
    pub paused: i64,
    pub notes: String,
    pub pub_date: String,
    pub created_at: i64,
}

impl Release {
    pub fn is_paused(&self) -> bool {
        self.paused != 0
    }
}

/// One platform's package of a release.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReleaseFile {
    pub id: String,
    pub release_id: String,
    pub version: String,
    pub target: String,
    pub arch: String,
    pub bundle: String,
    pub storage_key: String,
    pub size_bytes: i64,
    pub created_at: i64,
}

pub struct NewRelease<'a> {
    pub version: &'a str,
    pub channel: &'a str,
    pub rollout_percent: i64,
    pub notes: &'a str,
}

pub struct NewFile<'a> {
    pub release_id: &'a str,
    pub target: &'a str,
    pub arch: &'a str,
    pub bundle: &'a str,
    pub storage_key: &'a str,
    pub size_bytes: i64,
    pub signature: &'a str,
}

const RELEASE_SELECT: &str =
    "SELECT id, version, channel, rollout_percent, paused, notes, pub_date, created_at FROM desktop_releases";
const FILE_SELECT: &str = "SELECT f.id, f.release_id, r.version, f.target, f.arch, f.bundle, f.storage_key,
     f.size_bytes, f.created_at FROM desktop_release_files f JOIN desktop_releases r ON r.id = f.release_id";

pub async fn by_version(db: &Db, version: &str) -> Result<Option<Release>, sqlx::Error> {
    sqlx::query_as(&format!("{RELEASE_SELECT} WHERE version = $1")).bind(version).fetch_optional(&db.pool).await
}

/// Whether the release already has a package for this platform and bundle.
pub async fn has_file(db: &Db, release_id: &str, target: &str, arch: &str, bundle: &str) -> Result<bool, sqlx::Error> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM desktop_release_files WHERE release_id = $1 AND target = $2 AND arch = $3 AND bundle = $4",
    )
    .bind(release_id)
    .bind(target)
    .bind(arch)
    .bind(bundle)
    .fetch_one(&db.pool)
    .await?;
    Ok(n > 0)
}

/// Adds a release, published now; returns its id.
pub async fn insert_release(tx: &mut WriteTx, release: NewRelease<'_>) -> Result<String, sqlx::Error> {
    let id = new_id();
    let now = now_ms();
    let pub_date = chrono::DateTime::from_timestamp_millis(now)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    sqlx::query(
        "INSERT INTO desktop_releases (id, version, channel, rollout_percent, paused, notes, pub_date, created_at, updated_at)
         VALUES ($1, $2, $3, $4, 0, $5, $6, $7, $7)",
    )
    .bind(&id)
    .bind(release.version)
    .bind(release.channel)
    .bind(release.rollout_percent)
    .bind(release.notes)
    .bind(pub_date)
    .bind(now)
    .execute(&mut ***tx)
    .await?;
    Ok(id)
}

/// Adds one platform's package to a release; returns its id.
pub async fn insert_file(tx: &mut WriteTx, file: NewFile<'_>) -> Result<String, sqlx::Error> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO desktop_release_files (id, release_id, target, arch, bundle, storage_key, size_bytes, signature, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&id)
    .bind(file.release_id)
    .bind(file.target)
    .bind(file.arch)
    .bind(file.bundle)
    .bind(file.storage_key)
    .bind(file.size_bytes)
    .bind(file.signature)
    .bind(now_ms())
    .execute(&mut ***tx)
    .await?;
    Ok(id)
}

/// The unpaused releases on `channels` with a package for the platform (of `bundle`,
/// or any bundle when the caller names none), one package per release.
pub async fn candidates(
    db: &Db,
    target: &str,
    arch: &str,
    bundle: Option<&str>,
    channels: &[&str],
) -> Result<Vec<Candidate>, sqlx::Error> {
    let channel_list: Vec<String> = (0..channels.len()).map(|i| format!("${}", i + 4)).collect();
    let sql = format!(
        "SELECT r.version, r.rollout_percent, r.notes, r.pub_date, f.id, f.signature
         FROM desktop_releases r JOIN desktop_release_files f ON f.release_id = r.id
         WHERE r.paused = 0 AND f.target = $1 AND f.arch = $2 AND ($3 = '' OR f.bundle = $3)
           AND r.channel IN ({})
         ORDER BY r.version, f.bundle",
        channel_list.join(", ")
    );
    let mut query = sqlx::query_as::<_, (String, i64, String, String, String, String)>(&sql)
        .bind(target)
        .bind(arch)
        .bind(bundle.unwrap_or_default());
    for channel in channels {
        query = query.bind(*channel);
    }
    let mut found: Vec<Candidate> = Vec::new();
    for (version, rollout_percent, notes, pub_date, file_id, signature) in query.fetch_all(&db.pool).await? {
        if found.last().is_some_and(|c| c.version == version) {
            continue;
        }
        found.push(Candidate { version, rollout_percent, notes, pub_date, file_id, signature });
    }
    Ok(found)
}

pub async fn file(db: &Db, id: &str) -> Result<Option<ReleaseFile>, sqlx::Error> {
    sqlx::query_as(&format!("{FILE_SELECT} WHERE f.id = $1")).bind(id).fetch_optional(&db.pool).await
}

/// Every release, newest first, with its packages.
pub async fn list(db: &Db) -> Result<Vec<(Release, Vec<ReleaseFile>)>, sqlx::Error> {
    let releases: Vec<Release> =
        sqlx::query_as(&format!("{RELEASE_SELECT} ORDER BY created_at DESC, id DESC")).fetch_all(&db.pool).await?;
    let files: Vec<ReleaseFile> =
        sqlx::query_as(&format!("{FILE_SELECT} ORDER BY f.target, f.arch, f.bundle")).fetch_all(&db.pool).await?;
    Ok(releases
        .into_iter()
        .map(|release| {
            let own = files.iter().filter(|f| f.release_id == release.id).cloned().collect();
            (release, own)
        })
        .collect())
}

/// Changes how many installations a release reaches, audited.
pub async fn set_rollout(tx: &mut WriteTx, actor: &Actor, id: &str, percent: i64) -> AppResult<()> {
    if !(0..=100).contains(&percent) {
        return Err(AppError::field("rollout_percent", "must be a whole number from 0 to 100"));
    }
    let before = current(tx, id).await?;
    sqlx::query("UPDATE desktop_releases SET rollout_percent = $1, updated_at = $2 WHERE id = $3")
        .bind(percent)
        .bind(now_ms())
        .bind(id)
        .execute(&mut ***tx)
        .await?;
    let details = json!({ "version": before.version, "from": before.rollout_percent, "to": percent });
    audit::record(tx, actor, "release.rollout", "desktop_release", Some(id), details).await?;
    Ok(())
}

/// Pauses a release (it is offered to nobody) or resumes it, audited.
pub async fn set_paused(tx: &mut WriteTx, actor: &Actor, id: &str, paused: bool) -> AppResult<()> {
    let before = current(tx, id).await?;
    sqlx::query("UPDATE desktop_releases SET paused = $1, updated_at = $2 WHERE id = $3")
        .bind(i64::from(paused))
        .bind(now_ms())
        .bind(id)
        .execute(&mut ***tx)
        .await?;
    let action = if paused { "release.pause" } else { "release.resume" };
    audit::record(tx, actor, action, "desktop_release", Some(id), json!({ "version": before.version })).await?;
    Ok(())
}

async fn current(tx: &mut WriteTx, id: &str) -> AppResult<Release> {
    let found: Option<Release> =
        sqlx::query_as(&format!("{RELEASE_SELECT} WHERE id = $1")).bind(id).fetch_optional(&mut ***tx).await?;
    found.ok_or(AppError::NotFound)
}

/// Live portal sessions by the app version they signed in with, most used first;
/// sessions that reported none (browsers, scripts, older apps) are not counted.
pub async fn versions_in_use(db: &Db) -> Result<Vec<(String, i64)>, sqlx::Error> {
    let now = now_ms();
    sqlx::query_as(
        "SELECT s.client_version, COUNT(*) FROM portal_sessions s JOIN portal_users u ON u.id = s.portal_user_id
         WHERE s.client_version IS NOT NULL AND s.revoked_at IS NULL AND s.expires_at > $1 AND s.last_seen_at > $2
           AND u.status = 'active'
         GROUP BY s.client_version ORDER BY COUNT(*) DESC, s.client_version DESC",
    )
    .bind(now)
    .bind(now - super::sessions::IDLE_MS)
    .fetch_all(&db.pool)
    .await
}

/// Whether staff allow the beta channel for any of these customers.
pub async fn beta_allowed(db: &Db, customer_ids: &[String]) -> Result<bool, sqlx::Error> {
    for id in customer_ids {
        let found: Option<(i64,)> = sqlx::query_as("SELECT desktop_beta FROM customers WHERE id = $1")
            .bind(id)
            .fetch_optional(&db.pool)
            .await?;
        if found.is_some_and(|(beta,)| beta != 0) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Every customer with whether it may use the beta channel, by name.
pub async fn beta_by_customer(db: &Db) -> Result<Vec<(String, String, bool)>, sqlx::Error> {
    let rows: Vec<(String, String, i64)> =
        sqlx::query_as("SELECT id, name, desktop_beta FROM customers ORDER BY name, id").fetch_all(&db.pool).await?;
    Ok(rows.into_iter().map(|(id, name, beta)| (id, name, beta != 0)).collect())
}

/// Allows or stops the beta channel for a customer's users, audited.
pub async fn set_beta(tx: &mut WriteTx, actor: &Actor, customer_id: &str, allowed: bool) -> AppResult<()> {
    let changed = sqlx::query("UPDATE customers SET desktop_beta = $1 WHERE id = $2")
        .bind(i64::from(allowed))
        .bind(customer_id)
        .execute(&mut ***tx)
        .await?;
    if changed.rows_affected() == 0 {
        return Err(AppError::field("customer_id", "no such customer"));
    }
    audit::record(tx, actor, "customer.desktop_beta", "customer", Some(customer_id), json!({ "allowed": allowed }))
        .await?;
    Ok(())
}
