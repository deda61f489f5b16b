//! The integration API under `/api/v1`: the company's internal systems push
//! customers, locations, work, appointments, reports and attachments in, and read
//! requests out. Authenticated with API keys; every write is audited.

mod appointments;
mod attachments;
mod auth;
mod contacts;
mod crud;
mod customers;
mod follow_ups;
mod invitations;
mod locations;
mod reports;
mod requests;
mod targets;

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

pub use auth::bearer;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Ordinavo integration API",
        version = "1",
        description = "For the company's internal systems. Authenticate with `Authorization: Bearer <API key>`. \
                       Errors have the shape `{\"error\": {\"code\", \"message\", \"fields\"}}`."
    ),
    modifiers(&ApiKeyAuth),
    security(("api_key" = [])),
    components(schemas(crate::error::ErrorBody))
)]
struct ApiDoc;

struct ApiKeyAuth;

impl Modify for ApiKeyAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("ordk_…").build()),
        );
    }
}

/// The integration API's routes together with its OpenAPI document.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(customers::router())
        .merge(locations::router())
        .merge(contacts::router())
        .merge(targets::router())
        .merge(appointments::router())
        .merge(reports::router())
        .merge(attachments::router())
        .merge(follow_ups::router())
        .merge(requests::router())
        .merge(invitations::router())
}
