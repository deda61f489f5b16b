//! Field validation that collects every problem of a request before answering, so a
//! form can show each message next to its field.

use chrono::{DateTime, Utc};

use crate::error::{AppError, FieldErrors};

/// Longest single-line text accepted (names, titles).
pub const MAX_LINE: usize = 200;
/// Longest multi-line text accepted (descriptions, report bodies).
pub const MAX_TEXT: usize = 20_000;

/// Collects field errors; `finish` turns them into one 422 answer.
#[derive(Debug, Default)]
pub struct Fields {
    errors: FieldErrors,
}

impl Fields {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a problem with `field`; the first problem per field wins.
    pub fn error(&mut self, field: &str, message: impl Into<String>) {
        self.errors.entry(field.to_string()).or_insert_with(|| message.into());
    }

    /// A required text, trimmed, non-empty and at most `max` characters.
    pub fn text(&mut self, field: &str, value: &str, max: usize) -> String {
        let value = value.trim();
        if value.is_empty() {
            self.error(field, "must not be empty");
        } else {
            self.check_len(field, value, max);
        }
        value.to_string()
    }

    /// An optional text: empty becomes `None`.
    pub fn optional_text(&mut self, field: &str, value: Option<&str>, max: usize) -> Option<String> {
        let value = value.map(str::trim).filter(|v| !v.is_empty())?;
        self.check_len(field, value, max);
        Some(value.to_string())
    }

    fn check_len(&mut self, field: &str, value: &str, max: usize) {
        if value.chars().count() > max {
            self.error(field, format!("must be at most {max} characters"));
        }
        if value.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
            self.error(field, "must not contain control characters");
        }
    }

    /// An IANA time zone name such as `Europe/Berlin`.
    pub fn time_zone(&mut self, field: &str, value: &str) -> String {
        if value.parse::<chrono_tz::Tz>().is_err() {
            self.error(field, format!("{value:?} is not an IANA time zone such as Europe/Berlin"));
        }
        value.to_string()
    }

    /// A plausible e-mail address, lower-cased.
    pub fn email(&mut self, field: &str, value: &str) -> String {
        let value = value.trim().to_lowercase();
        let valid = match value.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !value.chars().any(|c| c.is_whitespace() || c.is_control())
                    && value.len() <= 254
            }
            None => false,
        };
        if !valid {
            self.error(field, "must be an e-mail address such as name@example.com");
        }
        value
    }

    /// A two-letter ISO 3166 country code, upper-cased.
    pub fn country_code(&mut self, field: &str, value: &str) -> String {
        let value = value.trim().to_uppercase();
        if value.len() != 2 || !value.bytes().all(|b| b.is_ascii_uppercase()) {
            self.error(field, "must be a two-letter country code such as DE or AE");
        }
        value
    }

    /// `start < end`, reported on `end_field`.
    pub fn ordered(&mut self, end_field: &str, start: DateTime<Utc>, end: DateTime<Utc>) {
        if end <= start {
            self.error(end_field, "must be after the start");
        }
    }

    /// A calendar date `YYYY-MM-DD`.
    pub fn date(&mut self, field: &str, value: &str) -> String {
        if chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d").is_err() {
            self.error(field, "must be a date such as 2026-11-27");
        }
        value.to_string()
    }

    pub fn finish(self) -> Result<(), AppError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(AppError::invalid(self.errors))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors_of(check: impl FnOnce(&mut Fields)) -> FieldErrors {
        let mut fields = Fields::new();
        check(&mut fields);
        match fields.finish() {
            Ok(()) => FieldErrors::new(),
            Err(AppError::Invalid { fields, .. }) => fields,
            Err(other) => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn text_is_trimmed_required_and_bounded() {
        let mut fields = Fields::new();
        assert_eq!(fields.text("name", "  Northwind  ", 20), "Northwind");
        assert!(fields.finish().is_ok());
        let errors = errors_of(|f| {
            f.text("name", "   ", 20);
            f.text("title", &"x".repeat(21), 20);
            f.text("note", "bell\u{7}", 20);
        });
        assert_eq!(errors["name"], "must not be empty");
        assert_eq!(errors["title"], "must be at most 20 characters");
        assert_eq!(errors["note"], "must not contain control characters");
    }

    #[test]
    fn arabic_text_counts_characters_not_bytes() {
        let errors = errors_of(|f| {
            f.text("name", "مستودع دبي", 10);
        });
        assert!(errors.is_empty(), "{errors:?}");
    }

    #[test]
    fn time_zones_emails_countries_dates() {
        let errors = errors_of(|f| {
            f.time_zone("tz_ok", "Asia/Dubai");
            f.time_zone("tz", "Mars/Olympus");
            f.email("email_ok", "Site.Manager@Northwind.example");
            f.email("email", "not-an-address");
            f.country_code("country", "Germany");
            f.date("date", "27.11.2026");
        });
        assert_eq!(errors.keys().collect::<Vec<_>>(), ["country", "date", "email", "tz"]);
        assert_eq!(Fields::new().email("e", " A@B.example "), "a@b.example");
    }

    #[test]
    fn end_must_follow_start() {
        let start = DateTime::parse_from_rfc3339("2026-11-27T10:00:00Z").unwrap().to_utc();
        let errors = errors_of(|f| f.ordered("ends_at", start, start));
        assert_eq!(errors["ends_at"], "must be after the start");
    }
}
