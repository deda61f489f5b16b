//! The client's one error type. Each error has a stable `code` for the UI and a
//! message a user can act on; causes that could hold secrets are never included.

/// Everything that can go wrong in the client.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("{0}")]
    InvalidAddress(String),
    #[error("The server cannot be reached. Check your connection; your changes are kept and sent later.")]
    Offline,
    #[error("Your session has ended. Please sign in again.")]
    SessionEnded,
    #[error("You are not signed in.")]
    NotSignedIn,
    /// An answer from the server, with its own code and message.
    #[error("{message}")]
    Server { status: u16, code: String, message: String },
    #[error("The system keyring is not available ({0}). Unlock or install a keyring service and try again.")]
    Keyring(String),
    /// The cache's key (in the keyring) does not open it; the client rebuilds it.
    #[error("The local copy of your data could not be unlocked.")]
    CacheLocked,
    #[error("The local cache could not be used ({0}).")]
    Cache(#[from] rusqlite::Error),
    #[error("A local file could not be written or read ({0}).")]
    Io(#[from] std::io::Error),
    #[error("{0} was not found in the local data; sync and try again.")]
    NotFound(String),
    #[error("The downloaded file does not match the server's checksum; please download it again.")]
    Corrupt,
    #[error("Notifications could not be shown ({0}).")]
    Notify(String),
    /// A file that cannot go with a request (checked before it is queued).
    #[error("{0}")]
    FileRefused(String),
}

impl ClientError {
    /// A stable, machine-readable code for the UI.
    pub fn code(&self) -> &str {
        match self {
            ClientError::InvalidAddress(_) => "invalid_address",
            ClientError::Offline => "offline",
            ClientError::SessionEnded => "session_ended",
            ClientError::NotSignedIn => "not_signed_in",
            ClientError::Server { code, .. } => code,
            ClientError::Keyring(_) => "keyring_unavailable",
            ClientError::CacheLocked => "cache_locked",
            ClientError::Cache(_) => "cache_error",
            ClientError::Io(_) => "file_error",
            ClientError::NotFound(_) => "not_found",
            ClientError::Corrupt => "download_corrupt",
            ClientError::Notify(_) => "notifications_unavailable",
            ClientError::FileRefused(_) => "file_refused",
        }
    }

    /// True when retrying later may succeed (no connection, or the server failed).
    pub fn is_transient(&self) -> bool {
        matches!(self, ClientError::Offline) || matches!(self, ClientError::Server { status, .. } if *status >= 500)
    }
}

impl From<reqwest::Error> for ClientError {
    fn from(err: reqwest::Error) -> Self {
        // reqwest errors can carry the URL but never the bearer token; log the cause only at debug level.
        tracing::debug!(error = %err, "http error");
        ClientError::Offline
    }
}

impl From<keyring::Error> for ClientError {
    fn from(err: keyring::Error) -> Self {
        ClientError::Keyring(err.to_string())
    }
}

pub type ClientResult<T> = Result<T, ClientError>;
