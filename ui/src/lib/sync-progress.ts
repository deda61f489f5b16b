// The words for a running sync: "Updating… 40 %" when the server said how much
// comes, "Updating…" until it does.

import { percent } from './format';
import { translate, type Locale } from './i18n';
import type { SyncProgress } from './types';

export function syncProgressText(progress: SyncProgress, locale: Locale): string {
  if (!progress.total) return translate(locale, 'sync.updating');
  // The total is an upper bound: never claim 100 % before the sync says it is done.
  const shown = Math.min(progress.received, progress.total * 0.99);
  return translate(locale, 'sync.updatingPercent', { percent: percent(shown, progress.total, locale) });
}
