//! `GET /updates/{target}/{arch}/{current_version}`: signed update manifests for the
//! desktop app, in the format of Tauri's updater. Releases are folders under
//! `<data dir>/releases/<version>/` holding a `release.json`:
//! `{"notes", "pub_date", "platforms": {"linux-x86_64": {"url", "signature"}}}`.
//! The newest release for the platform answers 200 when it is newer, else 204.
//! Signatures are made at release time with the private key; the server only serves them.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::path::Path;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use crate::error::{AppError, AppResult};
use crate::extract::Path as UrlPath;
use crate::state::AppState;

const TARGETS: [&str; 3] = ["linux", "windows", "darwin"];
const ARCHES: [&str; 4] = ["x86_64", "aarch64", "i686", "armv7"];

pub fn router() -> Router<AppState> {
    Router::new().route("/updates/{target}/{arch}/{current_version}", get(latest))
}

/// A release version: `MAJOR.MINOR.PATCH` with an optional `-prerelease`, which
/// sorts before the release itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    numbers: [u64; 3],
    pre: Option<String>,
}

impl Version {
    pub fn parse(text: &str) -> Option<Version> {
        let (core, pre) = match text.split_once('-') {
            Some((core, pre)) if !pre.is_empty() => (core, Some(pre.to_string())),
            Some(_) => return None,
            None => (text, None),
        };
        let mut numbers = [0u64; 3];
        let mut parts = core.split('.');
        for slot in &mut numbers {
            let part = parts.next()?;
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) || part.len() > 9 {
                return None;
            }
            *slot = part.parse().ok()?;
        }
        if parts.next().is_some()
            || pre.as_deref().is_some_and(|p| !p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.'))
        {
            return None;
        }
        Some(Version { numbers, pre })
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.numbers.cmp(&other.numbers).then_with(|| match (&self.pre, &other.pre) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Greater,
            (Some(_), None) => Ordering::Less,
            (Some(a), Some(b)) => a.cmp(b),
        })
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// A release folder's `release.json`.
#[derive(Debug, Deserialize)]
pub struct Release {
    #[serde(default)]
    pub notes: String,
    pub pub_date: Option<String>,
    pub platforms: HashMap<String, Platform>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Platform {
    pub url: String,
    pub signature: String,
}

/// The answer when an update exists, as Tauri's updater reads it.
#[derive(Debug, Serialize)]
pub struct Manifest {
    pub version: String,
    pub notes: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pub_date: Option<String>,
    pub url: String,
    pub signature: String,
}

/// The newest release for `platform`, if it is newer than `current`.
pub fn pick(current: &Version, releases: Vec<(String, Release)>, platform: &str) -> Option<Manifest> {
    releases
        .into_iter()
        .filter_map(|(name, release)| {
            let version = Version::parse(&name)?;
            let files = release.platforms.get(platform)?.clone();
            (version > *current).then_some((version, name, release.notes, release.pub_date, files))
        })
        .max_by(|a, b| a.0.cmp(&b.0))
        .map(|(_, version, notes, pub_date, files)| Manifest {
            version,
            notes,
            pub_date,
            url: files.url,
            signature: files.signature,
        })
}

async fn latest(
    State(state): State<AppState>,
    UrlPath((target, arch, current)): UrlPath<(String, String, String)>,
) -> AppResult<Response> {
    if !TARGETS.contains(&target.as_str()) {
        return Err(AppError::field("target", format!("must be one of {}", TARGETS.join(", "))));
    }
    if !ARCHES.contains(&arch.as_str()) {
        return Err(AppError::field("arch", format!("must be one of {}", ARCHES.join(", "))));
    }
    let current = Version::parse(&current)
        .ok_or_else(|| AppError::field("current_version", "must be a version such as 1.2.3"))?;
    let folder = state.config.data_dir.join("releases");
    let releases = tokio::task::spawn_blocking(move || read_releases(&folder)).await.unwrap_or_default();
    Ok(match pick(&current, releases, &format!("{target}-{arch}")) {
        Some(manifest) => Json(manifest).into_response(),
        None => StatusCode::NO_CONTENT.into_response(),
    })
}

/// Every readable release under `folder`; unreadable ones are logged and skipped,
/// so a broken release never breaks update checks.
fn read_releases(folder: &Path) -> Vec<(String, Release)> {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return Vec::new();
    };
    let mut releases = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        let file = entry.path().join("release.json");
        match std::fs::read(&file)
            .map_err(|e| e.to_string())
            .and_then(|b| serde_json::from_slice::<Release>(&b).map_err(|e| e.to_string()))
        {
            Ok(release) => releases.push((name, release)),
            Err(err) => tracing::warn!(release = %name, error = %err, "unreadable release skipped"),
        }
    }
    releases
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Version {
        Version::parse(text).unwrap()
    }

    fn release(platform: &str) -> Release {
        let files = Platform { url: format!("https://dl.example/{platform}"), signature: "sig".into() };
        Release { notes: String::new(), pub_date: None, platforms: HashMap::from([(platform.to_string(), files)]) }
    }

    #[test]
    fn versions_order_numerically_with_prereleases_first() {
        assert!(v("0.10.0") > v("0.9.9"));
        assert!(v("1.0.0") > v("1.0.0-rc.1"));
        assert!(v("1.0.0-rc.2") > v("1.0.0-rc.1"));
        assert_eq!(v("1.2.3"), v("1.2.3"));
        for bad in ["", "1.2", "1.2.3.4", "v1.2.3", "1.x.3", "1.2.3-", "1.2.3-a/b", "01234567890.0.0"] {
            assert_eq!(Version::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_newest_release_for_the_platform_wins_only_when_newer() {
        let releases = || {
            vec![
                ("0.2.0".to_string(), release("linux-x86_64")),
                ("0.3.0".to_string(), release("linux-x86_64")),
                ("0.4.0".to_string(), release("windows-x86_64")),
                ("not-a-version".to_string(), release("linux-x86_64")),
            ]
        };
        assert_eq!(pick(&v("0.1.0"), releases(), "linux-x86_64").unwrap().version, "0.3.0");
        assert!(pick(&v("0.3.0"), releases(), "linux-x86_64").is_none());
        assert!(pick(&v("0.1.0"), releases(), "darwin-aarch64").is_none());
    }
}
