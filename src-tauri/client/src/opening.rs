//! Which downloaded attachments the app hands to the system's default application.
//! Only documents and images are: whatever else arrives (a script, a program, a type
//! this list does not know) is shown in its folder, so that opening it is the user's
//! own deliberate step.

use std::path::Path;

/// Content types opened directly, each with the extensions its file may have: the
/// system picks the application by extension, so both must agree.
const OPENABLE: &[(&str, &[&str])] = &[
    ("application/pdf", &["pdf"]),
    ("image/png", &["png"]),
    ("image/jpeg", &["jpg", "jpeg"]),
    ("image/webp", &["webp"]),
    ("text/plain", &["txt", "log"]),
    ("text/csv", &["csv"]),
    ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", &["docx"]),
    ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", &["xlsx"]),
    ("application/vnd.openxmlformats-officedocument.presentationml.presentation", &["pptx"]),
];

/// Whether the file at `path`, downloaded as `content_type`, may be opened with the
/// system's default application.
pub fn opens_directly(content_type: &str, path: &Path) -> bool {
    let content_type = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    let Some(extension) = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase) else {
        return false;
    };
    OPENABLE.iter().any(|(kind, extensions)| *kind == content_type && extensions.contains(&extension.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_and_images_open_directly() {
        assert!(opens_directly("application/pdf", Path::new("/cache/a/Pump protocol.pdf")));
        assert!(opens_directly("image/JPEG", Path::new("site.JPG")));
        assert!(opens_directly("text/plain; charset=utf-8", Path::new("notes.txt")));
    }

    #[test]
    fn anything_else_is_only_shown_in_its_folder() {
        assert!(!opens_directly("text/plain", Path::new("update.bat")), "the extension decides what runs");
        assert!(!opens_directly("application/pdf", Path::new("invoice.pdf.exe")));
        assert!(!opens_directly("application/java-archive", Path::new("tool.jar")));
        assert!(!opens_directly("application/x-msdownload", Path::new("setup.pdf")), "an unknown type");
        assert!(!opens_directly("application/pdf", Path::new("no-extension")));
    }
}
