// The one door between the screens and the desktop app: every action and read goes
// through this interface, so components are tested with a fake and run in Tauri
// with the real commands.

import type {
  AccessLogEntryView,
  Account,
  AppSettings,
  Attention,
  AttentionGroup,
  ColleagueAction,
  ColleagueInvitationDelivery,
  Colleagues,
  CommandError,
  Downloaded,
  InstallProgress,
  NewColleagueInvitation,
  NewRequestInput,
  OpenItem,
  Overview,
  Page,
  Progress,
  Queued,
  QueuedFile,
  QueuedMessage,
  RequestView,
  Slice,
  SyncKind,
  SyncOutcome,
  SyncUpdate,
  UpdateStatus,
  WindowQuery,
} from './types';

export interface Backend {
  overview(): Promise<Overview>;
  /** One page of a cached list; read while a sync may be writing. */
  window<T>(query: WindowQuery): Promise<Slice<T>>;
  /** One cached record, for a detail screen. */
  record<T>(kind: SyncKind, id: string): Promise<T | null>;
  signIn(server: string, email: string, password: string): Promise<Account>;
  acceptInvitation(server: string, code: string, displayName: string, password: string): Promise<Account>;
  /** An invitation code from an `ordinavo://invite/…` link that arrived before the window listened. */
  takeInvitation(): Promise<string | null>;
  signOut(): Promise<void>;
  signOutEverywhere(): Promise<void>;
  changePassword(current: string, next: string): Promise<void>;
  /** A page of who accessed the user's data, from the server (never cached): older than `after`. */
  accessLog(after: string | null): Promise<Page<AccessLogEntryView>>;
  /** A customer admin's colleagues and pending invitations, from the server. */
  colleagues(): Promise<Colleagues>;
  inviteColleague(input: NewColleagueInvitation): Promise<ColleagueInvitationDelivery>;
  /** Disables or enables a colleague, resends or revokes an invitation; a resend answers with the new code. */
  colleagueAction(id: string, action: ColleagueAction): Promise<ColleagueInvitationDelivery | null>;
  submitRequest(input: NewRequestInput): Promise<Queued[]>;
  discardRequest(idempotencyKey: string): Promise<Queued[]>;
  cancelRequest(id: string): Promise<RequestView>;
  /** Queues a message on a request and sends it when online; answers with the message outbox. */
  sendMessage(requestId: string, body: string): Promise<QueuedMessage[]>;
  discardMessage(idempotencyKey: string): Promise<QueuedMessage[]>;
  /** Queues a file for a request and sends it when online; answers with the file outbox. */
  attachFile(requestId: string, file: File): Promise<QueuedFile[]>;
  discardFile(idempotencyKey: string): Promise<QueuedFile[]>;
  downloadAttachment(id: string, onProgress: (progress: Progress) => void): Promise<Downloaded>;
  /** Only for a download that `opens_directly`; anything else is refused. */
  openAttachment(id: string): Promise<void>;
  showAttachmentInFolder(id: string): Promise<void>;
  syncNow(): Promise<SyncOutcome>;
  /** The user opened the screen of `group`; ignored while the window is hidden. */
  markSeen(group: AttentionGroup): Promise<Attention>;
  getSettings(): Promise<AppSettings>;
  setSettings(settings: AppSettings): Promise<AppSettings>;
  checkUpdates(): Promise<UpdateStatus>;
  /** Downloads, verifies and installs the update the last check found; the app then restarts. */
  installUpdate(onProgress: (progress: InstallProgress) => void): Promise<void>;
  /** The update channels the server lets this user pick (`stable`, and `beta` where allowed). */
  updateChannels(): Promise<string[]>;
  appVersion(): Promise<string>;
  /** Calls back on every background sync round; returns a function that stops listening. */
  onSyncUpdate(listener: (update: SyncUpdate) => void): Promise<() => void>;
  onInvitation(listener: (code: string) => void): Promise<() => void>;
  /** A clicked notification: the item it is about. */
  onOpenItem(listener: (item: OpenItem) => void): Promise<() => void>;
  /** An update found by the check at start. */
  onUpdateStatus(listener: (status: UpdateStatus) => void): Promise<() => void>;
}

/** Reads a command's rejection as `{code, message}` whatever was thrown. */
export function asCommandError(error: unknown): CommandError {
  if (error && typeof error === 'object' && 'code' in error && 'message' in error) {
    return { code: String(error.code), message: String(error.message) };
  }
  return { code: 'unexpected', message: error instanceof Error ? error.message : String(error) };
}
