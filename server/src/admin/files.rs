//! Files as staff pages list them: on a report, on a request (the photos a customer
//! sent from the site) and on the work made from a request.

use crate::admin::format;
use crate::records::attachments::Attachment;

pub struct AttachmentLine {
    pub id: String,
    pub file_name: String,
    pub size: String,
    pub content_type: String,
    pub released: bool,
    /// A contact sent it with their request (it is the customer's own).
    pub from_site: bool,
}

impl From<Attachment> for AttachmentLine {
    fn from(a: Attachment) -> Self {
        Self {
            size: format::size(a.size_bytes),
            from_site: a.uploaded_by_portal_user_id.is_some(),
            id: a.id,
            file_name: a.file_name,
            content_type: a.content_type,
            released: a.released,
        }
    }
}

/// Lines of `attachments`, in their order.
pub fn lines(attachments: Vec<Attachment>) -> Vec<AttachmentLine> {
    attachments.into_iter().map(Into::into).collect()
}

/// The page that shows an attachment, to return to after acting on it.
pub fn page_of(a: &Attachment) -> String {
    match (&a.report_id, &a.target_id, &a.request_id) {
        (Some(report_id), _, _) => format!("/admin/reports/{report_id}"),
        (_, Some(target_id), _) => format!("/admin/targets/{target_id}"),
        (_, _, Some(request_id)) => format!("/admin/requests/{request_id}"),
        _ => "/admin/".to_string(),
    }
}
