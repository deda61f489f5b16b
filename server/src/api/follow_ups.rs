//! `/api/v1/follow-ups`

use crate::records::follow_ups::{FollowUp, FollowUpPatch, NewFollowUp};

super::crud::crud! {
    records: follow_ups,
    record: FollowUp,
    new: NewFollowUp,
    patch: FollowUpPatch,
    tag: "follow-ups",
    collection: "/api/v1/follow-ups",
    item: "/api/v1/follow-ups/{id}",
    list_doc: "List follow-ups. Filters: customer_id, location_id, status, updated_since.",
}

pub fn router() -> OpenApiRouter<AppState> {
    crud_router()
}
