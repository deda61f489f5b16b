//! The client's network address, for sign-in throttling, sessions and the audit log.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

use crate::domain::client_address::client_address;
use crate::state::AppState;

/// The client's address. `X-Forwarded-For` is client-controlled, so it is read only
/// from a peer listed in `ORDINAVO_TRUSTED_PROXIES`, and only up to the right-most
/// hop that is not trusted.
pub struct ClientIp(pub String);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Some(ConnectInfo(peer)) = parts.extensions.get::<ConnectInfo<SocketAddr>>() else {
            return Ok(ClientIp("unknown".into()));
        };
        // A value that is not text counts as a malformed hop, which ends the walk.
        let forwarded_for =
            parts.headers.get_all("x-forwarded-for").iter().map(|value| value.to_str().unwrap_or("malformed"));
        Ok(ClientIp(client_address(peer.ip(), forwarded_for, &state.config.trusted_proxies).to_string()))
    }
}
