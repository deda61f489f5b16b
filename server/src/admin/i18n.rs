//! The admin web's two languages. Every visible string lives in `i18n/en.json` and
//! `i18n/ar.json`; a test fails when a key is missing from either or unused.

use std::collections::HashMap;
use std::sync::LazyLock;

use axum::http::{header, HeaderMap};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Ar,
}

impl Lang {
    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "en" => Some(Lang::En),
            "ar" => Some(Lang::Ar),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ar => "ar",
        }
    }

    /// Arabic pages are laid out right to left.
    pub fn dir(self) -> &'static str {
        match self {
            Lang::En => "ltr",
            Lang::Ar => "rtl",
        }
    }

    /// Before sign-in there is no stored choice: follow the browser.
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let accept = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).unwrap_or_default();
        let first = accept.split(',').next().unwrap_or_default().trim().to_ascii_lowercase();
        if first.starts_with("ar") {
            Lang::Ar
        } else {
            Lang::En
        }
    }

    /// The translation of `key`, falling back to English; tests forbid missing keys.
    pub fn t(self, key: &str) -> &'static str {
        let found = match self {
            Lang::En => DICTS.0.get(key),
            Lang::Ar => DICTS.1.get(key).or_else(|| DICTS.0.get(key)),
        };
        found.map(String::as_str).unwrap_or("")
    }
}

pub const EN_JSON: &str = include_str!("i18n/en.json");
pub const AR_JSON: &str = include_str!("i18n/ar.json");

static DICTS: LazyLock<(HashMap<String, String>, HashMap<String, String>)> = LazyLock::new(|| {
    let parse = |text: &str| serde_json::from_str(text).expect("admin translations are valid JSON");
    (parse(EN_JSON), parse(AR_JSON))
});

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(json: &str) -> std::collections::BTreeMap<String, String> {
        serde_json::from_str(json).unwrap()
    }

    /// Every key the admin code or templates name literally: `t("key")`,
    /// `title_key: "key"` and the label of `m::input(c, f, "form", "name", "key", …)`.
    fn used_keys() -> std::collections::BTreeSet<String> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut used = std::collections::BTreeSet::new();
        for dir in ["templates/admin", "src/admin"] {
            for entry in std::fs::read_dir(root.join(dir)).unwrap() {
                let source = std::fs::read_to_string(entry.unwrap().path()).unwrap_or_default();
                for (marker, quoted_part) in [("t(\"", 0), ("title_key: \"", 0), ("m::input(c, f, ", 5)] {
                    for piece in source.split(marker).skip(1) {
                        let key = piece.split('"').nth(quoted_part).unwrap_or_default();
                        if key.contains('.') && !key.contains(' ') {
                            used.insert(key.to_string());
                        }
                    }
                }
            }
        }
        used
    }

    #[test]
    fn both_languages_have_every_key_and_nothing_empty() {
        let (en, ar) = (keys(EN_JSON), keys(AR_JSON));
        let en_only: Vec<&String> = en.keys().filter(|k| !ar.contains_key(*k)).collect();
        let ar_only: Vec<&String> = ar.keys().filter(|k| !en.contains_key(*k)).collect();
        assert!(en_only.is_empty() && ar_only.is_empty(), "missing in ar: {en_only:?}; missing in en: {ar_only:?}");
        assert!(en.values().chain(ar.values()).all(|v| !v.trim().is_empty()));
        let missing: Vec<String> = used_keys().into_iter().filter(|k| !en.contains_key(k)).collect();
        assert!(missing.is_empty(), "keys used but not translated: {missing:?}");
        for status in crate::domain::public_status::ALL {
            assert!(en.contains_key(&format!("status.{}", status.as_str())), "{status:?}");
        }
        for notice in super::super::page::Notice::ALL {
            assert!(en.contains_key(&format!("done.{}", notice.key())), "{notice:?}");
        }
    }

    #[test]
    fn browser_language_picks_arabic_or_english() {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT_LANGUAGE, "ar-AE,ar;q=0.9,en;q=0.5".parse().unwrap());
        assert_eq!(Lang::from_headers(&headers), Lang::Ar);
        headers.insert(header::ACCEPT_LANGUAGE, "de-DE,ar;q=0.5".parse().unwrap());
        assert_eq!(Lang::from_headers(&headers), Lang::En);
        assert_eq!(Lang::from_headers(&HeaderMap::new()), Lang::En);
        assert_eq!(Lang::Ar.dir(), "rtl");
    }
}
