// The app's state: who is signed in, the cached views, the outbox and the
// connection, refreshed from the backend after every sync round.

import { asCommandError, type Backend } from './backend';
import { direction, pickLocale, translate, type Key, type Locale } from './i18n';
import type {
  AppointmentView,
  CommandError,
  FollowUpView,
  LocationView,
  OpenWorkView,
  Overview,
  ReportView,
  RequestView,
  SyncUpdate,
  TimelineEntryView,
  UpdateStatus,
} from './types';

export type Screen = 'home' | 'requests' | 'appointments' | 'work' | 'reports' | 'timeline' | 'follow_ups' | 'settings';

export interface Route {
  screen: Screen;
  /** The item open on that screen, if any; `new` opens the new request form. */
  id?: string;
}

export type Connection = 'online' | 'offline' | 'unknown';

const LOCALE_KEY = 'ordinavo.locale';

export class AppState {
  locale: Locale = $state('en');
  overview: Overview = $state({ account: null, last_synced_at: null, outbox: [] });
  loaded = $state(false);
  locations: LocationView[] = $state([]);
  requests: RequestView[] = $state([]);
  appointments: AppointmentView[] = $state([]);
  work: OpenWorkView[] = $state([]);
  reports: ReportView[] = $state([]);
  timeline: TimelineEntryView[] = $state([]);
  followUps: FollowUpView[] = $state([]);
  connection: Connection = $state('unknown');
  syncing = $state(false);
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

  get dir() {
    return direction(this.locale);
  }

  get signedIn() {
    return this.overview.account !== null;
  }

  t = (key: Key, params?: Record<string, string | number>) => translate(this.locale, key, params);

  setLocale(locale: Locale) {
    this.locale = locale;
    this.storage?.setItem(LOCALE_KEY, locale);
  }

  open(route: Route) {
    this.route = route;
  }

  locationOf(id: string): LocationView | undefined {
    return this.locations.find((l) => l.id === id);
  }

  /** Reads everything from the local cache: fast, and works offline. */
  async load() {
    this.overview = await this.backend.overview();
    if (this.overview.account) {
      const [locations, requests, appointments, work, reports, timeline, followUps] = await Promise.all([
        this.backend.cached<LocationView>('location'),
        this.backend.cached<RequestView>('request'),
        this.backend.cached<AppointmentView>('appointment'),
        this.backend.cached<OpenWorkView>('work'),
        this.backend.cached<ReportView>('report'),
        this.backend.cached<TimelineEntryView>('timeline'),
        this.backend.cached<FollowUpView>('follow_up'),
      ]);
      this.locations = locations.sort((a, b) => a.name.localeCompare(b.name));
      this.requests = requests.sort((a, b) => b.created_at.localeCompare(a.created_at));
      this.appointments = appointments;
      this.work = work;
      this.reports = reports.sort((a, b) => b.published_at.localeCompare(a.published_at));
      this.timeline = timeline.sort((a, b) => b.occurred_at.localeCompare(a.occurred_at));
      this.followUps = followUps;
      if (this.location && !this.locationOf(this.location)) this.location = null;
    }
    this.loaded = true;
  }

  /** Applies what the background loop reports. */
  async onUpdate(update: SyncUpdate) {
    switch (update.state) {
      case 'connected':
        this.connection = 'online';
        break;
      case 'synced':
        this.connection = 'online';
        this.problem = null;
        await this.load();
        break;
      case 'offline':
        this.connection = 'offline';
        await this.load();
        break;
      case 'failed':
        this.problem = { code: update.code, message: update.message };
        break;
      case 'session_ended':
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

  async signedInNow() {
    this.signedOutBecause = null;
    this.route = { screen: 'home' };
    await this.load();
    await this.syncNow();
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
    };
    const key = known[problem.code];
    return key ? this.t(key) : problem.message;
  }
}
