//! `/api/v1/customers`

use crate::records::customers::{Customer, CustomerPatch, NewCustomer};

super::crud::crud! {
    records: customers,
    record: Customer,
    new: NewCustomer,
    patch: CustomerPatch,
    tag: "customers",
    collection: "/api/v1/customers",
    item: "/api/v1/customers/{id}",
    list_doc: "List customers. Filter: updated_since.",
}

pub fn router() -> OpenApiRouter<AppState> {
    crud_router()
}
