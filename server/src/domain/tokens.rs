//! Secrets handed to clients — session tokens, invitation codes, API keys — are
//! random, URL-safe and stored only as SHA-256 hashes. A fast hash is enough
//! because every secret carries at least 128 bits of randomness.

use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// `prefix` followed by `bytes` random bytes in URL-safe base64.
pub fn generate(prefix: &str, bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buffer);
    format!("{prefix}{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buffer))
}

/// The stored form of a secret.
pub fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_distinct_and_url_safe() {
        let a = generate("ops_", 32);
        let b = generate("ops_", 32);
        assert_ne!(a, b);
        assert_eq!(a.len(), 4 + 43, "32 bytes = 256 bits");
        assert!(a[4..].chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        assert_eq!(hash(&a).len(), 64);
        assert_ne!(hash(&a), hash(&b));
    }
}
