//! Upload rules: which content types are accepted, whether the bytes are really of
//! the declared type, which files are refused as executable, and how a client's file
//! name is cleaned and given the extension of its checked type. Every attachment is
//! opened on a customer's computer, so anything that could run there is refused.

/// An accepted content type.
struct Accepted {
    name: &'static str,
    /// What the bytes must be.
    format: Format,
    /// The extensions a file of this type may have; the first is added when the name has none of them.
    extensions: &'static [&'static str],
}

enum Format {
    /// Starts with these bytes.
    Magic(&'static [u8]),
    /// UTF-8 text.
    Text,
    /// An Office Open XML package whose main part lives under this folder.
    Ooxml(&'static str),
}

const ACCEPTED: &[Accepted] = &[
    Accepted { name: "application/pdf", format: Format::Magic(b"%PDF-"), extensions: &["pdf"] },
    Accepted { name: "image/png", format: Format::Magic(b"\x89PNG\r\n\x1a\n"), extensions: &["png"] },
    Accepted { name: "image/jpeg", format: Format::Magic(b"\xff\xd8\xff"), extensions: &["jpg", "jpeg"] },
    Accepted { name: "image/webp", format: Format::Magic(b"RIFF"), extensions: &["webp"] },
    Accepted { name: "text/plain", format: Format::Text, extensions: &["txt", "log"] },
    Accepted { name: "text/csv", format: Format::Text, extensions: &["csv"] },
    Accepted {
        name: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        format: Format::Ooxml("word/"),
        extensions: &["docx"],
    },
    Accepted {
        name: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        format: Format::Ooxml("xl/"),
        extensions: &["xlsx"],
    },
    Accepted {
        name: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        format: Format::Ooxml("ppt/"),
        extensions: &["pptx"],
    },
];

/// Extensions that Windows, macOS or Linux desktops run, install or script when opened.
const EXECUTABLE_EXTENSIONS: &[&str] = &[
    "app",
    "application",
    "apk",
    "bat",
    "cmd",
    "com",
    "cpl",
    "deb",
    "desktop",
    "dll",
    "dmg",
    "exe",
    "gadget",
    "hta",
    "inf",
    "ins",
    "isp",
    "jar",
    "js",
    "jse",
    "ksh",
    "lnk",
    "msc",
    "msi",
    "msp",
    "mst",
    "pif",
    "pkg",
    "pl",
    "ps1",
    "ps1xml",
    "ps2",
    "psc1",
    "psm1",
    "py",
    "pyw",
    "rb",
    "reg",
    "rpm",
    "run",
    "scf",
    "scr",
    "sct",
    "sh",
    "shb",
    "sys",
    "url",
    "vb",
    "vbe",
    "vbs",
    "ws",
    "wsc",
    "wsf",
    "wsh",
    "xbap",
];

/// Leading bytes of native executables and bytecode (Windows PE, ELF, Mach-O, Java
/// class) and of scripts with an interpreter line.
const EXECUTABLE_MAGIC: &[&[u8]] = &[
    b"MZ",
    b"\x7fELF",
    b"\xfe\xed\xfa\xce",
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",
    b"#!",
];

/// An upload that passed the checks: its normalized type and the name to store and serve.
#[derive(Debug, PartialEq, Eq)]
pub struct CheckedFile {
    pub content_type: String,
    pub file_name: String,
}

/// What the checks read of a file's bytes, gathered while it streamed in: the file
/// itself is never held in memory.
pub struct FileContent<'a> {
    /// The first `HEAD_LEN` bytes (all of them for a shorter file).
    pub head: &'a [u8],
    /// Whether the whole file is valid UTF-8.
    pub utf8: bool,
    /// The entry names of a ZIP archive's directory, when `is_zip` said to read them and they could be.
    pub zip_entries: Option<&'a [String]>,
}

/// Enough for every magic number above.
pub const HEAD_LEN: usize = 64;

/// Whether a file starting with `head` is a ZIP archive, whose directory the checks need.
pub fn is_zip(head: &[u8]) -> bool {
    head.starts_with(b"PK\x03\x04")
}

/// Checks an upload's name, declared type and content; the error is a message for the user.
pub fn check_file(raw_name: &str, declared: &str, content: &FileContent) -> Result<CheckedFile, String> {
    let file_name = clean_file_name(raw_name);
    if let Some(extension) = extension(&file_name).filter(|ext| EXECUTABLE_EXTENSIONS.contains(&ext.as_str())) {
        return Err(format!("{extension} files cannot be attached: programs and scripts are refused"));
    }
    let accepted = check_content_type(declared, content)?;
    if EXECUTABLE_MAGIC.iter().any(|magic| content.head.starts_with(magic)) {
        return Err("the file is a program or script, which cannot be attached".into());
    }
    Ok(CheckedFile { content_type: accepted.name.to_string(), file_name: with_extension_of(&file_name, accepted) })
}

/// The name a stored attachment is served under: its extension follows the checked
/// type, so a text file never reaches a desktop as `.bat`.
pub fn served_name(file_name: &str, content_type: &str) -> String {
    match ACCEPTED.iter().find(|accepted| accepted.name == content_type) {
        Some(accepted) => with_extension_of(file_name, accepted),
        None => format!("{file_name}.bin"),
    }
}

fn check_content_type(declared: &str, content: &FileContent) -> Result<&'static Accepted, String> {
    let declared = declared.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    let Some(accepted) = ACCEPTED.iter().find(|accepted| accepted.name == declared) else {
        return Err(format!(
            "content type {declared:?} is not accepted; use PDF, PNG, JPEG, WebP, plain text, CSV, DOCX, XLSX or PPTX"
        ));
    };
    let name = accepted.name;
    match accepted.format {
        Format::Magic(magic) if !content.head.starts_with(magic) => Err(format!("the file content is not {name}")),
        Format::Text if !content.utf8 => Err(format!("the file content is not {name} (UTF-8 text)")),
        Format::Ooxml(main_part) if !is_ooxml(content, main_part) => {
            Err(format!("the file content is not {name} (an Office document package)"))
        }
        _ => Ok(accepted),
    }
}

/// A ZIP is an Office document only with the package's content types and its main
/// part; a Java archive (manifest or classes) is refused whatever it claims to be.
fn is_ooxml(content: &FileContent, main_part: &str) -> bool {
    let Some(names) = content.zip_entries.filter(|_| is_zip(content.head)) else {
        return false;
    };
    let java = names.iter().any(|n| n.eq_ignore_ascii_case("META-INF/MANIFEST.MF") || n.ends_with(".class"));
    !java && names.iter().any(|n| n == "[Content_Types].xml") && names.iter().any(|n| n.starts_with(main_part))
}

/// The lower-case extension of a name, if it has one.
fn extension(file_name: &str) -> Option<String> {
    let (stem, extension) = file_name.rsplit_once('.')?;
    (!stem.is_empty() && !extension.is_empty()).then(|| extension.trim().to_ascii_lowercase())
}

fn with_extension_of(file_name: &str, accepted: &Accepted) -> String {
    match extension(file_name) {
        Some(extension) if accepted.extensions.contains(&extension.as_str()) => file_name.to_string(),
        _ => format!("{file_name}.{}", accepted.extensions[0]),
    }
}

/// A file name safe for storage and for `Content-Disposition`: no path, no control
/// or format characters (bidi overrides would disguise the extension), no quoting
/// characters, at most 150 characters, never empty.
pub fn clean_file_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .filter(|c| {
            !c.is_control() && !is_format_char(*c) && !matches!(c, '"' | '\'' | ';' | '<' | '>' | ':' | '*' | '?' | '|')
        })
        .collect();
    let trimmed = cleaned.trim().trim_start_matches('.').trim().trim_end_matches(['.', ' ']);
    let mut name: String = trimmed.chars().take(150).collect();
    if name.is_empty() {
        name = "attachment".into();
    }
    name
}

/// Unicode general category Cf (format characters, Unicode 15.1): invisible, and
/// some reorder the text around them.
fn is_format_char(c: char) -> bool {
    matches!(c as u32,
        0x00AD | 0x0600..=0x0605 | 0x061C | 0x06DD | 0x070F | 0x0890..=0x0891 | 0x08E2 | 0x180E
        | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x206F | 0xFEFF | 0xFFF9..=0xFFFB
        | 0x110BD | 0x110CD | 0x13430..=0x1343F | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A | 0xE0001
        | 0xE0020..=0xE007F)
}

#[cfg(test)]
mod tests {
    use super::super::zip_names::tests::{zip_entry_names, zip_of};
    use super::*;

    const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

    /// Checks a file as an upload would be, from what is gathered while it streams in.
    fn check_bytes(name: &str, declared: &str, bytes: &[u8]) -> Result<CheckedFile, String> {
        let names = if is_zip(bytes) { zip_entry_names(bytes) } else { None };
        let content = FileContent {
            head: &bytes[..bytes.len().min(HEAD_LEN)],
            utf8: std::str::from_utf8(bytes).is_ok(),
            zip_entries: names.as_deref(),
        };
        check_file(name, declared, &content)
    }

    fn checked(name: &str, declared: &str, bytes: &[u8]) -> Result<String, String> {
        check_bytes(name, declared, bytes).map(|file| file.file_name)
    }

    #[test]
    fn accepts_matching_types_and_refuses_spoofed_ones() {
        let pdf = check_bytes("a.pdf", "application/pdf", b"%PDF-1.7 ...").unwrap();
        assert_eq!(pdf.content_type, "application/pdf");
        assert_eq!(check_bytes("a.png", "IMAGE/PNG; x=y", b"\x89PNG\r\n\x1a\nrest").unwrap().content_type, "image/png");
        assert!(checked("a.pdf", "application/pdf", b"<html>").unwrap_err().contains("not application/pdf"));
        assert!(checked("a.html", "text/html", b"<html>").unwrap_err().contains("not accepted"));
        assert!(checked("a", "application/x-msdownload", b"MZ").is_err());
        assert!(checked("a.txt", "text/plain", &[0xff, 0xfe, 0x00]).is_err());
    }

    #[test]
    fn executable_and_script_names_are_refused_whatever_their_type() {
        for name in ["update.bat", "run.HTA", "tool.jar", "setup.msi", "x.ps1", "a.vbs", "s.sh", "l.lnk", "b.cmd"] {
            let err = checked(name, "text/plain", b"echo hi").unwrap_err();
            assert!(err.contains("programs and scripts are refused"), "{name}: {err}");
        }
        assert!(checked("notes.bat.txt", "text/plain", b"hi").is_ok(), "only the last extension counts");
    }

    #[test]
    fn executable_content_is_refused_under_any_name() {
        assert!(checked("notes.txt", "text/plain", b"#!/bin/sh\nrm -rf ~").unwrap_err().contains("program or script"));
        assert!(checked("notes.txt", "text/plain", b"MZ\x00").is_err());
        assert!(checked("notes.txt", "text/plain", b"\x7fELF").is_err());
    }

    #[test]
    fn a_zip_is_an_office_document_only_with_its_parts() {
        let docx = zip_of(&["[Content_Types].xml", "_rels/.rels", "word/document.xml"]);
        assert_eq!(checked("visit.docx", DOCX, &docx).unwrap(), "visit.docx");
        let plain_zip = zip_of(&["photos/1.jpg"]);
        assert!(checked("visit.docx", DOCX, &plain_zip).unwrap_err().contains("Office document"));
        let jar = zip_of(&["[Content_Types].xml", "word/document.xml", "META-INF/MANIFEST.MF", "Main.class"]);
        assert!(checked("visit.docx", DOCX, &jar).is_err(), "a jar dressed as DOCX");
        let sheet = zip_of(&["[Content_Types].xml", "xl/workbook.xml"]);
        assert!(checked("visit.docx", DOCX, &sheet).is_err(), "a workbook is not a document");
        assert!(checked("visit.docx", DOCX, b"PK\x03\x04 truncated").is_err());
    }

    #[test]
    fn the_served_extension_follows_the_checked_type() {
        assert_eq!(checked("readme", "text/plain", b"hi").unwrap(), "readme.txt");
        assert_eq!(checked("photo.png", "text/plain", b"hi").unwrap(), "photo.png.txt");
        assert_eq!(checked("photo.JPEG", "image/jpeg", b"\xff\xd8\xff..").unwrap(), "photo.JPEG");
        assert_eq!(served_name("update.bat", "text/plain"), "update.bat.txt");
        assert_eq!(served_name("data.csv", "text/csv"), "data.csv");
        assert_eq!(served_name("x", "application/unknown"), "x.bin");
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
        assert_eq!(clean_file_name("report.pdf. . "), "report.pdf", "Windows drops trailing dots and spaces");
    }

    #[test]
    fn file_names_lose_format_characters() {
        assert_eq!(clean_file_name("Protocol\u{202E}fdp.bat"), "Protocolfdp.bat");
        assert_eq!(clean_file_name("a\u{200B}b\u{2066}c\u{FEFF}.pdf"), "abc.pdf");
        assert_eq!(clean_file_name("\u{E0041}tag.pdf"), "tag.pdf");
        assert!(checked("Protocol\u{202E}fdp.bat", "text/plain", b"x").is_err(), "the override hid a .bat");
    }
}
