//! The portal's bearer-token authentication. Only portal session tokens work here:
//! cookies are ignored and API keys never match a session.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::api::bearer;
use crate::error::AppError;
use crate::projection::Viewer;
use crate::records::audit::Actor;
use crate::records::portal_access::PortalUser;
use crate::records::sessions;
use crate::state::AppState;

/// A signed-in portal user, their session and their scope as of this request.
pub struct Portal {
    pub user: PortalUser,
    pub session_id: String,
    pub viewer: Viewer,
}

impl Portal {
    pub fn actor(&self) -> Actor {
        Actor::PortalUser { id: self.user.id.clone(), label: self.user.email.clone() }
    }
}

impl FromRequestParts<AppState> for Portal {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = bearer(parts).ok_or(AppError::Unauthorized)?;
        let (session, user, grants) = sessions::authenticate(&state.db, token).await?.ok_or(AppError::Unauthorized)?;
        let viewer = Viewer::of_user(&user.id, &grants, user.is_customer_admin());
        // A user without grants may see nothing: treat the session as ended.
        if viewer.scope.is_empty() {
            return Err(AppError::Unauthorized);
        }
        Ok(Portal { viewer, user, session_id: session.id })
    }
}
