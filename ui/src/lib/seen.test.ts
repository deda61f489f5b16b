import { describe, expect, it } from 'vitest';
import { groupOf, toMark, waiting } from './seen';

const attention = { follow_ups: 2, reports: 1, request_changes: 0 };

describe('attention count', () => {
  it('belongs to the screens that show each group', () => {
    expect(groupOf('follow_ups')).toBe('follow_ups');
    expect(groupOf('reports')).toBe('reports');
    expect(groupOf('requests')).toBe('request_changes');
    expect(groupOf('home')).toBeNull();
    expect(groupOf('settings')).toBeNull();
  });

  it('shows beside those screens in the navigation', () => {
    expect(waiting(attention, 'follow_ups')).toBe(2);
    expect(waiting(attention, 'reports')).toBe(1);
    expect(waiting(attention, 'requests')).toBe(0);
    expect(waiting(attention, 'timeline')).toBe(0);
  });

  it('is marked seen on its screen only while something counts and the window is in view', () => {
    expect(toMark('follow_ups', attention, true)).toBe('follow_ups');
    expect(toMark('follow_ups', attention, false)).toBeNull();
    expect(toMark('requests', attention, true)).toBeNull();
    expect(toMark('home', attention, true)).toBeNull();
  });
});
