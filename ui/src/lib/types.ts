// The portal view types as the desktop commands return them (see server/portal-types).

export type RequestKind = 'service' | 'maintenance' | 'appointment' | 'support';
export type RequestStatus = 'submitted' | 'in_review' | 'accepted' | 'planned' | 'rejected' | 'cancelled';
export type PublicStatus =
  | 'submitted'
  | 'in_review'
  | 'accepted'
  | 'open'
  | 'planned'
  | 'in_progress'
  | 'completed'
  | 'follow_up_required'
  | 'rejected'
  | 'cancelled';
export type TimelineKind =
  | 'request_submitted'
  | 'request_accepted'
  | 'request_rejected'
  | 'request_replied'
  | 'appointment_scheduled'
  | 'appointment_rescheduled'
  | 'appointment_cancelled'
  | 'visit_completed'
  | 'report_shared'
  | 'follow_up_required'
  | 'follow_up_planned';
export type SyncKind = 'location' | 'request' | 'appointment' | 'work' | 'report' | 'attachment' | 'timeline' | 'follow_up';

/** What an access-log entry records (AccessKind). */
export type AccessKind = 'sign_in' | 'sign_in_failed' | 'download' | 'session_ended' | 'staff_view';
/** Why a session ended (SessionEnd). */
export type SessionEnd =
  | 'signed_out'
  | 'ended_elsewhere'
  | 'signed_out_everywhere'
  | 'password_changed'
  | 'disabled'
  | 'access_removed'
  | 'signed_out_by_staff'
  | 'expired';

/** One entry of the access log, newest first (AccessLogEntryView). */
export interface AccessLogEntryView {
  id: string;
  occurred_at: string;
  kind: AccessKind;
  user_id: string;
  user_name: string;
  ip: string | null;
  app_version: string | null;
  attachment_id: string | null;
  file_name: string | null;
  session_end: SessionEnd | null;
  /** `admin` or `dispatcher`: staff are named by role, never by person. */
  staff_role: string | null;
}

/** One grant of a colleague, on the admin's customer (ColleagueGrant). */
export interface ColleagueGrant {
  whole_customer: boolean;
  location_ids: string[];
  can_download: boolean;
}

/** A portal user of the admin's customer within the admin's grants (ColleagueView). */
export interface ColleagueView {
  id: string;
  display_name: string;
  email: string;
  status: 'active' | 'disabled';
  customer_admin: boolean;
  grants: ColleagueGrant[];
  last_sign_in_at: string | null;
  is_you: boolean;
}

/** A pending invitation the admin manages (ColleagueInvitationView). */
export interface ColleagueInvitationView {
  id: string;
  name: string;
  email: string;
  whole_customer: boolean;
  location_ids: string[];
  can_download: boolean;
  status: 'pending' | 'expired' | 'accepted' | 'revoked';
  expires_at: string;
  created_at: string;
}

/** A new or resent invitation: the code and link only when it was not e-mailed. */
export interface ColleagueInvitationDelivery {
  invitation: ColleagueInvitationView;
  emailed: boolean;
  code: string | null;
  link: string | null;
}

/** A colleague to invite: no locations means the whole customer (NewColleagueInvitation). */
export interface NewColleagueInvitation {
  name: string;
  email: string;
  location_ids: string[];
  can_download: boolean;
}

export interface Colleagues {
  colleagues: ColleagueView[];
  invitations: ColleagueInvitationView[];
}

export type ColleagueAction = 'disable' | 'enable' | 'resend' | 'revoke';

/** A page of a server list: pass `next_after` as `after` for the next one. */
export interface Page<T> {
  items: T[];
  next_after?: string | null;
}

export interface LocationView {
  id: string;
  customer_id: string;
  name: string;
  address_line: string;
  postal_code: string;
  city: string;
  country_code: string;
  time_zone: string;
  can_download: boolean;
}

export interface TimeWindow {
  starts_at: string;
  ends_at: string;
}

export interface ProgressStep {
  status: RequestStatus;
  state: 'done' | 'current' | 'upcoming';
}

export interface RequestView {
  id: string;
  location_id: string;
  kind: RequestKind;
  title: string;
  description: string;
  status: RequestStatus;
  public_status: PublicStatus;
  decision_reason: string | null;
  preferred_windows: TimeWindow[];
  can_cancel: boolean;
  created_at: string;
  updated_at: string;
  progress: ProgressStep[];
  /** The conversation with the service team, oldest first. */
  messages: MessageView[];
  /** The request's files the user can see, oldest first. */
  attachments: AttachmentView[];
}

/** Who wrote a message: a contact of the customer, or the service team. */
export type MessageFrom = 'customer' | 'staff';

export interface MessageView {
  id: string;
  request_id: string;
  from: MessageFrom;
  /** The contact's name; null for the service team. */
  author_name: string | null;
  body: string;
  created_at: string;
}

/** A message waiting to be sent, or refused with a reason. */
export interface QueuedMessage {
  idempotency_key: string;
  request_id: string;
  body: string;
  queued_at: string;
  last_error: string | null;
}

/** A file waiting to be sent, or refused with a reason. */
export interface QueuedFile {
  idempotency_key: string;
  request_id: string;
  file_name: string;
  content_type: string;
  size_bytes: number;
  queued_at: string;
  last_error: string | null;
}

export interface NewRequestInput {
  location_id: string;
  kind: RequestKind;
  title: string;
  description: string;
  preferred_windows: TimeWindow[];
}

export interface AppointmentView {
  id: string;
  location_id: string;
  starts_at: string;
  ends_at: string;
  arrival_window_start: string | null;
  arrival_window_end: string | null;
  time_zone: string;
  public_status: PublicStatus;
  request_id: string | null;
  updated_at: string;
}

export interface OpenWorkView {
  id: string;
  location_id: string;
  title: string;
  public_status: PublicStatus;
  request_id: string | null;
  next_appointment: AppointmentView | null;
  updated_at: string;
}

export interface AttachmentView {
  id: string;
  report_id: string | null;
  file_name: string;
  content_type: string;
  size_bytes: number;
  sha256: string;
  download_path: string;
}

export interface ReportView {
  id: string;
  location_id: string;
  title: string;
  summary: string;
  message: string | null;
  visit_date: string;
  published_at: string;
  attachments: AttachmentView[];
}

export interface TimelineEntryView {
  id: string;
  location_id: string;
  kind: TimelineKind;
  subject_id: string;
  occurred_at: string;
}

export interface FollowUpView {
  id: string;
  location_id: string;
  description: string;
  public_status: PublicStatus;
  report_id: string | null;
  planned_appointment: AppointmentView | null;
  updated_at: string;
}

export interface Account {
  server: string;
  email: string;
}

export interface Queued {
  idempotency_key: string;
  input: NewRequestInput;
  queued_at: string;
  last_error: string | null;
}

/** The company's wording of each public status, per language (status wire name to label). */
export interface StatusLabels {
  en: Partial<Record<PublicStatus, string>>;
  ar: Partial<Record<PublicStatus, string>>;
}

export interface Overview {
  account: Account | null;
  /** The user's name as the server knows it, once signed in. */
  display_name: string | null;
  /** The user manages their colleagues' portal access (the Colleagues screen). */
  customer_admin: boolean;
  last_synced_at: string | null;
  outbox: Queued[];
  message_outbox: QueuedMessage[];
  file_outbox: QueuedFile[];
  /** Null until the first sync brought them; the app's own words are used until then. */
  status_labels: StatusLabels | null;
  /** The cache could not be unlocked at start and is being downloaded again. */
  cache_rebuilt: boolean;
  /** What needs the user's attention, as the tray and the window title count it. */
  attention: Attention;
}

/** Items counted together, each reset by opening its own screen. */
export type AttentionGroup = 'follow_ups' | 'reports' | 'request_changes';

/** Required follow-ups not looked at, reports shared and request decisions since the user last looked. */
export type Attention = Record<AttentionGroup, number>;

/** The user's choices in Settings. */
export interface AppSettings {
  report_shared: boolean;
  appointment_changes: boolean;
  /** Closing the window keeps the app running in the tray (otherwise it quits). */
  keep_in_tray: boolean;
  /** The system starts the app at login, hidden in the tray. */
  start_at_login: boolean;
  /** Updates from the beta channel too, where staff allow it for the customer. */
  beta_updates: boolean;
}

export interface SyncOutcome {
  pages: number;
  changes: number;
  notified: number;
}

/** How far a sync has come; `total` is an upper bound, when the server gave one. */
export interface SyncProgress {
  received: number;
  total: number | null;
}

/** What the background loop reports after each round, and after each page of a long sync. */
export type SyncUpdate =
  | { state: 'connected' }
  | { state: 'progress'; progress: SyncProgress }
  | { state: 'synced'; outcome: SyncOutcome; sent: number }
  | { state: 'offline'; message: string }
  | { state: 'failed'; code: string; message: string }
  | { state: 'session_ended'; message: string };

export type UpdateStatus = { status: 'up_to_date' } | { status: 'available'; version: string; notes: string | null };

/** How an update install goes: downloading (`total` null when unknown), installing, then the restart. */
export type InstallProgress =
  | { step: 'downloading'; received: number; total: number | null }
  | { step: 'installing' }
  | { step: 'restarting' };

export interface Progress {
  received: number;
  total: number;
}

/** A downloaded attachment: documents and images open directly, anything else is shown in its folder. */
export interface Downloaded {
  path: string;
  opens_directly: boolean;
}

/** What a clicked notification is about. */
/** What a clicked notification is about; both null for a digest of several (opens home). */
export interface OpenItem {
  kind: TimelineKind | null;
  subject_id: string | null;
}

/** An error from a command: a stable code and a message a person can act on. */
export interface CommandError {
  code: string;
  message: string;
}

/** Where a window stopped; pass it back as `after` for the next one. */
export interface Cursor {
  sort_key: string;
  id: string;
}

/** A page of a cached list, read with an index in the list's order. */
export interface WindowQuery {
  kind: SyncKind;
  location?: string | null;
  /** Appointments: not yet ended (soonest first) or ended (latest first). */
  when?: 'upcoming' | 'past' | null;
  /** Public statuses to keep; empty or absent keeps all. */
  statuses?: PublicStatus[];
  /** An appointment's request, or a follow-up's planned appointment. */
  related?: string | null;
  search?: string | null;
  /** Sort keys from (inclusive) until (exclusive), e.g. a range of instants. */
  from?: string | null;
  until?: string | null;
  after?: Cursor | null;
  limit: number;
}

export interface Slice<T> {
  items: T[];
  next: Cursor | null;
}
