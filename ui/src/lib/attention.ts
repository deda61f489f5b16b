// What the home screen puts first, per the locations the user picked.

import { dayKey } from './format';
import { inProgress } from './status';
import type { AppointmentView, FollowUpView, ReportView, RequestView } from './types';

export const UPCOMING_DAYS = 14;
export const NEW_REPORT_DAYS = 14;

export interface Attention {
  followUps: FollowUpView[];
  appointments: AppointmentView[];
  requests: RequestView[];
  reports: ReportView[];
}

export interface Data {
  followUps: FollowUpView[];
  appointments: AppointmentView[];
  requests: RequestView[];
  reports: ReportView[];
}

const DAY = 24 * 3600 * 1000;

/** `location` narrows to one location; null means every location in scope. */
export function attention(data: Data, location: string | null, now = new Date()): Attention {
  const here = <T extends { location_id: string }>(item: T) => location === null || item.location_id === location;
  const until = now.getTime() + UPCOMING_DAYS * DAY;
  const since = now.getTime() - NEW_REPORT_DAYS * DAY;
  return {
    followUps: data.followUps.filter(
      (f) => here(f) && (f.public_status === 'follow_up_required' || f.public_status === 'planned'),
    ),
    appointments: upcoming(data.appointments.filter(here), now).filter((a) => Date.parse(a.starts_at) <= until),
    requests: data.requests.filter((r) => here(r) && inProgress(r)),
    reports: data.reports
      .filter((r) => here(r) && Date.parse(r.published_at) >= since)
      .sort((a, b) => b.published_at.localeCompare(a.published_at)),
  };
}

/** Appointments not yet over and not cancelled, soonest first. */
export function upcoming(appointments: AppointmentView[], now = new Date()): AppointmentView[] {
  return appointments
    .filter((a) => Date.parse(a.ends_at) >= now.getTime() && a.public_status !== 'cancelled')
    .sort((a, b) => a.starts_at.localeCompare(b.starts_at));
}

/** Appointments that are over or cancelled, latest first. */
export function past(appointments: AppointmentView[], now = new Date()): AppointmentView[] {
  const later = new Set(upcoming(appointments, now).map((a) => a.id));
  return appointments.filter((a) => !later.has(a.id)).sort((a, b) => b.starts_at.localeCompare(a.starts_at));
}

/** Consecutive appointments grouped by their day on site. */
export function byDay(appointments: AppointmentView[]): { day: string; items: AppointmentView[] }[] {
  const groups: { day: string; items: AppointmentView[] }[] = [];
  for (const appointment of appointments) {
    const day = dayKey(appointment.starts_at, appointment.time_zone);
    const last = groups[groups.length - 1];
    if (last && last.day === day) last.items.push(appointment);
    else groups.push({ day, items: [appointment] });
  }
  return groups;
}
