//! Which release an installation is offered: pure rules, apart from the queries.
//! Each installation falls in a bucket from 0 to 99, a stable hash of its id; a
//! release at `n` % reaches the buckets below `n`, so raising the percentage only
//! ever adds installations.

use sha2::{Digest, Sha256};

use super::version::Version;

/// The bucket of an installation that sent no id: only a full rollout reaches it.
pub const UNKNOWN_BUCKET: u8 = 99;

/// The installation's bucket: the first four bytes of the SHA-256 of its id, mod 100.
pub fn bucket(installation: Option<&str>) -> u8 {
    let Some(id) = installation else { return UNKNOWN_BUCKET };
    let digest = Sha256::digest(id.as_bytes());
    (u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]) % 100) as u8
}

/// Whether a release at `rollout_percent` reaches `bucket`.
pub fn covers(rollout_percent: i64, bucket: u8) -> bool {
    i64::from(bucket) < rollout_percent
}

/// A published, unpaused release with a package for the caller's platform and channel.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub version: String,
    pub rollout_percent: i64,
    pub notes: String,
    pub pub_date: String,
    pub file_id: String,
    pub signature: String,
}

/// The newest candidate newer than `current` whose rollout reaches `bucket`.
pub fn pick(current: &Version, candidates: Vec<Candidate>, bucket: u8) -> Option<Candidate> {
    candidates
        .into_iter()
        .filter(|c| covers(c.rollout_percent, bucket))
        .filter_map(|c| Some((Version::parse(&c.version)?, c)))
        .filter(|(version, _)| version > current)
        .max_by(|a, b| a.0.cmp(&b.0))
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Version {
        Version::parse(text).unwrap()
    }

    fn candidate(version: &str, rollout_percent: i64) -> Candidate {
        Candidate {
            version: version.into(),
            rollout_percent,
            notes: String::new(),
            pub_date: String::new(),
            file_id: format!("file-{version}"),
            signature: "sig".into(),
        }
    }

    #[test]
    fn the_newest_covering_release_wins_only_when_newer() {
        let candidates = || vec![candidate("0.2.0", 100), candidate("0.3.0", 100), candidate("not-a-version", 100)];
        assert_eq!(pick(&v("0.1.0"), candidates(), 5).unwrap().version, "0.3.0");
        assert!(pick(&v("0.3.0"), candidates(), 5).is_none());
        assert!(pick(&v("0.4.0"), candidates(), 5).is_none());
    }

    #[test]
    fn a_staged_release_reaches_only_the_buckets_below_its_percentage() {
        let candidates = || vec![candidate("1.0.0", 100), candidate("1.1.0", 30)];
        assert_eq!(pick(&v("0.9.0"), candidates(), 29).unwrap().version, "1.1.0");
        assert_eq!(pick(&v("0.9.0"), candidates(), 30).unwrap().version, "1.0.0", "outside: the older full one");
        assert!(pick(&v("0.9.0"), vec![candidate("1.1.0", 0)], 0).is_none(), "0 % reaches nobody");
        assert!(pick(&v("0.9.0"), vec![candidate("1.1.0", 100)], UNKNOWN_BUCKET).is_some());
        assert!(pick(&v("0.9.0"), vec![candidate("1.1.0", 99)], UNKNOWN_BUCKET).is_none());
    }

    #[test]
    fn buckets_are_stable_and_spread() {
        assert_eq!(bucket(Some("installation-1")), bucket(Some("installation-1")));
        let buckets: std::collections::HashSet<u8> =
            (0..1000).map(|i| bucket(Some(&format!("installation-{i}")))).collect();
        assert!(buckets.len() > 90, "{} distinct buckets", buckets.len());
        assert!(buckets.iter().all(|b| *b < 100));
        for percent in 0..100 {
            for b in 0..100 {
                assert!(!covers(percent, b) || covers(percent + 1, b), "raising only adds");
            }
        }
    }
}
