//! `/api/v1/locations`

use crate::records::locations::{Location, LocationPatch, NewLocation};

super::crud::crud! {
    records: locations,
    record: Location,
    new: NewLocation,
    patch: LocationPatch,
    tag: "locations",
    collection: "/api/v1/locations",
    item: "/api/v1/locations/{id}",
    list_doc: "List locations. Filters: customer_id, updated_since.",
}

pub fn router() -> OpenApiRouter<AppState> {
    crud_router()
}
