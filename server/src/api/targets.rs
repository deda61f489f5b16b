//! `/api/v1/targets`

use crate::records::targets::{NewTarget, Target, TargetPatch};

super::crud::crud! {
    records: targets,
    record: Target,
    new: NewTarget,
    patch: TargetPatch,
    tag: "targets",
    collection: "/api/v1/targets",
    item: "/api/v1/targets/{id}",
    list_doc: "List targets with their internal fields. Filters: customer_id, location_id, status, updated_since.",
}

pub fn router() -> OpenApiRouter<AppState> {
    crud_router()
}
