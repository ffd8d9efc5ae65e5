// Who is online (src/server/presence.ts), without sockets: what each kind of
// target reaches, here and on other nodes, and what it cannot reach.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Presence, targetOf } from '../../src/server/presence.js';
import { fakeConnection } from '../support/fake-connection.js';

const online = (presence: Presence, id: string, name: string, addr: string) => {
  const { connection } = fakeConnection({ id, name, addr });
  presence.add(connection);
  return connection;
};

describe('Presence', () => {
  it('counts and lists who is online here and on other nodes', () => {
    const presence = new Presence();
    online(presence, 'a', 'ada', '10.0.0.1');
    presence.addRemote({ id: 'r', name: 'rex', addr: '10.0.0.9' }, 'node-2');
    assert.equal(presence.count, 2);
    assert.equal(presence.localCount, 1);
    assert.deepEqual(
      presence.roster().map((peer) => peer.id),
      ['a', 'r'],
    );
  });

  it('resolves ids, names (every tab of a user) and addresses, and says which matched no one', () => {
    const presence = new Presence();
    const ada1 = online(presence, 'a1', 'ada', '10.0.0.1');
    const ada2 = online(presence, 'a2', 'ada', '10.0.0.2');
    const bob = online(presence, 'b', 'bob', '10.0.0.2');
    presence.addRemote({ id: 'r', name: 'ada', addr: '10.0.0.9' }, 'node-2');

    const byName = presence.resolve({ names: ['ada'] });
    assert.deepEqual(new Set(byName.recipients), new Set([ada1, ada2]));
    assert.deepEqual([...byName.remote], ['r'], 'a namesake on another node is reached too');
    assert.equal(byName.unknown, undefined);

    const byAddr = presence.resolve({ addrs: ['10.0.0.2'] });
    assert.deepEqual(new Set(byAddr.recipients), new Set([ada2, bob]));

    const mixed = presence.resolve({ ids: ['b', 'gone'], names: ['nobody'], addrs: ['10.9.9.9', '10.0.0.9'] });
    assert.deepEqual([...mixed.recipients], [bob]);
    assert.deepEqual([...mixed.remote], ['r']);
    assert.deepEqual(mixed.unknown, { ids: ['gone'], names: ['nobody'], addrs: ['10.9.9.9'] });
  });

  it('forgets a connection once, and only the one it has under that id', () => {
    const presence = new Presence();
    const first = online(presence, 'p', 'ada', '10.0.0.1');
    const { connection: stale } = fakeConnection({ id: 'p', name: 'ada', addr: '10.0.0.1' });
    assert.equal(presence.remove(stale), false, 'a connection that took the same id later is not removed by an older one');
    assert.equal(presence.get('p'), first);
    assert.equal(presence.remove(first), true);
    assert.equal(presence.remove(first), false);
    assert.equal(presence.count, 0);
    assert.equal(presence.resolve({ names: ['ada'] }).recipients.size, 0, 'its name no longer reaches it');
  });

  it('a rename moves the connection to its new name', () => {
    const presence = new Presence();
    const ada = online(presence, 'a', 'ada', '10.0.0.1');
    presence.rename(ada, 'ada lovelace');
    assert.equal(ada.name, 'ada lovelace');
    assert.deepEqual(presence.resolve({ names: ['ada'] }).unknown, { names: ['ada'] });
    assert.deepEqual([...presence.resolve({ names: ['ada lovelace'] }).recipients], [ada]);
  });

  it('a peer of another node is added once, re-indexed when it comes again, and forgotten', () => {
    const presence = new Presence();
    assert.equal(presence.addRemote({ id: 'r', name: 'rex', addr: '10.0.0.9' }, 'node-2'), true);
    assert.equal(presence.addRemote({ id: 'r', name: 'rexi', addr: '10.0.0.9' }, 'node-3'), false, 'not new');
    assert.deepEqual(presence.resolve({ names: ['rex'] }).unknown, { names: ['rex'] }, 'its old name is gone');
    assert.deepEqual([...presence.resolve({ names: ['rexi'] }).remote], ['r']);
    assert.equal(presence.removeRemote('r')?.node, 'node-3');
    assert.equal(presence.removeRemote('r'), undefined);
    presence.addRemote({ id: 's', name: 'sue', addr: '10.0.0.8' }, 'node-2');
    presence.clearRemote();
    assert.equal(presence.count, 0);
  });

  it('targetOf keeps only the lists that are not empty', () => {
    assert.equal(targetOf([], [], []), undefined);
    assert.deepEqual(targetOf(['a'], [], ['x']), { ids: ['a'], addrs: ['x'] });
  });
});
