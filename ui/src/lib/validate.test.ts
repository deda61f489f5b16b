import { describe, expect, it } from 'vitest';
import { addressProblem, checkRequest, passwordRules, type RequestDraft } from './validate';

const zones: Record<string, string> = { marina: 'Asia/Dubai' };
const zoneOf = (id: string) => zones[id];
const now = new Date('2026-11-27T12:00:00Z');

function draft(overrides: Partial<RequestDraft> = {}): RequestDraft {
  return { location_id: 'marina', kind: 'maintenance', title: 'Leak', description: 'Water in B2', windows: [], ...overrides };
}

describe('new request form', () => {
  it('accepts a complete request and reads windows in the location zone', () => {
    const { input, errors } = checkRequest(
      draft({ windows: [{ start: '2026-12-01T09:00', end: '2026-12-01T12:00' }, { start: '', end: '' }] }),
      zoneOf,
      now,
    );
    expect(errors).toEqual({});
    expect(input?.preferred_windows).toEqual([{ starts_at: '2026-12-01T05:00:00Z', ends_at: '2026-12-01T08:00:00Z' }]);
  });

  it('names every wrong field', () => {
    const { input, errors } = checkRequest(
      draft({
        location_id: 'elsewhere',
        kind: '',
        title: ' ',
        description: '',
        windows: [{ start: '2026-12-01T12:00', end: '2026-12-01T09:00' }],
      }),
      zoneOf,
      now,
    );
    expect(input).toBeNull();
    expect(errors).toMatchObject({
      location_id: 'errors.pickLocation',
      kind: 'errors.pickKind',
      title: 'errors.required',
      description: 'errors.required',
    });
  });

  it('refuses windows that are reversed, half filled, past or too many', () => {
    const windows = [
      { start: '2026-12-01T12:00', end: '2026-12-01T09:00' },
      { start: '2026-12-01T12:00', end: '' },
      { start: '2026-11-01T09:00', end: '2026-11-01T10:00' },
    ];
    const { errors } = checkRequest(draft({ windows }), zoneOf, now);
    expect(errors).toMatchObject({ window0: 'errors.windowOrder', window1: 'errors.windowIncomplete', window2: 'errors.windowPast' });
    const six = Array.from({ length: 6 }, () => ({ start: '', end: '' }));
    expect(checkRequest(draft({ windows: six }), zoneOf, now).errors.windows).toBe('errors.tooManyWindows');
  });
});

describe('password rules', () => {
  it('shows each rule as met or not while typing', () => {
    expect(passwordRules('short', 'short', []).map((r) => r.met)).toEqual([false, true, true]);
    expect(passwordRules('a long enough phrase', 'a long enough phrase', ['Omar']).every((r) => r.met)).toBe(true);
    expect(passwordRules('a long enough phrase', 'different', []).map((r) => r.met)).toEqual([true, true, false]);
    expect(passwordRules('omar-is-my-password', 'omar-is-my-password', ['Omar'])[1].met).toBe(false);
    expect(passwordRules('x'.repeat(129), 'x'.repeat(129), [])[0].met).toBe(false);
  });
});

describe('server address', () => {
  it('needs https except on this computer', () => {
    expect(addressProblem('https://portal.example.com')).toBeNull();
    expect(addressProblem('http://127.0.0.1:8080')).toBeNull();
    expect(addressProblem('http://localhost:8080')).toBeNull();
    expect(addressProblem('http://portal.example.com')).toBe('errors.addressHttps');
    expect(addressProblem('portal.example.com')).toBe('errors.addressInvalid');
    expect(addressProblem('ftp://x')).toBe('errors.addressInvalid');
  });
});
