//! Release versions as the desktop app and its packages spell them.

use std::cmp::Ordering;

/// A release version: `MAJOR.MINOR.PATCH` with an optional `-prerelease`, which
/// sorts before the release itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    numbers: [u64; 3],
    pre: Option<String>,
}

impl Version {
    pub fn parse(text: &str) -> Option<Version> {
        let (core, pre) = match text.split_once('-') {
            Some((core, pre)) if !pre.is_empty() => (core, Some(pre.to_string())),
            Some(_) => return None,
            None => (text, None),
        };
        let mut numbers = [0u64; 3];
        let mut parts = core.split('.');
        for slot in &mut numbers {
            let part = parts.next()?;
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) || part.len() > 9 {
                return None;
            }
            *slot = part.parse().ok()?;
        }
        if parts.next().is_some()
            || pre.as_deref().is_some_and(|p| !p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.'))
        {
            return None;
        }
        Some(Version { numbers, pre })
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.numbers.cmp(&other.numbers).then_with(|| match (&self.pre, &other.pre) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Greater,
            (Some(_), None) => Ordering::Less,
            (Some(a), Some(b)) => a.cmp(b),
        })
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// What the desktop client sends as its User-Agent, followed by its version.
const DESKTOP_AGENT: &str = "Ordinavo desktop/";

/// The app version in a desktop client's User-Agent (`Ordinavo desktop/1.4.0`), if
/// it is one; anything else (a browser, a script) reports none.
pub fn from_user_agent(user_agent: &str) -> Option<String> {
    let rest = user_agent.trim().strip_prefix(DESKTOP_AGENT)?;
    let version = rest.split_whitespace().next()?;
    Version::parse(version).map(|_| version.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Version {
        Version::parse(text).unwrap()
    }

    #[test]
    fn versions_order_numerically_with_prereleases_first() {
        assert!(v("0.10.0") > v("0.9.9"));
        assert!(v("1.0.0") > v("1.0.0-rc.1"));
        assert!(v("1.0.0-rc.2") > v("1.0.0-rc.1"));
        assert_eq!(v("1.2.3"), v("1.2.3"));
        for bad in ["", "1.2", "1.2.3.4", "v1.2.3", "1.x.3", "1.2.3-", "1.2.3-a/b", "01234567890.0.0"] {
            assert_eq!(Version::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn only_the_desktop_client_reports_a_version() {
        assert_eq!(from_user_agent("Ordinavo desktop/1.4.0").as_deref(), Some("1.4.0"));
        assert_eq!(from_user_agent("Ordinavo desktop/1.5.0-beta.1 (linux)").as_deref(), Some("1.5.0-beta.1"));
        assert_eq!(from_user_agent("Ordinavo desktop/latest"), None);
        assert_eq!(from_user_agent("Mozilla/5.0 (X11; Linux x86_64)"), None);
        assert_eq!(from_user_agent(""), None);
    }
}
