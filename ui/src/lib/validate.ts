// Checks the app makes before sending, with the server's rules, so people see
// what to fix next to the field. The server checks again; its answer wins.

import { siteTimeToInstant } from './format';
import type { NewRequestInput, RequestKind, TimeWindow } from './types';

export const MAX_WINDOWS = 5;
export const MIN_PASSWORD = 12;
export const MAX_PASSWORD = 128;
export const MAX_TITLE = 200;

/** Message keys (see the translation files) by field name. */
export type FieldErrors = Record<string, string>;

export interface WindowDraft {
  start: string;
  end: string;
}

export interface RequestDraft {
  location_id: string;
  kind: RequestKind | '';
  title: string;
  description: string;
  windows: WindowDraft[];
}

/** The request to send, or the problems to show. Windows are read in the location's zone. */
export function checkRequest(
  draft: RequestDraft,
  zoneOf: (locationId: string) => string | undefined,
  now = new Date(),
): { input: NewRequestInput | null; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const zone = zoneOf(draft.location_id);
  if (!zone) errors.location_id = 'errors.pickLocation';
  if (!draft.kind) errors.kind = 'errors.pickKind';
  if (!draft.title.trim()) errors.title = 'errors.required';
  else if (draft.title.trim().length > MAX_TITLE) errors.title = 'errors.tooLong';
  if (!draft.description.trim()) errors.description = 'errors.required';
  if (draft.windows.length > MAX_WINDOWS) errors.windows = 'errors.tooManyWindows';
  const windows: TimeWindow[] = [];
  draft.windows.forEach((window, i) => {
    if (!window.start && !window.end) return;
    const start = zone ? siteTimeToInstant(window.start, zone) : null;
    const end = zone ? siteTimeToInstant(window.end, zone) : null;
    if (!start || !end) errors[`window${i}`] = 'errors.windowIncomplete';
    else if (end <= start) errors[`window${i}`] = 'errors.windowOrder';
    else if (new Date(end) <= now) errors[`window${i}`] = 'errors.windowPast';
    else windows.push({ starts_at: start, ends_at: end });
  });
  if (Object.keys(errors).length > 0 || !draft.kind) return { input: null, errors };
  return {
    input: {
      location_id: draft.location_id,
      kind: draft.kind,
      title: draft.title.trim(),
      description: draft.description.trim(),
      preferred_windows: windows,
    },
    errors,
  };
}

/**
 * The password rules the server applies that can be checked while typing, each met
 * or not. The server also refuses common passwords and ones containing the name or
 * e-mail; its message is shown when it does.
 */
export function passwordRules(password: string, repeat: string, personal: string[]): { key: string; met: boolean }[] {
  const length = [...password].length;
  const lower = password.toLowerCase();
  return [
    { key: 'password.ruleLength', met: length >= MIN_PASSWORD && length <= MAX_PASSWORD },
    {
      key: 'password.rulePersonal',
      met: length > 0 && !personal.some((p) => p.trim().length >= 4 && lower.includes(p.trim().toLowerCase())),
    },
    { key: 'password.ruleRepeat', met: length > 0 && password === repeat },
  ];
}

/**
 * Whether an address may be used: https, or http only for this computer. The app
 * checks again before connecting.
 */
export function addressProblem(address: string): string | null {
  let url: URL;
  try {
    url = new URL(address.trim());
  } catch {
    return 'errors.addressInvalid';
  }
  const local = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol === 'https:' || (url.protocol === 'http:' && local)) return null;
  return url.protocol === 'http:' ? 'errors.addressHttps' : 'errors.addressInvalid';
}
