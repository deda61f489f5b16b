//! Upload rules: which content types are accepted, whether the bytes match the
//! declared type, and how a client's file name is cleaned before it is stored.

/// Accepted content types and, where the format has one, its leading magic bytes.
const ACCEPTED: &[(&str, Option<&[u8]>)] = &[
    ("application/pdf", Some(b"%PDF-")),
    ("image/png", Some(b"\x89PNG\r\n\x1a\n")),
    ("image/jpeg", Some(b"\xff\xd8\xff")),
    ("image/webp", Some(b"RIFF")),
    ("text/plain", None),
    ("text/csv", None),
    ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", Some(b"PK\x03\x04")),
    ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Some(b"PK\x03\x04")),
];

/// Checks the declared content type against the accepted list and the file's first
/// bytes; returns the normalized type or a message for the user.
pub fn check_content_type(declared: &str, bytes: &[u8]) -> Result<String, String> {
    let declared = declared.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    let Some((name, magic)) = ACCEPTED.iter().find(|(name, _)| *name == declared) else {
        return Err(format!(
            "content type {declared:?} is not accepted; use PDF, PNG, JPEG, WebP, plain text, CSV, DOCX or XLSX"
        ));
    };
    match magic {
        Some(magic) if !bytes.starts_with(magic) => Err(format!("the file content is not {name}")),
        None if std::str::from_utf8(bytes).is_err() => Err(format!("the file content is not {name} (UTF-8 text)")),
        _ => Ok((*name).to_string()),
    }
}

/// A file name safe for storage and for `Content-Disposition`: no path, no control
/// or quoting characters, at most 150 characters, never empty.
pub fn clean_file_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '\'' | ';' | '<' | '>' | ':' | '*' | '?' | '|'))
        .collect();
    let trimmed = cleaned.trim().trim_start_matches('.').trim();
    let mut name: String = trimmed.chars().take(150).collect();
    if name.is_empty() {
        name = "attachment".into();
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_matching_types_and_refuses_spoofed_ones() {
        assert_eq!(check_content_type("application/pdf", b"%PDF-1.7 ...").unwrap(), "application/pdf");
        assert_eq!(check_content_type("IMAGE/PNG; x=y", b"\x89PNG\r\n\x1a\nrest").unwrap(), "image/png");
        assert!(check_content_type("application/pdf", b"<html>").unwrap_err().contains("not application/pdf"));
        assert!(check_content_type("text/html", b"<html>").unwrap_err().contains("not accepted"));
        assert!(check_content_type("application/x-msdownload", b"MZ").is_err());
        assert!(check_content_type("text/plain", &[0xff, 0xfe, 0x00]).is_err());
    }

    #[test]
    fn file_names_lose_paths_and_dangerous_characters() {
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_file_name("C:\\reports\\visit.pdf"), "visit.pdf");
        assert_eq!(clean_file_name("a\"b;\r\nc.pdf"), "abc.pdf");
        assert_eq!(clean_file_name(".hidden"), "hidden");
        assert_eq!(clean_file_name("   "), "attachment");
        assert_eq!(clean_file_name("تقرير الزيارة.pdf"), "تقرير الزيارة.pdf");
        assert_eq!(clean_file_name(&"x".repeat(300)).chars().count(), 150);
    }
}
