// The typists model against a plain reference (fast-check): after any run
// of typing, stop, message, leave and clock steps, who is shown typing in
// each conversation, and in what order, is what a naive list of "last heard"
// times says, the events told every change, and there is never more than
// one timer.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Typing } from '../../src/protocol/constants.js';
import { conversationKey, Typists, type TypistClock, type TypingDetail } from '../../src/client/typists.js';
import type { Peer } from '../../src/protocol/frames.js';

const PEERS: Peer[] = ['ada', 'bob', 'cy'].map((name) => ({ id: `id-${name}`, name, addr: '' }));
const ROOMS = ['red', 'blue'];

type Where = { room: string } | { private: true };
type Step =
  | { op: 'typing' | 'stop' | 'message'; who: number; where: Where }
  | { op: 'leave'; who: number; room: string }
  | { op: 'gone'; who: number }
  | { op: 'advance'; ms: number };

const where: fc.Arbitrary<Where> = fc.oneof(fc.constantFrom(...ROOMS).map((room) => ({ room })), fc.constant({ private: true as const }));
const who = fc.nat({ max: PEERS.length - 1 });
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('typing' as const), who, where }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constantFrom('stop' as const, 'message' as const), who, where }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('leave' as const), who, room: fc.constantFrom(...ROOMS) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('gone' as const), who }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('advance' as const), ms: fc.oneof(fc.integer({ min: 0, max: 8000 }), fc.constant(Typing.expireMs)) }) },
);

/** A clock advanced by hand: timers fire in order, each at its own time. */
class ManualClock implements TypistClock {
  time = 0;
  readonly timers = new Map<number, { at: number; run: () => void }>();
  #next = 0;
  now = () => this.time;
  setTimeout = (run: () => void, ms: number) => {
    const id = ++this.#next;
    this.timers.set(id, { at: this.time + ms, run });
    return id;
  };
  clearTimeout = (id: unknown) => void this.timers.delete(id as number);
  advance(ms: number): void {
    const target = this.time + ms;
    for (;;) {
      const due = [...this.timers].filter(([, t]) => t.at <= target).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.time = due[1].at;
      due[1].run();
    }
    this.time = target;
  }
}

describe('typists: the model against a reference (fast-check)', () => {
  it('shows exactly who was heard typing within expireMs and has not stopped, sent or left, in the order they started', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        const clock = new ManualClock();
        const told = new Map<string, readonly string[]>();
        const typists = new Typists((detail: TypingDetail) => told.set(conversationKey(detail.conversation), detail.peers.map((p) => p.name)), clock);
        // The reference: per conversation key, typist id -> when last heard, in the order they started.
        const reference = new Map<string, Map<string, number>>();
        const conv = (w: Where, peer: Peer) => ('room' in w ? w.room : `@${peer.id}`);
        const drop = (key: string, id: string) => reference.get(key)?.delete(id);
        const expire = () => {
          for (const typists of reference.values()) for (const [id, heard] of [...typists]) if (clock.time - heard >= Typing.expireMs) typists.delete(id);
        };
        for (const s of steps) {
          if (s.op === 'advance') {
            clock.advance(s.ms);
            expire();
          } else if (s.op === 'leave') {
            typists.left(PEERS[s.who]!.id, s.room);
            drop(s.room, PEERS[s.who]!.id);
          } else if (s.op === 'gone') {
            const id = PEERS[s.who]!.id;
            typists.left(id);
            for (const key of reference.keys()) drop(key, id);
          } else {
            const peer = PEERS[s.who]!;
            const key = conv(s.where, peer);
            const room = 'room' in s.where ? s.where.room : undefined;
            if (s.op === 'typing') {
              typists.heard(peer, room, false);
              let entry = reference.get(key);
              if (!entry) reference.set(key, (entry = new Map()));
              entry.set(peer.id, clock.time);
            } else {
              if (s.op === 'stop') typists.heard(peer, room, true);
              else typists.forget(peer.id, room !== undefined ? { room } : { peer });
              drop(key, peer.id);
            }
          }
          const expected = new Map<string, string[]>();
          for (const [key, entry] of reference) {
            if (entry.size) expected.set(key, [...entry.keys()].map((id) => PEERS.find((p) => p.id === id)!.name));
          }
          const shown = new Map([...typists.all].map(([key, peers]) => [key, peers.map((p) => p.name)]));
          assert.deepEqual(shown, expected);
          // The events told each change: the latest detail per conversation is what is shown.
          for (const [key, names] of told) assert.deepEqual(names, expected.get(key) ?? [], `the last event for ${key}`);
          assert.ok(clock.timers.size <= 1, `one timer at most, not ${clock.timers.size}`);
          assert.equal(clock.timers.size, expected.size > 0 ? 1 : clock.timers.size, 'a timer while anyone is shown typing');
        }
      }),
      { numRuns: 500 },
    );
  });

  it('clear() forgets everyone, tells it, and stops the timer', () => {
    const clock = new ManualClock();
    const details: TypingDetail[] = [];
    const typists = new Typists((detail) => details.push(detail), clock);
    typists.heard(PEERS[0]!, 'red', false);
    typists.heard(PEERS[1]!, undefined, false);
    typists.clear();
    assert.deepEqual(typists.all, new Map());
    assert.deepEqual(details.slice(-2).map((d) => [d.conversation.room ?? d.conversation.peer?.name, d.peers.length]), [['red', 0], ['bob', 0]]);
    assert.equal(clock.timers.size, 0);
  });
});
