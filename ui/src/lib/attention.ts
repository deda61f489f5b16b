// What the home screen puts first, per the location the user picked, as windows of
// the cache; and appointments grouped by their day on site for the list screen.

import { dayKey } from './format';
import type { AppointmentView, WindowQuery } from './types';

export const UPCOMING_DAYS = 14;
export const NEW_REPORT_DAYS = 14;
/** Items per home card. */
const CARD = 20;

const DAY = 24 * 3600 * 1000;

/** Instants as the cache compares them: whole seconds, UTC. */
function instant(time: number): string {
  return new Date(Math.floor(time / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** The home cards' windows; `location` null means every location in scope. */
export function homeWindows(location: string | null, now = new Date()) {
  const base = { location, limit: CARD };
  return {
    followUps: { ...base, kind: 'follow_up', statuses: ['follow_up_required', 'planned'] },
    appointments: { ...base, kind: 'appointment', when: 'upcoming', until: instant(now.getTime() + UPCOMING_DAYS * DAY) },
    requests: { ...base, kind: 'request', statuses: ['submitted', 'in_review', 'accepted'] },
    reports: { ...base, kind: 'report', from: instant(now.getTime() - NEW_REPORT_DAYS * DAY) },
  } satisfies Record<string, WindowQuery>;
}

/** A row of the appointments list: a day's heading or one appointment. */
export type DayRow = { key: string; day: string; appointment: AppointmentView | null };

/** Appointments in list order with a heading row before each new day on site. */
export function dayRows(appointments: AppointmentView[]): DayRow[] {
  const rows: DayRow[] = [];
  let current = '';
  for (const appointment of appointments) {
    const day = dayKey(appointment.starts_at, appointment.time_zone);
    if (day !== current) {
      rows.push({ key: `day-${day}-${appointment.id}`, day, appointment: null });
      current = day;
    }
    rows.push({ key: appointment.id, day, appointment });
  }
  return rows;
}
