//! The portal API over HTTP. Every call maps the server's error body onto
//! `ClientError`; a 401 on an authenticated call means the session has ended.

use portal_types::{
    AcceptInvitation, AccessLogEntryView, AttachmentView, ColleagueInvitationDelivery, ColleagueInvitationView,
    ColleagueView, Me, MessageView, NewColleagueInvitation, NewMessageInput, NewRequestInput, Page, PasswordChange,
    RequestView, SessionToken, SignIn, StatusLabels, SyncPage,
};
use reqwest::{RequestBuilder, Response, StatusCode};
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::address::ServerAddress;
use crate::cache::NewFile;
use crate::error::{ClientError, ClientResult};

/// A portal API client for one server, optionally holding a session token.
#[derive(Clone)]
pub struct Api {
    http: reqwest::Client,
    server: ServerAddress,
    token: Option<String>,
}

impl std::fmt::Debug for Api {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Api").field("server", &self.server).field("signed_in", &self.token.is_some()).finish()
    }
}

#[derive(Deserialize)]
struct ErrorEnvelope {
    error: ErrorBody,
}

#[derive(Deserialize)]
struct ErrorBody {
    code: String,
    message: String,
    #[serde(default)]
    fields: std::collections::BTreeMap<String, String>,
}

impl Api {
    pub fn new(server: ServerAddress, token: Option<String>) -> Api {
        let http = reqwest::Client::builder()
            .user_agent(concat!("Ordinavo desktop/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(std::time::Duration::from_secs(10))
            .build()
            .unwrap_or_default();
        Api { http, server, token }
    }

    pub fn server(&self) -> &ServerAddress {
        &self.server
    }

    pub fn with_token(&self, token: String) -> Api {
        Api { http: self.http.clone(), server: self.server.clone(), token: Some(token) }
    }

    /// The `Authorization` header value of this session, for the updater's own requests
    /// to the same server (the beta channel is honoured only for a signed-in user).
    pub fn authorization(&self) -> Option<String> {
        self.token.as_ref().map(|token| format!("Bearer {token}"))
    }

    /// The update channels the server lets this user pick (`stable`, and `beta` where
    /// staff allow it for the user's customer).
    pub async fn update_channels(&self) -> ClientResult<Vec<String>> {
        #[derive(Deserialize)]
        struct Channels {
            channels: Vec<String>,
        }
        let channels: Channels = json(self.send(self.get("/updates/channels")).await?).await?;
        Ok(channels.channels)
    }

    fn authed(&self, builder: RequestBuilder) -> ClientResult<RequestBuilder> {
        let token = self.token.as_deref().ok_or(ClientError::NotSignedIn)?;
        Ok(builder.bearer_auth(token))
    }

    /// Sends an authenticated request and checks its status.
    pub(crate) async fn send(&self, builder: RequestBuilder) -> ClientResult<Response> {
        let response = self.authed(builder)?.send().await?;
        if response.status() == StatusCode::UNAUTHORIZED {
            return Err(ClientError::SessionEnded);
        }
        checked(response).await
    }

    pub(crate) fn get(&self, path: &str) -> RequestBuilder {
        self.http.get(self.server.url(path))
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> ClientResult<SessionToken> {
        let body = SignIn { email: email.to_string(), password: password.to_string() };
        let response = self.http.post(self.server.url("/portal/v1/session")).json(&body).send().await?;
        json(checked(response).await?).await
    }

    pub async fn accept_invitation(&self, input: &AcceptInvitation) -> ClientResult<SessionToken> {
        let response = self.http.post(self.server.url("/portal/v1/invitations/accept")).json(input).send().await?;
        json(checked(response).await?).await
    }

    pub async fn sign_out(&self) -> ClientResult<()> {
        self.send(self.http.delete(self.server.url("/portal/v1/session"))).await?;
        Ok(())
    }

    /// Ends every session of this user, this one included.
    pub async fn sign_out_everywhere(&self) -> ClientResult<()> {
        self.send(self.http.delete(self.server.url("/portal/v1/sessions"))).await?;
        Ok(())
    }

    /// Changes the password; the server ends every other session.
    pub async fn change_password(&self, input: &PasswordChange) -> ClientResult<()> {
        self.send(self.http.post(self.server.url("/portal/v1/password")).json(input)).await?;
        Ok(())
    }

    pub async fn me(&self) -> ClientResult<Me> {
        json(self.send(self.get("/portal/v1/me")).await?).await
    }

    /// The company's wording of every public status, in both languages.
    pub async fn status_labels(&self) -> ClientResult<StatusLabels> {
        json(self.send(self.get("/portal/v1/status-labels")).await?).await
    }

    pub async fn sync_page(&self, cursor: Option<&str>, limit: u32) -> ClientResult<SyncPage> {
        let mut builder = self.get("/portal/v1/sync").query(&[("limit", limit.to_string())]);
        if let Some(cursor) = cursor {
            builder = builder.query(&[("cursor", cursor)]);
        }
        json(self.send(builder).await?).await
    }

    /// Submits a request; the idempotency key makes a retry return the original.
    pub async fn submit_request(&self, input: &NewRequestInput, idempotency_key: &str) -> ClientResult<RequestView> {
        let builder = self
            .http
            .post(self.server.url("/portal/v1/requests"))
            .header("Idempotency-Key", idempotency_key)
            .json(input);
        json(self.send(builder).await?).await
    }

    /// A page of who accessed the user's data (and, for a customer admin, their
    /// colleagues'), newest first: the entries older than `after`, an entry id.
    pub async fn access_log(&self, after: Option<&str>) -> ClientResult<Page<AccessLogEntryView>> {
        let mut builder = self.get("/portal/v1/access-log");
        if let Some(after) = after {
            builder = builder.query(&[("after", after)]);
        }
        json(self.send(builder).await?).await
    }

    /// A customer admin's colleagues, every page of them (a customer's users are few).
    pub async fn colleagues(&self) -> ClientResult<Vec<ColleagueView>> {
        let mut all = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let mut builder = self.get("/portal/v1/colleagues").query(&[("limit", "200")]);
            if let Some(after) = &after {
                builder = builder.query(&[("after", after)]);
            }
            let page: Page<ColleagueView> = json(self.send(builder).await?).await?;
            all.extend(page.items);
            match page.next_after {
                Some(next) => after = Some(next),
                None => return Ok(all),
            }
        }
    }

    /// The pending invitations a customer admin manages.
    pub async fn colleague_invitations(&self) -> ClientResult<Vec<ColleagueInvitationView>> {
        json(self.send(self.get("/portal/v1/colleagues/invitations")).await?).await
    }

    pub async fn invite_colleague(&self, input: &NewColleagueInvitation) -> ClientResult<ColleagueInvitationDelivery> {
        let builder = self.http.post(self.server.url("/portal/v1/colleagues/invitations")).json(input);
        json(self.send(builder).await?).await
    }

    /// Disables or re-enables a colleague.
    pub async fn set_colleague_active(&self, id: &str, active: bool) -> ClientResult<ColleagueView> {
        let action = if active { "enable" } else { "disable" };
        let builder = self.http.post(self.server.url(&format!("/portal/v1/colleagues/{id}/{action}")));
        json(self.send(builder).await?).await
    }

    /// Issues a new code for a pending invitation.
    pub async fn resend_colleague_invitation(&self, id: &str) -> ClientResult<ColleagueInvitationDelivery> {
        let builder = self.http.post(self.server.url(&format!("/portal/v1/colleagues/invitations/{id}/resend")));
        json(self.send(builder).await?).await
    }

    /// Withdraws a pending invitation.
    pub async fn revoke_colleague_invitation(&self, id: &str) -> ClientResult<ColleagueInvitationView> {
        let builder = self.http.post(self.server.url(&format!("/portal/v1/colleagues/invitations/{id}/revoke")));
        json(self.send(builder).await?).await
    }

    /// Writes to the service team on a request; the idempotency key makes a retry
    /// return the first message.
    pub async fn post_message(&self, request_id: &str, body: &str, idempotency_key: &str) -> ClientResult<MessageView> {
        let builder = self
            .http
            .post(self.server.url(&format!("/portal/v1/requests/{request_id}/messages")))
            .header("Idempotency-Key", idempotency_key)
            .json(&NewMessageInput { body: body.to_string() });
        json(self.send(builder).await?).await
    }

    /// Sends a file from the site with a request; the key makes a resend return the first upload.
    pub async fn upload_file(&self, file: &NewFile<'_>, idempotency_key: &str) -> ClientResult<AttachmentView> {
        let part = reqwest::multipart::Part::bytes(file.bytes.to_vec())
            .file_name(file.file_name.to_string())
            .mime_str(file.content_type)
            .map_err(|_| ClientError::FileRefused(format!("{} has no usable type.", file.file_name)))?;
        let builder = self
            .http
            .post(self.server.url(&format!("/portal/v1/requests/{}/attachments", file.request_id)))
            .header("Idempotency-Key", idempotency_key)
            .multipart(reqwest::multipart::Form::new().part("file", part));
        json(self.send(builder).await?).await
    }

    pub async fn request(&self, id: &str) -> ClientResult<RequestView> {
        json(self.send(self.get(&format!("/portal/v1/requests/{id}"))).await?).await
    }

    pub async fn cancel_request(&self, id: &str) -> ClientResult<RequestView> {
        let builder = self.http.post(self.server.url(&format!("/portal/v1/requests/{id}/cancel")));
        json(self.send(builder).await?).await
    }
}

/// Turns a non-success answer into the server's own error code and message.
async fn checked(response: Response) -> ClientResult<Response> {
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let text = response.text().await.unwrap_or_default();
    let (code, message) = match serde_json::from_str::<ErrorEnvelope>(&text) {
        // Field messages say what to fix ("new_password: is too common"), so they are the message.
        Ok(ErrorEnvelope { error }) if !error.fields.is_empty() => {
            let fields: Vec<String> =
                error.fields.iter().map(|(field, message)| format!("{field}: {message}")).collect();
            (error.code, fields.join("; "))
        }
        Ok(ErrorEnvelope { error }) => (error.code, error.message),
        Err(_) => ("server_error".to_string(), format!("The server answered {status}; please try again later.")),
    };
    Err(ClientError::Server { status: status.as_u16(), code, message })
}

async fn json<T: DeserializeOwned>(response: Response) -> ClientResult<T> {
    let bytes = response.bytes().await?;
    serde_json::from_slice(&bytes).map_err(|err| ClientError::Server {
        status: 200,
        code: "unexpected_answer".into(),
        message: format!("The server sent an answer this app does not understand ({err}); is the app up to date?"),
    })
}
