// Dates, times, numbers and sizes for people, with Intl: in the location's time
// zone (a visit at 09:00 in Dubai is 09:00 on site) and the user's language.

import type { Locale } from './i18n';

const intlLocale = (locale: Locale) => (locale === 'ar' ? 'ar-AE' : 'en-GB');

const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * One formatter per locale and options, kept: building an `Intl.DateTimeFormat` costs far
 * more than formatting with it, and a list formats several instants per row.
 */
function dateFormat(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale} ${JSON.stringify(options)}`;
  let format = formatters.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, options);
    formatters.set(key, format);
  }
  return format;
}

let computerZone: string | null = null;

/** The computer's own time zone. */
export function localZone(): string {
  computerZone ??= Intl.DateTimeFormat().resolvedOptions().timeZone;
  return computerZone;
}

/** `Thu 27 Nov, 09:00` in the given zone; with the zone's name when it is not the computer's. */
export function dateTime(instant: string, zone: string, locale: Locale, computerZone = localZone()): string {
  const text = dateFormat(intlLocale(locale), {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    timeZone: zone,
  }).format(new Date(instant));
  return zone === computerZone ? text : `${text} (${zoneName(instant, zone, locale)})`;
}

/** `09:00–11:00` on site. */
export function timeRange(start: string, end: string, zone: string, locale: Locale): string {
  const format = dateFormat(intlLocale(locale), { hour: '2-digit', minute: '2-digit', timeZone: zone });
  return `${format.format(new Date(start))}–${format.format(new Date(end))}`;
}

/** A short name of the zone at that instant, e.g. `GMT+4` or `CET`. */
export function zoneName(instant: string, zone: string, locale: Locale): string {
  const parts = dateFormat(intlLocale(locale), { timeZone: zone, timeZoneName: 'short' }).formatToParts(
    new Date(instant),
  );
  return parts.find((part) => part.type === 'timeZoneName')?.value ?? zone;
}

/** The calendar day of an instant on site, `YYYY-MM-DD`, for grouping. */
export function dayKey(instant: string, zone: string): string {
  const parts = dateFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(
    new Date(instant),
  );
  const get = (type: string) => parts.find((part) => part.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** `Thursday 27 November 2026` for a `YYYY-MM-DD` day. */
export function longDay(day: string, locale: Locale): string {
  return dateFormat(intlLocale(locale), {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(new Date(`${day}T12:00:00Z`));
}

/** `1.2 MB` in the user's digits. */
export function fileSize(bytes: number, locale: Locale): string {
  const units = ['B', 'KB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const number = new Intl.NumberFormat(intlLocale(locale), { maximumFractionDigits: unit === 0 ? 0 : 1 }).format(value);
  return `${number} ${units[unit]}`;
}

/** A percentage of a download, in the user's digits. */
export function percent(received: number, total: number, locale: Locale): string {
  const ratio = total > 0 ? Math.min(received / total, 1) : 0;
  return new Intl.NumberFormat(intlLocale(locale), { style: 'percent', maximumFractionDigits: 0 }).format(ratio);
}

/**
 * Reads a `datetime-local` value as a time on site and returns the UTC instant, or
 * null for an empty or impossible value.
 */
export function siteTimeToInstant(value: string, zone: string): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(value);
  if (!match) return null;
  const [, y, mo, d, h, mi] = match.map(Number);
  const wanted = Date.UTC(y, mo - 1, d, h, mi);
  // Two passes settle the zone's offset, also across a daylight saving change.
  let guess = wanted;
  for (let i = 0; i < 2; i += 1) {
    guess = wanted - offsetMinutes(guess, zone) * 60_000;
  }
  const check = new Date(guess);
  if (dayKey(check.toISOString(), zone) !== `${match[1]}-${match[2]}-${match[3]}`) return null;
  return check.toISOString().replace('.000Z', 'Z');
}

function offsetMinutes(at: number, zone: string): number {
  const parts = dateFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
  }).formatToParts(new Date(at));
  const get = (type: string) => Number(parts.find((part) => part.type === type)?.value);
  const onSite = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'));
  return Math.round((onSite - Math.floor(at / 60_000) * 60_000) / 60_000);
}
