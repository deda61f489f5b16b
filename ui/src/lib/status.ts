// How statuses look: one tone per public status, and the request progress line.

import type { PublicStatus, RequestView } from './types';

export type Tone = 'neutral' | 'active' | 'good' | 'attention' | 'ended';

const TONES: Record<PublicStatus, Tone> = {
  submitted: 'neutral',
  in_review: 'active',
  accepted: 'active',
  open: 'active',
  planned: 'good',
  in_progress: 'active',
  completed: 'good',
  follow_up_required: 'attention',
  rejected: 'ended',
  cancelled: 'ended',
};

export function tone(status: PublicStatus): Tone {
  return TONES[status] ?? 'neutral';
}

/** The steps to draw for a request: the usual path, or the path to where it ended. */
export function progressLine(request: RequestView): { status: string; state: 'done' | 'current' | 'upcoming' }[] {
  if (request.progress.length > 0) return request.progress;
  return [{ status: request.status, state: 'current' }];
}

/** Whether the request is still moving (not planned, rejected or cancelled). */
export function inProgress(request: RequestView): boolean {
  return ['submitted', 'in_review', 'accepted'].includes(request.status);
}
