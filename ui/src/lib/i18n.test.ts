import { describe, expect, it } from 'vitest';
import ar from './i18n/ar.json';
import en from './i18n/en.json';
import { direction, pickLocale, translate } from './i18n';

const sources = import.meta.glob(['../**/*.svelte', '../**/*.ts', '!../**/*.test.ts'], {
  query: '?raw',
  import: 'default',
  eager: true,
}) as Record<string, string>;

describe('translations', () => {
  it('en and ar have exactly the same keys, none empty', () => {
    expect(Object.keys(ar).sort()).toEqual(Object.keys(en).sort());
    for (const text of [...Object.values(en), ...Object.values(ar)]) expect(text.trim()).not.toBe('');
  });

  it('every key the code names exists', () => {
    const used = new Set<string>();
    for (const source of Object.values(sources)) {
      for (const match of source.matchAll(/\bt\('([a-zA-Z_.]+)'/g)) used.add(match[1]);
      for (const match of source.matchAll(/'((?:errors|password|followUps)\.[a-zA-Z_]+)'/g)) used.add(match[1]);
    }
    expect(used.size).toBeGreaterThan(50);
    expect([...used].filter((key) => !(key in en))).toEqual([]);
  });

  it('has a label for every status, kind and milestone', () => {
    const dynamic = [
      ...['submitted', 'in_review', 'accepted', 'open', 'planned', 'in_progress', 'completed', 'follow_up_required', 'rejected', 'cancelled'].map((s) => `status.${s}`),
      ...['service', 'maintenance', 'appointment', 'support'].map((k) => `kind.${k}`),
      ...['submitted', 'in_review', 'accepted', 'planned', 'rejected', 'cancelled'].map((s) => `requestStatus.${s}`),
      ...['sign_in', 'sign_in_failed'].map((k) => `activity.${k}`),
      ...['signed_out', 'ended_elsewhere', 'signed_out_everywhere', 'password_changed', 'disabled', 'access_removed', 'signed_out_by_staff', 'expired'].map((e) => `activity.end.${e}`),
    ];
    expect(dynamic.filter((key) => !(key in en))).toEqual([]);
  });

  it('fills placeholders', () => {
    expect(translate('en', 'settings.version', { version: '1.2.3' })).toBe('Version 1.2.3');
    expect(translate('ar', 'settings.version', { version: '1.2.3' })).toBe('الإصدار 1.2.3');
  });
});

describe('pickLocale', () => {
  it('picks the first supported language', () => {
    expect(pickLocale(['fr-FR', 'ar-SA', 'en-US'])).toBe('ar');
    expect(pickLocale(['EN-gb'])).toBe('en');
  });

  it('falls back to English', () => {
    expect(pickLocale(['fr'])).toBe('en');
    expect(pickLocale([])).toBe('en');
  });
});

describe('direction', () => {
  it('is rtl for Arabic and ltr for English', () => {
    expect(direction('ar')).toBe('rtl');
    expect(direction('en')).toBe('ltr');
  });
});
