//! What the desktop sends from the site, checked before a file enters the outbox so
//! that nothing too large is stored: the server's limits, restated where the user is.

use crate::error::{ClientError, ClientResult};

/// The server's limit for one file from the site.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;

/// Types by extension, for files the system names no type for (HEIC outside Apple
/// systems): the server checks the content against the type either way.
const BY_EXTENSION: &[(&str, &str)] = &[
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("webp", "image/webp"),
    ("heic", "image/heic"),
    ("heif", "image/heic"),
    ("pdf", "application/pdf"),
];

/// The content type to send: the declared one, or the extension's when none was declared.
pub fn content_type(file_name: &str, declared: &str) -> String {
    let declared = declared.trim();
    if !declared.is_empty() && declared != "application/octet-stream" {
        return declared.to_string();
    }
    let extension = file_name.rsplit_once('.').map(|(_, ext)| ext.to_ascii_lowercase()).unwrap_or_default();
    BY_EXTENSION
        .iter()
        .find(|(ext, _)| *ext == extension)
        .map_or_else(|| "application/octet-stream".to_string(), |(_, ty)| ty.to_string())
}

/// Refuses a file the server would refuse for its size alone.
pub fn check_size(file_name: &str, len: usize) -> ClientResult<()> {
    match len {
        0 => Err(ClientError::FileRefused(format!("{file_name} is empty."))),
        n if n > MAX_FILE_BYTES => {
            Err(ClientError::FileRefused(format!("{file_name} is larger than {} MiB.", MAX_FILE_BYTES / (1024 * 1024))))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_type_comes_from_the_extension() {
        assert_eq!(content_type("IMG_0042.HEIC", ""), "image/heic");
        assert_eq!(content_type("scan.pdf", "application/octet-stream"), "application/pdf");
        assert_eq!(content_type("photo.png", "image/png"), "image/png");
        assert_eq!(content_type("notes.txt", ""), "application/octet-stream", "the server refuses it with its reason");
    }

    #[test]
    fn empty_and_oversized_files_are_refused_before_queueing() {
        assert!(check_size("a.png", 0).is_err());
        assert!(check_size("a.png", MAX_FILE_BYTES).is_ok());
        let err = check_size("a.png", MAX_FILE_BYTES + 1).unwrap_err();
        assert_eq!((err.code(), err.to_string()), ("file_refused", "a.png is larger than 10 MiB.".to_string()));
    }
}
