//! The server address a user types: https is required, except for this machine,
//! where a developer or a test runs the server without TLS.

use std::fmt;

use reqwest::Url;

use crate::error::ClientError;

/// A validated server base URL without a trailing slash, e.g. `https://portal.example.com`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ServerAddress(String);

impl ServerAddress {
    /// Validates what the user typed. A bare host name means https.
    pub fn parse(input: &str) -> Result<ServerAddress, ClientError> {
        let input = input.trim();
        if input.is_empty() {
            return Err(ClientError::InvalidAddress(
                "Enter the server address, e.g. https://portal.example.com.".into(),
            ));
        }
        let with_scheme = if input.contains("://") { input.to_string() } else { format!("https://{input}") };
        let url = Url::parse(&with_scheme)
            .map_err(|_| ClientError::InvalidAddress(format!("\"{input}\" is not a valid server address.")))?;
        let host = url.host_str().unwrap_or_default();
        if host.is_empty() {
            return Err(ClientError::InvalidAddress("The server address needs a host name.".into()));
        }
        let local = matches!(host, "localhost" | "127.0.0.1" | "[::1]");
        match url.scheme() {
            "https" => {}
            "http" if local => {}
            "http" => {
                return Err(ClientError::InvalidAddress(
                    "The server address must start with https:// so that your sign-in is encrypted.".into(),
                ))
            }
            other => {
                return Err(ClientError::InvalidAddress(format!(
                    "\"{other}\" addresses are not supported; use https://."
                )))
            }
        }
        if !url.username().is_empty() || url.password().is_some() || url.query().is_some() || url.fragment().is_some() {
            return Err(ClientError::InvalidAddress(
                "Enter only the server address, without a user name, query or fragment.".into(),
            ));
        }
        Ok(ServerAddress(url.as_str().trim_end_matches('/').to_string()))
    }

    /// The absolute URL of an API path such as `/portal/v1/me`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.0)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ServerAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(input: &str) -> String {
        ServerAddress::parse(input).unwrap().as_str().to_string()
    }

    fn refused(input: &str) -> bool {
        matches!(ServerAddress::parse(input), Err(ClientError::InvalidAddress(_)))
    }

    #[test]
    fn https_addresses_are_normalized() {
        assert_eq!(ok("https://portal.example.com/"), "https://portal.example.com");
        assert_eq!(ok("  portal.example.com "), "https://portal.example.com");
        assert_eq!(ok("https://example.com:8443/ordinavo/"), "https://example.com:8443/ordinavo");
    }

    #[test]
    fn plain_http_is_only_for_this_machine() {
        assert_eq!(ok("http://localhost:8080"), "http://localhost:8080");
        assert_eq!(ok("http://127.0.0.1:8080/"), "http://127.0.0.1:8080");
        assert_eq!(ok("http://[::1]:8080"), "http://[::1]:8080");
        assert!(refused("http://portal.example.com"));
        assert!(refused("http://192.168.1.10"));
    }

    #[test]
    fn odd_input_is_refused() {
        assert!(refused(""));
        assert!(refused("ftp://portal.example.com"));
        assert!(refused("https://user:pw@portal.example.com"));
        assert!(refused("https://portal.example.com/?x=1"));
        assert!(refused("https://"));
    }
}
