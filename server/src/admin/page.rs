//! What every admin page shares: the chrome around it (language, navigation, the
//! CSRF token for its forms) and the HTML rendering of errors.

use askama::Template;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};

use super::i18n::Lang;
use crate::error::{AppError, ErrorShown};

/// The frame of a signed-in page.
pub struct Chrome {
    pub lang: Lang,
    pub csrf: String,
    pub staff_name: String,
    pub is_admin: bool,
    /// The navigation entry to highlight.
    pub section: &'static str,
    /// A confirmation after a redirect (`?done=…`), already translated.
    pub notice: &'static str,
    /// The current address, where the language switch returns to.
    pub here: String,
}

impl Chrome {
    pub fn t(&self, key: &str) -> &'static str {
        self.lang.t(key)
    }

    pub fn code(&self) -> &'static str {
        self.lang.code()
    }

    pub fn dir(&self) -> &'static str {
        self.lang.dir()
    }

    /// The badge text of a status's wire name.
    pub fn status(&self, status: &str) -> &'static str {
        self.t(&format!("status.{status}"))
    }

    /// The name of a request kind.
    pub fn kind(&self, kind: &str) -> &'static str {
        self.t(&format!("kind.{kind}"))
    }

    /// `aria-current` for the active navigation entry.
    pub fn current(&self, section: &str) -> &'static str {
        if self.section == section {
            "page"
        } else {
            "false"
        }
    }
}

/// Renders a page template.
pub fn render(template: &impl Template) -> Result<Response, AdminError> {
    Ok(Html(template.render()?).into_response())
}

/// Renders a page template with a status other than 200 (a form with errors: 422).
pub fn render_status(status: StatusCode, template: &impl Template) -> Result<Response, AdminError> {
    Ok((status, Html(template.render()?)).into_response())
}

/// Defines the `Notice` enum: the confirmations shown after a successful post,
/// each translated as `done.<key>`.
macro_rules! notices {
    ($($variant:ident => $key:literal,)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Notice {
            $($variant,)*
        }

        impl Notice {
            pub const ALL: &[Notice] = &[$(Notice::$variant,)*];

            pub fn key(self) -> &'static str {
                match self {
                    $(Notice::$variant => $key,)*
                }
            }

            /// Only known notices are shown; anything else in `?done=` is ignored.
            pub fn parse(key: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|notice| notice.key() == key)
            }
        }
    };
}

notices! {
    Saved => "saved",
    Created => "created",
    Converted => "converted",
    GrantSaved => "grant_saved",
    InvitationRevoked => "invitation_revoked",
    KeyRevoked => "key_revoked",
    ReportApproved => "report_approved",
    ReportCreated => "report_created",
    ReportPublished => "report_published",
    ReportReopened => "report_reopened",
    ReportUnpublished => "report_unpublished",
    MessageSent => "message_sent",
    RequestDecided => "request_decided",
    SignedOut => "signed_out",
    StaffAdded => "staff_added",
    Uploaded => "uploaded",
    Scheduled => "scheduled",
    AppointmentSaved => "appointment_saved",
    CustomerAdminGranted => "customer_admin_granted",
    CustomerAdminRemoved => "customer_admin_removed",
    FollowUpRequired => "follow_up_required",
    FollowUpPlanned => "follow_up_planned",
    FollowUpSaved => "follow_up_saved",
    Released => "released",
    ReleasePaused => "release_paused",
    ReleaseResumed => "release_resumed",
    Unreleased => "unreleased",
    UserEnabled => "user_enabled",
    UserDisabled => "user_disabled",
}

/// After a successful post: back to a page, with a confirmation.
pub fn done(to: &str, notice: Notice) -> Response {
    let separator = if to.contains('?') { '&' } else { '?' };
    Redirect::to(&format!("{to}{separator}done={}", notice.key())).into_response()
}

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error(transparent)]
    App(#[from] AppError),
    #[error("sign in required")]
    SignIn,
    #[error("forbidden")]
    Forbidden,
    #[error("changed by someone else")]
    Stale,
    #[error("template: {0}")]
    Render(#[from] askama::Error),
}

impl From<sqlx::Error> for AdminError {
    fn from(err: sqlx::Error) -> Self {
        AdminError::App(err.into())
    }
}

/// Shared extractors (path, query, JSON) and the router's fallbacks answer in the
/// JSON error shape; under `/admin` every such answer becomes the error page.
pub async fn error_pages(request: Request, next: Next) -> Response {
    let admin = request.uri().path() == "/admin" || request.uri().path().starts_with("/admin/");
    let response = next.run(request).await;
    if !admin {
        return response;
    }
    match response.extensions().get::<ErrorShown>() {
        Some(shown) => AdminError::App(shown.to_error()).into_response(),
        None => response,
    }
}

#[derive(Template)]
#[template(path = "admin/error.html")]
struct ErrorPage<'a> {
    status: u16,
    title_en: &'a str,
    title_ar: &'a str,
    detail: String,
}

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        let (status, title_en, title_ar, detail) = match &self {
            AdminError::SignIn => return Redirect::to("/admin/login").into_response(),
            AdminError::Forbidden => (
                StatusCode::FORBIDDEN,
                "Not allowed",
                "غير مسموح",
                "Your role does not allow this, or the form did not come from this site. Reload the page and try again."
                    .to_string(),
            ),
            AdminError::Stale => (
                StatusCode::CONFLICT,
                "Changed by someone else",
                "عدّله شخص آخر",
                "This record changed after you opened the form, so nothing was saved. Go back, reload and apply \
                 your change again."
                    .to_string(),
            ),
            AdminError::App(AppError::NotFound) => {
                (StatusCode::NOT_FOUND, "Not found", "غير موجود", "There is nothing at this address.".to_string())
            }
            AdminError::App(AppError::MethodNotAllowed) => (
                StatusCode::METHOD_NOT_ALLOWED,
                "Not possible here",
                "غير ممكن هنا",
                "This address does not accept that kind of request.".to_string(),
            ),
            AdminError::App(AppError::Conflict(message)) => {
                (StatusCode::CONFLICT, "Not possible now", "غير ممكن الآن", message.clone())
            }
            AdminError::App(AppError::Invalid { message, .. }) | AdminError::App(AppError::BadRequest(message)) => {
                (StatusCode::UNPROCESSABLE_ENTITY, "Check your input", "تحقق من المدخلات", message.clone())
            }
            AdminError::App(AppError::TooLarge { message, .. }) => {
                (StatusCode::PAYLOAD_TOO_LARGE, "Too large", "كبير جدًا", message.clone())
            }
            AdminError::App(AppError::UnsupportedType { message, .. }) => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "File type not accepted", "نوع الملف غير مقبول", message.clone())
            }
            AdminError::App(AppError::Gone(message)) => (StatusCode::GONE, "Gone", "لم يعد متاحًا", message.clone()),
            AdminError::App(AppError::RateLimited { retry_after_secs }) => (
                StatusCode::TOO_MANY_REQUESTS,
                "Too many attempts",
                "محاولات كثيرة جدًا",
                format!("Try again in {} minutes.", retry_after_secs.div_ceil(60)),
            ),
            AdminError::App(AppError::Unavailable { message, .. }) => {
                (StatusCode::SERVICE_UNAVAILABLE, "Not available", "غير متاح", message.clone())
            }
            AdminError::App(AppError::Unauthorized) => return Redirect::to("/admin/login").into_response(),
            AdminError::App(AppError::Internal(_)) | AdminError::Render(_) => {
                tracing::error!(error = ?self, "admin page failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong",
                    "حدث خطأ",
                    "The problem was logged. Try again in a moment.".to_string(),
                )
            }
        };
        let page = ErrorPage { status: status.as_u16(), title_en, title_ar, detail };
        match page.render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(_) => status.into_response(),
        }
    }
}

/// One line of a list of records: what it is, where, when, and its state.
pub struct Row {
    pub href: String,
    pub title: String,
    pub place: String,
    pub when: String,
    /// CSS class of the status badge (the status's wire name).
    pub status: String,
    pub status_text: &'static str,
    /// A marker beside the title (a request's unread message), translated.
    pub flag: Option<&'static str>,
}

impl Row {
    /// A row whose status badge reads `status.<status>` in the page's language.
    pub fn new(lang: Lang, href: String, title: String, place: String, when: String, status: &str) -> Self {
        let status_text = lang.t(&format!("status.{status}"));
        Row { href, title, place, when, status: status.to_string(), status_text, flag: None }
    }
}
