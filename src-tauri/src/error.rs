//! Errors as the UI receives them: `{code, message}`, with a message a user can act on.

use ordinavo_client::ClientError;
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct CommandError {
    pub code: String,
    pub message: String,
}

impl CommandError {
    pub fn new(code: &str, message: impl Into<String>) -> CommandError {
        CommandError { code: code.into(), message: message.into() }
    }

    pub fn not_signed_in() -> CommandError {
        CommandError::from(ClientError::NotSignedIn)
    }
}

impl From<ClientError> for CommandError {
    fn from(err: ClientError) -> Self {
        CommandError { code: err.code().to_string(), message: err.to_string() }
    }
}

impl std::fmt::Display for CommandError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

pub type CommandResult<T> = Result<T, CommandError>;
