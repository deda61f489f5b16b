//! A customer admin's commands: their colleagues and pending invitations, inviting a
//! colleague within their own grants, and disabling, enabling, resending or revoking.
//! All of it is read from and done on the server (nothing is cached): the server
//! decides who is an admin and what lies within their grants.

use portal_types::{ColleagueInvitationDelivery, ColleagueInvitationView, ColleagueView, NewColleagueInvitation};
use serde::{Deserialize, Serialize};
use tauri::State;
use tracing::instrument;

use crate::error::CommandResult;
use crate::state::AppState;

/// What the Colleagues screen shows.
#[derive(Serialize)]
pub struct Colleagues {
    pub colleagues: Vec<ColleagueView>,
    pub invitations: Vec<ColleagueInvitationView>,
}

/// What a customer admin does to a colleague (`disable`, `enable`) or to a pending
/// invitation (`resend`, `revoke`).
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Disable,
    Enable,
    Resend,
    Revoke,
}

#[tauri::command]
#[instrument(skip(state), err(Debug))]
pub async fn colleagues(state: State<'_, AppState>) -> CommandResult<Colleagues> {
    let api = state.api().await?;
    Ok(Colleagues { colleagues: api.colleagues().await?, invitations: api.colleague_invitations().await? })
}

#[tauri::command]
#[instrument(skip_all, err(Debug))]
pub async fn invite_colleague(
    state: State<'_, AppState>,
    input: NewColleagueInvitation,
) -> CommandResult<ColleagueInvitationDelivery> {
    Ok(state.api().await?.invite_colleague(&input).await?)
}

/// Does `action` on the colleague or invitation `id`; a resend answers with the new
/// code and link when it was not e-mailed.
#[tauri::command]
#[instrument(skip(state), err(Debug))]
pub async fn colleague_action(
    state: State<'_, AppState>,
    id: String,
    action: Action,
) -> CommandResult<Option<ColleagueInvitationDelivery>> {
    let api = state.api().await?;
    match action {
        Action::Disable | Action::Enable => {
            api.set_colleague_active(&id, matches!(action, Action::Enable)).await?;
            Ok(None)
        }
        Action::Resend => Ok(Some(api.resend_colleague_invitation(&id).await?)),
        Action::Revoke => {
            api.revoke_colleague_invitation(&id).await?;
            Ok(None)
        }
    }
}
