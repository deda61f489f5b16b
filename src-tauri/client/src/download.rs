//! Attachment downloads: streamed to a temporary file while hashing, checked
//! against the server's checksum, then moved into place to stay available offline.

use std::path::{Path, PathBuf};

use futures_util::StreamExt;
use portal_types::AttachmentView;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use crate::api::Api;
use crate::error::{ClientError, ClientResult};

/// A file name safe to create: no folders, no control characters, not empty.
pub fn safe_file_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .map(|c| if c.is_control() || matches!(c, ':' | '*' | '?' | '"' | '<' | '>' | '|') { '_' } else { c })
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').chars().take(120).collect::<String>();
    if cleaned.is_empty() {
        "attachment".into()
    } else {
        cleaned
    }
}

/// Downloads the attachment into `folder`, reporting (received, total) bytes as it goes.
/// Returns the final path.
pub async fn fetch(
    api: &Api,
    attachment: &AttachmentView,
    folder: &Path,
    mut progress: impl FnMut(u64, u64),
) -> ClientResult<PathBuf> {
    tokio::fs::create_dir_all(folder).await?;
    let target = folder.join(safe_file_name(&attachment.file_name));
    let partial = folder.join(".download.part");
    let response = api.send(api.get(&attachment.download_path)).await?;
    let total = response.content_length().unwrap_or(attachment.size_bytes.max(0) as u64);
    let mut file = tokio::fs::File::create(&partial).await?;
    let mut hasher = Sha256::new();
    let mut received = 0u64;
    let mut body = response.bytes_stream();
    progress(0, total);
    while let Some(chunk) = body.next().await {
        let chunk = chunk?;
        hasher.update(&chunk);
        file.write_all(&chunk).await?;
        received += chunk.len() as u64;
        progress(received, total);
    }
    file.sync_all().await?;
    drop(file);
    if hex::encode(hasher.finalize()) != attachment.sha256 {
        tokio::fs::remove_file(&partial).await?;
        return Err(ClientError::Corrupt);
    }
    tokio::fs::rename(&partial, &target).await?;
    Ok(target)
}

#[cfg(test)]
mod tests {
    use super::safe_file_name;

    #[test]
    fn file_names_cannot_escape_their_folder() {
        assert_eq!(safe_file_name("../../etc/passwd"), "passwd");
        assert_eq!(safe_file_name("C:\\Users\\x\\Protocol Q4.pdf"), "Protocol Q4.pdf");
        assert_eq!(safe_file_name(".hidden"), "hidden");
        assert_eq!(safe_file_name("a\u{0}b?.pdf"), "a_b_.pdf");
        assert_eq!(safe_file_name(""), "attachment");
    }
}
