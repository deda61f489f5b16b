// The app's state: who is signed in, the locations, the outbox, the connection and
// the sync's progress. Screens read their own windows of the cache and re-read them
// whenever `revision` moves (after every sync page and round).

import { asCommandError, type Backend } from './backend';
import { direction, pickLocale, translate, type Key, type Locale } from './i18n';
import { toMark } from './seen';
import type {
  CommandError,
  Cursor,
  LocationView,
  Overview,
  PublicStatus,
  SyncProgress,
  SyncUpdate,
  UpdateStatus,
} from './types';

export type Screen =
  | 'home'
  | 'requests'
  | 'appointments'
  | 'work'
  | 'reports'
  | 'timeline'
  | 'follow_ups'
  | 'colleagues'
  | 'activity'
  | 'settings';

export interface Route {
  screen: Screen;
  /** The item open on that screen, if any; `new` opens the new request form. */
  id?: string;
}

export type Connection = 'online' | 'offline' | 'unknown';

const LOCALE_KEY = 'ordinavo.locale';

/** While a long sync runs, screens re-read the cache at most this often: a page a
 * few milliseconds apart must not make every screen read its windows again. */
export const PROGRESS_RELOAD_MS = 1000;

export class AppState {
  locale: Locale = $state('en');
  overview: Overview = $state({
    account: null,
    display_name: null,
    customer_admin: false,
    last_synced_at: null,
    outbox: [],
    message_outbox: [],
    file_outbox: [],
    status_labels: null,
    cache_rebuilt: false,
    attention: { follow_ups: 0, reports: 0, request_changes: 0 },
  });
  loaded = $state(false);
  /** A customer's sites: hundreds at most, so kept whole for names and filters. */
  locations: LocationView[] = $state([]);
  /** Moves whenever the cache may have changed; screens re-read their windows. */
  revision = $state(0);
  connection: Connection = $state('unknown');
  syncing = $state(false);
  /** A sync bringing many changes, while it runs (the first one after sign-in). */
  progress: SyncProgress | null = $state(null);
  /** Why the user was sent back to sign in, shown on the sign-in screen. */
  signedOutBecause: string | null = $state(null);
  problem: CommandError | null = $state(null);
  route: Route = $state({ screen: 'home' });
  /** An update the check at start found. */
  update: UpdateStatus | null = $state(null);
  /** The location picked on the home screen; null for every location. */
  location: string | null = $state(null);

  constructor(readonly backend: Backend, preferred: readonly string[] = [], stored: Storage | null = null) {
    const saved = stored?.getItem(LOCALE_KEY);
    this.locale = saved === 'en' || saved === 'ar' ? saved : pickLocale(preferred);
    this.storage = stored;
  }

  private storage: Storage | null;
  /** When a sync's progress last made the screens re-read the cache. */
  private progressLoadedAt = -Infinity;

  get dir() {
    return direction(this.locale);
  }

  get signedIn() {
    return this.overview.account !== null;
  }

  t = (key: Key, params?: Record<string, string | number>) => translate(this.locale, key, params);

  /** A status in the company's wording once a sync brought it, so the app says what
   * staff see under "view as contact"; the app's own words before the first sync. */
  statusLabel = (status: PublicStatus) =>
    this.overview.status_labels?.[this.locale]?.[status]?.trim() || this.t(`status.${status}` as Key);

  setLocale(locale: Locale) {
    this.locale = locale;
    this.storage?.setItem(LOCALE_KEY, locale);
  }

  open(route: Route) {
    this.route = route;
    void this.look();
  }

  /** Marks what the current screen shows as seen, while something in it still counts
   * and the window is in view (the app also calls this when the window comes back). */
  async look() {
    const inView = typeof document === 'undefined' || document.visibilityState !== 'hidden';
    const group = this.signedIn ? toMark(this.route.screen, this.overview.attention, inView) : null;
    if (!group) return;
    await this.attempt(async () => {
      this.overview = { ...this.overview, attention: await this.backend.markSeen(group) };
    });
  }

  locationOf(id: string): LocationView | undefined {
    return this.locations.find((l) => l.id === id);
  }

  /** Reads the overview and the locations from the local cache, then lets screens re-read theirs. */
  async load() {
    this.overview = await this.backend.overview();
    if (this.overview.account) {
      const locations: LocationView[] = [];
      let after: Cursor | null = null;
      do {
        const slice: { items: LocationView[]; next: Cursor | null } = await this.backend.window<LocationView>({
          kind: 'location',
          after,
          limit: 500,
        });
        locations.push(...slice.items);
        after = slice.next;
      } while (after);
      this.locations = locations;
      if (this.location && !this.locationOf(this.location)) this.location = null;
    }
    this.revision += 1;
    this.loaded = true;
    await this.look();
  }

  /** Applies what the background loop reports. */
  async onUpdate(update: SyncUpdate) {
    switch (update.state) {
      case 'connected':
        this.connection = 'online';
        break;
      case 'progress':
        this.connection = 'online';
        this.progress = update.progress;
        if (Date.now() - this.progressLoadedAt >= PROGRESS_RELOAD_MS) {
          this.progressLoadedAt = Date.now();
          await this.load();
        }
        break;
      case 'synced':
        this.connection = 'online';
        this.problem = null;
        this.progress = null;
        await this.load();
        break;
      case 'offline':
        this.connection = 'offline';
        this.progress = null;
        await this.load();
        break;
      case 'failed':
        this.progress = null;
        this.problem = { code: update.code, message: update.message };
        break;
      case 'session_ended':
        this.progress = null;
        this.signedOutBecause = update.message;
        await this.load();
        break;
    }
  }

  /** Runs an action, keeping its error for the screen to show; true when it worked. */
  async attempt(action: () => Promise<unknown>): Promise<CommandError | null> {
    try {
      await action();
      return null;
    } catch (error) {
      const problem = asCommandError(error);
      if (problem.code === 'offline') this.connection = 'offline';
      if (problem.code === 'session_ended') {
        this.signedOutBecause = problem.message;
        await this.load();
      }
      return problem;
    }
  }

  async syncNow(): Promise<CommandError | null> {
    this.syncing = true;
    const problem = await this.attempt(async () => {
      await this.backend.syncNow();
      this.connection = 'online';
      await this.load();
    });
    this.syncing = false;
    return problem;
  }

  /** Sign-in returned with the session stored; the first sync runs in the background. */
  async signedInNow() {
    this.signedOutBecause = null;
    this.route = { screen: 'home' };
    await this.load();
  }

  /** The sync running now, if it is worth showing: a reported one, or the very first. */
  get updating(): SyncProgress | null {
    if (this.progress) return this.progress;
    const first = this.signedIn && this.overview.last_synced_at === null;
    return first && this.connection !== 'offline' && !this.problem ? { received: 0, total: null } : null;
  }

  async signOut(everywhere: boolean) {
    const problem = await this.attempt(() => (everywhere ? this.backend.signOutEverywhere() : this.backend.signOut()));
    if (!problem) {
      this.signedOutBecause = null;
      this.route = { screen: 'home' };
      await this.load();
    }
    return problem;
  }

  /** A message for an error code, from the translations when known. */
  explain(problem: CommandError): string {
    const known: Record<string, Key> = {
      offline: 'errors.offline',
      unauthorized: 'errors.wrongCredentials',
      rate_limited: 'errors.rateLimited',
      gone: 'errors.invitationGone',
      not_found: 'errors.notFound',
      invalid_address: 'errors.addressInvalid',
      session_ended: 'errors.sessionEnded',
      keyring_unavailable: 'errors.keyring',
      update_signature_invalid: 'errors.updateSignature',
      update_download_failed: 'errors.updateDownload',
      update_install_failed: 'errors.updateInstall',
    };
    const key = known[problem.code];
    return key ? this.t(key) : problem.message;
  }
}
