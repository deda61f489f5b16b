import { describe, expect, it } from 'vitest';
import { dayRows, homeWindows } from './attention';
import { tone } from './status';
import type { AppointmentView } from './types';

const now = new Date('2026-11-27T12:00:00Z');

function appointment(id: string, starts_at: string, location_id = 'marina', status = 'planned'): AppointmentView {
  const ends = new Date(Date.parse(starts_at) + 2 * 3600 * 1000).toISOString();
  return {
    id,
    location_id,
    starts_at,
    ends_at: ends,
    arrival_window_start: null,
    arrival_window_end: null,
    time_zone: 'Asia/Dubai',
    public_status: status as AppointmentView['public_status'],
    request_id: null,
    updated_at: starts_at,
  };
}

describe('home', () => {
  it('reads what needs attention as windows: open follow-ups, the next 14 days, requests in progress, new reports', () => {
    const home = homeWindows(null, now);
    expect(home.followUps.statuses).toEqual(['follow_up_required', 'planned']);
    expect(home.appointments).toMatchObject({ when: 'upcoming', until: '2026-12-11T12:00:00Z' });
    expect(home.requests.statuses).toEqual(['submitted', 'in_review', 'accepted']);
    expect(home.reports.from).toBe('2026-11-13T12:00:00Z');
  });

  it('narrows every card to one location', () => {
    const home = homeWindows('berlin', now);
    expect(Object.values(home).map((w) => w.location)).toEqual(['berlin', 'berlin', 'berlin', 'berlin']);
  });
});

describe('appointments by day', () => {
  it('puts a heading before each new day on site', () => {
    const rows = dayRows([
      appointment('a', '2026-11-28T05:00:00Z'),
      appointment('b', '2026-11-28T09:00:00Z'),
      appointment('c', '2026-11-28T21:00:00Z'),
    ]);
    // 21:00 UTC is already the next day in Dubai.
    expect(rows.map((r) => r.appointment?.id ?? r.day)).toEqual(['2026-11-28', 'a', 'b', '2026-11-29', 'c']);
  });
});

describe('status badges', () => {
  it('give each public status a tone', () => {
    expect(tone('follow_up_required')).toBe('attention');
    expect(tone('planned')).toBe('good');
    expect(tone('rejected')).toBe('ended');
    expect(tone('submitted')).toBe('neutral');
  });
});
