//! Request extractors shared by the API surfaces: they turn every rejection into
//! the project's JSON error shape.

mod json;
mod page;

pub use json::ApiJson;
pub use page::{ApiQuery, Page, PageQuery};
