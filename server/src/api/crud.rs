//! The list / create / get / update handlers that most integration resources share,
//! generated once by `crud!` so each resource file holds only what is its own.

/// Defines `list`, `create`, `get` and `update` handlers over a records module with
/// functions of the same names, plus `crud_router()` registering them.
macro_rules! crud {
    (
        records: $records:ident,
        record: $record:ty,
        new: $new:ty,
        patch: $patch:ty,
        tag: $tag:literal,
        collection: $collection:literal,
        item: $item:literal,
        list_doc: $list_doc:literal $(,)?
    ) => {
        use axum::extract::State;
        use crate::extract::Path;
        use axum::http::StatusCode;
        use axum::Json;
        use utoipa_axum::router::OpenApiRouter;
        use utoipa_axum::routes;

        use crate::api::auth::ApiCaller;
        use crate::error::{AppResult, ErrorBody};
        use crate::extract::{ApiJson, Page, PageQuery};
        use crate::records::$records;
        use crate::state::AppState;

        fn crud_router() -> OpenApiRouter<AppState> {
            OpenApiRouter::new().routes(routes!(list, create)).routes(routes!(get, update))
        }

        #[doc = $list_doc]
        #[utoipa::path(get, path = $collection, tag = $tag, params(PageQuery),
            responses((status = 200, body = Page<$record>), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
        async fn list(State(state): State<AppState>, _caller: ApiCaller, query: PageQuery) -> AppResult<Json<Page<$record>>> {
            Ok(Json($records::list(&state.db, &query).await?))
        }

        #[utoipa::path(post, path = $collection, tag = $tag, request_body = $new,
            responses((status = 201, body = $record), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
                      (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
        async fn create(
            State(state): State<AppState>,
            ApiCaller(actor): ApiCaller,
            ApiJson(input): ApiJson<$new>,
        ) -> AppResult<(StatusCode, Json<$record>)> {
            let mut tx = state.db.begin_write().await?;
            let record = $records::create(&mut tx, &actor, input).await?;
            tx.commit().await?;
            Ok((StatusCode::CREATED, Json(record)))
        }

        #[utoipa::path(get, path = $item, tag = $tag,
            responses((status = 200, body = $record), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
        async fn get(State(state): State<AppState>, _caller: ApiCaller, Path(id): Path<String>) -> AppResult<Json<$record>> {
            Ok(Json($records::get(&state.db.pool, &id).await?))
        }

        #[utoipa::path(patch, path = $item, tag = $tag, request_body = $patch,
            responses((status = 200, body = $record), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
                      (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
        async fn update(
            State(state): State<AppState>,
            ApiCaller(actor): ApiCaller,
            Path(id): Path<String>,
            ApiJson(patch): ApiJson<$patch>,
        ) -> AppResult<Json<$record>> {
            let mut tx = state.db.begin_write().await?;
            let record = $records::update(&mut tx, &actor, &id, patch).await?;
            tx.commit().await?;
            Ok(Json(record))
        }
    };
}

pub(crate) use crud;
