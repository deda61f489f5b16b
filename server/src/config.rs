//! Server configuration, read once from the environment (see DESIGN.md, "Fixed interfaces").

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::domain::client_address::{self, Cidr};
use crate::storage::blobs::BlobStoreSpec;

/// Largest attachment accepted, unless `ORDINAVO_MAX_UPLOAD_BYTES` says otherwise.
pub const DEFAULT_MAX_UPLOAD_BYTES: u64 = 25 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    pub bind: SocketAddr,
    /// Where `/metrics` is served (`ORDINAVO_METRICS_BIND`); unset, nowhere: never on the public port.
    pub metrics_bind: Option<SocketAddr>,
    pub data_dir: PathBuf,
    pub public_url: String,
    pub max_upload_bytes: u64,
    /// Reverse proxies whose `X-Forwarded-For` is honoured (`ORDINAVO_TRUSTED_PROXIES`).
    pub trusted_proxies: Vec<Cidr>,
    /// `ORDINAVO_BLOB_STORE`; unset, the database backend chooses (see `storage::blobs::open`).
    pub blob_store: Option<BlobStoreSpec>,
    pub smtp: Option<SmtpConfig>,
}

/// Outgoing mail for invitations; absent when `ORDINAVO_SMTP_HOST` is unset.
#[derive(Debug, Clone)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub username: Option<String>,
    pub password: Option<String>,
    pub from: String,
    pub tls: SmtpTls,
}

/// How the SMTP connection is secured (`ORDINAVO_SMTP_TLS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// Upgrade with STARTTLS (the default; port 587).
    StartTls,
    /// TLS from the first byte (port 465).
    Implicit,
    /// No encryption: only for a relay on the same host or network.
    None,
}

#[derive(Debug, thiserror::Error)]
#[error("{name}: {message}")]
pub struct ConfigError {
    pub name: &'static str,
    pub message: String,
}

impl Config {
    /// Reads the configuration from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
    }

    /// Reads the configuration through `lookup`, so tests need not touch the process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let data_dir = PathBuf::from(lookup("ORDINAVO_DATA_DIR").unwrap_or_else(|| "./data".into()));
        let database_url = match lookup("ORDINAVO_DATABASE_URL") {
            Some(url)
                if url.starts_with("postgres://") || url.starts_with("postgresql://") || url.starts_with("sqlite:") =>
            {
                url
            }
            Some(url) => {
                return Err(ConfigError {
                    name: "ORDINAVO_DATABASE_URL",
                    message: format!("expected a postgres:// or sqlite: URL, got {:?}", redact_url(&url)),
                })
            }
            None => format!("sqlite://{}", data_dir.join("ordinavo.db").display()),
        };
        let bind_text = lookup("ORDINAVO_BIND").unwrap_or_else(|| "127.0.0.1:8080".into());
        let bind = bind_text.parse().map_err(|_| ConfigError {
            name: "ORDINAVO_BIND",
            message: format!("expected host:port such as 127.0.0.1:8080, got {bind_text:?}"),
        })?;
        let metrics_bind = match lookup("ORDINAVO_METRICS_BIND") {
            None => None,
            Some(text) => Some(text.parse().map_err(|_| ConfigError {
                name: "ORDINAVO_METRICS_BIND",
                message: format!("expected host:port such as 127.0.0.1:9464, got {text:?}"),
            })?),
        };
        if metrics_bind == Some(bind) {
            return Err(ConfigError {
                name: "ORDINAVO_METRICS_BIND",
                message: format!(
                    "must differ from ORDINAVO_BIND ({bind}): metrics are never served on the public port"
                ),
            });
        }
        let public_url =
            lookup("ORDINAVO_PUBLIC_URL").unwrap_or_else(|| format!("http://{bind}")).trim_end_matches('/').to_string();
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            return Err(ConfigError {
                name: "ORDINAVO_PUBLIC_URL",
                message: format!("expected an http:// or https:// URL, got {public_url:?}"),
            });
        }
        let max_upload_bytes = match lookup("ORDINAVO_MAX_UPLOAD_BYTES") {
            None => DEFAULT_MAX_UPLOAD_BYTES,
            Some(text) => text.parse().ok().filter(|n| *n > 0).ok_or_else(|| ConfigError {
                name: "ORDINAVO_MAX_UPLOAD_BYTES",
                message: format!("expected a positive number of bytes, got {text:?}"),
            })?,
        };
        let trusted_proxies = client_address::parse_list(&lookup("ORDINAVO_TRUSTED_PROXIES").unwrap_or_default())
            .map_err(|message| ConfigError {
                name: "ORDINAVO_TRUSTED_PROXIES",
                message: format!("expected comma-separated IP addresses or CIDR blocks: {message}"),
            })?;
        let blob_store = match lookup("ORDINAVO_BLOB_STORE") {
            None => None,
            Some(text) => Some(
                BlobStoreSpec::parse(&text, &lookup)
                    .map_err(|err| ConfigError { name: err.name, message: err.message })?,
            ),
        };
        Ok(Self {
            database_url,
            bind,
            metrics_bind,
            data_dir,
            public_url,
            max_upload_bytes,
            trusted_proxies,
            blob_store,
            smtp: SmtpConfig::from_lookup(&lookup)?,
        })
    }
}

impl SmtpConfig {
    fn from_lookup(lookup: &impl Fn(&str) -> Option<String>) -> Result<Option<Self>, ConfigError> {
        let Some(host) = lookup("ORDINAVO_SMTP_HOST") else {
            return Ok(None);
        };
        let port = match lookup("ORDINAVO_SMTP_PORT") {
            None => 587,
            Some(text) => text.parse().map_err(|_| ConfigError {
                name: "ORDINAVO_SMTP_PORT",
                message: format!("expected a port number, got {text:?}"),
            })?,
        };
        let from = lookup("ORDINAVO_SMTP_FROM").ok_or(ConfigError {
            name: "ORDINAVO_SMTP_FROM",
            message: "required when ORDINAVO_SMTP_HOST is set".into(),
        })?;
        let tls = match lookup("ORDINAVO_SMTP_TLS").as_deref() {
            None if port == 465 => SmtpTls::Implicit,
            None | Some("starttls") => SmtpTls::StartTls,
            Some("tls") => SmtpTls::Implicit,
            Some("none") => SmtpTls::None,
            Some(other) => {
                return Err(ConfigError {
                    name: "ORDINAVO_SMTP_TLS",
                    message: format!("expected starttls, tls or none, got {other:?}"),
                })
            }
        };
        Ok(Some(Self {
            host,
            port,
            username: lookup("ORDINAVO_SMTP_USERNAME"),
            password: lookup("ORDINAVO_SMTP_PASSWORD"),
            from,
            tls,
        }))
    }
}

/// Hides the password of a database URL before it reaches a message or a log.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{}://{}:***@{}", &url[..scheme_end], user, &url[at + 1..])
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let vars: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn defaults_to_sqlite_in_the_data_dir() {
        let config = config(&[]).unwrap();
        assert_eq!(config.database_url, "sqlite://./data/ordinavo.db");
        assert_eq!(config.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(config.public_url, "http://127.0.0.1:8080");
        assert_eq!(config.max_upload_bytes, DEFAULT_MAX_UPLOAD_BYTES);
        assert!(config.smtp.is_none());
        assert!(config.trusted_proxies.is_empty(), "no proxy is trusted unless configured");
        assert!(config.metrics_bind.is_none(), "no metrics listener unless configured");
    }

    #[test]
    fn trusted_proxies_are_parsed_and_bad_entries_named() {
        let parsed = config(&[("ORDINAVO_TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.1,::1")]).unwrap();
        assert_eq!(parsed.trusted_proxies.len(), 3);
        let err = config(&[("ORDINAVO_TRUSTED_PROXIES", "10.0.0.0/8,lb.internal")]).unwrap_err();
        assert_eq!(err.name, "ORDINAVO_TRUSTED_PROXIES");
        assert!(err.message.contains("\"lb.internal\""), "{}", err.message);
    }

    #[test]
    fn bad_values_name_the_variable() {
        let err = config(&[("ORDINAVO_BIND", "localhost")]).unwrap_err();
        assert_eq!(err.name, "ORDINAVO_BIND");
        let err = config(&[("ORDINAVO_DATABASE_URL", "mysql://u:secret@h/db")]).unwrap_err();
        assert_eq!(err.name, "ORDINAVO_DATABASE_URL");
        assert!(!err.message.contains("secret"));
        let err = config(&[("ORDINAVO_METRICS_BIND", "metrics")]).unwrap_err();
        assert_eq!(err.name, "ORDINAVO_METRICS_BIND");
        let err =
            config(&[("ORDINAVO_BIND", "127.0.0.1:9000"), ("ORDINAVO_METRICS_BIND", "127.0.0.1:9000")]).unwrap_err();
        assert_eq!(err.name, "ORDINAVO_METRICS_BIND", "the metrics listener is never the public one");
        let err = config(&[("ORDINAVO_SMTP_HOST", "mail.example")]).unwrap_err();
        assert_eq!(err.name, "ORDINAVO_SMTP_FROM");
        let err = config(&[("ORDINAVO_BLOB_STORE", "s3:/files")]).unwrap_err();
        assert_eq!(err.name, "ORDINAVO_BLOB_STORE");
    }

    #[test]
    fn redacts_passwords() {
        assert_eq!(redact_url("postgres://app:pw@db:5432/x"), "postgres://app:***@db:5432/x");
        assert_eq!(redact_url("sqlite://data/x.db"), "sqlite://data/x.db");
    }
}
