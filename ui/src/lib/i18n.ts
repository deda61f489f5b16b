import ar from './i18n/ar.json';
import en from './i18n/en.json';

export type Locale = 'en' | 'ar';
export type Direction = 'ltr' | 'rtl';
export type Messages = typeof en;

export const messages: Record<Locale, Messages> = { en, ar };

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
