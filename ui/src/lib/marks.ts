// Marks on the page's performance timeline (`performance.mark`): the app records
// when a screen first showed its content, so a benchmark reads the app's own time
// instead of polling the page from outside (see src-tauri/client/benches/sync).

/** The mark set once the first screen (home, or sign-in on a first run) has painted its content. */
export const FIRST_SCREEN = 'ordinavo:first-screen';

/** Marks `name` once, after the next paint of what was just rendered. */
export function markAfterPaint(name: string) {
  if (typeof performance === 'undefined' || typeof requestAnimationFrame !== 'function') return;
  if (performance.getEntriesByName(name, 'mark').length > 0) return;
  // The frame callback runs before the paint; the task queued from it runs after.
  requestAnimationFrame(() =>
    setTimeout(() => {
      if (performance.getEntriesByName(name, 'mark').length === 0) performance.mark(name);
    }),
  );
}
