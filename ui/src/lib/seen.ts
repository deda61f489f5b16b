// Which screen shows which counted group of the attention count: being on it, with
// the window in view, marks the group seen, and the tray, the window title and the
// navigation's counts follow.

import type { Screen } from './app.svelte';
import type { Attention, AttentionGroup } from './types';

const GROUPS: Partial<Record<Screen, AttentionGroup>> = {
  follow_ups: 'follow_ups',
  reports: 'reports',
  requests: 'request_changes',
};

export function groupOf(screen: Screen): AttentionGroup | null {
  return GROUPS[screen] ?? null;
}

/** The count beside a screen's name in the navigation; 0 shows none. */
export function waiting(attention: Attention, screen: Screen): number {
  const group = groupOf(screen);
  return group ? attention[group] : 0;
}

/** The group to mark seen now: the screen's own, while something in it counts and the window is in view. */
export function toMark(screen: Screen, attention: Attention, inView: boolean): AttentionGroup | null {
  const group = groupOf(screen);
  return group && inView && attention[group] > 0 ? group : null;
}
