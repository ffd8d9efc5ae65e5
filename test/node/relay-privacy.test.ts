import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RelayServer } from '../../src/server/index.js';
import { from, relayFixture } from '../support/relay-fixture.js';
import type { TestClient } from '../support/test-client.js';
import { hs256, SECRET } from '../support/tokens.js';
import { waitFor } from '../support/wait.js';

type Peer = { id: string; name: string; addr: string };

describe('relay privacy', () => {
  const fixture = relayFixture();

  /**
   * Ada sends Bob one private message in every way she can address him
   * (by id, by name, by address, several at once, naming herself too); a
   * legacy client does the same with its ip list. Cy, who is named nowhere,
   * must get none of them: a broadcast sent after each is the barrier that
   * proves the private one would have arrived before it.
   */
  async function noThirdParty(relay: RelayServer, connect: (name: string, addr: string, legacy?: boolean) => Promise<TestClient>) {
    const ada = await connect('Ada', '10.0.0.1');
    const bob = await connect('Bob', '10.0.0.2');
    const cy = await connect('Cy', '10.0.0.3');
    const dee = await connect('Dee', '10.0.0.4', true);
    await waitFor(() => relay.online === 4, 'everyone online');
    const bobId = bob.self.id;
    const modes: Array<[string, object]> = [
      ['ids', { ids: [bobId] }],
      ['names', { names: ['Bob'] }],
      ['ids and names', { ids: [bobId], names: ['Bob'] }],
      ['duplicates', { ids: [bobId, bobId], names: ['Bob', 'Bob'] }],
      ['Bob and the sender herself', { ids: [bobId, ada.self.id], names: ['Ada'] }],
    ];
    const exposed = bob.self.addr === '10.0.0.2' && (ada.welcome.roster as Peer[]).some((p) => p.addr === '10.0.0.2');
    if (exposed) modes.push(['addrs', { addrs: ['10.0.0.2'] }], ['addrs and ids', { addrs: ['10.0.0.2'], ids: [bobId] }]);
    let n = 0;
    for (const [label, to] of modes) {
      const id = `p${++n}`;
      ada.send({ type: 'send', id, to, data: `private ${label}` });
      const ack = await ada.next((f) => f.type === 'ack' && f.id === id);
      assert.equal(ack.recipients, 1, `${label}: one recipient`);
      await bob.next((f) => f.type === 'message' && f.id === id);
      ada.send({ type: 'send', id: `b${n}`, data: 'barrier' });
      await cy.next((f) => f.type === 'message' && f.id === `b${n}`);
      await dee.next((f) => (f.data as string) === 'barrier' && f.currUserName === 'Ada');
    }
    if (exposed) {
      // The original client's own addressing: an ip list.
      dee.send({ ip: ['10.0.0.2'], data: 'legacy private' });
      await bob.next((f) => f.type === 'message' && f.data === 'legacy private');
      dee.send({ data: 'legacy barrier' });
      await cy.next((f) => f.type === 'message' && f.data === 'legacy barrier');
    }
    const leaked = (client: TestClient) => client.frames.filter((f) => typeof f.data === 'string' && f.data.startsWith('private') || f.data === 'legacy private');
    assert.deepEqual(leaked(cy), [], 'Cy received no private message');
    assert.deepEqual(
      dee.frames.filter((f) => typeof f.data === 'string' && f.data.startsWith('private')),
      [],
      'the legacy client received no private message',
    );
    assert.equal(leaked(bob).length, modes.length + (exposed ? 1 : 0), 'Bob received each once');
    return { ada, bob, cy, dee };
  }

  it('without authentication: no unicast reaches a third party, in any addressing mode', async () => {
    const relay = await fixture.relay({ trustProxy: 'loopback' });
    await noThirdParty(relay, (name, addr, legacy) =>
      fixture.client(relay, legacy ? { dialect: 'legacy', query: `userName=${name}`, ...from(addr) } : { name, ...from(addr) }),
    );
  });

  it('with authentication: no unicast reaches a third party, and no client learns another’s address or user id', async () => {
    const relay = await fixture.relay({ trustProxy: 'loopback', jwtSecret: SECRET });
    const token = (name: string) => hs256({ sub: `user-${name.toLowerCase()}@corp.example`, name });
    const { ada, bob, cy, dee } = await noThirdParty(relay, async (name, addr, legacy) =>
      fixture.client(relay, {
        ...(legacy ? { dialect: 'legacy' } : { name }),
        query: `token=${await token(name)}`,
        ...from(addr),
      }),
    );
    // Addresses are not targets while hidden: addressing by one reveals nothing, and reaches no one.
    ada.send({ type: 'send', id: 'probe', to: { addrs: ['10.0.0.2'] }, data: 'private probe' });
    const probe = await ada.next((f) => f.type === 'error' && f.id === 'probe');
    assert.equal(probe.code, 'unknown_target');
    ada.send({ type: 'send', id: 'probe2', to: { addrs: ['10.9.9.9'] }, data: 'private probe' });
    assert.deepEqual((await ada.next((f) => f.type === 'error' && f.id === 'probe2')).targets, { addrs: ['10.9.9.9'] }, 'an address nobody has gets the same answer');

    // Bob leaves: Ada sees him go; a receipt names its recipient.
    ada.send({ type: 'send', id: 'r1', to: { ids: [bob.self.id] }, data: 'receipt please' });
    const got = await bob.next((f) => f.id === 'r1');
    bob.send({ type: 'received', offset: got.offset });
    await ada.next((f) => f.type === 'delivered');
    bob.close();
    await ada.next((f) => f.type === 'leave');

    for (const [client, self] of [[ada, '10.0.0.1'], [cy, '10.0.0.3'], [dee, '10.0.0.4']] as const) {
      // Errors echo only targets the client wrote itself (Ada's probes).
      const text = JSON.stringify(client.frames.filter((f) => f.type !== 'error'));
      for (const addr of ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4']) {
        if (addr === self && client !== dee) continue; // a v1 client's own welcome.self carries its own address
        assert.equal(text.includes(addr), false, `${addr} shown to a client at ${self}`);
      }
      assert.equal(/user-\w+@corp\.example/.test(text), false, 'a user id (the token subject) was shown');
    }
    const roster = ada.welcome.roster as Peer[];
    assert.ok(roster.length >= 1 && roster.every((p) => p.addr === '' || p.id === ada.self.id));
    assert.equal(ada.self.addr, '10.0.0.1', 'a client still learns its own address');
  });

  it('a replay after reconnecting holds only what was addressed to that client', async () => {
    const relay = await fixture.relay({ trustProxy: 'loopback' });
    const ada = await fixture.client(relay, { name: 'Ada', ...from('10.0.0.1') });
    const bob = await fixture.client(relay, { name: 'Bob', ...from('10.0.0.2') });
    const cy = await fixture.client(relay, { name: 'Cy', ...from('10.0.0.3') });
    const { session, epoch, offset } = cy.welcome as { session: string; epoch: string; offset: number };
    const cyId = cy.self.id;
    cy.close();
    await ada.next((f) => f.type === 'leave');

    const sends: Array<[string, object | undefined, boolean]> = [
      ['to Bob by id', { ids: [bob.self.id] }, false],
      ['to Bob by name', { names: ['Bob'] }, false],
      ['to Bob by address', { addrs: ['10.0.0.2'] }, false],
      ['to Cy by id', { ids: [cyId] }, true],
      ['to Cy by name', { names: ['Cy'] }, true],
      ['to Cy by address', { addrs: ['10.0.0.3'] }, true],
      ['to Bob and Cy', { ids: [bob.self.id, cyId] }, true],
      ['to everyone', undefined, true],
    ];
    for (const [label, to] of sends) {
      ada.send({ type: 'send', id: label, ...(to ? { to } : {}), data: label });
      await ada.next((f) => f.type === 'ack' && f.id === label);
    }
    bob.send({ type: 'send', id: 'bob-to-ada', to: { ids: [ada.self.id] }, data: 'to Ada from Bob' });
    await ada.next((f) => f.id === 'bob-to-ada');

    const back = fixture.raw(relay, from('10.0.0.3'));
    back.socket.once('open', () => back.send({ type: 'hello', name: 'Cy', resume: { session, epoch, offset } }));
    const welcome = await back.next((f) => f.type === 'welcome');
    assert.equal(welcome.resumed, true);
    const expected = sends.filter(([, , forCy]) => forCy).map(([label]) => label);
    await waitFor(() => back.ofType('message').length >= expected.length, 'the replay');
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(back.ofType('message').map((f) => f.id), expected, 'exactly what was addressed to Cy, in order');
    assert.ok(back.ofType('message').every((f) => f.replay === true));

    // A stranger who invents an epoch gets broadcasts only, never a private message.
    const stranger = fixture.raw(relay, from('10.0.0.9'));
    stranger.socket.once('open', () => stranger.send({ type: 'hello', name: 'Eve', resume: { session: 'x'.repeat(24), epoch: 'made-up', offset: 0 } }));
    await stranger.next((f) => f.type === 'welcome');
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(stranger.ofType('message').map((f) => f.id), ['to everyone']);
    // And one who guesses the current epoch but not a session gets nothing old at all.
    const guesser = fixture.raw(relay, from('10.0.0.8'));
    guesser.socket.once('open', () => guesser.send({ type: 'hello', resume: { session: 'y'.repeat(24), epoch, offset: 0 } }));
    await guesser.next((f) => f.type === 'welcome');
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(guesser.ofType('message'), []);
  });
});
