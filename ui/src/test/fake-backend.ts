// A Backend for component tests: an in-memory cache and a log of the calls made.

import type { Backend } from '../lib/backend';
import type {
  AccessLogEntryView,
  Account,
  AppSettings,
  Attention,
  AttentionGroup,
  ColleagueAction,
  ColleagueInvitationDelivery,
  Colleagues,
  ColleagueInvitationView,
  InstallProgress,
  LocationView,
  NewColleagueInvitation,
  NewRequestInput,
  Overview,
  Page,
  StatusLabels,
  Queued,
  QueuedFile,
  QueuedMessage,
  RequestView,
  Slice,
  SyncKind,
  SyncUpdate,
  UpdateStatus,
  WindowQuery,
} from '../lib/types';

type Fields = Record<string, unknown> & { id: string };

/** The sort key and direction of each kind, as the cache stores them. */
const ORDER: Record<SyncKind, { key: string; newestFirst: boolean }> = {
  location: { key: 'name', newestFirst: false },
  request: { key: 'created_at', newestFirst: true },
  appointment: { key: 'starts_at', newestFirst: false },
  work: { key: 'updated_at', newestFirst: true },
  report: { key: 'published_at', newestFirst: true },
  attachment: { key: 'file_name', newestFirst: false },
  timeline: { key: 'occurred_at', newestFirst: true },
  follow_up: { key: 'updated_at', newestFirst: true },
};

function related(kind: SyncKind, item: Fields): unknown {
  if (kind === 'appointment') return item.request_id;
  if (kind === 'follow_up') return (item.planned_appointment as Fields | null)?.id;
  return undefined;
}

export class FakeBackend implements Backend {
  calls: string[] = [];
  /** Attachments whose download is not a document or image the app opens directly. */
  notOpenable = new Set<string>();
  account: Account | null = null;
  data: Partial<Record<SyncKind, unknown[]>> = {};
  outbox: Queued[] = [];
  messageOutbox: QueuedMessage[] = [];
  fileOutbox: QueuedFile[] = [];
  lastSynced: string | null = null;
  offline = false;
  listeners: ((update: SyncUpdate) => void)[] = [];
  failSignIn: { code: string; message: string } | null = null;
  statusLabels: StatusLabels | null = null;
  cacheRebuilt = false;
  displayName: string | null = 'Omar Haddad';
  attention: Attention = { follow_ups: 0, reports: 0, request_changes: 0 };
  settings: AppSettings = {
    report_shared: true,
    appointment_changes: true,
    keep_in_tray: false,
    start_at_login: false,
    beta_updates: false,
  };
  /** What checkUpdates answers. */
  updateStatus: UpdateStatus = { status: 'up_to_date' };
  /** The steps installUpdate reports, then its failure if any. */
  installSteps: InstallProgress[] = [];
  installFailure: { code: string; message: string } | null = null;
  channels: string[] = ['stable'];

  async overview(): Promise<Overview> {
    return {
      account: this.account,
      display_name: this.account ? this.displayName : null,
      customer_admin: this.account !== null && this.customerAdmin,
      last_synced_at: this.lastSynced,
      outbox: this.outbox,
      message_outbox: structuredClone(this.messageOutbox),
      file_outbox: structuredClone(this.fileOutbox),
      status_labels: this.statusLabels,
      cache_rebuilt: this.cacheRebuilt,
      attention: { ...this.attention },
    };
  }
  windows: WindowQuery[] = [];

  /** The cache's windows over the in-memory data: same filters, order and cursor. */
  async window<T>(query: WindowQuery): Promise<Slice<T>> {
    this.windows.push(query);
    const { key, newestFirst } = ORDER[query.kind];
    const now = new Date().toISOString();
    let descending = newestFirst;
    if (query.when) descending = query.when === 'past';
    const sortKey = (item: Fields) => String(item[key]);
    const rows = ((this.data[query.kind] ?? []) as Fields[]).filter((item) => {
      if (query.location && item.location_id !== query.location) return false;
      if (query.related && related(query.kind, item) !== query.related) return false;
      if (query.statuses?.length && !query.statuses.includes(item.public_status as never)) return false;
      if (query.from && sortKey(item) < query.from) return false;
      if (query.until && sortKey(item) >= query.until) return false;
      if (query.when === 'upcoming' && String(item.ends_at) < now) return false;
      if (query.when === 'past' && String(item.ends_at) >= now) return false;
      if (query.search && !JSON.stringify(item).toLowerCase().includes(query.search.toLowerCase())) return false;
      return true;
    });
    const compare = (a: Fields, b: Fields) =>
      sortKey(a).localeCompare(sortKey(b)) || a.id.localeCompare(b.id);
    rows.sort((a, b) => (descending ? compare(b, a) : compare(a, b)));
    const after = query.after;
    const start = after
      ? rows.findIndex((item) => {
          const order = sortKey(item).localeCompare(after.sort_key) || item.id.localeCompare(after.id);
          return descending ? order < 0 : order > 0;
        })
      : 0;
    const page = start < 0 ? [] : rows.slice(start, start + query.limit);
    const last = page[page.length - 1];
    const more = start >= 0 && start + query.limit < rows.length;
    return { items: page as T[], next: more && last ? { sort_key: sortKey(last), id: last.id } : null };
  }
  async record<T>(kind: SyncKind, id: string): Promise<T | null> {
    // A copy, as the real cache answers: a later change is a new read, never a shared object.
    const found = ((this.data[kind] ?? []) as Fields[]).find((item) => item.id === id);
    return found ? (structuredClone(found) as T) : null;
  }
  async signIn(server: string, email: string): Promise<Account> {
    this.calls.push(`signIn ${server} ${email}`);
    if (this.failSignIn) throw this.failSignIn;
    this.account = { server, email };
    return this.account;
  }
  async acceptInvitation(server: string, code: string): Promise<Account> {
    this.calls.push(`accept ${server} ${code}`);
    this.account = { server, email: 'new@example.com' };
    return this.account;
  }
  async takeInvitation() {
    return null;
  }
  async signOut() {
    this.calls.push('signOut');
    this.account = null;
  }
  async signOutEverywhere() {
    this.calls.push('signOutEverywhere');
    this.account = null;
  }
  async changePassword() {
    this.calls.push('changePassword');
  }
  /** Whether /me said the user is a customer admin. */
  customerAdmin = false;
  /** What the server holds of the admin's colleagues and pending invitations. */
  team: Colleagues = { colleagues: [], invitations: [] };
  /** Whether the server sends invitation mail; without it, codes come back. */
  mails = false;
  /** A refusal the next invitation gets, as the server words it. */
  inviteRefusal: { code: string; message: string } | null = null;
  async colleagues(): Promise<Colleagues> {
    this.calls.push('colleagues');
    if (this.offline) throw { code: 'offline', message: 'offline' };
    return structuredClone(this.team);
  }
  async inviteColleague(input: NewColleagueInvitation): Promise<ColleagueInvitationDelivery> {
    this.calls.push(`inviteColleague ${input.email} ${input.location_ids.join(',')} ${input.can_download}`);
    if (this.inviteRefusal) throw this.inviteRefusal;
    const invitation: ColleagueInvitationView = {
      id: `i${this.team.invitations.length + 1}`,
      name: input.name,
      email: input.email,
      whole_customer: input.location_ids.length === 0,
      location_ids: [...input.location_ids],
      can_download: input.can_download,
      status: 'pending',
      expires_at: '2026-12-04T08:00:00Z',
      created_at: '2026-11-27T08:00:00Z',
    };
    this.team.invitations.push(invitation);
    const code = this.mails ? null : 'opi_TESTCODE';
    return { invitation, emailed: this.mails, code, link: code && `ordinavo://invite/${code}` };
  }
  async colleagueAction(id: string, action: ColleagueAction): Promise<ColleagueInvitationDelivery | null> {
    this.calls.push(`colleagueAction ${id} ${action}`);
    const colleague = this.team.colleagues.find((c) => c.id === id);
    if (colleague && (action === 'disable' || action === 'enable')) colleague.status = action === 'disable' ? 'disabled' : 'active';
    const invitation = this.team.invitations.find((i) => i.id === id);
    if (invitation && action === 'revoke') this.team.invitations = this.team.invitations.filter((i) => i.id !== id);
    if (invitation && action === 'resend') return { invitation, emailed: false, code: 'opi_RESENT', link: 'ordinavo://invite/opi_RESENT' };
    return null;
  }
  /** The access log the server holds, newest first; pages of `accessPage` entries. */
  accessEntries: AccessLogEntryView[] = [];
  accessPage = 50;
  async accessLog(after: string | null): Promise<Page<AccessLogEntryView>> {
    this.calls.push(`accessLog ${after ?? ''}`.trim());
    if (this.offline) throw { code: 'offline', message: 'offline' };
    const start = after === null ? 0 : this.accessEntries.findIndex((e) => e.id === after) + 1;
    const items = this.accessEntries.slice(start, start + this.accessPage);
    const more = start + this.accessPage < this.accessEntries.length;
    return { items, next_after: more ? items[items.length - 1].id : null };
  }
  async submitRequest(input: NewRequestInput) {
    this.calls.push(`submit ${input.title}`);
    if (this.offline) this.outbox.push({ idempotency_key: 'k1', input, queued_at: '2026-11-27T12:00:00Z', last_error: null });
    return this.outbox;
  }
  async discardRequest() {
    return this.outbox;
  }
  /** Online, a message joins its cached request's thread at once; offline it waits. */
  async sendMessage(requestId: string, body: string) {
    this.calls.push(`message ${requestId} ${body}`);
    if (this.offline) {
      const key = `m${this.messageOutbox.length + 1}`;
      this.messageOutbox.push({ idempotency_key: key, request_id: requestId, body, queued_at: '2026-11-27T12:00:00Z', last_error: null });
    } else {
      const request = (this.data.request as RequestView[] | undefined)?.find((r) => r.id === requestId);
      const at = '2026-11-27T12:00:00Z';
      const message = { id: `msg-${body}`, request_id: requestId, from: 'customer' as const, author_name: this.displayName, body, created_at: at };
      request?.messages.push(message);
    }
    return structuredClone(this.messageOutbox);
  }
  async discardMessage(key: string) {
    this.messageOutbox = this.messageOutbox.filter((m) => m.idempotency_key !== key);
    return structuredClone(this.messageOutbox);
  }
  /** Online, a file joins its cached request's attachments at once; offline it waits. */
  async attachFile(requestId: string, file: File) {
    this.calls.push(`attach ${requestId} ${file.name}`);
    const contentType = file.type || 'application/octet-stream';
    if (this.offline) {
      const key = `f${this.fileOutbox.length + 1}`;
      this.fileOutbox.push({
        idempotency_key: key, request_id: requestId, file_name: file.name, content_type: contentType,
        size_bytes: file.size, queued_at: '2026-11-27T12:00:00Z', last_error: null,
      });
    } else {
      const request = (this.data.request as RequestView[] | undefined)?.find((r) => r.id === requestId);
      const id = `att-${file.name}`;
      request?.attachments.push({
        id, report_id: null, file_name: file.name, content_type: contentType, size_bytes: file.size,
        sha256: '', download_path: `/portal/v1/attachments/${id}/content`,
      });
    }
    return structuredClone(this.fileOutbox);
  }
  async discardFile(key: string) {
    this.calls.push(`discardFile ${key}`);
    this.fileOutbox = this.fileOutbox.filter((f) => f.idempotency_key !== key);
    return structuredClone(this.fileOutbox);
  }
  async cancelRequest(): Promise<never> {
    throw { code: 'conflict', message: 'not allowed' };
  }
  async downloadAttachment(id: string, onProgress: (p: { received: number; total: number }) => void) {
    onProgress({ received: 5, total: 10 });
    return { path: `/tmp/${id}`, opens_directly: !this.notOpenable.has(id) };
  }
  async openAttachment(id: string) {
    this.calls.push(`open ${id}`);
  }
  async showAttachmentInFolder(id: string) {
    this.calls.push(`show ${id}`);
  }
  async syncNow() {
    this.calls.push('syncNow');
    if (this.offline) throw { code: 'offline', message: 'The server cannot be reached.' };
    return { pages: 1, changes: 0, notified: 0 };
  }
  async markSeen(group: AttentionGroup) {
    this.calls.push(`markSeen ${group}`);
    this.attention[group] = 0;
    return { ...this.attention };
  }
  async getSettings() {
    return { ...this.settings };
  }
  async setSettings(settings: AppSettings) {
    this.calls.push(`setSettings ${JSON.stringify(settings)}`);
    this.settings = { ...settings };
    return { ...this.settings };
  }
  async checkUpdates() {
    this.calls.push('checkUpdates');
    return this.updateStatus;
  }
  async installUpdate(onProgress: (progress: InstallProgress) => void) {
    this.calls.push('installUpdate');
    for (const step of this.installSteps) onProgress(step);
    if (this.installFailure) throw this.installFailure;
  }
  async updateChannels() {
    return [...this.channels];
  }
  async appVersion() {
    return '0.1.0';
  }
  async onSyncUpdate(listener: (update: SyncUpdate) => void) {
    this.listeners.push(listener);
    return () => {};
  }
  async onInvitation() {
    return () => {};
  }
  async onOpenItem() {
    return () => {};
  }
  async onUpdateStatus() {
    return () => {};
  }
}

export const marina: LocationView = {
  id: 'marina',
  customer_id: 'northwind',
  name: 'برج نورثويند — دبي مارينا',
  address_line: 'Marina Walk 7',
  postal_code: '00000',
  city: 'Dubai',
  country_code: 'AE',
  time_zone: 'Asia/Dubai',
  can_download: true,
};
