// Where a milestone or a clicked notification leads in the app.

import type { Route, Screen } from './app.svelte';
import type { TimelineKind } from './types';

const SCREENS: Record<TimelineKind, Screen> = {
  request_submitted: 'requests',
  request_accepted: 'requests',
  request_rejected: 'requests',
  request_replied: 'requests',
  appointment_scheduled: 'appointments',
  appointment_rescheduled: 'appointments',
  appointment_cancelled: 'appointments',
  visit_completed: 'appointments',
  report_shared: 'reports',
  follow_up_required: 'follow_ups',
  follow_up_planned: 'follow_ups',
};

export function routeFor(kind: TimelineKind, subjectId: string): Route {
  return { screen: SCREENS[kind] ?? 'home', id: subjectId };
}
