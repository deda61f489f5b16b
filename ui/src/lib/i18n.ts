// Every string the app shows lives in i18n/en.json and i18n/ar.json, one flat
// object per language; tests fail when a key is missing from either or unused.

import ar from './i18n/ar.json';
import en from './i18n/en.json';

export type Locale = 'en' | 'ar';
export type Direction = 'ltr' | 'rtl';
export type Key = keyof typeof en;

const messages: Record<Locale, Record<string, string>> = { en, ar };

/** The first supported language among the user's preferences (BCP 47 tags); English otherwise. */
export function pickLocale(preferred: readonly string[]): Locale {
  for (const tag of preferred) {
    const language = tag.split('-')[0].toLowerCase();
    if (language === 'en' || language === 'ar') {
      return language;
    }
  }
  return 'en';
}

export function direction(locale: Locale): Direction {
  return locale === 'ar' ? 'rtl' : 'ltr';
}

/** The text for `key`, with `{name}` placeholders filled from `params`. */
export function translate(locale: Locale, key: Key, params: Record<string, string | number> = {}): string {
  const text = messages[locale][key] ?? messages.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** Whether a string is a known key (for message keys chosen at run time). */
export function isKey(key: string): key is Key {
  return key in en;
}
