// Model-based test (fast-check) of the join/leave notices: random joins,
// leaves, waits and reconnects of one's own, checked against what the reader
// was told. Time is the test's (mocked timers), so the grace period is exact.
import assert from 'node:assert/strict';
import { afterEach, describe, it, mock } from 'node:test';
import fc from 'fast-check';
import { PRESENCE_GRACE_MS, PresenceNotices } from '../../src/client/presence-notices.js';
import type { ChatNotice, Peer } from '../../src/client/types.js';

type Op =
  | { kind: 'join'; name: string }
  | { kind: 'leave'; pick: number }
  | { kind: 'wait'; ms: number }
  /** Our own link drops and comes back: meanwhile the sessions not kept left, and `arrivals` came. */
  | { kind: 'reconnect'; keep: boolean[]; arrivals: string[] };

const NAMES = ['Ann', 'Ben', 'Cat'];
const name = fc.constantFrom(...NAMES);
const op: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('join' as const), name }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('leave' as const), pick: fc.nat() }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 2 * PRESENCE_GRACE_MS }) }), weight: 3 },
  {
    arbitrary: fc.record({
      kind: fc.constant('reconnect' as const),
      keep: fc.array(fc.boolean(), { maxLength: 8 }),
      arrivals: fc.array(name, { maxLength: 3 }),
    }),
    weight: 1,
  },
);

describe('PresenceNotices (model-based)', () => {
  afterEach(() => mock.timers.reset());

  it('announces exactly the real changes of who is online, by name, and none for an absence shorter than the grace period', () => {
    fc.assert(
      fc.property(fc.array(name, { maxLength: 4 }), fc.array(op, { maxLength: 40, size: 'max' }), (initial, ops) => {
        mock.timers.reset();
        mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
        let nextId = 0;
        const session = (peerName: string): Peer => ({ id: `s${++nextId}`, name: peerName, addr: '' });
        let online: Peer[] = initial.map(session);
        const told: Array<ChatNotice & { at: number }> = [];
        const notices = new PresenceNotices((notice) => told.push({ ...notice, at: Date.now() }));

        // What the reader knows, and since when each name has been missing from what the client was told.
        const count = (peerName: string) => online.filter((peer) => peer.name === peerName).length;
        const missingSince = new Map<string, number>();
        const observe = () => {
          for (const peerName of NAMES) {
            if (count(peerName) > 0) missingSince.delete(peerName);
            else if (!missingSince.has(peerName)) missingSince.set(peerName, Date.now());
          }
        };
        const checkNew = (from: number) => {
          for (const notice of told.slice(from)) {
            const peerName = notice.peer!.name;
            if (notice.kind === 'join') assert.ok(count(peerName) > 0, `${peerName} joined while not online`);
            else {
              assert.equal(count(peerName), 0, `${peerName} left while online`);
              assert.ok(Date.now() - missingSince.get(peerName)! >= PRESENCE_GRACE_MS, `${peerName} announced as gone too soon`);
            }
          }
        };

        notices.welcome(online);
        observe();
        for (const step of ops) {
          const before = told.length;
          if (step.kind === 'join') {
            const peer = session(step.name);
            online = [...online, peer];
            observe();
            notices.join(peer);
          } else if (step.kind === 'leave') {
            if (online.length === 0) continue;
            const peer = online[step.pick % online.length]!;
            online = online.filter((other) => other !== peer);
            observe();
            notices.leave(peer);
          } else if (step.kind === 'wait') {
            mock.timers.tick(step.ms);
          } else {
            online = [...online.filter((_, i) => step.keep[i] ?? true), ...step.arrivals.map(session)];
            observe();
            notices.welcome(online);
          }
          checkNew(before);
        }
        const before = told.length;
        mock.timers.tick(PRESENCE_GRACE_MS);
        checkNew(before);

        // Once things settle, the notices tell the reader exactly who is online now,
        // and every name alternates between joining and leaving.
        const believed = new Set(initial);
        for (const notice of told) {
          const peerName = notice.peer!.name;
          assert.equal(believed.has(peerName), notice.kind === 'leave', `${notice.kind} of ${peerName} repeats what the reader knew`);
          if (notice.kind === 'join') believed.add(peerName);
          else believed.delete(peerName);
        }
        assert.deepEqual([...believed].sort(), [...new Set(online.map((peer) => peer.name))].sort());
        assert.equal(new Set(told.map((notice) => notice.key)).size, told.length, 'notice keys are unique');
        notices.stop();
      }),
      { numRuns: 300 },
    );
  });

  it('stop() forgets leaves still in their grace period', () => {
    mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
    const told: ChatNotice[] = [];
    const notices = new PresenceNotices((notice) => told.push(notice));
    const ben = { id: 'b', name: 'Ben', addr: '' };
    notices.welcome([ben]);
    notices.leave(ben);
    notices.stop();
    mock.timers.tick(PRESENCE_GRACE_MS * 2);
    assert.deepEqual(told, []);
  });
});
