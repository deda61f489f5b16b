//! The portal API under `/portal/v1`, for the desktop app. Authenticated with a
//! portal session token; every answer is a portal view type, every query goes
//! through the caller's scope, and out-of-scope ids answer exactly like unknown ones.

mod access_log;
mod attachments;
mod auth;
mod colleagues;
pub mod event_hub;
mod events;
mod invitations;
mod reads;
mod requests;
mod session;

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

pub use auth::Portal;
pub use session::dummy_hash;

/// Computes the sign-in dummy hash off the request path, so the first sign-in with an
/// unknown e-mail takes no longer than any other.
pub async fn warm_up() {
    let _ = tokio::task::spawn_blocking(|| session::dummy_hash().len()).await;
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Ordinavo portal API",
        version = "1",
        description = "For the desktop app. Sign in with `POST /portal/v1/session`, then send \
                       `Authorization: Bearer <token>`. Objects outside your grants answer 404, exactly like \
                       unknown ids. Errors have the shape `{\"error\": {\"code\", \"message\", \"fields\"}}`."
    ),
    modifiers(&SessionAuth),
    security(("session" = [])),
    components(schemas(crate::error::ErrorBody))
)]
struct PortalDoc;

struct SessionAuth;

impl Modify for SessionAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("ops_…").build()),
        );
    }
}

/// The portal API's routes together with its OpenAPI document.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(PortalDoc::openapi())
        .merge(session::router())
        .merge(invitations::router())
        .merge(reads::router())
        .merge(requests::router())
        .merge(attachments::router())
        .merge(events::router())
        .merge(colleagues::router())
        .merge(access_log::router())
}
