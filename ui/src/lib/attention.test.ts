import { describe, expect, it } from 'vitest';
import { attention, byDay, past, upcoming } from './attention';
import { tone } from './status';
import type { AppointmentView, FollowUpView, ReportView, RequestView } from './types';

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

function request(id: string, status: RequestView['status'], location_id = 'marina'): RequestView {
  return {
    id,
    location_id,
    kind: 'service',
    title: id,
    description: '',
    status,
    public_status: status,
    decision_reason: null,
    preferred_windows: [],
    can_cancel: false,
    created_at: '2026-11-20T08:00:00Z',
    updated_at: '2026-11-20T08:00:00Z',
    progress: [],
  };
}

describe('home', () => {
  const data = {
    appointments: [
      appointment('soon', '2026-11-28T05:00:00Z'),
      appointment('later', '2026-12-20T05:00:00Z'),
      appointment('gone', '2026-11-20T05:00:00Z'),
      appointment('cancelled', '2026-11-29T05:00:00Z', 'marina', 'cancelled'),
      appointment('berlin', '2026-11-28T09:00:00Z', 'berlin'),
    ],
    requests: [request('new', 'submitted'), request('done', 'planned'), request('no', 'rejected')],
    followUps: [
      { id: 'f1', location_id: 'marina', description: '', public_status: 'follow_up_required', report_id: null, planned_appointment: null, updated_at: '' },
      { id: 'f2', location_id: 'marina', description: '', public_status: 'completed', report_id: null, planned_appointment: null, updated_at: '' },
    ] as FollowUpView[],
    reports: [
      { id: 'r-new', location_id: 'marina', published_at: '2026-11-26T08:00:00Z' },
      { id: 'r-old', location_id: 'marina', published_at: '2026-09-01T08:00:00Z' },
    ] as ReportView[],
  };

  it('puts what needs attention first, for the next 14 days', () => {
    const home = attention(data, null, now);
    expect(home.appointments.map((a) => a.id)).toEqual(['soon', 'berlin']);
    expect(home.requests.map((r) => r.id)).toEqual(['new']);
    expect(home.followUps.map((f) => f.id)).toEqual(['f1']);
    expect(home.reports.map((r) => r.id)).toEqual(['r-new']);
  });

  it('narrows to one location', () => {
    expect(attention(data, 'berlin', now).appointments.map((a) => a.id)).toEqual(['berlin']);
  });

  it('splits upcoming and past and groups by day on site', () => {
    expect(upcoming(data.appointments, now).map((a) => a.id)).toEqual(['soon', 'berlin', 'later']);
    expect(past(data.appointments, now).map((a) => a.id)).toEqual(['cancelled', 'gone']);
    const days = byDay(upcoming(data.appointments, now));
    expect(days.map((d) => d.day)).toEqual(['2026-11-28', '2026-12-20']);
    expect(days[0].items).toHaveLength(2);
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
