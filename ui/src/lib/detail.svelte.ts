// One record for a detail screen, read by id from the cache and re-read whenever
// the cache may have changed; a late answer for an item no longer open is dropped.

import type { Backend } from './backend';
import type { SyncKind } from './types';

export class Detail<T> {
  item: T | null = $state(null);
  private asked = 0;

  constructor(
    private readonly backend: () => Backend,
    private readonly kind: SyncKind,
  ) {}

  async show(id: string | undefined) {
    const asked = ++this.asked;
    const item = id ? await this.backend().record<T>(this.kind, id) : null;
    if (asked === this.asked) this.item = item;
  }
}
