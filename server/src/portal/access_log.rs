//! The access log the customer reads: a contact their own entries, a customer admin
//! every colleague's within their grants.

use axum::extract::State;
use axum::Json;
use portal_types::{AccessLogEntryView, Page};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::Portal;
use super::colleagues::ColleaguePage;
use crate::error::{AppResult, ErrorBody};
use crate::extract::ApiQuery;
use crate::projection::page;
use crate::records::access_log;
use crate::records::colleagues::{self, Admin};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(access_log))
}

/// Who accessed your data, newest first: sign-ins (address, app version), failed
/// sign-ins, downloads, ended sessions and the service company's staff viewing the
/// portal as you see it (named by role). A customer admin sees their colleagues'
/// entries too.
#[utoipa::path(get, path = "/portal/v1/access-log", tag = "portal", params(ColleaguePage),
    responses((status = 200, body = Page<AccessLogEntryView>), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn access_log(
    State(state): State<AppState>,
    portal: Portal,
    ApiQuery(query): ApiQuery<ColleaguePage>,
) -> AppResult<Json<Page<AccessLogEntryView>>> {
    let limit = colleagues::page_limit(query.limit)?;
    let users = if portal.user.is_customer_admin() {
        let admin = Admin::of(&state.db, &portal.user.id, &portal.viewer.scope).await?;
        colleagues::ids(&state.db, &admin).await?
    } else {
        vec![portal.user.id.clone()]
    };
    let entries = access_log::about(&state.db, &users, query.after.as_deref(), limit).await?;
    Ok(Json(page(entries, limit, |e| e.id.clone())))
}
