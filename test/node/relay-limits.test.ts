import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rawWebSocket } from '../support/raw-socket.js';
import { relayFixture } from '../support/relay-fixture.js';
import { waitFor } from '../support/wait.js';

describe('relay limits and bad input', () => {
  const fixture = relayFixture();

  it('answers malformed frames with error codes; the connection and everyone else carry on', async () => {
    const relay = await fixture.relay();
    const bad = await fixture.client(relay, { name: 'bad' });
    const good = await fixture.client(relay, { name: 'good' });
    const cases: Array<[string | Buffer, string, boolean?]> = [
      ['{not json', 'bad_frame'],
      ['[1,2,3]', 'bad_frame'],
      ['"just a string"', 'bad_frame'],
      ['{"type":"shout","id":"s1"}', 'bad_frame'],
      ['{"type":"send","id":"s2"}', 'bad_field'],
      ['{"type":"send","id":"s3","data":1,"to":{}}', 'bad_field'],
      ['{"type":"send","id":"s4","data":1,"to":{"ids":[7]}}', 'bad_field'],
      ['{"type":"send","id":"","data":1}', 'bad_field'],
      [Buffer.from([1, 2, 3]), 'bad_frame', true],
    ];
    for (const [payload, code, binary] of cases) {
      const before = bad.frames.length;
      bad.sendRaw(payload, binary);
      const error = await bad.next((f) => f.type === 'error', undefined, before);
      assert.equal(error.code, code, `${String(payload)} → ${code}`);
      assert.equal(typeof error.message, 'string');
    }
    const withId = bad.ofType('error').find((f) => f.id === 's2');
    assert.ok(withId, 'the error names the message id when the frame had one');
    bad.send({ type: 'send', id: 'fine', data: 'still talking' });
    await bad.next((f) => f.type === 'ack' && f.id === 'fine');
    await good.next((f) => f.id === 'fine');
    assert.equal(good.ofType('error').length, 0);
  });

  it('answers an oversize frame with too_large and keeps the connection; a huge one is closed with 1009', async () => {
    const relay = await fixture.relay({ maxFrameBytes: 1024 });
    const client = await fixture.client(relay, { name: 'big' });
    const other = await fixture.client(relay, { name: 'other' });
    client.send({ type: 'send', id: 'fat', data: 'x'.repeat(2000) });
    const error = await client.next((f) => f.type === 'error');
    assert.equal(error.code, 'too_large');
    assert.equal(error.id, 'fat');
    client.send({ type: 'send', id: 'slim', data: 'ok' });
    await other.next((f) => f.id === 'slim');
    client.send({ type: 'send', id: 'huge', data: 'x'.repeat(5000) });
    assert.equal((await client.closed()).code, 1009);
    other.send({ type: 'send', id: 'after', data: 'others unaffected' });
    assert.equal((await other.next((f) => f.type === 'ack' && f.id === 'after')).type, 'ack');
  });

  it('rate-limits with retryAfter and keeps a merely eager client; closes a flooder (1008 flood); others unharmed', async () => {
    const relay = await fixture.relay({ maxMessagesPerSecond: 20, burst: 40, floodThreshold: 100 });
    const eager = await fixture.client(relay, { name: 'eager' });
    const witness = await fixture.client(relay, { name: 'witness' });
    for (let i = 0; i < 50; i++) eager.send({ type: 'send', id: `e${i}`, data: i });
    await waitFor(() => eager.ofType('ack').length + eager.ofType('error').length >= 50, '50 answers');
    const acks = eager.ofType('ack').length;
    const limited = eager.ofType('error').filter((f) => f.code === 'rate_limited');
    // hello took one token of the burst of 40
    assert.ok(acks >= 39 && acks <= 41, `the burst goes through (${acks} acks)`);
    assert.equal(acks + limited.length, 50);
    assert.ok(limited.every((f) => typeof f.retryAfter === 'number' && (f.retryAfter as number) > 0));
    assert.ok(limited.every((f) => typeof f.id === 'string' && (f.id as string).startsWith('e')), 'errors name the message');
    assert.equal(eager.closeCode, undefined);

    const flooder = await fixture.client(relay, { name: 'flooder' });
    for (let i = 0; i < 400; i++) flooder.send({ type: 'send', id: `f${i}`, data: i });
    assert.deepEqual(await flooder.closed(), { code: 1008, reason: 'flood' });

    const third = await fixture.client(relay, { name: 'third' });
    witness.send({ type: 'send', id: 'w1', data: 'still here' });
    await third.next((f) => f.id === 'w1');
    assert.equal(witness.closeCode, undefined);
  });

  it('cuts off a slow consumer instead of buffering for it; fast clients get everything', async () => {
    const relay = await fixture.relay({ maxBufferedBytes: 256 * 1024, maxMessagesPerSecond: 10_000, burst: 10_000 });
    const slow = await rawWebSocket(relay.port!, 'message-center.v1');
    slow.resume();
    slow.write(maskedText(JSON.stringify({ type: 'hello', name: 'slow' })));
    await waitFor(() => relay.online === 1, 'slow client joined');
    slow.pause(); // stop reading from here on
    const sender = await fixture.client(relay, { name: 'sender' });
    const fast = await fixture.client(relay, { name: 'fast' });
    const chunk = 'x'.repeat(50_000);
    const total = 600; // 30 MB: more than loopback's kernel buffers hold
    // Four at a time (200 KB, under the limit), each batch read by the fast
    // client before the next: it keeps up however busy the machine is, and
    // only the client that stopped reading falls behind.
    for (let i = 0; i < total; i += 4) {
      for (let j = i; j < i + 4; j++) sender.send({ type: 'send', id: `b${j}`, data: chunk });
      await fast.next((f) => f.id === `b${i + 3}`);
    }
    await fast.next((f) => f.type === 'leave' && (f.peer as { name: string }).name === 'slow');
    slow.destroy();
    assert.equal(fast.ofType('message').length, total, 'every message reached the fast client');
    await waitFor(() => sender.ofType('ack').length === total, 'every message acknowledged');
    assert.equal(fast.closeCode, undefined);
  });

  it('refuses connections above the per-address and total limits with their close codes', async () => {
    const relay = await fixture.relay({ maxConnectionsPerAddress: 2 });
    const first = await fixture.client(relay, { name: 'one' });
    await fixture.client(relay, { name: 'two' });
    const third = fixture.raw(relay);
    assert.deepEqual(await third.closed(), { code: 1008, reason: 'too_many_connections' });
    first.send({ type: 'ping' });
    await first.next((f) => f.type === 'pong');

    const full = await fixture.relay({ maxConnections: 2 });
    await fixture.client(full);
    await fixture.client(full);
    assert.deepEqual(await fixture.raw(full).closed(), { code: 1013, reason: 'server_full' });
  });

  it('drops a peer that stops answering pings', async () => {
    const relay = await fixture.relay({ heartbeatInterval: 100 });
    const alive = await fixture.client(relay, { dialect: 'legacy' });
    const dead = await rawWebSocket(relay.port!);
    await waitFor(() => relay.connections === 2, 'both connected');
    await waitFor(() => relay.connections === 1, 'dead peer reaped');
    dead.destroy();
    assert.equal(alive.closeCode, undefined, 'a live peer (its library answers pings) stays');
  });
});

/** A client-to-server text frame (clients must mask). */
function maskedText(text: string): Buffer {
  const payload = Buffer.from(text);
  if (payload.length >= 126) throw new Error('short frames only');
  const mask = Buffer.from([1, 2, 3, 4]);
  const frame = Buffer.alloc(6 + payload.length);
  frame[0] = 0x81;
  frame[1] = 0x80 | payload.length;
  mask.copy(frame, 2);
  for (let i = 0; i < payload.length; i++) frame[6 + i] = payload[i]! ^ mask[i % 4]!;
  return frame;
}
