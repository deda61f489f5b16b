//! The portal API's wire contract. Everything a portal user can ever receive is
//! declared here, field by field, so the server cannot leak an internal field by
//! accident and the desktop client decodes exactly what the server sends.

mod status;
mod views;

pub use status::{LiveEventKind, PublicStatus, RequestKind, RequestStatus, TimelineKind};
pub use views::*;
