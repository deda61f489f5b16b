//! Sign-in throttling policy. Attempts are counted before the password is checked,
//! so concurrent guesses cannot slip past the limit while a check is in flight; a
//! successful sign-in takes its count back, so only failures use up a limit.

/// Attempts allowed per window for one account.
pub const ACCOUNT_LIMIT: i64 = 5;
/// Attempts allowed per window from one client address (offices share addresses).
pub const IP_LIMIT: i64 = 30;
/// Length of a counting window, in milliseconds (15 minutes).
pub const WINDOW_MS: i64 = 15 * 60 * 1000;

/// The answer for an attempt that is the `attempts`-th in a window that started at `window_start`.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    Limited { retry_after_secs: u64 },
}

pub fn judge(attempts: i64, limit: i64, window_start: i64, now: i64) -> Verdict {
    if attempts <= limit {
        return Verdict::Allowed;
    }
    let remaining_ms = (window_start + WINDOW_MS - now).max(1000);
    Verdict::Limited { retry_after_secs: (remaining_ms as u64).div_ceil(1000) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_then_wait_for_the_window() {
        assert_eq!(judge(5, ACCOUNT_LIMIT, 0, 1_000), Verdict::Allowed);
        assert_eq!(judge(6, ACCOUNT_LIMIT, 0, 60_000), Verdict::Limited { retry_after_secs: 840 });
        assert_eq!(judge(6, ACCOUNT_LIMIT, 0, WINDOW_MS + 5), Verdict::Limited { retry_after_secs: 1 });
    }
}
