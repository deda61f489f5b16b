//! What a portal user receives. Every type lists its fields explicitly; nothing
//! internal (notes, routing, billing, internal statuses, staff names) has a field here.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{PublicStatus, RequestKind, RequestStatus, TimelineKind};

/// An instant on the wire: RFC 3339 in UTC, e.g. `2026-11-27T08:00:00Z`.
pub type Instant = String;

/// One page of a list.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `after` to get the next page; absent on the last page.
    pub next_after: Option<String>,
}

/// The signed-in user, their grants and what those grants cover.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Me {
    pub id: String,
    pub email: String,
    pub display_name: String,
    /// `en` or `ar`.
    pub language: String,
    /// True when staff made the user a customer admin: they may manage colleagues
    /// within their own grants (`/portal/v1/colleagues`) and see every request made there.
    #[serde(default)]
    pub customer_admin: bool,
    pub customers: Vec<CustomerAccess>,
}

/// A customer the user can see, with the locations covered and whether downloads are allowed.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CustomerAccess {
    pub id: String,
    pub name: String,
    /// True when the grant covers the whole customer, including locations added later.
    pub whole_customer: bool,
    pub locations: Vec<LocationView>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LocationView {
    pub id: String,
    pub customer_id: String,
    pub name: String,
    pub address_line: String,
    pub postal_code: String,
    pub city: String,
    pub country_code: String,
    /// IANA time zone; show the location's times in it.
    pub time_zone: String,
    pub can_download: bool,
}

/// A preferred window, as UTC instants.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TimeWindowView {
    pub starts_at: Instant,
    pub ends_at: Instant,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RequestView {
    pub id: String,
    pub location_id: String,
    pub kind: RequestKind,
    pub title: String,
    pub description: String,
    pub status: RequestStatus,
    pub public_status: PublicStatus,
    /// The company's reason, written for the customer (e.g. when rejected).
    pub decision_reason: Option<String>,
    pub preferred_windows: Vec<TimeWindowView>,
    /// True when the signed-in user submitted it and may still cancel it.
    pub can_cancel: bool,
    pub created_at: Instant,
    pub updated_at: Instant,
    pub progress: Vec<ProgressStep>,
    /// The conversation with the service team, oldest first (internal notes never).
    pub messages: Vec<MessageView>,
    /// Photos and documents on the request the user may download (those the customer
    /// sent from the site, and files staff released), in id order.
    pub attachments: Vec<AttachmentView>,
}

/// Who wrote a message on a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MessageFrom {
    /// A contact of the customer: `author_name` names them.
    Customer,
    /// The service team, never named by person.
    Staff,
}

/// One message on a request, as the customer sees it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MessageView {
    pub id: String,
    pub request_id: String,
    pub from: MessageFrom,
    /// The contact's name for a customer's message; `None` for the service team.
    pub author_name: Option<String>,
    pub body: String,
    pub created_at: Instant,
}

/// A message written in the portal.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMessageInput {
    pub body: String,
}

/// One step of a request's progress line.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ProgressStep {
    pub status: RequestStatus,
    /// `done`, `current` or `upcoming`.
    pub state: String,
}

/// A request as submitted from the portal.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRequestInput {
    pub location_id: String,
    pub kind: RequestKind,
    pub title: String,
    pub description: String,
    #[serde(default)]
    pub preferred_windows: Vec<TimeWindowView>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AppointmentView {
    pub id: String,
    pub location_id: String,
    pub starts_at: Instant,
    pub ends_at: Instant,
    pub arrival_window_start: Option<Instant>,
    pub arrival_window_end: Option<Instant>,
    /// The location's IANA time zone.
    pub time_zone: String,
    pub public_status: PublicStatus,
    /// The portal request this visit serves, if it came from one in scope.
    pub request_id: Option<String>,
    pub updated_at: Instant,
}

/// Open work, reduced to what the customer may know.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OpenWorkView {
    pub id: String,
    pub location_id: String,
    pub title: String,
    pub public_status: PublicStatus,
    pub request_id: Option<String>,
    pub next_appointment: Option<AppointmentView>,
    pub updated_at: Instant,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReportView {
    pub id: String,
    pub location_id: String,
    pub title: String,
    pub summary: String,
    pub message: Option<String>,
    /// `YYYY-MM-DD` in the location's time zone.
    pub visit_date: String,
    pub published_at: Instant,
    pub attachments: Vec<AttachmentView>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AttachmentView {
    pub id: String,
    pub report_id: Option<String>,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    /// Relative URL of the content; requires the session token.
    pub download_path: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TimelineEntryView {
    pub id: String,
    pub location_id: String,
    pub kind: TimelineKind,
    /// The request, appointment, report or follow-up the milestone is about.
    pub subject_id: String,
    pub occurred_at: Instant,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FollowUpView {
    pub id: String,
    pub location_id: String,
    pub description: String,
    pub public_status: PublicStatus,
    pub report_id: Option<String>,
    pub planned_appointment: Option<AppointmentView>,
    pub updated_at: Instant,
}

/// Sign-in with e-mail and password.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    pub email: String,
    pub password: String,
}

/// A new session. The token goes in `Authorization: Bearer …` and is shown only here.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SessionToken {
    pub token: String,
    /// The absolute end of the session; it also ends after 14 idle days.
    pub expires_at: Instant,
}

/// One of the user's sessions, for "sign out everywhere".
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SessionView {
    pub id: String,
    pub created_at: Instant,
    pub last_seen_at: Instant,
    pub user_agent: String,
    pub current: bool,
}

/// Accepting an invitation: the code from the e-mail or link, a name and a password.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptInvitation {
    pub code: String,
    pub display_name: String,
    pub password: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

/// The kinds of records the desktop cache holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SyncKind {
    Location,
    Request,
    Appointment,
    Work,
    Report,
    Attachment,
    Timeline,
    FollowUp,
}

crate::wire_names!(SyncKind {
    Location => "location",
    Request => "request",
    Appointment => "appointment",
    Work => "work",
    Report => "report",
    Attachment => "attachment",
    Timeline => "timeline",
    FollowUp => "follow_up",
});

/// One record to store in the cache.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", content = "item", rename_all = "snake_case")]
pub enum SyncItem {
    Location(LocationView),
    Request(RequestView),
    Appointment(AppointmentView),
    Work(OpenWorkView),
    Report(ReportView),
    Attachment(AttachmentView),
    Timeline(TimelineEntryView),
    FollowUp(FollowUpView),
}

/// A change: store (insert or replace) a record, or drop one the user may no longer see.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum SyncChange {
    Upsert {
        #[serde(flatten)]
        record: Box<SyncItem>,
    },
    Remove {
        kind: SyncKind,
        id: String,
    },
}

/// One page of changes since a cursor.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SyncPage {
    /// True when the client must drop its whole cache before applying this page
    /// (first sync, the user's grants changed since the cursor, or the cursor was
    /// issued to another session).
    pub reset: bool,
    pub changes: Vec<SyncChange>,
    /// Pass back as `cursor` for the next page or the next sync: an opaque token
    /// that only this session can use.
    pub cursor: String,
    /// True when more changes are waiting: ask again right away.
    pub more: bool,
    /// On the first page of a sync from the start: how many records the whole sync
    /// brings, for a progress bar. Absent on later pages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
}

/// A live event on `GET /portal/v1/events` (server-sent events; the SSE `id` is `id`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LiveEventView {
    /// Resume after this event by sending it as `Last-Event-ID`.
    pub id: String,
    pub kind: crate::LiveEventKind,
    pub subject_id: String,
    pub location_id: String,
    pub occurred_at: Instant,
}

/// How public statuses are worded for customers, per language (`en`, `ar`): status
/// wire name to label. The company may reword them, so apps show these labels.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StatusLabels {
    pub en: std::collections::BTreeMap<String, String>,
    pub ar: std::collections::BTreeMap<String, String>,
}

/// A portal user of the customer admin's own customer whose grants lie within the
/// admin's (`GET /portal/v1/colleagues`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ColleagueView {
    pub id: String,
    pub display_name: String,
    pub email: String,
    /// `active` or `disabled`.
    pub status: String,
    pub customer_admin: bool,
    pub grants: Vec<ColleagueGrant>,
    pub last_sign_in_at: Option<Instant>,
    /// True for the signed-in admin themselves (who cannot disable their own access).
    pub is_you: bool,
}

/// One grant of a colleague, on the admin's customer.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ColleagueGrant {
    /// True when it covers the whole customer; else exactly `location_ids`.
    pub whole_customer: bool,
    pub location_ids: Vec<String>,
    pub can_download: bool,
}

/// A customer admin invites a colleague. The grant must lie within the admin's own:
/// an empty `location_ids` means the whole customer, which only an admin holding the
/// whole customer may give; `can_download` only where the admin may download.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewColleagueInvitation {
    pub name: String,
    pub email: String,
    #[serde(default)]
    pub location_ids: Vec<String>,
    #[serde(default)]
    pub can_download: bool,
}

/// An invitation a customer admin can see: one for their customer within their grants.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ColleagueInvitationView {
    pub id: String,
    pub name: String,
    pub email: String,
    pub whole_customer: bool,
    pub location_ids: Vec<String>,
    pub can_download: bool,
    /// `pending`, `expired`, `accepted` or `revoked`.
    pub status: String,
    pub expires_at: Instant,
    pub created_at: Instant,
}

/// A new or resent invitation. The code and link are in this answer only, and only
/// when the invitation was not e-mailed (no SMTP configured, or sending failed).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ColleagueInvitationDelivery {
    pub invitation: ColleagueInvitationView,
    pub emailed: bool,
    pub code: Option<String>,
    /// `ordinavo://invite/<code>`.
    pub link: Option<String>,
}

/// What an access-log entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccessKind {
    SignIn,
    SignInFailed,
    Download,
    SessionEnded,
    /// Staff of the service company looked at the portal as this contact sees it.
    StaffView,
}

crate::wire_names!(AccessKind {
    SignIn => "sign_in",
    SignInFailed => "sign_in_failed",
    Download => "download",
    SessionEnded => "session_ended",
    StaffView => "staff_view",
});

/// Why a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SessionEnd {
    /// The user signed out of this session.
    SignedOut,
    /// The user ended it from another session.
    EndedElsewhere,
    /// The user signed out everywhere.
    SignedOutEverywhere,
    /// The password was changed in another session.
    PasswordChanged,
    /// The account was disabled.
    Disabled,
    /// The last grant was removed.
    AccessRemoved,
    /// The service company's staff signed the user out everywhere.
    SignedOutByStaff,
    /// Idle for 14 days or past its 90-day lifetime.
    Expired,
}

crate::wire_names!(SessionEnd {
    SignedOut => "signed_out",
    EndedElsewhere => "ended_elsewhere",
    SignedOutEverywhere => "signed_out_everywhere",
    PasswordChanged => "password_changed",
    Disabled => "disabled",
    AccessRemoved => "access_removed",
    SignedOutByStaff => "signed_out_by_staff",
    Expired => "expired",
});

/// One entry of the access log (`GET /portal/v1/access-log`), newest first.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AccessLogEntryView {
    pub id: String,
    pub occurred_at: Instant,
    pub kind: AccessKind,
    /// The portal user the entry is about (the caller, or a colleague of a customer admin).
    pub user_id: String,
    pub user_name: String,
    /// The client's address, for sign-ins, failed sign-ins and downloads.
    pub ip: Option<String>,
    /// The desktop app's version, for sign-ins.
    pub app_version: Option<String>,
    /// The file, for downloads.
    pub attachment_id: Option<String>,
    pub file_name: Option<String>,
    /// Why the session ended, for `session_ended`.
    pub session_end: Option<SessionEnd>,
    /// The staff member's role (`admin` or `dispatcher`), never their name, for `staff_view`.
    pub staff_role: Option<String>,
}
