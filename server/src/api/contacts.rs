//! `/api/v1/contacts`

use crate::records::contacts::{Contact, ContactPatch, NewContact};

super::crud::crud! {
    records: contacts,
    record: Contact,
    new: NewContact,
    patch: ContactPatch,
    tag: "contacts",
    collection: "/api/v1/contacts",
    item: "/api/v1/contacts/{id}",
    list_doc: "List contacts. Filters: customer_id, updated_since.",
}

pub fn router() -> OpenApiRouter<AppState> {
    crud_router().routes(routes!(delete))
}

/// Delete a contact that never had portal access, invitations or work (409 otherwise).
#[utoipa::path(delete, path = "/api/v1/contacts/{id}", tag = "contacts",
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn delete(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    let mut tx = state.db.begin_write().await?;
    contacts::delete(&mut tx, &actor, &id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
