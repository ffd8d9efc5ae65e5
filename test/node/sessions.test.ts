// Sessions (src/server/sessions.ts), without sockets: taken back only with
// their token, kept away for their TTL (reachable by name and address
// meanwhile), kept on disk, and shared as lines between nodes.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Sessions, type SessionLine } from '../../src/server/sessions.js';

const ada = { id: 'p-ada', name: 'ada', addr: '10.0.0.1' };
const TTL = 1000;

describe('Sessions', () => {
  const folders: string[] = [];
  after(() => {
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  });

  it('a session is found by its token, and by its peer id, never by anything else', () => {
    const sessions = new Sessions({ ttl: TTL });
    const { session, token } = sessions.create(ada, 7);
    assert.equal(sessions.find(token), session);
    assert.equal(sessions.byPeerId('p-ada'), session);
    assert.equal(sessions.find(session.key), undefined, 'the stored key (a hash) is not a token');
    assert.equal(sessions.find(`${token}x`), undefined);
    assert.equal(session.joinedOffset, 7, 'it is owed nothing older than the head when it began');
    assert.deepEqual(session.peer, ada);
  });

  it('away, it is reachable by name and address for its TTL, then gone', () => {
    const sessions = new Sessions({ ttl: TTL });
    const { session, token } = sessions.create(ada, 0);
    assert.deepEqual(sessions.away({ name: 'ada' }), [], 'connected: not away');
    sessions.depart(session, 10_000);
    assert.deepEqual(sessions.away({ name: 'ada' }, 10_500), [session]);
    assert.deepEqual(sessions.away({ addr: '10.0.0.1' }, 10_500), [session]);
    assert.equal(sessions.find(token, 10_000 + TTL), session, 'still there at its TTL');
    assert.equal(sessions.find(token, 10_001 + TTL), undefined, 'gone after it');
    assert.equal(sessions.byPeerId('p-ada', 10_001 + TTL), undefined);
    assert.equal(sessions.size, 0);
  });

  it('taken back, it is no longer away, and its new address counts', () => {
    const sessions = new Sessions({ ttl: TTL });
    const { session } = sessions.create(ada, 0);
    sessions.depart(session, 1);
    const connection = {};
    sessions.arrive(session, connection, '10.0.0.5');
    assert.equal(session.connection, connection);
    assert.equal(session.awaySince, undefined);
    assert.equal(session.addr, '10.0.0.5');
    assert.deepEqual(sessions.away({ name: 'ada' }), []);
    assert.deepEqual(sessions.sweep(Date.now() + 10 * TTL), [], 'a connected session never expires');
  });

  it('sweep removes those away longer than the TTL, and returns them', () => {
    const sessions = new Sessions({ ttl: TTL });
    const gone = sessions.create(ada, 0).session;
    const kept = sessions.create({ id: 'p-bob', name: 'bob', addr: '10.0.0.2' }, 0).session;
    sessions.depart(gone, 0);
    sessions.depart(kept, 5000);
    assert.deepEqual(sessions.sweep(5500), [gone]);
    assert.equal(sessions.byPeerId('p-bob', 5500), kept);
  });

  it('on disk, a session outlives the process, token and all, and so does its departure', () => {
    const folder = mkdtempSync(join(tmpdir(), 'mc-sessions-'));
    folders.push(folder);
    const file = join(folder, 'sessions.jsonl');
    const first = new Sessions({ ttl: 60_000, file });
    const { session, token } = first.create(ada, 3, 'user-1');
    first.depart(session, Date.now());
    assert.ok(!readFileSync(file, 'utf8').includes(token), 'the token itself is never written');
    const reopened = new Sessions({ ttl: 60_000, file });
    const found = reopened.find(token);
    assert.ok(found, 'found again after a restart');
    assert.equal(found.user, 'user-1');
    assert.equal(found.joinedOffset, 3);
    assert.deepEqual(reopened.away({ name: 'ada' }), [found]);
  });

  it('its changes, applied on another node, give that node the same session', () => {
    const lines: SessionLine[] = [];
    const here = new Sessions({ ttl: TTL, node: 'a', sink: (line) => lines.push(line) });
    const there = new Sessions({ ttl: TTL, node: 'b' });
    const { session, token } = here.create(ada, 0);
    here.depart(session, 100);
    for (const line of lines) there.apply(line);
    for (const line of lines) there.apply(line); // twice is harmless
    const copy = there.find(token, 200);
    assert.ok(copy);
    assert.equal(copy.awaySince, 100);
    assert.deepEqual(there.away({ name: 'ada' }, 200), [copy]);
    assert.deepEqual(there.departNode('a'), [], 'it is away already');
  });
});
