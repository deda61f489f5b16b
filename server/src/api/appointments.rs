//! `/api/v1/appointments`

use crate::records::appointments::{Appointment, AppointmentPatch, NewAppointment};

super::crud::crud! {
    records: appointments,
    record: Appointment,
    new: NewAppointment,
    patch: AppointmentPatch,
    tag: "appointments",
    collection: "/api/v1/appointments",
    item: "/api/v1/appointments/{id}",
    list_doc: "List appointments. Filters: customer_id, location_id, status, updated_since.",
}

pub fn router() -> OpenApiRouter<AppState> {
    crud_router()
}
