//! Read endpoints: profile, status labels, appointments, open work, reports, timeline, follow-ups and delta sync.
//! Each one is a thin call into the portal projection with the caller's scope.

use axum::extract::State;
use axum::Json;
use portal_types::{
    AppointmentView, FollowUpView, Me, OpenWorkView, Page, ReportView, StatusLabels, SyncPage, TimelineEntryView,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::Portal;
use crate::error::{AppResult, ErrorBody};
use crate::extract::ApiQuery;
use crate::extract::Path;
use crate::projection::appointments::AppointmentQuery;
use crate::projection::{self, PortalPage};
use crate::records::status_labels;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(me))
        .routes(routes!(status_labels))
        .routes(routes!(appointments))
        .routes(routes!(appointment))
        .routes(routes!(work))
        .routes(routes!(reports))
        .routes(routes!(report))
        .routes(routes!(timeline))
        .routes(routes!(follow_ups))
        .routes(routes!(sync))
}

/// The signed-in user, their grants, customers and locations.
#[utoipa::path(get, path = "/portal/v1/me", tag = "portal", responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
async fn me(State(state): State<AppState>, portal: Portal) -> AppResult<Json<Me>> {
    Ok(Json(projection::me::me(&state.db, &portal.viewer, &portal.user).await?))
}

/// The customer-facing wording of every public status, in English and Arabic.
#[utoipa::path(get, path = "/portal/v1/status-labels", tag = "portal",
    responses((status = 200, body = StatusLabels), (status = 401, body = ErrorBody)))]
async fn status_labels(State(state): State<AppState>, _portal: Portal) -> AppResult<Json<StatusLabels>> {
    let mut all = status_labels::all(&state.db).await?;
    Ok(Json(StatusLabels { en: all.remove("en").unwrap_or_default(), ar: all.remove("ar").unwrap_or_default() }))
}

/// Shared appointments: `when=upcoming` (default, soonest first) or `when=past`.
#[utoipa::path(get, path = "/portal/v1/appointments", tag = "portal", params(AppointmentQuery),
    responses((status = 200, body = Page<AppointmentView>), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn appointments(
    State(state): State<AppState>,
    portal: Portal,
    ApiQuery(query): ApiQuery<AppointmentQuery>,
) -> AppResult<Json<Page<AppointmentView>>> {
    Ok(Json(projection::appointments::list(&state.db, &portal.viewer, &query).await?))
}

#[utoipa::path(get, path = "/portal/v1/appointments/{id}", tag = "portal",
    responses((status = 200, body = AppointmentView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn appointment(
    State(state): State<AppState>,
    portal: Portal,
    Path(id): Path<String>,
) -> AppResult<Json<AppointmentView>> {
    Ok(Json(projection::appointments::get(&state.db, &portal.viewer, &id).await?))
}

/// Open work at the user's locations, with the next shared visit.
#[utoipa::path(get, path = "/portal/v1/work", tag = "portal", params(PortalPage),
    responses((status = 200, body = Page<OpenWorkView>), (status = 401, body = ErrorBody)))]
async fn work(
    State(state): State<AppState>,
    portal: Portal,
    ApiQuery(query): ApiQuery<PortalPage>,
) -> AppResult<Json<Page<OpenWorkView>>> {
    Ok(Json(projection::work::list(&state.db, &portal.viewer, &query).await?))
}

/// Published visit reports, newest first.
#[utoipa::path(get, path = "/portal/v1/reports", tag = "portal", params(PortalPage),
    responses((status = 200, body = Page<ReportView>), (status = 401, body = ErrorBody)))]
async fn reports(
    State(state): State<AppState>,
    portal: Portal,
    ApiQuery(query): ApiQuery<PortalPage>,
) -> AppResult<Json<Page<ReportView>>> {
    Ok(Json(projection::reports::list(&state.db, &portal.viewer, &query).await?))
}

#[utoipa::path(get, path = "/portal/v1/reports/{id}", tag = "portal",
    responses((status = 200, body = ReportView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn report(State(state): State<AppState>, portal: Portal, Path(id): Path<String>) -> AppResult<Json<ReportView>> {
    Ok(Json(projection::reports::get(&state.db, &portal.viewer, &id).await?))
}

/// Customer-safe milestones, newest first.
#[utoipa::path(get, path = "/portal/v1/timeline", tag = "portal", params(PortalPage),
    responses((status = 200, body = Page<TimelineEntryView>), (status = 401, body = ErrorBody)))]
async fn timeline(
    State(state): State<AppState>,
    portal: Portal,
    ApiQuery(query): ApiQuery<PortalPage>,
) -> AppResult<Json<Page<TimelineEntryView>>> {
    Ok(Json(projection::timeline::list(&state.db, &portal.viewer, &query).await?))
}

/// Follow-ups with their planned visit, newest first.
#[utoipa::path(get, path = "/portal/v1/follow-ups", tag = "portal", params(PortalPage),
    responses((status = 200, body = Page<FollowUpView>), (status = 401, body = ErrorBody)))]
async fn follow_ups(
    State(state): State<AppState>,
    portal: Portal,
    ApiQuery(query): ApiQuery<PortalPage>,
) -> AppResult<Json<Page<FollowUpView>>> {
    Ok(Json(projection::follow_ups::list(&state.db, &portal.viewer, &query).await?))
}

/// Query of the delta sync endpoint.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SyncQuery {
    /// The `cursor` of the previous page or sync; omit for a full sync.
    pub cursor: Option<String>,
    /// Changes per page, 1 to 1000 (default 500).
    pub limit: Option<u32>,
}

/// Every change in scope since the cursor: upserts of portal views and removals.
#[utoipa::path(get, path = "/portal/v1/sync", tag = "portal", params(SyncQuery),
    responses((status = 200, body = SyncPage), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn sync(
    State(state): State<AppState>,
    portal: Portal,
    ApiQuery(query): ApiQuery<SyncQuery>,
) -> AppResult<Json<SyncPage>> {
    let page =
        projection::sync::page(&state.db, &portal.viewer, &portal.session_id, query.cursor.as_deref(), query.limit)
            .await?;
    state.metrics.sync_page_served();
    Ok(Json(page))
}
