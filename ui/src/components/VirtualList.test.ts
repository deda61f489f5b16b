// @vitest-environment jsdom
import { createRawSnippet, flushSync, mount, unmount } from 'svelte';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import VirtualList from './VirtualList.svelte';

const VIEWPORT = 600;
const ROW = 50;

let component: Record<string, unknown> | null = null;

beforeEach(() => {
  // jsdom lays nothing out: give scroll areas the height a window would.
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => VIEWPORT });
});

afterEach(() => {
  if (component) unmount(component);
  component = null;
  document.body.innerHTML = '';
});

function list(count: number, more?: () => void) {
  const items = Array.from({ length: count }, (_, i) => i);
  const target = document.createElement('div');
  document.body.appendChild(target);
  component = mount(VirtualList<number>, {
    target,
    props: {
      items,
      key: (item: number) => String(item),
      heightOf: () => ROW,
      row: createRawSnippet((item: () => number) => ({ render: () => `<span class="cell">Item ${item()}</span>` })),
      label: 'Items',
      more,
      done: more === undefined,
    },
  });
  flushSync();
  return target;
}

function rendered(target: HTMLElement): string[] {
  return [...target.querySelectorAll('.cell')].map((cell) => cell.textContent ?? '');
}

describe('virtual list', () => {
  it('renders only the rows on screen of 10,000', () => {
    const target = list(10_000);
    const rows = rendered(target);
    expect(rows[0]).toBe('Item 0');
    // A screenful (600 / 50 = 12 rows) plus a few beyond the edge, never thousands.
    expect(rows.length).toBeGreaterThanOrEqual(VIEWPORT / ROW);
    expect(rows.length).toBeLessThan(30);
    const spacer = target.querySelector('ul') as HTMLElement;
    expect(spacer.style.paddingBlockEnd).toBe(`${(10_000 - rows.length) * ROW}px`);
  });

  it('shows the rows at the scroll position, still only a screenful', () => {
    const target = list(10_000);
    const scroller = target.querySelector('.virtual') as HTMLElement;
    Object.defineProperty(scroller, 'scrollTop', { configurable: true, value: 5_000 * ROW });
    scroller.dispatchEvent(new Event('scroll'));
    flushSync();
    const rows = rendered(target);
    expect(rows).toContain('Item 5000');
    expect(rows).toContain('Item 5011');
    expect(rows).not.toContain('Item 0');
    expect(rows.length).toBeLessThan(30);
  });

  it('asks for more as the end of what is loaded comes into view', () => {
    let asked = 0;
    list(10, () => (asked += 1));
    expect(asked).toBeGreaterThan(0);
    asked = 0;
    list(1_000, () => (asked += 1));
    expect(asked).toBe(0);
  });
});
