//! The cache's encryption key. Each account's cache is a SQLCipher database under a
//! random 256-bit key kept in the OS keyring beside the session, so a copy of the app
//! folder alone reads as noise.

use rand::rngs::OsRng;
use rand::RngCore;
use rusqlite::{Connection, ErrorCode};

use crate::error::{ClientError, ClientResult};

/// 32 random bytes, as 64 lower-case hex digits (how the keyring holds them).
#[derive(Clone, PartialEq, Eq)]
pub struct CacheKey(String);

impl CacheKey {
    pub fn generate() -> CacheKey {
        let mut bytes = [0u8; 32];
        OsRng.fill_bytes(&mut bytes);
        CacheKey(hex::encode(bytes))
    }

    /// A stored key; `None` for anything but 64 hex digits.
    pub fn from_hex(hex: &str) -> Option<CacheKey> {
        let valid = hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit());
        valid.then(|| CacheKey(hex.to_ascii_lowercase()))
    }

    pub fn hex(&self) -> &str {
        &self.0
    }

    /// Keys `conn` (before anything else reads it) and checks that the key opens it:
    /// SQLCipher only finds out at the first read. A wrong key, or a cache written
    /// before caches were encrypted, is `CacheLocked`.
    pub fn unlock(&self, conn: &Connection) -> ClientResult<()> {
        // The raw-key form (x'…') skips SQLCipher's key derivation: the key is already random.
        conn.execute_batch(&format!("PRAGMA key = \"x'{}'\";", self.0))?;
        match conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0)) {
            Ok(_) => Ok(()),
            Err(rusqlite::Error::SqliteFailure(err, _)) if err.code == ErrorCode::NotADatabase => {
                Err(ClientError::CacheLocked)
            }
            Err(err) => Err(err.into()),
        }
    }
}

impl std::fmt::Debug for CacheKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CacheKey(…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_random_and_only_hex_is_accepted() {
        let key = CacheKey::generate();
        assert_eq!(key.hex().len(), 64);
        assert_ne!(key, CacheKey::generate());
        assert_eq!(CacheKey::from_hex(key.hex()), Some(key.clone()));
        assert_eq!(CacheKey::from_hex(&key.hex().to_uppercase()), Some(key));
        assert_eq!(CacheKey::from_hex("abc"), None);
        assert_eq!(CacheKey::from_hex(&"z".repeat(64)), None);
        let secret = CacheKey::generate();
        assert!(!format!("{secret:?}").contains(secret.hex()), "never printed");
    }

    #[test]
    fn a_database_opens_only_with_its_own_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache.sqlite");
        let key = CacheKey::generate();
        let conn = Connection::open(&path).unwrap();
        key.unlock(&conn).unwrap();
        conn.execute_batch("CREATE TABLE t (v TEXT); INSERT INTO t VALUES ('Northwind Hamburg');").unwrap();
        drop(conn);
        let bytes = std::fs::read(&path).unwrap();
        assert!(!bytes.starts_with(b"SQLite format 3"), "no plain SQLite header");
        assert!(!bytes.windows(9).any(|w| w == b"Northwind"), "no plaintext");
        let other = Connection::open(&path).unwrap();
        assert!(matches!(CacheKey::generate().unlock(&other), Err(ClientError::CacheLocked)));
        let again = Connection::open(&path).unwrap();
        key.unlock(&again).unwrap();
        let value: String = again.query_row("SELECT v FROM t", [], |r| r.get(0)).unwrap();
        assert_eq!(value, "Northwind Hamburg");
    }

    #[test]
    fn a_plain_cache_from_before_encryption_is_locked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache.sqlite");
        Connection::open(&path).unwrap().execute_batch("CREATE TABLE t (v TEXT);").unwrap();
        let conn = Connection::open(&path).unwrap();
        assert!(matches!(CacheKey::generate().unlock(&conn), Err(ClientError::CacheLocked)));
    }
}
