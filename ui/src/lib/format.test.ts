import { describe, expect, it } from 'vitest';
import { dateTime, dayKey, fileSize, percent, siteTimeToInstant, timeRange } from './format';

describe('times on site', () => {
  const nine = '2026-11-28T05:00:00Z'; // 09:00 in Dubai, 06:00 in Berlin

  it('shows the location time and names the zone only when it is not the computer zone', () => {
    expect(dateTime(nine, 'Asia/Dubai', 'en', 'Asia/Dubai')).toContain('09:00');
    expect(dateTime(nine, 'Asia/Dubai', 'en', 'Asia/Dubai')).not.toContain('(');
    const abroad = dateTime(nine, 'Asia/Dubai', 'en', 'Europe/Berlin');
    expect(abroad).toContain('09:00');
    expect(abroad).toMatch(/\((GST|GMT\+4)\)$/);
    expect(dateTime(nine, 'Europe/Berlin', 'en', 'Europe/Berlin')).toContain('06:00');
  });

  it('uses Arabic wording in Arabic', () => {
    expect(dateTime(nine, 'Asia/Dubai', 'ar', 'Asia/Dubai')).toMatch(/[\u0600-\u06FF]/);
  });

  it('groups by the day on site', () => {
    expect(dayKey('2026-11-27T22:30:00Z', 'Asia/Dubai')).toBe('2026-11-28');
    expect(dayKey('2026-11-27T22:30:00Z', 'Europe/Berlin')).toBe('2026-11-27');
    expect(timeRange(nine, '2026-11-28T07:00:00Z', 'Asia/Dubai', 'en')).toBe('09:00–11:00');
  });

  it('reads a time entered on site, across daylight saving changes', () => {
    expect(siteTimeToInstant('2026-11-28T09:00', 'Asia/Dubai')).toBe('2026-11-28T05:00:00Z');
    expect(siteTimeToInstant('2026-07-01T09:00', 'Europe/Berlin')).toBe('2026-07-01T07:00:00Z');
    expect(siteTimeToInstant('2026-12-01T09:00', 'Europe/Berlin')).toBe('2026-12-01T08:00:00Z');
    expect(siteTimeToInstant('', 'Europe/Berlin')).toBeNull();
    expect(siteTimeToInstant('tomorrow', 'Europe/Berlin')).toBeNull();
  });
});

describe('numbers', () => {
  it('formats sizes and progress per locale', () => {
    expect(fileSize(812, 'en')).toBe('812 B');
    expect(fileSize(14_540, 'en')).toBe('14.2 KB');
    expect(fileSize(3_250_000, 'en')).toBe('3.1 MB');
    expect(fileSize(3_250_000, 'ar')).toMatch(/MB$/);
    expect(percent(50, 200, 'en')).toBe('25%');
    expect(percent(0, 0, 'en')).toBe('0%');
  });
});
