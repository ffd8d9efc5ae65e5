// The outbox on its own, with a scripted host and mocked time: order, pacing
// from welcome.limits, taking a message back, the wait for recipients after a
// relay restart, adoption and the persistence hook. A model-based property
// (fast-check) drives random interleavings of sends, answers, refusals and
// dropped links and checks the order rule of docs/PROTOCOL.md section 20.4
// at every write; chat-client-outbox-model.test.ts checks the same through
// ChatClient on a real socket.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import fc from 'fast-check';
import { Outbox } from '../../src/client/outbox.js';
import type { ChatMessage, Peer, Target } from '../../src/client/types.js';

const LIMITS = { maxFrameBytes: 65_536, heartbeatInterval: 25_000 };

function message(id: string, to?: Target): ChatMessage {
  return { key: `local:${id}`, id, from: { id: '', name: 'ada', addr: '' }, ...(to ? { to } : {}), data: id, text: id, ts: 0, own: true, state: 'pending' };
}

/** An outbox with a host that records what it is asked. */
function harness() {
  const written: string[] = [];
  const updates: ChatMessage[] = [];
  const saved: string[][] = [];
  const state = { online: true, self: undefined as Peer | undefined, present: new Set<string>() };
  const outbox = new Outbox({
    canWrite: () => state.online,
    transmit: (m) => written.push(m.id),
    reachable: (to) => (to?.names ?? []).every((name) => state.present.has(name)),
    self: () => state.self,
    update: (m) => updates.push(m),
    save: (messages) => saved.push(messages.map((m) => m.id)),
  });
  return { outbox, written, updates, saved, state };
}

describe('Outbox', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 }));
  afterEach(() => mock.timers.reset());

  it('writes in the order sent, and only while the host can write', () => {
    const { outbox, written, state } = harness();
    state.online = false;
    for (const id of ['a', 'b']) outbox.add(message(id));
    assert.deepEqual(written, []);
    state.online = true;
    outbox.flush();
    outbox.add(message('c'));
    assert.deepEqual(written, ['a', 'b', 'c']);
    outbox.flush();
    assert.deepEqual(written, ['a', 'b', 'c'], 'nothing twice on one connection');
  });

  it('paces to welcome.limits, less one token for the hello, and keeps its bucket while the limits stay', () => {
    const { outbox, written } = harness();
    outbox.pace({ ...LIMITS, maxMessagesPerSecond: 10, burst: 3 });
    for (const id of ['a', 'b', 'c', 'd', 'e']) outbox.add(message(id));
    assert.deepEqual(written, ['a', 'b'], 'the burst, less the hello');
    mock.timers.tick(99);
    assert.deepEqual(written, ['a', 'b']);
    mock.timers.tick(1);
    assert.deepEqual(written, ['a', 'b', 'c']);
    mock.timers.tick(100);
    assert.deepEqual(written, ['a', 'b', 'c', 'd']);
    outbox.pace({ ...LIMITS, maxMessagesPerSecond: 10, burst: 3 });
    outbox.spend();
    mock.timers.tick(100);
    assert.deepEqual(written, ['a', 'b', 'c', 'd'], 'a frame that went anyway took the next token');
    mock.timers.tick(100);
    assert.deepEqual(written, ['a', 'b', 'c', 'd', 'e']);
  });

  it('waits for a token after the relay said its bucket is empty', () => {
    const { outbox, written } = harness();
    outbox.pace({ ...LIMITS, maxMessagesPerSecond: 10, burst: 5 });
    outbox.drain();
    outbox.add(message('a'));
    assert.deepEqual(written, []);
    mock.timers.tick(100);
    assert.deepEqual(written, ['a']);
  });

  it('takes a refused message back: it goes again first and alone after retryAfter, the rest once it is answered', () => {
    const { outbox, written } = harness();
    for (const id of ['a', 'b', 'c']) outbox.add(message(id));
    assert.deepEqual(written, ['a', 'b', 'c']);
    outbox.conclude('a', { state: 'sent', offset: 1, ts: 1 });
    outbox.takeBack('b', 50);
    mock.timers.tick(49);
    assert.deepEqual(written, ['a', 'b', 'c']);
    mock.timers.tick(1);
    assert.deepEqual(written, ['a', 'b', 'c', 'b'], 'b again, alone');
    outbox.add(message('d'));
    assert.deepEqual(written, ['a', 'b', 'c', 'b'], 'nothing behind b until it is answered');
    outbox.conclude('b', { state: 'sent', offset: 2, ts: 2 });
    assert.deepEqual(written, ['a', 'b', 'c', 'b', 'c', 'd']);
  });

  it('ignores a refusal of a message that is not on the wire, and holds everything after one about no message', () => {
    const { outbox, written, state } = harness();
    state.online = false;
    outbox.add(message('a'));
    outbox.takeBack('a', 1000);
    state.online = true;
    outbox.flush();
    assert.deepEqual(written, ['a'], 'not on the wire: nothing to take back');
    outbox.takeBack(undefined, 30);
    outbox.add(message('b'));
    assert.deepEqual(written, ['a']);
    mock.timers.tick(30);
    assert.deepEqual(written, ['a', 'b']);
  });

  it('after a dropped link, writes everything unanswered again, in order, and forgets a retry in progress', () => {
    const { outbox, written, state } = harness();
    for (const id of ['a', 'b', 'c']) outbox.add(message(id));
    outbox.takeBack('b', 1000);
    state.online = false;
    outbox.offline();
    state.online = true;
    mock.timers.tick(1000);
    outbox.flush();
    assert.deepEqual(written, ['a', 'b', 'c', 'a', 'b', 'c']);
  });

  it('concludes a message with its outcome and who the relay says you are, and leaves unknown ids alone', () => {
    const { outbox, updates, saved, state } = harness();
    state.self = { id: 'me', name: 'ada', addr: '1.2.3.4' };
    outbox.add(message('a'));
    const done = outbox.conclude('a', { state: 'failed', error: 'unknown_target' });
    assert.equal(done?.state, 'failed');
    assert.equal(done?.error, 'unknown_target');
    assert.deepEqual(done?.from, state.self);
    assert.deepEqual(updates.map((m) => [m.id, m.state]), [['a', 'pending'], ['a', 'failed']]);
    assert.deepEqual(saved, [['a'], []], 'the persistence hook sees every change');
    assert.equal(outbox.conclude('a', { state: 'sent' }), undefined);
    assert.equal(outbox.size, 0);
  });

  it('adopts pending messages of its own ahead of those sent since, once each', () => {
    const { outbox, written, updates, saved, state } = harness();
    state.online = false;
    outbox.add(message('later'));
    outbox.adopt([message('x'), { ...message('y'), own: false }, { ...message('z'), state: 'sent' }, message('later'), message('w')]);
    assert.deepEqual(outbox.messages.map((m) => m.id), ['x', 'w', 'later']);
    assert.deepEqual(updates.map((m) => m.id), ['later', 'x', 'w']);
    assert.deepEqual(saved.at(-1), ['x', 'w', 'later']);
    assert.equal(outbox.isPending('x'), true);
    assert.equal(outbox.isPending('y'), false);
    state.online = true;
    outbox.flush();
    assert.deepEqual(written, ['x', 'w', 'later']);
  });

  it('after a relay restart, holds a private message until its recipients are back, at most 5 s', () => {
    const { outbox, written, state } = harness();
    state.online = false;
    outbox.add(message('p', { names: ['bob'] }));
    outbox.add(message('q'));
    outbox.awaitRecipients();
    assert.equal(outbox.awaitingRecipients, true);
    state.online = true;
    outbox.flush();
    assert.deepEqual(written, [], 'p waits for bob, and q behind it');
    state.present.add('bob');
    outbox.flush();
    assert.deepEqual(written, ['p', 'q']);

    const second = harness();
    second.state.online = false;
    second.outbox.add(message('p', { names: ['bob'] }));
    second.outbox.awaitRecipients();
    second.state.online = true;
    second.outbox.flush();
    mock.timers.tick(4999);
    assert.deepEqual(second.written, []);
    mock.timers.tick(1);
    assert.deepEqual(second.written, ['p'], 'sent anyway after the grace period');
    assert.equal(second.outbox.awaitingRecipients, false);
  });

  it('stops waiting for recipients when the client closes', () => {
    const { outbox, written, state } = harness();
    outbox.awaitRecipients();
    outbox.stop();
    assert.equal(outbox.awaitingRecipients, false);
    state.online = false;
    mock.timers.tick(5000);
    assert.deepEqual(written, []);
  });

  it('whatever the interleaving, never writes a message ahead of an unanswered earlier one, and ends with everything answered once', () => {
    type Op =
      | { kind: 'add'; count: number }
      | { kind: 'ack' | 'fail' | 'refuse'; pick: number; retryAfter: number }
      | { kind: 'drop' }
      | { kind: 'wait'; ms: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('add' as const), count: fc.integer({ min: 1, max: 4 }) }) },
      { weight: 4, arbitrary: fc.record({ kind: fc.constantFrom('ack' as const, 'fail' as const, 'refuse' as const), pick: fc.nat(), retryAfter: fc.integer({ min: 0, max: 50 }) }) },
      { weight: 1, arbitrary: fc.constant({ kind: 'drop' as const }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 200 }) }) },
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 10, max: 100 }), (ops, burst, rate) => {
        mock.timers.reset();
        mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 });
        const order: string[] = [];
        /** On the wire on the current connection, as the relay would see it. */
        const wire: string[] = [];
        const answered = new Map<string, string>();
        let retrying: string | undefined;
        const outbox = new Outbox({
          canWrite: () => true,
          transmit: (m) => {
            // Every unanswered message before it is on the wire already.
            const before = order.slice(0, order.indexOf(m.id)).filter((id) => !answered.has(id));
            for (const id of before) assert.ok(wire.includes(id), `${m.id} written while ${id}, before it, was not on the wire`);
            if (retrying !== undefined) {
              // The message taken back goes first, and alone until it is answered.
              assert.ok(m.id === retrying && !wire.includes(m.id), `${m.id} written while ${retrying}, taken back, was unanswered`);
            }
            wire.push(m.id);
          },
          reachable: () => true,
          self: () => undefined,
          update: (m) => {
            if (m.state !== 'pending') {
              assert.ok(!answered.has(m.id), `${m.id} answered twice`);
              answered.set(m.id, m.state!);
              if (m.id === retrying) retrying = undefined;
            }
          },
          save: () => {},
        });
        outbox.pace({ ...LIMITS, maxMessagesPerSecond: rate, burst });
        for (const step of ops) {
          if (step.kind === 'add') {
            for (let i = 0; i < step.count; i++) {
              const id = `m${order.length}`;
              order.push(id);
              outbox.add(message(id));
            }
          } else if (step.kind === 'drop') {
            wire.length = 0;
            retrying = undefined;
            outbox.offline();
            outbox.flush();
          } else if (step.kind === 'wait') {
            mock.timers.tick(step.ms);
          } else {
            const unanswered = wire.filter((id) => !answered.has(id));
            if (unanswered.length === 0) continue;
            const id = unanswered[step.pick % unanswered.length]!;
            if (step.kind === 'refuse') {
              // As the relay does: it and everything behind it are off the wire.
              wire.splice(wire.indexOf(id));
              retrying = id;
              outbox.takeBack(id, step.retryAfter);
            } else {
              outbox.conclude(id, step.kind === 'ack' ? { state: 'sent', offset: 1, ts: 1 } : { state: 'failed', error: 'unknown_target' });
            }
          }
        }
        // Then the relay takes everything.
        for (let rounds = 0; outbox.size > 0 && rounds < 10_000; rounds++) {
          const next = wire.find((id) => !answered.has(id));
          if (next) outbox.conclude(next, { state: 'sent', offset: 1, ts: 1 });
          else mock.timers.tick(10);
        }
        assert.equal(outbox.size, 0, 'the outbox empties');
        assert.deepEqual([...answered.keys()].sort(), [...order].sort(), 'every message answered once');
      }),
      { numRuns: 200 },
    );
  });
});
