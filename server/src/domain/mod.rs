//! Pure domain rules: no I/O here, so every rule is unit-tested directly.

pub mod client_address;
pub mod lifecycle;
pub mod password;
pub mod public_status;
pub mod rollout;
pub mod scope;
pub mod throttle;
pub mod tokens;
pub mod upload;
pub mod validate;
pub mod version;
pub mod zip_names;
