import { describe, expect, it } from 'vitest';
import ar from './i18n/ar.json';
import en from './i18n/en.json';
import { direction, pickLocale } from './i18n';

describe('translations', () => {
  it('en and ar have exactly the same keys', () => {
    expect(Object.keys(ar).sort()).toEqual(Object.keys(en).sort());
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
