import type { PresenceBatchFrame, RoomState } from '../protocol/frames.js';
import type { Peer } from './types.js';

export type { RoomState };

/**
 * The most recently active members a partial room's roster keeps: the relay
 * sends at most this many joined (or left) per batch.
 */
const PARTIAL_ROSTER = 100;

const without = (roster: readonly Peer[], ids: ReadonlySet<string>): Peer[] => roster.filter((peer) => !ids.has(peer.id));

/**
 * The rooms a v1 client is in, in order, as the relay has described them:
 * each room's count and roster (the whole roster of a small room; for a
 * partial one, the most recently active part), kept current from welcomes,
 * `joined` and `left`, join and leave notices and presence batches. Each
 * RoomState is replaced, never changed, so a reader can tell a room that
 * changed by identity. `roster` is everyone seen in any of the rooms, once.
 */
export class Rooms {
  #rooms = new Map<string, RoomState>();
  #everyone: Map<string, Peer> | undefined;

  get states(): ReadonlyMap<string, RoomState> {
    return this.#rooms;
  }

  /** The room a notice without `room` is about (a relay before rooms has one). */
  get first(): RoomState | undefined {
    return this.#rooms.values().next().value;
  }

  /** Everyone seen in any of the rooms, once, in the rooms' order. */
  get roster(): readonly Peer[] {
    return [...this.#union().values()];
  }

  /** Whether `id` is in a roster of any of the rooms. */
  has(id: string): boolean {
    return this.#union().has(id);
  }

  /** The rooms entered, at a welcome. */
  reset(states: readonly RoomState[]): void {
    this.#rooms = new Map(states.map((state) => [state.room, state]));
    this.#everyone = undefined;
  }

  entered(state: RoomState): void {
    this.#set(state);
  }

  left(room: string): void {
    this.#rooms.delete(room);
    this.#everyone = undefined;
  }

  /** A join or leave notice. A room counts as partial only while its roster is short of its count. */
  notice(kind: 'join' | 'leave', peer: Peer, count: number, room: string | undefined): void {
    const state = room === undefined ? this.first : this.#rooms.get(room);
    if (!state) return;
    const roster = without(state.roster, new Set([peer.id]));
    if (kind === 'join') roster.push(peer);
    this.#set({ room: state.room, count, roster, ...(state.partial && roster.length < count ? { partial: true } : {}) });
  }

  /** A partial room's batch: the newest joined first in its roster, those who left out of it. */
  batch({ room, count, joined, left }: PresenceBatchFrame): void {
    const state = this.#rooms.get(room);
    if (!state) return;
    const gone = new Set(left.map((peer) => peer.id));
    const fresh = without(joined, gone).reverse();
    const roster = [...fresh, ...without(state.roster, new Set([...gone, ...fresh.map((peer) => peer.id)]))].slice(0, PARTIAL_ROSTER);
    this.#set({ room, count, roster, partial: true });
  }

  #set(state: RoomState): void {
    this.#rooms.set(state.room, state);
    this.#everyone = undefined;
  }

  #union(): Map<string, Peer> {
    if (!this.#everyone) {
      this.#everyone = new Map();
      for (const state of this.#rooms.values()) for (const peer of state.roster) if (!this.#everyone.has(peer.id)) this.#everyone.set(peer.id, peer);
    }
    return this.#everyone;
  }
}
