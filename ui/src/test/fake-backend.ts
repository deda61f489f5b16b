// A Backend for component tests: an in-memory cache and a log of the calls made.

import type { Backend } from '../lib/backend';
import type { Account, LocationView, NewRequestInput, Overview, Queued, SyncKind, SyncUpdate } from '../lib/types';

export class FakeBackend implements Backend {
  calls: string[] = [];
  account: Account | null = null;
  data: Partial<Record<SyncKind, unknown[]>> = {};
  outbox: Queued[] = [];
  lastSynced: string | null = null;
  offline = false;
  listeners: ((update: SyncUpdate) => void)[] = [];
  failSignIn: { code: string; message: string } | null = null;

  async overview(): Promise<Overview> {
    return { account: this.account, last_synced_at: this.lastSynced, outbox: this.outbox };
  }
  async cached<T>(kind: SyncKind): Promise<T[]> {
    return (this.data[kind] ?? []) as T[];
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
  async submitRequest(input: NewRequestInput) {
    this.calls.push(`submit ${input.title}`);
    if (this.offline) this.outbox.push({ idempotency_key: 'k1', input, queued_at: '2026-11-27T12:00:00Z', last_error: null });
    return this.outbox;
  }
  async discardRequest() {
    return this.outbox;
  }
  async cancelRequest(): Promise<never> {
    throw { code: 'conflict', message: 'not allowed' };
  }
  async downloadAttachment(id: string, onProgress: (p: { received: number; total: number }) => void) {
    onProgress({ received: 5, total: 10 });
    return `/tmp/${id}`;
  }
  async openAttachment() {}
  async syncNow() {
    this.calls.push('syncNow');
    if (this.offline) throw { code: 'offline', message: 'The server cannot be reached.' };
    return { pages: 1, changes: 0, notified: 0 };
  }
  async getSettings() {
    return { report_shared: true, appointment_changes: true };
  }
  async setSettings(settings: { report_shared: boolean; appointment_changes: boolean }) {
    return settings;
  }
  async checkUpdates() {
    return { status: 'up_to_date' as const };
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
