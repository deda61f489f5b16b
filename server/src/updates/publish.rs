//! `ordinavo-server release publish`: checks every argument first, streams the
//! package into the blob store, then records the release and its package in one
//! transaction. Bad input names the argument and writes nothing.

use std::path::PathBuf;

use base64::Engine;
use serde_json::json;
use tokio_util::io::ReaderStream;

use super::{Version, ARCHES, BUNDLES, CHANNELS, TARGETS};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::records::audit::{self, Actor};
use crate::records::releases::{self, NewFile, NewRelease};
use crate::state::AppState;
use crate::storage::blobs::{ReceiveError, StagedFile};

/// Longest release notes accepted.
const MAX_NOTES: usize = 20_000;

/// The arguments of `release publish`, as given.
#[derive(Debug, Clone)]
pub struct PublishInput {
    pub version: String,
    pub file: PathBuf,
    /// The signature itself, or the path of the `.sig` file the Tauri CLI wrote.
    pub signature: String,
    pub notes: String,
    pub channel: String,
    pub rollout: i64,
    pub target: String,
    pub arch: String,
    pub bundle: String,
}

/// What was published.
#[derive(Debug)]
pub struct Published {
    pub release_id: String,
    pub file_id: String,
    /// False when the package joined a release published earlier for another platform.
    pub new_release: bool,
}

/// Publishes one platform's package of a release. Errors name the argument (`--rollout`).
pub async fn publish(state: &AppState, input: PublishInput) -> AppResult<Published> {
    let mut errors = FieldErrors::new();
    let mut error = |field: &str, message: &str| {
        errors.entry(format!("--{field}")).or_insert_with(|| message.to_string());
    };
    if Version::parse(&input.version).is_none() {
        error("version", "must be a version such as 1.4.0 or 1.5.0-beta.1");
    }
    if !CHANNELS.contains(&input.channel.as_str()) {
        error("channel", "must be stable or beta");
    }
    if !(0..=100).contains(&input.rollout) {
        error("rollout", "must be a whole number from 0 to 100");
    }
    for (field, value, allowed) in [
        ("target", &input.target, &TARGETS[..]),
        ("arch", &input.arch, &ARCHES[..]),
        ("bundle", &input.bundle, &BUNDLES[..]),
    ] {
        if !allowed.contains(&value.as_str()) {
            error(field, &format!("must be one of {}", allowed.join(", ")));
        }
    }
    let notes = input.notes.trim();
    if notes.is_empty() || notes.chars().count() > MAX_NOTES {
        error("notes", &format!("must be between 1 and {MAX_NOTES} characters"));
    }
    let size = match tokio::fs::metadata(&input.file).await {
        Ok(meta) if meta.is_file() && meta.len() > 0 => meta.len(),
        Ok(meta) if meta.is_file() => {
            error("file", "is empty");
            0
        }
        _ => {
            error("file", "must name a readable package file");
            0
        }
    };
    let signature = match read_signature(&input.signature).await {
        Some(signature) => signature,
        None => {
            error("signature", "must be the updater signature (the .sig file or its text) made with the private key");
            String::new()
        }
    };
    if !errors.is_empty() {
        return Err(AppError::invalid(errors));
    }
    let existing = releases::by_version(&state.db, &input.version).await?;
    if let Some(release) = &existing {
        if releases::has_file(&state.db, &release.id, &input.target, &input.arch, &input.bundle).await? {
            return Err(AppError::field(
                "--version",
                format!("{} already has a {} package for {}-{}", input.version, input.bundle, input.target, input.arch),
            ));
        }
        if release.channel != input.channel || release.notes != notes {
            return Err(AppError::field(
                "--version",
                format!(
                    "{} was published on the {} channel with other notes; a further platform must use the same \
                     --channel and --notes",
                    input.version, release.channel
                ),
            ));
        }
    }
    let file = tokio::fs::File::open(&input.file).await.map_err(|_| AppError::field("--file", "cannot be read"))?;
    let staged = StagedFile::receive(&state.blobs, size, ReaderStream::new(file)).await.map_err(|err| match err {
        ReceiveError::TooLarge | ReceiveError::Source(_) => AppError::field("--file", "changed while it was read"),
        ReceiveError::Store(err) => AppError::internal(err),
    })?;
    let mut tx = state.db.begin_write().await?;
    let (release_id, new_release) = match existing {
        Some(release) => (release.id, false),
        None => {
            let release =
                NewRelease { version: &input.version, channel: &input.channel, rollout_percent: input.rollout, notes };
            (releases::insert_release(&mut tx, release).await?, true)
        }
    };
    let key = staged.commit(&mut tx).await.map_err(AppError::internal)?;
    let file = NewFile {
        release_id: &release_id,
        target: &input.target,
        arch: &input.arch,
        bundle: &input.bundle,
        storage_key: &key.name(),
        size_bytes: size as i64,
        signature: &signature,
    };
    let file_id = releases::insert_file(&mut tx, file).await?;
    let details = json!({
        "version": input.version, "platform": format!("{}-{}", input.target, input.arch), "bundle": input.bundle,
        "channel": input.channel, "rollout_percent": input.rollout,
    });
    audit::record(&mut tx, &Actor::System, "release.publish", "desktop_release", Some(&release_id), details).await?;
    tx.commit().await?;
    Ok(Published { release_id, file_id, new_release })
}

/// The signature text: the contents of the file it names, or the argument itself.
/// Tauri's signatures are base64 of a minisign signature, which starts with a comment.
async fn read_signature(argument: &str) -> Option<String> {
    let text = match tokio::fs::read_to_string(argument).await {
        Ok(contents) => contents,
        Err(_) => argument.to_string(),
    };
    let text = text.trim().to_string();
    let decoded = base64::engine::general_purpose::STANDARD.decode(&text).ok()?;
    decoded.starts_with(b"untrusted comment:").then_some(text)
}
