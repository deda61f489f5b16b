// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeBackend } from '../test/fake-backend';
import { AppState, PROGRESS_RELOAD_MS } from './app.svelte';

afterEach(() => {
  vi.useRealTimers();
});

describe('a long sync', () => {
  it('has the screens re-read the cache at most once a second while it runs, and once at its end', async () => {
    vi.useFakeTimers();
    const backend = new FakeBackend();
    let reads = 0;
    const overview = backend.overview.bind(backend);
    backend.overview = async () => {
      reads += 1;
      return overview();
    };
    const app = new AppState(backend, ['en']);
    const page = { state: 'progress', progress: { received: 1000, total: 200000 } } as const;
    for (let i = 0; i < 10; i++) await app.onUpdate(page);
    expect(reads).toBe(1);
    expect(app.progress).toEqual(page.progress);

    vi.advanceTimersByTime(PROGRESS_RELOAD_MS);
    await app.onUpdate({ ...page, progress: { received: 2000, total: 200000 } });
    expect(reads).toBe(2);
    expect(app.progress?.received).toBe(2000);

    await app.onUpdate({ state: 'synced', outcome: { pages: 200, changes: 200000, notified: 0 }, sent: 0 });
    expect(reads).toBe(3);
    expect(app.progress).toBeNull();
  });
});
