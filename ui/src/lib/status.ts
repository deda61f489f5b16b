// How statuses look: one tone per public status, and the request progress line.

import type { PublicStatus, RequestView, TimelineKind } from './types';

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

/** The status a timeline milestone puts its subject in, shown beside the line in the
 * company's wording. Mirrors `TimelineKind::status` in server/portal-types. */
export function milestoneStatus(kind: TimelineKind): PublicStatus | null {
  const statuses: Partial<Record<TimelineKind, PublicStatus>> = {
    request_submitted: 'submitted',
    request_accepted: 'accepted',
    request_rejected: 'rejected',
    visit_completed: 'completed',
    follow_up_required: 'follow_up_required',
  };
  return statuses[kind] ?? null;
}
