//! Request extractors shared by the API surfaces: they turn every rejection into
//! the project's JSON error shape.

mod client_ip;
mod json;
mod page;
mod path;
mod upload;

pub use client_ip::ClientIp;
pub use json::ApiJson;
pub use page::{ApiQuery, FilteredPage, ListFilter, Page, PageQuery};
pub use path::Path;
pub use upload::{read_upload, without_json_limit};
