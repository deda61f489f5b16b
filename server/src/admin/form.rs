//! HTML form posts: the raw fields as sent (kept to re-render a form with the user's
//! input), read only after the origin check, the session and the CSRF token pass.

use std::collections::BTreeMap;

use axum::extract::{FromRequest, FromRequestParts, Request};

use super::auth::Staff;
use super::csrf;
use super::page::AdminError;
use crate::error::{AppError, FieldErrors};
use crate::state::AppState;
use crate::storage::WriteTx;

/// Largest form accepted (uploads are multipart and have their own limit).
const FORM_LIMIT: usize = 256 * 1024;

/// The fields of a form post, in order; a name may repeat (checkbox lists).
#[derive(Debug, Default, Clone)]
pub struct FormData(pub Vec<(String, String)>);

impl FormData {
    pub fn parse(body: &[u8]) -> Self {
        FormData(form_urlencoded::parse(body).into_owned().collect())
    }

    /// Reads a form body of at most `FORM_LIMIT` bytes; a larger one is a 413 page.
    pub async fn read(body: axum::body::Body) -> Result<Self, AdminError> {
        let bytes = axum::body::to_bytes(body, FORM_LIMIT)
            .await
            .map_err(|_| AdminError::App(AppError::too_large("the form is too large")))?;
        Ok(Self::parse(&bytes))
    }

    /// The first value of `name`, or "".
    pub fn get(&self, name: &str) -> &str {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or_default()
    }

    /// The trimmed value, or `None` when blank.
    pub fn opt(&self, name: &str) -> Option<String> {
        Some(self.get(name).trim()).filter(|v| !v.is_empty()).map(str::to_string)
    }

    /// Every value of `name`.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone()).collect()
    }

    /// Whether a checkbox named `name` was ticked.
    pub fn checked(&self, name: &str) -> bool {
        self.0.iter().any(|(k, v)| k == name && !v.is_empty())
    }

    /// A `true`/`false` field of a button form; anything else is named in a 422.
    pub fn boolean(&self, name: &str) -> Result<bool, AppError> {
        match self.get(name) {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(AppError::field(name, "must be true or false")),
        }
    }
}

/// A verified state-changing form post from a signed-in staff member.
pub struct Posted {
    pub staff: Staff,
    pub form: FormData,
}

impl FromRequest<AppState> for Posted {
    type Rejection = AdminError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = request.into_parts();
        let staff = Staff::from_request_parts(&mut parts, state).await?;
        let form = FormData::read(body).await?;
        if !csrf::token_matches(&staff.session.csrf_token, form.get("csrf")) {
            return Err(AdminError::Forbidden);
        }
        Ok(Posted { staff, form })
    }
}

/// What a form shows when re-rendered: the user's values and a message per field.
#[derive(Debug, Default)]
pub struct FormState {
    pub values: BTreeMap<String, String>,
    pub errors: FieldErrors,
    /// Set when the record changed since the form was opened.
    pub stale: bool,
}

impl FormState {
    /// A form prefilled from stored values.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, String)>) -> Self {
        FormState { values: pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect(), ..Self::default() }
    }

    /// The submitted form, with the errors to show next to its fields.
    pub fn rejected(form: &FormData, errors: FieldErrors) -> Self {
        let mut values = BTreeMap::new();
        for (k, v) in &form.0 {
            values.entry(k.clone()).or_insert_with(|| v.clone());
        }
        FormState { values, errors, stale: false }
    }

    /// Whether this state belongs to the form named `which` (hidden field `form`),
    /// on pages that hold several forms.
    pub fn on(&self, which: &str) -> bool {
        self.v("form") == which
    }

    /// The value of `name` if this state belongs to form `which`.
    pub fn v_on(&self, which: &str, name: &str) -> &str {
        if self.on(which) {
            self.v(name)
        } else {
            ""
        }
    }

    /// The message for `name` if this state belongs to form `which`.
    pub fn err_on(&self, which: &str, name: &str) -> Option<&str> {
        self.err(name).filter(|_| self.on(which))
    }

    pub fn v(&self, name: &str) -> &str {
        self.values.get(name).map(String::as_str).unwrap_or_default()
    }

    pub fn err(&self, name: &str) -> Option<&str> {
        self.errors.get(name).map(String::as_str)
    }

    /// Whether any field or the whole form has a problem.
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty() || self.stale
    }
}

/// Opens the write transaction of an edit, refusing it (409) when the record changed
/// since its form was opened: `updated_at` travels in the form, so a second editor
/// cannot silently overwrite the first.
pub async fn begin_edit(
    state: &AppState,
    form: &FormData,
    table: &'static str,
    id: &str,
) -> Result<WriteTx, AdminError> {
    let mut tx = state.db.begin_write().await?;
    // Taking the version lock first orders this edit after any concurrent one.
    tx.version().await?;
    let current = crate::records::query::updated_at(&mut tx, table, id).await?;
    if form.get("updated_at") == current.to_string() {
        Ok(tx)
    } else {
        Err(AdminError::Stale)
    }
}

/// Turns invalid input into messages for the form's fields (`location_ids[2]` is
/// shown at `location_ids`); any other error is the page's.
pub fn field_errors(err: AppError) -> Result<FieldErrors, AdminError> {
    match err {
        AppError::Invalid { fields, .. } => Ok(fields
            .into_iter()
            .map(|(name, message)| (name.split('[').next().unwrap_or_default().to_string(), message))
            .collect()),
        other => Err(other.into()),
    }
}
