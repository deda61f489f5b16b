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
    /// A RIFF container of this form type (WebP).
    Riff(&'static [u8; 4]),
    /// An ISO base media file (HEIF) whose major or a compatible brand is one of these.
    IsoBmff(&'static [&'static [u8; 4]]),
    /// UTF-8 text.
    Text,
    /// An Office Open XML package whose main part lives under this folder.
    Ooxml(&'static str),
}

const ACCEPTED: &[Accepted] = &[
    Accepted { name: "application/pdf", format: Format::Magic(b"%PDF-"), extensions: &["pdf"] },
    Accepted { name: "image/png", format: Format::Magic(b"\x89PNG\r\n\x1a\n"), extensions: &["png"] },
    Accepted { name: "image/jpeg", format: Format::Magic(b"\xff\xd8\xff"), extensions: &["jpg", "jpeg"] },
    Accepted { name: "image/webp", format: Format::Riff(b"WEBP"), extensions: &["webp"] },
    Accepted {
        name: "image/heic",
        format: Format::IsoBmff(&[b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"]),
        extensions: &["heic", "heif"],
    },
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

/// The types a customer sends from the site (photos and PDFs): fewer than staff
/// attach, as nothing a contact uploads should need an office suite to view.
pub const SITE_TYPES: &[&str] = &["image/png", "image/jpeg", "image/webp", "image/heic", "application/pdf"];
/// Largest file a customer sends from the site.
pub const SITE_FILE_LIMIT: u64 = 10 * 1024 * 1024;
/// Most files customers attach to one request.
pub const SITE_FILES_PER_REQUEST: i64 = 5;

/// Which types a surface takes: staff attach every accepted type, a contact only `SITE_TYPES`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accept {
    Any,
    FromSite,
}

/// Why a file was refused, as a message for the user: its declared type is not
/// taken here (415), or the file itself is wrong: a program, or not what it claims (422).
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    Unsupported(String),
    Invalid(String),
}

impl Refusal {
    pub fn message(&self) -> &str {
        match self {
            Self::Unsupported(message) | Self::Invalid(message) => message,
        }
    }
}

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

/// Checks an upload's name, declared type and content for a surface that takes `accept`.
pub fn check_file(
    raw_name: &str,
    declared: &str,
    content: &FileContent,
    accept: Accept,
) -> Result<CheckedFile, Refusal> {
    let file_name = clean_file_name(raw_name);
    if let Some(extension) = extension(&file_name).filter(|ext| EXECUTABLE_EXTENSIONS.contains(&ext.as_str())) {
        return Err(Refusal::Invalid(format!(
            "{extension} files cannot be attached: programs and scripts are refused"
        )));
    }
    let accepted = check_content_type(declared, content, accept)?;
    if EXECUTABLE_MAGIC.iter().any(|magic| content.head.starts_with(magic)) {
        return Err(Refusal::Invalid("the file is a program or script, which cannot be attached".into()));
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

fn check_content_type(declared: &str, content: &FileContent, accept: Accept) -> Result<&'static Accepted, Refusal> {
    let declared = declared.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    // Systems name the same photos either way.
    let declared = if declared == "image/heif" { "image/heic".to_string() } else { declared };
    let taken = |accepted: &&Accepted| accept == Accept::Any || SITE_TYPES.contains(&accepted.name);
    let Some(accepted) = ACCEPTED.iter().filter(taken).find(|accepted| accepted.name == declared) else {
        let choices = match accept {
            Accept::Any => "PDF, PNG, JPEG, WebP, HEIC, plain text, CSV, DOCX, XLSX or PPTX",
            Accept::FromSite => "a photo (PNG, JPEG, WebP or HEIC) or a PDF",
        };
        return Err(Refusal::Unsupported(format!("content type {declared:?} is not accepted; use {choices}")));
    };
    let name = accepted.name;
    let mismatch = |detail: &str| Err(Refusal::Invalid(format!("the file content is not {name}{detail}")));
    match accepted.format {
        Format::Magic(magic) if !content.head.starts_with(magic) => mismatch(""),
        Format::Riff(form) if !(content.head.starts_with(b"RIFF") && content.head.get(8..12) == Some(form)) => {
            mismatch("")
        }
        Format::IsoBmff(brands) if !is_iso_bmff(content.head, brands) => mismatch(" (an HEIF image)"),
        Format::Text if !content.utf8 => mismatch(" (UTF-8 text)"),
        Format::Ooxml(main_part) if !is_ooxml(content, main_part) => mismatch(" (an Office document package)"),
        _ => Ok(accepted),
    }
}

/// Whether `head` opens with an ISO base media `ftyp` box naming one of `brands`, as
/// its major brand or among the compatible brands within the head.
fn is_iso_bmff(head: &[u8], brands: &[&[u8; 4]]) -> bool {
    if head.len() < 12 || &head[4..8] != b"ftyp" {
        return false;
    }
    let box_len = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
    let end = box_len.clamp(12, head.len());
    let major = &head[8..12];
    // After the major brand come the minor version (4 bytes) and the compatible brands.
    let compatible = head.get(16..end).unwrap_or_default().chunks_exact(4);
    std::iter::once(major).chain(compatible).any(|brand| brands.iter().any(|b| b.as_slice() == brand))
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
        check_for(name, declared, bytes, Accept::Any).map_err(|refusal| refusal.message().to_string())
    }

    fn check_for(name: &str, declared: &str, bytes: &[u8], accept: Accept) -> Result<CheckedFile, Refusal> {
        let names = if is_zip(bytes) { zip_entry_names(bytes) } else { None };
        let content = FileContent {
            head: &bytes[..bytes.len().min(HEAD_LEN)],
            utf8: std::str::from_utf8(bytes).is_ok(),
            zip_entries: names.as_deref(),
        };
        check_file(name, declared, &content, accept)
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
    fn photos_from_the_site_are_checked_by_their_container() {
        let heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic rest";
        let photo = check_for("IMG_0042.HEIC", "image/heif", heic, Accept::FromSite).unwrap();
        assert_eq!((photo.content_type.as_str(), photo.file_name.as_str()), ("image/heic", "IMG_0042.HEIC"));
        let compatible_only = b"\x00\x00\x00\x18ftypXXXX\x00\x00\x00\x00mif1heic";
        assert!(check_for("a.heic", "image/heic", compatible_only, Accept::FromSite).is_ok());
        let video = b"\x00\x00\x00\x18ftypisom\x00\x00\x00\x00isomavc1";
        assert!(check_for("a.heic", "image/heic", video, Accept::FromSite).unwrap_err().message().contains("HEIF"));
        assert!(check_for("a.webp", "image/webp", b"RIFF\x10\x00\x00\x00WEBPVP8 ", Accept::FromSite).is_ok());
        let wave = check_for("a.webp", "image/webp", b"RIFF\x10\x00\x00\x00WAVEfmt ", Accept::FromSite);
        assert!(matches!(wave, Err(Refusal::Invalid(_))), "a WAV dressed as WebP: {wave:?}");
    }

    #[test]
    fn the_site_takes_photos_and_pdfs_only() {
        for (name, declared, bytes) in
            [("notes.txt", "text/plain", b"hi".as_slice()), ("a.html", "text/html", b"<html>"), ("x", "", b"x")]
        {
            let refusal = check_for(name, declared, bytes, Accept::FromSite).unwrap_err();
            assert!(matches!(refusal, Refusal::Unsupported(ref m) if m.contains("a photo")), "{name}: {refusal:?}");
        }
        assert!(check_for("notes.txt", "text/plain", b"hi", Accept::Any).is_ok(), "staff still attach text");
        assert!(check_for("plan.pdf", "application/pdf", b"%PDF-1.7", Accept::FromSite).is_ok());
        let exe = check_for("setup.exe", "application/pdf", b"MZ", Accept::FromSite).unwrap_err();
        assert!(matches!(exe, Refusal::Invalid(_)), "a program is the file's fault, whatever its type: {exe:?}");
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
