// The client knows the relay's frame limit (welcome.limits) and refuses, at
// once and with a stable code, what the relay would refuse: no round trip,
// nothing thrown (issue 12, item 3).
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { WebSocket } from 'ws';
import { ChatClient } from '../../src/client/chat-client.js';
import { charactersOver, measure } from '../../src/client/outgoing.js';
import { memoryStore } from '../../src/client/persistence.js';
import type { ChatErrorDetail, ChatMessage } from '../../src/client/types.js';
import { createRelayServer, type RelayServer } from '../../src/server/index.js';
import { waitFor } from '../support/wait.js';

const LIMIT = 1024;
/** Client message ids are 32 hex digits. */
const SOME_ID = 'f'.repeat(32);
/** The frame's size as Node counts it: the oracle the client's own count is checked against. */
const bytesOf = (data: unknown) => Buffer.byteLength(JSON.stringify({ type: 'send', id: SOME_ID, data }), 'utf8');

/** A string payload whose send frame is exactly `bytes` long, made of `unit` repeated and ASCII to fill. */
function payloadOf(bytes: number, unit: string): string {
  let text = '';
  while (bytesOf(text + unit) <= bytes) text += unit;
  while (bytesOf(text) < bytes) text += 'a';
  assert.equal(bytesOf(text), bytes);
  return text;
}

describe('ChatClient: the frame limit, before sending', () => {
  const relays: RelayServer[] = [];
  const clients: ChatClient[] = [];
  after(async () => {
    for (const client of clients) client.close();
    await Promise.all(relays.map((relay) => relay.close()));
  });

  async function online(options: object = {}) {
    const relay = await createRelayServer({ port: 0, host: '127.0.0.1', logger: false, maxFrameBytes: LIMIT, ...options });
    relays.push(relay);
    const client = new ChatClient({ url: relay.url, name: 'ada', WebSocket: WebSocket as never, store: memoryStore(), minReconnectionDelay: 20 });
    clients.push(client);
    const errors: ChatErrorDetail[] = [];
    const updates: ChatMessage[] = [];
    client.on('error', (error) => errors.push(error));
    client.on('update', (message) => updates.push(message));
    client.connect();
    await waitFor(() => client.status === 'online', 'online');
    return { relay, client, errors, updates };
  }

  for (const [kind, unit] of [
    ['ASCII', 'x'],
    ['Chinese', '中'],
    ['emoji', '😀'],
    ['escapes (quotes, backslashes, newlines, control characters)', '"\\\n\u0001'],
  ] as const) {
    it(`${kind}: a frame of exactly maxFrameBytes is sent and accepted; one byte more is refused at once with too_large`, async () => {
      const { client, errors, updates } = await online();
      assert.equal(client.limits?.maxFrameBytes, LIMIT);

      const fits = payloadOf(LIMIT, unit);
      const sent = client.send(fits);
      assert.ok(sent, 'accepted');
      await waitFor(() => updates.some((m) => m.id === sent.id && m.state === 'sent'), 'the relay acknowledged the largest frame it accepts');

      const over = payloadOf(LIMIT + 1, unit);
      const refused = client.send(over);
      // Synchronous: the error came from the client, not from a round trip to the relay.
      assert.equal(refused, undefined);
      assert.equal(errors.at(-1)?.code, 'too_large');
      assert.match(errors.at(-1)!.message, new RegExp(`${LIMIT + 1} bytes.*at most ${LIMIT}`));
      assert.deepEqual(client.pending, [], 'nothing waits in the outbox');
      assert.ok(!updates.some((m) => m.text === over), 'never shown as pending');
    });
  }

  it('data that cannot be sent as JSON is refused with bad_field, without throwing', async () => {
    const { client, errors } = await online();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    let deep: unknown = 'bottom';
    for (let i = 0; i < 65; i++) deep = [deep];
    for (const data of [10n, cyclic, deep]) {
      const before = errors.length;
      assert.equal(client.send(data), undefined);
      assert.equal(errors.length, before + 1);
      assert.equal(errors.at(-1)!.code, 'bad_field');
    }
    assert.deepEqual(client.pending, []);
    // Still works.
    assert.ok(client.send('fine'));
  });

  it('a message written before the first welcome, over the limit it announces, fails there without being sent', async () => {
    const relay = await createRelayServer({ port: 0, host: '127.0.0.1', logger: false, maxFrameBytes: LIMIT });
    relays.push(relay);
    const client = new ChatClient({ url: relay.url, name: 'ada', WebSocket: WebSocket as never, store: memoryStore() });
    clients.push(client);
    const errors: ChatErrorDetail[] = [];
    const updates: ChatMessage[] = [];
    client.on('error', (error) => errors.push(error));
    client.on('update', (message) => updates.push(message));
    const big = client.send('x'.repeat(LIMIT * 2));
    const small = client.send('small');
    assert.ok(big && small, 'the limit is not known yet');
    client.connect();
    await waitFor(() => updates.some((m) => m.id === small.id && m.state === 'sent'), 'the small one went');
    const failed = updates.find((m) => m.id === big.id && m.state === 'failed');
    assert.equal(failed?.error, 'too_large');
    assert.deepEqual(
      errors.map((e) => [e.code, e.id, /as a send frame/.test(e.message)]),
      [['too_large', big.id, true]],
      'refused by the client (the relay words it differently)',
    );
  });

  it('measure() counts what Node counts, for any payload; charactersOver() says how many characters to cut', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.integer({ min: 80, max: 400 }), (text, limit) => {
        const message = { id: SOME_ID, data: text };
        const measured = measure(message);
        assert.ok(measured.ok);
        assert.equal(measured.bytes, bytesOf(text));
        const over = measured.bytes - limit;
        if (over <= 0) return;
        const cut = charactersOver(text, over);
        const chars = [...text];
        // Whole code points from the end (a lone surrogate counts as one).
        assert.ok(bytesOf(chars.slice(0, chars.length - cut).join('')) <= limit, 'cutting that many fits');
        if (cut > 0) assert.ok(bytesOf(chars.slice(0, chars.length - cut + 1).join('')) > limit, 'one fewer does not');
      }),
      { numRuns: 300 },
    );
  });
});
