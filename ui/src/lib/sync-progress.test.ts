import { describe, expect, it } from 'vitest';
import { syncProgressText } from './sync-progress';

describe('sync progress', () => {
  it('shows the share that has arrived, in the user language and number format', () => {
    expect(syncProgressText({ received: 80_000, total: 200_000 }, 'en')).toBe('Updating… 40%');
    expect(syncProgressText({ received: 80_000, total: 200_000 }, 'ar')).toBe('جارٍ التحديث… 40\u200e%\u200e');
  });

  it('stays below 100 % until the sync is done, and has no number without a total', () => {
    expect(syncProgressText({ received: 200_000, total: 200_000 }, 'en')).toBe('Updating… 99%');
    expect(syncProgressText({ received: 500, total: null }, 'en')).toBe('Updating…');
    expect(syncProgressText({ received: 0, total: null }, 'ar')).toBe('جارٍ التحديث…');
  });
});
