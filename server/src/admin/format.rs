//! Dates and times for staff pages: shown and entered in the location's time zone,
//! because "09:00" means the time on site, not the server's clock.

use chrono::{DateTime, LocalResult, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

/// The IANA zones offered by the time zone picker.
pub fn zones() -> impl Iterator<Item = &'static str> {
    chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name())
}

fn zone(name: &str) -> Tz {
    name.parse().unwrap_or(Tz::UTC)
}

/// `2026-11-28 14:00 +04` in the given zone.
pub fn local(ms: i64, tz: &str) -> String {
    match DateTime::<Utc>::from_timestamp_millis(ms) {
        Some(at) => at.with_timezone(&zone(tz)).format("%Y-%m-%d %H:%M %Z").to_string(),
        None => String::new(),
    }
}

/// A portal view's RFC 3339 instant, shown in the given zone.
pub fn local_instant(instant: &str, tz: &str) -> String {
    DateTime::parse_from_rfc3339(instant).map(|at| local(at.timestamp_millis(), tz)).unwrap_or_default()
}

/// The value of an `<input type="datetime-local">` in the given zone.
pub fn input_value(ms: i64, tz: &str) -> String {
    match DateTime::<Utc>::from_timestamp_millis(ms) {
        Some(at) => at.with_timezone(&zone(tz)).format("%Y-%m-%dT%H:%M").to_string(),
        None => String::new(),
    }
}

/// An audit timestamp, in UTC because staff may sit in any zone.
pub fn utc(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .map(|at| at.format("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_default()
}

/// Reads a `datetime-local` value as a time on site. A time skipped by a daylight
/// saving change is refused; a repeated one means its first occurrence.
pub fn parse_local(value: &str, tz: &str) -> Result<i64, &'static str> {
    let naive = NaiveDateTime::parse_from_str(value.trim(), "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(value.trim(), "%Y-%m-%dT%H:%M:%S"))
        .map_err(|_| "enter a date and time")?;
    match zone(tz).from_local_datetime(&naive) {
        LocalResult::Single(at) | LocalResult::Ambiguous(at, _) => Ok(at.timestamp_millis()),
        LocalResult::None => Err("this time does not exist on site (daylight saving change)"),
    }
}

/// A file size for people: `812 B`, `14.2 KB`, `3.1 MB`.
pub fn size(bytes: i64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} B"),
        b if b < 1024 * 1024 => format!("{:.1} KB", b as f64 / 1024.0),
        b => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_shown_and_read_on_site() {
        let ms = parse_local("2026-11-28T09:00", "Asia/Dubai").unwrap();
        assert_eq!(local(ms, "Asia/Dubai"), "2026-11-28 09:00 +04");
        assert_eq!(local(ms, "Europe/Berlin"), "2026-11-28 06:00 CET");
        assert_eq!(input_value(ms, "Asia/Dubai"), "2026-11-28T09:00");
        assert_eq!(utc(ms), "2026-11-28 05:00:00 UTC");
    }

    #[test]
    fn daylight_saving_gaps_and_bad_values_are_refused() {
        assert!(parse_local("2026-03-29T02:30", "Europe/Berlin").is_err());
        assert!(parse_local("2026-10-25T02:30", "Europe/Berlin").is_ok());
        assert!(parse_local("tomorrow", "Europe/Berlin").is_err());
        assert!(zones().any(|z| z == "Asia/Dubai"));
    }

    #[test]
    fn sizes_read_naturally() {
        assert_eq!(size(812), "812 B");
        assert_eq!(size(14_540), "14.2 KB");
        assert_eq!(size(3_250_000), "3.1 MB");
    }
}
