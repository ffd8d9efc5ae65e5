// Routing (src/server/relay/targets.ts and router.ts), without sockets: who a
// target reaches, online and away, what a sender is told when it reaches no
// one or the relay cannot route, and how each dialect's rules apply.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import type { Coordinator } from '../../src/server/cluster/coordinator.js';
import type { Dialect } from '../../src/server/dialect.js';
import { DEFAULT_LOG_WINDOW } from '../../src/server/log/message-log.js';
import { MemoryLog } from '../../src/server/log/memory-log.js';
import { Presence } from '../../src/server/presence.js';
import { Output } from '../../src/server/relay/output.js';
import { Router, type RouteResult } from '../../src/server/relay/router.js';
import { resolveTargets } from '../../src/server/relay/targets.js';
import { Sessions } from '../../src/server/sessions.js';
import { fakeConnection } from '../support/fake-connection.js';

const logger = pino({ level: 'silent' });
/** Frames written in a turn leave at its end (WriteCoalescer). */
const endOfTurn = () => new Promise((resolve) => setImmediate(resolve));

function world(options: { exposeAddresses?: boolean } = {}) {
  const presence = new Presence();
  const sessions = new Sessions({ ttl: 60_000 });
  const log = new MemoryLog(DEFAULT_LOG_WINDOW);
  const coordinator = { nodeId: 'n', available: true } as { nodeId: string; available: boolean };
  const output = new Output({ maxBufferedBytes: 1 << 20, floodThreshold: 100, heartbeatInterval: 25_000 }, logger, presence);
  const router = new Router(coordinator as unknown as Coordinator, log, presence, sessions, output, logger, options.exposeAddresses ?? true);
  const join = (id: string, name: string, addr: string, dialect: Dialect = 'v1') => {
    const fake = fakeConnection({ id, name, addr, dialect });
    presence.add(fake.connection);
    return fake;
  };
  /** A session whose client is away: messages to it wait in the log. */
  const away = (id: string, name: string, addr: string) => {
    const { session } = sessions.create({ id, name, addr }, 0);
    sessions.depart(session);
    return session;
  };
  const route = (sender: ReturnType<typeof join>, message: { id: string; to?: { ids?: string[]; names?: string[]; addrs?: string[] }; data?: unknown }) => {
    let result: RouteResult | undefined | 'pending' = 'pending';
    router.route(sender.connection, { id: message.id, to: message.to, data: message.data ?? null }, undefined, (r) => (result = r));
    assert.notEqual(result, 'pending', 'a memory log answers at once');
    return result as unknown as RouteResult | undefined;
  };
  return { presence, sessions, log, coordinator, join, away, route };
}

describe('target resolution', () => {
  it('reaches whoever is online, and sessions that are away (counted apart)', () => {
    const { presence, sessions, join, away } = world();
    join('a', 'ada', '10.0.0.1');
    join('b', 'bob', '10.0.0.2');
    away('c', 'cy', '10.0.0.3');
    const resolved = resolveTargets({ names: ['bob', 'cy'], ids: ['a'] }, presence, sessions, true);
    assert.deepEqual(new Set(resolved.ids), new Set(['a', 'b', 'c']));
    assert.equal(resolved.online, 2, 'the away session gets it on its return');
    assert.equal(resolved.unknown, undefined);
  });

  it('names the parts that reach no one', () => {
    const { presence, sessions, join } = world();
    join('a', 'ada', '10.0.0.1');
    const resolved = resolveTargets({ ids: ['a', 'zz'], names: ['nobody'], addrs: ['10.9.9.9'] }, presence, sessions, true);
    assert.deepEqual(resolved.ids, ['a']);
    assert.deepEqual(resolved.unknown, { ids: ['zz'], names: ['nobody'], addrs: ['10.9.9.9'] });
  });

  it('while addresses are hidden, no address reaches anyone (its answer would tell who is there)', () => {
    const { presence, sessions, join } = world();
    join('a', 'ada', '10.0.0.1');
    const byAddr = resolveTargets({ addrs: ['10.0.0.1'] }, presence, sessions, false);
    assert.deepEqual(byAddr, { ids: [], online: 0, unknown: { addrs: ['10.0.0.1'] } });
    const mixed = resolveTargets({ names: ['ada'], addrs: ['10.0.0.1'] }, presence, sessions, false);
    assert.deepEqual(mixed.ids, ['a']);
    assert.deepEqual(mixed.unknown, { addrs: ['10.0.0.1'] });
  });
});

describe('Router', () => {
  it('logs a message for its targets and counts who is online, never the v1 sender itself', () => {
    const { join, log, route } = world();
    const ada = join('a', 'ada', '10.0.0.1');
    join('b', 'ada', '10.0.0.2');
    const result = route(ada, { id: 'm1', to: { names: ['ada'] }, data: 'hi' });
    assert.ok(result);
    assert.equal(result.recipients, 1, 'the other tab of ada');
    assert.deepEqual([...(result.entry.recipients ?? [])].sort(), ['a', 'b']);
    assert.equal(result.entry.offset, log.head);
    const broadcast = route(ada, { id: 'm2' });
    assert.equal(broadcast?.recipients, 1);
    assert.equal(broadcast?.entry.recipients, undefined);
  });

  it('a legacy sender counts itself among those it reaches (the original echo)', () => {
    const { join, route } = world();
    const old = join('l', 'old', '10.0.0.1', 'legacy');
    join('b', 'bob', '10.0.0.2');
    assert.equal(route(old, { id: 'legacy-1' })?.recipients, 2);
  });

  it('a resend (same sender, same id) is answered from the log, not routed again', () => {
    const { join, log, route } = world();
    const ada = join('a', 'ada', '10.0.0.1');
    join('b', 'bob', '10.0.0.2');
    const first = route(ada, { id: 'm1', to: { names: ['bob'] } });
    const again = route(ada, { id: 'm1', to: { names: ['bob'] } });
    assert.deepEqual(again, { entry: first!.entry, recipients: 0, duplicate: true });
    assert.equal(log.head, first!.entry.offset);
  });

  it('refuses a v1 message to a target that reaches no one, naming it; a legacy one reaches whoever matches', async () => {
    const { join, log, route } = world();
    const ada = join('a', 'ada', '10.0.0.1');
    join('b', 'bob', '10.0.0.2');
    assert.equal(route(ada, { id: 'm1', to: { names: ['bob', 'nobody'] } }), undefined);
    assert.equal(log.head, 0, 'nothing was sent');
    await endOfTurn();
    assert.deepEqual(ada.frames(), [
      {
        type: 'error',
        code: 'unknown_target',
        message: 'no one online or away matches these targets; the message was not sent',
        id: 'm1',
        targets: { names: ['nobody'] },
      },
    ]);
    const old = join('l', 'old', '10.0.0.3', 'legacy');
    assert.equal(route(old, { id: 'legacy-1', to: { addrs: ['10.0.0.2', '10.9.9.9'] } })?.recipients, 1);
    await endOfTurn();
    assert.deepEqual(old.frames(), []);
  });

  it('while the relay cannot route, refuses with unavailable, and keeps the v1 sender\'s order until the refused one comes back', async () => {
    const { join, coordinator, route } = world();
    const ada = join('a', 'ada', '10.0.0.1');
    join('b', 'bob', '10.0.0.2');
    coordinator.available = false;
    assert.equal(route(ada, { id: 'm1' }), undefined);
    coordinator.available = true;
    assert.equal(route(ada, { id: 'm2' }), undefined, 'a later message may not overtake the refused one');
    assert.ok(route(ada, { id: 'm1' }), 'the refused one, sent again');
    assert.ok(route(ada, { id: 'm2' }), 'then the later one');
    await endOfTurn();
    const refusals = ada.frames().map((frame) => [frame.code, frame.id, frame.retryAfter]);
    assert.deepEqual(refusals, [
      ['unavailable', 'm1', 1000],
      ['unavailable', 'm2', 1000],
    ]);
  });

  it('a legacy sender is refused while the relay cannot route, as a message from no one, and holds nothing back', async () => {
    const { join, coordinator, route } = world();
    const old = join('l', 'old', '10.0.0.1', 'legacy');
    coordinator.available = false;
    assert.equal(route(old, { id: 'legacy-1' }), undefined);
    coordinator.available = true;
    assert.ok(route(old, { id: 'legacy-2' }), 'it never sends legacy-1 again, so nothing waits for it');
    await endOfTurn();
    assert.deepEqual(old.frames(), [
      {
        count: 1,
        currUserIp: '',
        currUserName: '',
        data: { error: 'unavailable', message: 'the relay cannot route messages right now; send it again later' },
      },
    ]);
  });
});
