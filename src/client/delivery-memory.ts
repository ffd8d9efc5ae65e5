import type { ClientStore } from './persistence.js';

/** How many of your latest private messages keep what they reached across a reload. */
export const REMEMBERED_RECEIPTS = 500;

/**
 * What your latest private messages reached, delivered or read, by offset.
 * The relay logs no receipts (PROTOCOL.md section 24), so history brings
 * your messages back only sent; this is kept in the client's store beside
 * the resume state (same scope, same lifetime) and given to what history
 * brings back. Offsets mean something within one epoch only: a new epoch
 * forgets them.
 */
export class DeliveryMemory {
  readonly #store: ClientStore;
  #reached = new Map<number, 'delivered' | 'read'>();
  #epoch: string | undefined;

  constructor(store: ClientStore) {
    this.#store = store;
  }

  /**
   * The welcome's epoch: what the store kept counts if it is of the same one.
   * (The store always has what this has, so a later welcome reads it again.)
   */
  epoch(epoch: string): void {
    this.#epoch = epoch;
    this.#reached = new Map();
    const kept = this.#store.loadReceipts?.();
    if (kept?.epoch !== epoch) return this.#save();
    for (const state of ['delivered', 'read'] as const) for (const offset of kept[state]) this.#reached.set(offset, state);
  }

  get(offset: number): 'delivered' | 'read' | undefined {
    return this.#reached.get(offset);
  }

  /** Never back from read; beyond the bound the oldest offset goes. */
  set(offset: number, state: 'delivered' | 'read'): void {
    if (this.#reached.get(offset) === 'read') return;
    this.#reached.set(offset, state);
    if (this.#reached.size > REMEMBERED_RECEIPTS) this.#reached.delete(Math.min(...this.#reached.keys()));
    this.#save();
  }

  #save(): void {
    const kept = { epoch: this.#epoch!, delivered: [] as number[], read: [] as number[] };
    for (const [offset, state] of this.#reached) kept[state].push(offset);
    this.#store.saveReceipts?.(this.#reached.size ? kept : undefined);
  }
}
