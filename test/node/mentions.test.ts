// Mentions on the wire (issue 17): the ids a sender names travel with the
// message, live, replayed and in history, on a relay in memory, on disk and
// in a cluster; malformed lists are refused before anything is routed.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { ChatMessage } from '../../src/client/types.js';
import { chatClients } from '../support/chat-clients.js';
import { clusterFixture, relayFixture } from '../support/relay-fixture.js';
import { waitFor } from '../support/wait.js';

describe('mentions', () => {
  const client = chatClients({ history: 0 });
  const fixture = relayFixture();
  const dirs: string[] = [];
  // Registered after the fixture's: the relays have closed their files first.
  after(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

  it('reach the room with the message, from ChatClient.send to ChatClient and a raw client alike, and come back in history', async () => {
    const relay = await fixture.relay();
    const ada = client(relay.url, { name: 'ada' });
    const bob = client(relay.url, { name: 'bob' });
    await waitFor(() => ada.self !== undefined && bob.self !== undefined && ada.roster.length === 2, 'both online');
    const raw = await fixture.client(relay, { name: 'raw' });
    const got: ChatMessage[] = [];
    bob.on('message', (message) => got.push(message));
    const sent = ada.send('@bob look', undefined, undefined, { mentions: [bob.self!.id, bob.self!.id] });
    assert.deepEqual(sent?.mentions, [bob.self!.id], 'each id once');
    await waitFor(() => got.length === 1, 'bob gets it');
    assert.deepEqual(got[0]!.mentions, [bob.self!.id]);
    const frame = await raw.next((f) => f.type === 'message' && f.data === '@bob look');
    assert.deepEqual(frame.mentions, [bob.self!.id]);
    assert.deepEqual(Object.keys(frame).slice(-2), ['mentions', 'ts'], 'between data and ts');
    raw.send({ type: 'history', id: 'h1' });
    const page = await raw.next((f) => f.type === 'page' && f.id === 'h1');
    const kept = (page.messages as Array<{ data: unknown; mentions?: string[] }>).find((m) => m.data === '@bob look');
    assert.deepEqual(kept?.mentions, [bob.self!.id]);
    // A message without mentions carries no key.
    ada.send('plain');
    const plain = await raw.next((f) => f.type === 'message' && f.data === 'plain');
    assert.equal('mentions' in plain, false);
  });

  it('refuses a repeated id, too many ids or an id that is not a short string, with bad_field, and routes nothing', async () => {
    const relay = await fixture.relay();
    const sender = await fixture.client(relay, { name: 's' });
    const listener = await fixture.client(relay, { name: 'l' });
    const bad: unknown[] = [['a', 'a'], Array.from({ length: 21 }, (_, i) => `p${i}`), [''], ['x'.repeat(65)], [7], 'a'];
    for (const [i, mentions] of bad.entries()) {
      sender.send({ type: 'send', id: `b${i}`, data: 'x', mentions });
      const error = await sender.next((f) => f.type === 'error' && f.id === `b${i}`);
      assert.equal(error.code, 'bad_field', JSON.stringify(mentions));
      assert.match(String(error.message), /^send: mentions/);
    }
    sender.send({ type: 'send', id: 'ok', data: 'ok', mentions: Array.from({ length: 20 }, (_, i) => `p${i}`) });
    await listener.next((f) => f.type === 'message' && f.id === 'ok');
    assert.equal(listener.ofType('message').length, 1, 'only the valid one was routed');
  });

  it('survive a restart of a relay on disk', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mc-mentions-'));
    dirs.push(dir);
    const first = await fixture.relay({ dataDir: dir });
    const writer = await fixture.client(first, { name: 'w' });
    writer.send({ type: 'send', id: 'd1', data: 'disk', mentions: ['someone'] });
    await writer.next((f) => f.type === 'ack' && f.id === 'd1');
    await first.close();
    const second = await fixture.relay({ dataDir: dir });
    const reader = await fixture.client(second, { name: 'r' });
    reader.send({ type: 'history', id: 'h' });
    const page = await reader.next((f) => f.type === 'page');
    assert.deepEqual((page.messages as Array<{ mentions?: string[] }>)[0]?.mentions, ['someone']);
  });
});

describe('mentions in a cluster', () => {
  const cluster = clusterFixture();
  it('reach a member on another node', async () => {
    const prefix = cluster.prefix('mentions');
    const a = await cluster.node(prefix);
    const b = await cluster.node(prefix);
    const ada = await cluster.client(a, { name: 'ada' });
    const bob = await cluster.client(b, { name: 'bob' });
    await ada.next((f) => f.type === 'join' && (f.peer as { id: string }).id === bob.self.id);
    ada.send({ type: 'send', id: 'c1', data: 'hi', mentions: [bob.self.id] });
    const frame = await bob.next((f) => f.type === 'message' && f.id === 'c1');
    assert.deepEqual(frame.mentions, [bob.self.id]);
  });
});
