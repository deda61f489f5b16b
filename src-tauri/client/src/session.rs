//! Who is signed in where. The token and the cache's key live only in the OS keyring;
//! the app data folder holds just the account (server and e-mail) so the app can find
//! it at start.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::address::ServerAddress;
use crate::cache::CacheKey;
use crate::error::{ClientError, ClientResult};

/// The keyring service name of every stored session.
const SERVICE: &str = "example.ordinavo.portal";
/// The file naming the signed-in account (never the token).
const CURRENT: &str = "current-account.json";

/// A portal user on a server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub server: String,
    pub email: String,
}

impl Account {
    pub fn new(server: &ServerAddress, email: &str) -> Account {
        Account { server: server.as_str().to_string(), email: email.trim().to_lowercase() }
    }

    pub fn address(&self) -> ClientResult<ServerAddress> {
        ServerAddress::parse(&self.server)
    }

    /// This account's folder under the app data folder: one cache per server and user.
    pub fn dir(&self, app_dir: &Path) -> PathBuf {
        let digest = Sha256::digest(format!("{}\n{}", self.server, self.email).as_bytes());
        app_dir.join("accounts").join(&hex::encode(digest)[..16])
    }

    fn keyring_user(&self) -> String {
        format!("{} on {}", self.email, self.server)
    }

    /// The keyring entry of one of this account's secrets: the session token, or
    /// (a separate entry beside it) the cache's key.
    fn entry(&self, secret: Secret) -> ClientResult<keyring::Entry> {
        let user = match secret {
            Secret::Token => self.keyring_user(),
            Secret::CacheKey => format!("{} (cache key)", self.keyring_user()),
        };
        Ok(keyring::Entry::new(SERVICE, &user)?)
    }

    fn read(&self, secret: Secret) -> ClientResult<Option<String>> {
        match self.entry(secret)?.get_password() {
            Ok(value) => Ok(Some(value)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(err) => Err(ClientError::from(err)),
        }
    }

    fn delete(&self, secret: Secret) -> ClientResult<()> {
        match self.entry(secret)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(err) => Err(ClientError::from(err)),
        }
    }

    pub fn store_token(&self, token: &str) -> ClientResult<()> {
        Ok(self.entry(Secret::Token)?.set_password(token)?)
    }

    /// The stored token, if any.
    pub fn token(&self) -> ClientResult<Option<String>> {
        self.read(Secret::Token)
    }

    pub fn delete_token(&self) -> ClientResult<()> {
        self.delete(Secret::Token)
    }

    pub fn store_cache_key(&self, key: &CacheKey) -> ClientResult<()> {
        Ok(self.entry(Secret::CacheKey)?.set_password(key.hex())?)
    }

    /// The key of this account's cache; `None` when the keyring lost it (or never had it).
    pub fn cache_key(&self) -> ClientResult<Option<CacheKey>> {
        Ok(self.read(Secret::CacheKey)?.and_then(|hex| CacheKey::from_hex(&hex)))
    }

    pub fn delete_cache_key(&self) -> ClientResult<()> {
        self.delete(Secret::CacheKey)
    }
}

#[derive(Clone, Copy)]
enum Secret {
    Token,
    CacheKey,
}

/// The account the app opens at start, if one is signed in.
pub fn current(app_dir: &Path) -> ClientResult<Option<Account>> {
    match std::fs::read(app_dir.join(CURRENT)) {
        Ok(bytes) => Ok(serde_json::from_slice(&bytes).ok()),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(err) => Err(err.into()),
    }
}

pub fn set_current(app_dir: &Path, account: &Account) -> ClientResult<()> {
    std::fs::create_dir_all(app_dir)?;
    let json = serde_json::to_vec(account).unwrap_or_default();
    let temp = app_dir.join(format!("{CURRENT}.tmp"));
    std::fs::write(&temp, json)?;
    std::fs::rename(temp, app_dir.join(CURRENT))?;
    Ok(())
}

pub fn clear_current(app_dir: &Path) -> ClientResult<()> {
    crate::cache::remove_path(&app_dir.join(CURRENT))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_server_and_user_has_its_own_folder() {
        let server = ServerAddress::parse("https://a.example").unwrap();
        let other = ServerAddress::parse("https://b.example").unwrap();
        let app = Path::new("/data");
        let one = Account::new(&server, " Facilities@Northwind.example ");
        assert_eq!(one.email, "facilities@northwind.example");
        assert_eq!(one.dir(app), Account::new(&server, "facilities@northwind.example").dir(app));
        assert_ne!(one.dir(app), Account::new(&other, "facilities@northwind.example").dir(app));
        assert_ne!(one.dir(app), Account::new(&server, "ops@contoso.example").dir(app));
    }
}
