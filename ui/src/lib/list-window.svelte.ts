// A cached list read in windows: the first page, more as the user scrolls, and a
// refresh of what is loaded when a sync brings changes. Only what was scrolled to
// is in memory; never a whole kind.

import type { Backend } from './backend';
import type { Cursor, Slice, WindowQuery } from './types';

/** Records per window read. */
export const PAGE = 100;
/** The most a window returns (the backend's limit too). */
const MAX = 500;

export class ListWindow<T> {
  items: T[] = $state([]);
  /** True once the end of the list is loaded. */
  done = $state(false);
  loaded = $state(false);
  private next: Cursor | null = null;
  private key = '';
  /** How many are loaded, kept apart from `items` so that showing does not depend on it. */
  private count = 0;
  /** Bumped by every `show`, so a late answer to an older read is dropped. */
  private generation = 0;

  constructor(private readonly backend: () => Backend) {}

  /** Shows `query`: from the top when it changed, else refreshed in place. */
  async show(query: Omit<WindowQuery, 'limit' | 'after'>) {
    const key = JSON.stringify(query);
    const wanted = key === this.key ? Math.max(PAGE, this.count) : PAGE;
    this.key = key;
    const generation = ++this.generation;
    const items: T[] = [];
    let after: Cursor | null = null;
    let more = true;
    while (more && items.length < wanted) {
      const slice: Slice<T> = await this.backend().window<T>({ ...query, after, limit: Math.min(MAX, wanted - items.length) });
      if (generation !== this.generation) return;
      items.push(...slice.items);
      after = slice.next;
      more = slice.next !== null;
    }
    this.items = items;
    this.count = items.length;
    this.next = after;
    this.done = !more;
    this.loaded = true;
  }

  /** Appends the next page (for scrolling towards the end). */
  async more() {
    if (this.done || !this.next) return;
    const query = { ...(JSON.parse(this.key) as WindowQuery), after: this.next, limit: PAGE };
    // A newer `show` replaces what this page would extend; this never cancels a `show`.
    const generation = this.generation;
    const slice = await this.backend().window<T>(query);
    if (generation !== this.generation || this.next?.id !== query.after?.id) return;
    this.items = [...this.items, ...slice.items];
    this.count = this.items.length;
    this.next = slice.next;
    this.done = slice.next === null;
  }
}
