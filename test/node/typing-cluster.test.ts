// Typing across a relay cluster on Redis (PROTOCOL.md §23): a typist on one
// node is seen by the room's members and the named peers on the others, and
// a large room, counted cluster-wide, is told nothing. Signals of one node
// reach another in the order sent, so a later one is the barrier behind
// which a frame that must not arrive would have come.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RelayServer } from '../../src/server/index.js';
import { clusterFixture } from '../support/relay-fixture.js';
import { waitFor } from '../support/wait.js';

type Peer = { id: string; name: string; addr: string };

describe('typing in a relay cluster on Redis', () => {
  const cluster = clusterFixture();

  it('reaches room members and named peers on other nodes, and no one else', async () => {
    const prefix = cluster.prefix('typing');
    const [a, b] = [await cluster.node(prefix), await cluster.node(prefix)] as [RelayServer, RelayServer];
    const ada = await cluster.client(a, { name: 'ada', rooms: ['red'] });
    const bob = await cluster.client(b, { name: 'bob', rooms: ['red'] });
    const cy = await cluster.client(b, { name: 'cy', rooms: ['blue'] });
    const dee = await cluster.client(a, { name: 'dee', rooms: ['red'] });
    await waitFor(() => a.online === 4 && b.online === 4, 'everyone known on both nodes');

    ada.send({ type: 'typing', room: 'red' });
    const told = await bob.next((f) => f.type === 'typing');
    assert.deepEqual([(told.from as Peer).id, told.room], [ada.self.id, 'red']);
    await dee.next((f) => f.type === 'typing' && f.room === 'red');

    ada.send({ type: 'typing', to: { ids: [cy.self.id] } });
    const privately = await cy.next((f) => f.type === 'typing');
    assert.equal(privately.room, undefined);
    assert.equal((privately.from as Peer).id, ada.self.id);
    assert.equal(cy.ofType('typing').length, 1, 'cy, in blue, did not hear of red');

    ada.send({ type: 'typing', room: 'red', stop: true });
    await bob.next((f) => f.type === 'typing' && f.stop === true);
    assert.deepEqual(bob.ofType('typing').map((f) => f.room), ['red', 'red'], 'bob never heard of the private one');
    assert.deepEqual(ada.ofType('typing'), []);
  });

  it('drops typing in a room that is large across the cluster', async () => {
    const prefix = cluster.prefix('large');
    const [a, b] = [await cluster.node(prefix, { presenceThreshold: 2 }), await cluster.node(prefix, { presenceThreshold: 2 })] as [RelayServer, RelayServer];
    const ada = await cluster.client(a, { name: 'ada', rooms: ['big'] });
    const bob = await cluster.client(b, { name: 'bob', rooms: ['big'] });
    await cluster.client(b, { name: 'cy', rooms: ['big'] });
    await waitFor(() => a.online === 3, 'node a counts the members on b');
    ada.send({ type: 'typing', room: 'big' });
    ada.send({ type: 'typing', to: { ids: [bob.self.id] } });
    await bob.next((f) => f.type === 'typing');
    assert.deepEqual(bob.ofType('typing').map((f) => f.room ?? 'private'), ['private'], 'big has 3, more than 2, on two nodes');
  });
});
