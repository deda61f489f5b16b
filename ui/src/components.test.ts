// @vitest-environment jsdom
import { flushSync, mount, tick, unmount, type Component } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import App from './App.svelte';
import Attachment from './components/Attachment.svelte';
import StatusBadge from './components/StatusBadge.svelte';
import { AppState } from './lib/app.svelte';
import { FakeBackend, marina } from './test/fake-backend';
import type { AccessLogEntryView } from './lib/types';

let mounted: Record<string, unknown>[] = [];

afterEach(() => {
  mounted.forEach((component) => unmount(component));
  mounted = [];
  document.body.innerHTML = '';
});

function render<Props extends Record<string, unknown>>(component: Component<Props>, props: Props) {
  const target = document.createElement('div');
  document.body.appendChild(target);
  mounted.push(mount(component, { target, props }));
  flushSync();
  return target;
}

/** Waits until `check` passes, re-rendering between tries (no fixed sleeps). */
async function until(check: () => boolean, what: string) {
  for (let i = 0; i < 200; i += 1) {
    flushSync();
    if (check()) return;
    await tick();
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function type(input: Element | null, value: string) {
  const field = input as HTMLInputElement;
  field.value = value;
  field.dispatchEvent(new Event('input', { bubbles: true }));
  field.dispatchEvent(new Event('change', { bubbles: true }));
}

describe('status badge', () => {
  it('shows the status in plain words with its tone', () => {
    const app = new AppState(new FakeBackend(), ['en']);
    const target = render(StatusBadge, { app, status: 'follow_up_required' });
    const badge = target.querySelector('.badge');
    expect(badge?.textContent).toBe('Follow-up required');
    expect(badge?.classList.contains('attention')).toBe(true);
    app.setLocale('ar');
    flushSync();
    expect(badge?.textContent).toBe('تلزم متابعة');
  });

  it("uses the company's wording once a sync brought it, in either language", async () => {
    const backend = new FakeBackend();
    const app = new AppState(backend, ['en']);
    const target = render(StatusBadge, { app, status: 'follow_up_required' });
    const badge = target.querySelector('.badge');
    expect(badge?.textContent).toBe('Follow-up required');
    backend.statusLabels = {
      en: { follow_up_required: 'Your action needed', planned: 'Booked' },
      ar: { follow_up_required: 'مطلوب إجراء منك' },
    };
    await app.load();
    await until(() => badge?.textContent === 'Your action needed', 'the reworded label');
    app.setLocale('ar');
    flushSync();
    expect(badge?.textContent).toBe('مطلوب إجراء منك');
    backend.statusLabels = { en: {}, ar: { follow_up_required: '  ' } };
    await app.load();
    // A label the company left blank falls back to the app's own words.
    await until(() => badge?.textContent === 'تلزم متابعة', 'the built-in label');
  });
});

describe('attachment', () => {
  const file = (id: string, file_name: string, content_type: string) => ({
    id,
    report_id: 'r1',
    file_name,
    content_type,
    size_bytes: 10,
    sha256: 'x',
    download_path: `/portal/v1/attachments/${id}/content`,
  });

  async function download(backend: FakeBackend, attachment: ReturnType<typeof file>) {
    const app = new AppState(backend, ['en']);
    const target = render(Attachment, { app, attachment });
    (target.querySelector('button') as HTMLButtonElement).click();
    await until(() => target.querySelector('[data-testid="downloaded"]') !== null, 'the download');
    return target;
  }

  it('opens a document with the system application', async () => {
    const backend = new FakeBackend();
    const target = await download(backend, file('a1', 'Pump protocol.pdf', 'application/pdf'));
    const open = target.querySelector('button') as HTMLButtonElement;
    expect(open.textContent).toBe('Open');
    open.click();
    await until(() => backend.calls.includes('open a1'), 'opening');
  });

  it('only shows anything else in its folder', async () => {
    const backend = new FakeBackend();
    backend.notOpenable.add('a2');
    const target = await download(backend, file('a2', 'legacy.bat', 'text/plain'));
    const buttons = [...target.querySelectorAll('button')].map((b) => b.textContent);
    expect(buttons).toEqual(['Show in folder']);
    expect(target.textContent).toContain('not opened directly');
    (target.querySelector('button') as HTMLButtonElement).click();
    await until(() => backend.calls.includes('show a2'), 'showing the folder');
    expect(backend.calls).not.toContain('open a2');
  });
});

describe('first run', () => {
  it('refuses a plain-http address and explains wrong credentials', async () => {
    const backend = new FakeBackend();
    backend.failSignIn = { code: 'unauthorized', message: 'missing or invalid credential' };
    const app = new AppState(backend, ['en']);
    const target = render(App, { app });
    await until(() => target.querySelector('#server') !== null, 'the sign-in form');
    type(target.querySelector('#server'), 'http://portal.example.com');
    (target.querySelector('button[type=submit]') as HTMLButtonElement).click();
    await until(() => target.querySelector('#server-error') !== null, 'the address error');
    expect(target.querySelector('#server-error')?.textContent).toContain('https://');
    expect(backend.calls).toEqual([]);

    type(target.querySelector('#server'), 'https://portal.example.com');
    type(target.querySelector('#email'), 'a@b.example');
    type(target.querySelector('#password'), 'wrong password');
    (target.querySelector('button[type=submit]') as HTMLButtonElement).click();
    await until(() => target.querySelector('.error') !== null, 'the sign-in error');
    expect(target.querySelector('.error')?.textContent).toBe('The e-mail or password is not correct.');
  });

  it('shows the password rules as they are met', async () => {
    const app = new AppState(new FakeBackend(), ['en']);
    const target = render(App, { app });
    await until(() => target.querySelector('input[value=invitation]') !== null, 'the mode switch');
    (target.querySelector('input[value=invitation]') as HTMLInputElement).click();
    await until(() => target.querySelector('#rules') !== null, 'the rules');
    type(target.querySelector('#password'), 'long enough password');
    type(target.querySelector('#repeat'), 'long enough password');
    await until(() => target.querySelectorAll('#rules li.met').length === 3, 'all rules met');
  });
});

describe('signed in', () => {
  async function signedIn(backend = new FakeBackend(), locale = 'en') {
    backend.account = { server: 'https://portal.example.com', email: 'omar@example.com' };
    backend.data.location = [marina];
    backend.lastSynced = '2026-11-27T08:00:00Z';
    const app = new AppState(backend, [locale]);
    const target = render(App, { app });
    await until(() => target.querySelector('nav') !== null, 'the app shell');
    return { app, target, backend };
  }

  it('switches the whole layout to right-to-left in Arabic', async () => {
    const { app } = await signedIn();
    expect(document.documentElement.dir).toBe('ltr');
    app.setLocale('ar');
    await until(() => document.documentElement.dir === 'rtl', 'rtl');
    expect(document.documentElement.lang).toBe('ar');
    expect(document.querySelector('nav a[aria-current=page]')?.textContent).toBe('الرئيسية');
  });

  it('validates a new request next to its fields and queues it offline', async () => {
    const backend = new FakeBackend();
    backend.offline = true;
    const { app, target } = await signedIn(backend);
    app.open({ screen: 'requests', id: 'new' });
    await until(() => target.querySelector('[data-testid=new-request]') !== null, 'the form');
    (target.querySelector('[data-testid=new-request] button[type=submit]') as HTMLButtonElement).click();
    await until(() => target.querySelector('#r-title-error') !== null, 'field errors');
    expect(target.querySelector('#r-kind-error')?.textContent).toBe('Choose what kind of request this is.');
    expect(target.querySelector('#r-location-error')).toBeNull();

    type(target.querySelector('#r-kind'), 'maintenance');
    type(target.querySelector('#r-title'), 'Leak in B2');
    type(target.querySelector('#r-description'), 'Water drips from the ceiling.');
    (target.querySelector('[data-testid=new-request] button[type=submit]') as HTMLButtonElement).click();
    await until(() => target.querySelector('[data-testid=outbox]') !== null, 'the outbox');
    expect(target.querySelector('[data-testid=outbox]')?.textContent).toContain('Waiting to send');
    expect(backend.calls).toContain('submit Leak in B2');
  });

  it('shows the conversation on a request and sends a message, or queues it offline', async () => {
    const backend = new FakeBackend();
    const at = '2026-11-27T08:00:00Z';
    backend.data.request = [{
      id: 'r1', location_id: marina.id, kind: 'maintenance', title: 'Leak in B2', description: 'Water drips.',
      status: 'in_review', public_status: 'in_review', decision_reason: null, preferred_windows: [], can_cancel: true,
      created_at: at, updated_at: at, progress: [],
      messages: [{ id: 'm1', request_id: 'r1', from: 'staff', author_name: null, body: 'We come at 9:00.', created_at: at }],
      attachments: [],
    }];
    const { app, target } = await signedIn(backend);
    app.open({ screen: 'requests', id: 'r1' });
    await until(() => target.querySelector('[data-testid=thread]') !== null, 'the thread');
    const thread = () => target.querySelector('[data-testid=thread]')?.textContent ?? '';
    expect(thread()).toContain('Service team');
    expect(thread()).toContain('We come at 9:00.');

    type(target.querySelector('#message-body'), 'The car park is open.');
    flushSync();
    (target.querySelector('.thread button[type=submit]') as HTMLButtonElement).click();
    await until(() => thread().includes('The car park is open.'), 'the sent message');
    expect(thread()).toContain('Omar Haddad');
    expect((target.querySelector('#message-body') as HTMLTextAreaElement).value).toBe('');

    backend.offline = true;
    type(target.querySelector('#message-body'), 'Security will meet him.');
    flushSync();
    (target.querySelector('.thread button[type=submit]') as HTMLButtonElement).click();
    await until(() => target.querySelector('[data-queued]') !== null, 'the queued message');
    expect(target.querySelector('[data-queued]')?.textContent).toContain('Waiting to send');
    expect(target.querySelector('[data-queued]')?.textContent).toContain('Security will meet him.');

    type(target.querySelector('#message-body'), 'x'.repeat(5001));
    await until(() => target.querySelector('#message-error') !== null, 'the length error');
    expect((target.querySelector('.thread button[type=submit]') as HTMLButtonElement).disabled).toBe(true);
  });

  describe('photos and documents on a request', () => {
    const at = '2026-11-27T08:00:00Z';
    const attached = (id: string, file_name: string) => ({
      id, report_id: null, file_name, content_type: 'image/jpeg', size_bytes: 2048, sha256: 'x',
      download_path: `/portal/v1/attachments/${id}/content`,
    });
    const queued = (key: string, file_name: string, last_error: string | null) => ({
      idempotency_key: key, request_id: 'r1', file_name, content_type: 'application/pdf', size_bytes: 4096,
      queued_at: at, last_error,
    });

    async function openRequest(backend: FakeBackend, attachments: ReturnType<typeof attached>[] = []) {
      backend.data.request = [{
        id: 'r1', location_id: marina.id, kind: 'maintenance', title: 'Leak in B2', description: 'Water drips.',
        status: 'in_review', public_status: 'in_review', decision_reason: null, preferred_windows: [], can_cancel: true,
        created_at: at, updated_at: at, progress: [], messages: [], attachments,
      }];
      const { app, target } = await signedIn(backend);
      app.open({ screen: 'requests', id: 'r1' });
      await until(() => target.querySelector('[data-testid=request-files]') !== null, 'the files');
      return target;
    }

    /** What the system file picker hands over: jsdom cannot fill a file input itself. */
    function pick(target: HTMLElement, files: File[]) {
      const input = target.querySelector('[data-testid=file-input]') as HTMLInputElement;
      Object.defineProperty(input, 'files', { value: files, configurable: true });
      input.dispatchEvent(new Event('change', { bubbles: true }));
    }

    /** A drag event as the handler reads it: jsdom has no DataTransfer. */
    function drag(target: HTMLElement, type: 'dragover' | 'drop', files: File[]) {
      const event = new Event(type, { bubbles: true, cancelable: true });
      Object.defineProperty(event, 'dataTransfer', { value: { files, dropEffect: 'none' } });
      target.querySelector('[data-testid=drop-zone]')?.dispatchEvent(event);
      return event;
    }

    const photo = (name: string) => new File(['photo'], name, { type: 'image/png' });

    it("shows the request's files and attaches a picked one, or queues it offline", async () => {
      const backend = new FakeBackend();
      const target = await openRequest(backend, [attached('a1', 'Ceiling before.jpg')]);
      const files = () => target.querySelector('[data-testid=request-files]')?.textContent ?? '';
      expect(files()).toContain('Ceiling before.jpg');
      expect(target.querySelector('[data-attachment=a1] button')?.textContent).toBe('Download');

      let pickerOpened = false;
      target.querySelector('[data-testid=file-input]')?.addEventListener('click', () => (pickerOpened = true));
      [...target.querySelectorAll('button')].find((b) => b.textContent === 'Add photo or document')?.click();
      expect(pickerOpened).toBe(true);

      pick(target, [photo('B2 ceiling.png')]);
      await until(() => target.querySelector('[data-attachment="att-B2 ceiling.png"]') !== null, 'the attached file');
      expect(backend.calls).toContain('attach r1 B2 ceiling.png');

      backend.offline = true;
      pick(target, [photo('Car park.png')]);
      await until(() => target.querySelector('[data-queued-file]') !== null, 'the queued file');
      expect(target.querySelector('[data-queued-file]')?.textContent).toContain('Car park.png');
      expect(target.querySelector('[data-queued-file]')?.textContent).toContain('Waiting to send');
    });

    it('queues the files dropped on the drop zone', async () => {
      const backend = new FakeBackend();
      backend.offline = true;
      const target = await openRequest(backend);
      const zone = () => target.querySelector('[data-testid=drop-zone]') as HTMLElement;

      expect(drag(target, 'dragover', []).defaultPrevented).toBe(true);
      flushSync();
      expect(zone().classList.contains('over')).toBe(true);

      const drop = drag(target, 'drop', [photo('Meter.png'), new File(['%PDF-1.7'], 'Plan.pdf', { type: 'application/pdf' })]);
      expect(drop.defaultPrevented).toBe(true);
      await until(() => target.querySelectorAll('[data-queued-file]').length === 2, 'the dropped files');
      expect(zone().classList.contains('over')).toBe(false);
      expect(backend.calls).toEqual(expect.arrayContaining(['attach r1 Meter.png', 'attach r1 Plan.pdf']));
    });

    it('refuses a program, a file over 10 MiB and a sixth file, saying why, and queues none', async () => {
      const backend = new FakeBackend();
      backend.fileOutbox = [queued('f1', 'Invoice.pdf', null)];
      const four = ['a1', 'a2', 'a3', 'a4'].map((id) => attached(id, `${id}.jpg`));
      const target = await openRequest(backend, four);
      const big = new File(['x'], 'Drone survey.pdf', { type: 'application/pdf' });
      Object.defineProperty(big, 'size', { value: 11 * 1024 * 1024 });

      pick(target, [new File(['MZ'], 'setup.exe', { type: 'application/x-msdownload' }), big, photo('Sixth.png')]);
      await until(() => target.querySelector('[data-testid=file-refusals]') !== null, 'the refusals');
      const reasons = [...target.querySelectorAll('[data-testid=file-refusals] li')].map((li) => li.textContent);
      expect(reasons).toEqual([
        'setup.exe was not added: only photos (PNG, JPEG, WebP, HEIC) and PDF documents are accepted.',
        'Drone survey.pdf is larger than 10 MB and was not added.',
        'Sixth.png was not added: a request can have at most 5 files.',
      ]);
      expect(backend.calls.filter((call) => call.startsWith('attach'))).toEqual([]);
      expect(target.querySelectorAll('[data-queued-file]').length).toBe(1);
    });

    it('shows why a queued file was refused and discards it', async () => {
      const backend = new FakeBackend();
      backend.fileOutbox = [queued('f1', 'Scan.pdf', 'This file is not a PDF document.')];
      const target = await openRequest(backend);
      const refused = () => target.querySelector('[data-queued-file=f1]');
      expect(refused()?.textContent).toContain('Refused');
      expect(refused()?.textContent).toContain('This file is not a PDF document.');

      (refused()?.querySelector('button') as HTMLButtonElement).click();
      await until(() => refused() === null, 'the discarded file');
      expect(backend.calls).toContain('discardFile f1');
      expect(target.querySelectorAll('[data-testid=request-files] li').length).toBe(0);
      expect(target.textContent).toContain('No photos or documents on this request yet.');
    });
  });

  it('marks the app offline after a failed sync, with the last update time', async () => {
    const backend = new FakeBackend();
    backend.offline = true;
    const { target } = await signedIn(backend);
    (target.querySelector('[data-testid=sync-now]') as HTMLButtonElement).click();
    await until(() => target.querySelector('[data-testid=offline-banner]') !== null, 'the offline banner');
    expect(target.querySelector('[data-testid=offline-banner]')?.textContent).toContain('Offline');
  });

  it("shows the user's name from the server in Settings", async () => {
    const { app, target } = await signedIn();
    app.open({ screen: 'settings' });
    await until(() => target.querySelector('[data-testid=display-name]') !== null, 'the name');
    expect(target.querySelector('[data-testid=display-name]')?.textContent).toBe('Omar Haddad');
  });

  it('counts what needs attention beside its screen until the user opens it', async () => {
    const backend = new FakeBackend();
    backend.attention = { follow_ups: 1, reports: 2, request_changes: 0 };
    const { app, target } = await signedIn(backend);
    const count = (screen: string) => target.querySelector(`[data-testid=waiting-${screen}] [aria-hidden]`)?.textContent ?? null;
    await until(() => count('follow_ups') !== null, 'the follow-up count');
    expect(count('follow_ups')).toBe('1');
    expect(target.querySelector('[data-testid=waiting-follow_ups]')?.textContent).toContain('1 new');
    expect(count('reports')).toBe('2');
    expect(count('requests')).toBeNull();
    expect(backend.calls.filter((c) => c.startsWith('markSeen'))).toEqual([]);
    app.open({ screen: 'follow_ups' });
    await until(() => count('follow_ups') === null, 'the follow-ups seen');
    expect(count('reports')).toBe('2');
    expect(backend.calls).toContain('markSeen follow_ups');
    // A sync brings another while the user is on the screen: it is seen at once.
    backend.attention.follow_ups = 1;
    await app.onUpdate({ state: 'synced', outcome: { pages: 1, changes: 1, notified: 1 }, sent: 0 });
    await until(() => backend.attention.follow_ups === 0, 'the new one seen');
  });

  it('keeps the app in the tray and starts it at login when the user turns them on', async () => {
    const backend = new FakeBackend();
    const { app, target } = await signedIn(backend);
    app.open({ screen: 'settings' });
    await until(() => target.querySelector('[data-testid=start-at-login]') !== null, 'the switches');
    (target.querySelector('[data-testid=keep-in-tray]') as HTMLInputElement).click();
    await until(() => backend.settings.keep_in_tray, 'keep in tray saved');
    (target.querySelector('[data-testid=start-at-login]') as HTMLInputElement).click();
    await until(() => backend.settings.start_at_login, 'start at login saved');
    expect(backend.settings).toEqual({ report_shared: true, appointment_changes: true, keep_in_tray: true, start_at_login: true, beta_updates: false });
    (target.querySelector('[data-testid=start-at-login]') as HTMLInputElement).click();
    await until(() => !backend.settings.start_at_login, 'start at login off');
  });

  it('offers an update with its notes and shows the download, install and restart', async () => {
    const backend = new FakeBackend();
    backend.updateStatus = { status: 'available', version: '0.2.0', notes: 'Faster sync' };
    backend.installSteps = [
      { step: 'downloading', received: 0, total: 200 },
      { step: 'downloading', received: 100, total: 200 },
      { step: 'installing' },
      { step: 'restarting' },
    ];
    const { app, target } = await signedIn(backend);
    app.open({ screen: 'settings' });
    await until(() => target.querySelector('[data-testid=app-version]') !== null, 'the about section');
    (target.querySelector('[aria-labelledby=s-about] button') as HTMLButtonElement).click();
    await until(() => target.querySelector('[data-testid=update-offer]') !== null, 'the offer');
    expect(target.querySelector('[data-testid=update-offer]')?.textContent).toContain('0.2.0');
    expect(target.querySelector('[data-testid=update-notes]')?.textContent).toBe('Faster sync');
    (target.querySelector('[data-testid=install-update]') as HTMLButtonElement).click();
    await until(() => target.querySelector('[data-testid=update-progress]')?.textContent?.includes('Restarting') ?? false, 'the restart');
    expect(backend.calls).toContain('installUpdate');
    expect(target.querySelector('[data-testid=update-failure]')).toBeNull();
  });

  it('says a tampered update was refused and offers it again, the running version going on', async () => {
    const backend = new FakeBackend();
    backend.updateStatus = { status: 'available', version: '0.2.0', notes: null };
    backend.installSteps = [{ step: 'downloading', received: 10, total: null }];
    backend.installFailure = { code: 'update_signature_invalid', message: 'bad signature' };
    const { app, target } = await signedIn(backend);
    app.open({ screen: 'settings' });
    await until(() => target.querySelector('[data-testid=app-version]') !== null, 'the about section');
    (target.querySelector('[aria-labelledby=s-about] button') as HTMLButtonElement).click();
    await until(() => target.querySelector('[data-testid=install-update]') !== null, 'the offer');
    (target.querySelector('[data-testid=install-update]') as HTMLButtonElement).click();
    await until(() => target.querySelector('[data-testid=update-failure]') !== null, 'the refusal');
    expect(target.querySelector('[data-testid=update-failure]')?.textContent).toContain('not signed by Ordinavo');
    expect(target.querySelector('[data-testid=install-update]')).not.toBeNull();
    expect(target.querySelector('[data-testid=update-notes]')).toBeNull();
  });

  it('offers the beta channel only where the server allows it', async () => {
    const backend = new FakeBackend();
    const { app, target } = await signedIn(backend);
    app.open({ screen: 'settings' });
    await until(() => target.querySelector('[data-testid=start-at-login]') !== null, 'the switches');
    expect(target.querySelector('[data-testid=beta-updates]')).toBeNull();
    unmount(mounted.pop()!);
    document.body.innerHTML = '';
    const allowed = new FakeBackend();
    allowed.channels = ['stable', 'beta'];
    const second = await signedIn(allowed);
    second.app.open({ screen: 'settings' });
    await until(() => second.target.querySelector('[data-testid=beta-updates]') !== null, 'the beta switch');
    (second.target.querySelector('[data-testid=beta-updates]') as HTMLInputElement).click();
    await until(() => allowed.settings.beta_updates, 'beta saved');
  });

  it('shows who accessed the data, page by page, and says when it needs a connection', async () => {
    const backend = new FakeBackend();
    const entry = (n: number, kind: AccessLogEntryView['kind'], extra: Partial<AccessLogEntryView> = {}): AccessLogEntryView => ({
      id: `e${String(n).padStart(3, '0')}`,
      occurred_at: '2026-11-27T08:00:00Z',
      kind,
      user_id: 'u1',
      user_name: 'Omar Haddad',
      ip: null,
      app_version: null,
      attachment_id: null,
      file_name: null,
      session_end: null,
      staff_role: null,
      ...extra,
    });
    backend.accessEntries = [
      entry(1, 'staff_view', { staff_role: 'admin' }),
      entry(2, 'download', { ip: '203.0.113.7', attachment_id: 'a1', file_name: 'report.pdf' }),
      entry(3, 'session_ended', { session_end: 'signed_out_by_staff' }),
      entry(4, 'sign_in', { ip: '203.0.113.7', app_version: '1.2.3' }),
      entry(5, 'sign_in_failed', { ip: '198.51.100.1' }),
    ];
    backend.accessPage = 3;
    const { app, target } = await signedIn(backend);
    app.open({ screen: 'activity' });
    const rows = () => [...target.querySelectorAll('[data-testid=activity] li')].map((li) => li.textContent ?? '');
    await until(() => rows().length === 3, 'the first page');
    expect(rows()[0]).toContain('Viewed as you see it by the service company (an administrator)');
    expect(rows()[1]).toContain('Downloaded report.pdf');
    expect(rows()[2]).toContain('signed out by the service company');
    (target.querySelector('[data-testid=activity-more]') as HTMLButtonElement).click();
    await until(() => rows().length === 5, 'the older page');
    expect(rows()[3]).toContain('from 203.0.113.7');
    expect(rows()[3]).toContain('app 1.2.3');
    expect(rows()[4]).toContain('Failed sign-in');
    expect(target.querySelector('[data-testid=activity-more]')).toBeNull();
    expect(backend.calls).toContain('accessLog e003');

    app.setLocale('ar');
    await until(() => rows()[0].includes('مسؤول'), 'the Arabic wording');

    backend.offline = true;
    app.open({ screen: 'home' });
    await until(() => target.querySelector('[data-testid=activity]') === null, 'away');
    app.open({ screen: 'activity' });
    await until(() => target.querySelector('[data-testid=activity-failure]') !== null, 'the offline message');
    expect(target.querySelector('[data-testid=activity-failure]')?.textContent).toContain('يُقرأ سجل النشاط من الخادم');
  });

  it('lets only a customer admin manage colleagues: invite within their grant, disable, resend and withdraw', async () => {
    const plain = await signedIn(new FakeBackend());
    expect(plain.target.querySelector('nav a[data-screen=colleagues]')).toBeNull();
    unmount(mounted.pop()!);
    document.body.innerHTML = '';

    const backend = new FakeBackend();
    backend.customerAdmin = true;
    backend.team = {
      colleagues: [
        { id: 'u1', display_name: 'Hannah Becker', email: 'h@example.com', status: 'active', customer_admin: true, is_you: true,
          grants: [{ whole_customer: true, location_ids: [], can_download: true }], last_sign_in_at: '2026-11-27T08:00:00Z' },
        { id: 'u2', display_name: 'Omar Haddad', email: 'o@example.com', status: 'active', customer_admin: false, is_you: false,
          grants: [{ whole_customer: false, location_ids: [marina.id], can_download: false }], last_sign_in_at: null },
      ],
      invitations: [],
    };
    const { app, target } = await signedIn(backend);
    await until(() => target.querySelector('nav a[data-screen=colleagues]') !== null, 'the Colleagues entry');
    app.open({ screen: 'colleagues' });
    const people = () => [...target.querySelectorAll('[data-testid=colleagues] li')];
    await until(() => people().length === 2, 'the colleagues');
    expect(people()[0].textContent).toContain('(you)');
    expect(people()[0].querySelector('button')).toBeNull();
    expect(people()[1].textContent).toContain(marina.name);
    expect(people()[1].textContent).toContain('never signed in');

    (people()[1].querySelector('button') as HTMLButtonElement).click();
    await until(() => people()[1]?.getAttribute('data-status') === 'disabled', 'Omar disabled');
    expect(backend.calls).toContain('colleagueAction u2 disable');

    type(target.querySelector('#c-name'), 'Jana Kraus');
    type(target.querySelector('#c-email'), 'jana@example.com');
    (target.querySelector(`[data-testid=invite-colleague] input[value="${marina.id}"]`) as HTMLInputElement).click();
    (target.querySelector('[data-testid=invite-colleague] button[type=submit]') as HTMLButtonElement).click();
    await until(() => target.querySelector('[data-testid=colleague-code]') !== null, 'the code to hand over');
    expect(target.querySelector('[data-testid=colleague-code]')?.textContent).toBe('opi_TESTCODE');
    expect(backend.calls).toContain(`inviteColleague jana@example.com ${marina.id} false`);
    const pending = () => [...target.querySelectorAll('[data-testid=colleague-invitations] li')];
    await until(() => pending().length === 1, 'the pending invitation');
    expect((target.querySelector('#c-name') as HTMLInputElement).value).toBe('');

    (pending()[0].querySelectorAll('button')[0] as HTMLButtonElement).click();
    await until(() => target.querySelector('[data-testid=colleague-code]')?.textContent === 'opi_RESENT', 'the new code');
    (pending()[0].querySelectorAll('button')[1] as HTMLButtonElement).click();
    await until(() => pending().length === 0, 'withdrawn');

    // A refused invitation says what the server said, field by field, and keeps the form.
    backend.inviteRefusal = { code: 'invalid_input', message: 'location_ids: pick at least one of your locations' };
    type(target.querySelector('#c-name'), 'Wide');
    type(target.querySelector('#c-email'), 'wide@example.com');
    (target.querySelector('[data-testid=invite-colleague] button[type=submit]') as HTMLButtonElement).click();
    await until(() => target.querySelector('[data-testid=colleagues-failure]') !== null, 'the refusal');
    expect(target.querySelector('[data-testid=colleagues-failure]')?.textContent).toContain('pick at least one');
    expect((target.querySelector('#c-name') as HTMLInputElement).value).toBe('Wide');
  });

  it('says why the saved data is downloaded again when its key was lost, until dismissed', async () => {
    const backend = new FakeBackend();
    backend.cacheRebuilt = true;
    const { target } = await signedIn(backend);
    const banner = () => target.querySelector('[data-testid=cache-rebuilt]');
    await until(() => banner() !== null, 'the rebuilt banner');
    expect(banner()?.textContent).toContain('could not be unlocked');
    (banner()?.querySelector('button') as HTMLButtonElement).click();
    await until(() => banner() === null, 'the banner to go');
  });

  it('shows appointments in the location time, naming the zone when it is not the computer one', async () => {
    const backend = new FakeBackend();
    const start = new Date(Date.now() + 2 * 24 * 3600 * 1000);
    start.setUTCHours(5, 0, 0, 0);
    const end = new Date(start.getTime() + 2 * 3600 * 1000);
    backend.data.appointment = [
      {
        id: 'a1',
        location_id: 'marina',
        starts_at: start.toISOString(),
        ends_at: end.toISOString(),
        arrival_window_start: null,
        arrival_window_end: null,
        time_zone: 'Asia/Dubai',
        public_status: 'planned',
        request_id: null,
        updated_at: start.toISOString(),
      },
    ];
    const { app, target } = await signedIn(backend);
    app.open({ screen: 'appointments' });
    await until(() => target.querySelector('[data-testid=appointments] .item') !== null, 'the appointment');
    const text = target.querySelector('[data-testid=appointments] .item')?.textContent ?? '';
    expect(text).toContain('09:00–11:00');
    const computerZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (computerZone !== 'Asia/Dubai') expect(text).toMatch(/\((GST|GMT\+4)\)/);
  });

  it('shows the background sync progress, then what has arrived', async () => {
    const backend = new FakeBackend();
    const { app, target } = await signedIn(backend);
    backend.listeners.forEach((listener) => listener({ state: 'progress', progress: { received: 400, total: 1_000 } }));
    await until(() => target.querySelector('[data-testid=sync-progress]') !== null, 'the progress');
    expect(target.querySelector('[data-testid=sync-progress]')?.textContent).toContain('Updating… 40%');
    app.setLocale('ar');
    flushSync();
    expect(target.querySelector('[data-testid=sync-progress]')?.textContent).toContain('جارٍ التحديث…');
    backend.listeners.forEach((listener) => listener({ state: 'synced', outcome: { pages: 2, changes: 1_000, notified: 0 }, sent: 0 }));
    await until(() => target.querySelector('[data-testid=sync-progress]') === null, 'the progress to end');
  });

  it('renders a screenful of 10,000 appointments, with day headings, and reads them in windows', async () => {
    const backend = new FakeBackend();
    const first = Date.now() + 3600 * 1000;
    backend.data.appointment = Array.from({ length: 10_000 }, (_, i) => {
      const starts = new Date(first + i * 3 * 3600 * 1000).toISOString();
      const ends = new Date(first + i * 3 * 3600 * 1000 + 3600 * 1000).toISOString();
      return {
        id: `a${String(i).padStart(5, '0')}`,
        location_id: 'marina',
        starts_at: starts,
        ends_at: ends,
        arrival_window_start: null,
        arrival_window_end: null,
        time_zone: 'Asia/Dubai',
        public_status: 'planned',
        request_id: null,
        updated_at: starts,
      };
    });
    Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 800 });
    try {
      const { app, target } = await signedIn(backend);
      app.open({ screen: 'appointments' });
      await until(() => target.querySelector('[data-testid=appointments] .item') !== null, 'the appointments');
      const rows = target.querySelectorAll('[data-testid=appointments] li');
      expect(rows.length).toBeGreaterThan(5);
      expect(rows.length).toBeLessThan(30);
      expect(target.querySelector('[data-testid=appointments] li h2.day')).not.toBeNull();
      const reads = backend.windows.filter((w) => w.kind === 'appointment');
      expect(reads.every((w) => w.limit <= 500 && w.when === 'upcoming')).toBe(true);
    } finally {
      delete (HTMLElement.prototype as { clientHeight?: number }).clientHeight;
    }
  });
});
