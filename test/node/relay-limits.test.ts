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

  it('makes frames beyond the rate wait their turn: none refused, every one answered in order, no faster than the rate', async () => {
    const relay = await fixture.relay({ maxMessagesPerSecond: 100, burst: 20, floodThreshold: 100 });
    const before = Date.now();
    const eager = await fixture.client(relay, { name: 'eager' });
    const witness = await fixture.client(relay, { name: 'witness' });
    // Far more at once than floodThreshold: a client that does not pace itself is slowed, not cut off.
    const ids = Array.from({ length: 300 }, (_, i) => `e${i}`);
    for (const id of ids) eager.send({ type: 'send', id, data: id });
    await waitFor(() => eager.ofType('ack').length + eager.ofType('error').length >= 300 || eager.closeCode !== undefined, '300 answers', 10_000);
    assert.equal(eager.closeCode, undefined, `still connected (closed ${eager.closeCode} ${eager.closeReason})`);
    assert.deepEqual(eager.ofType('error').map((f) => f.code), [], 'nothing refused');
    const acks = eager.ofType('ack');
    assert.deepEqual(acks.map((f) => f.id), ids, 'answered in the order sent');
    assert.deepEqual(witness.ofType('message').map((f) => f.id), ids.slice(0, witness.ofType('message').length), 'routed in the order sent');
    // The bucket holds 20 and gains 100 a second: hello and 300 sends need at least 2.81 s from the hello on.
    const last = acks.at(-1)!.ts as number;
    assert.ok(last - before >= 2800, `the rate held: the last was routed ${last - before} ms after the hello`);
  });

  it('keeps the rate limit with the session: a resumed connection continues its bucket', async () => {
    const relay = await fixture.relay({ maxMessagesPerSecond: 2, burst: 5 });
    const before = Date.now();
    const first = await fixture.client(relay, { name: 'cycler' });
    // hello and 4 sends empty the bucket of 5.
    for (let i = 0; i < 4; i++) first.send({ type: 'send', id: `a${i}`, data: i });
    await waitFor(() => first.ofType('ack').length === 4, 'the burst acknowledged');
    const { session, epoch } = first.welcome as { session: string; epoch: string };
    first.close();
    await waitFor(() => relay.online === 0, 'the first connection is gone');
    const second = fixture.raw(relay, { hello: false });
    await waitFor(() => second.socket.readyState === 1, 'connected again');
    second.send({ type: 'hello', name: 'cycler', resume: { session, epoch, offset: 0 } });
    await second.next((f) => f.type === 'welcome' && f.resumed === true);
    for (let i = 0; i < 5; i++) second.send({ type: 'send', id: `b${i}`, data: i });
    await waitFor(() => second.ofType('ack').length + second.ofType('error').length >= 5, 'five answers', 10_000);
    assert.deepEqual(second.ofType('error').map((f) => f.code), [], 'nothing refused');
    const acks = second.ofType('ack');
    assert.deepEqual(acks.map((f) => f.id), ['b0', 'b1', 'b2', 'b3', 'b4']);
    // One bucket for the session: 1 + 9 frames against 5 tokens and 2 a second need 2.5 s.
    // (A new bucket per connection would have let b0-b3 through at once.)
    const last = acks.at(-1)!.ts as number;
    assert.ok(last - before >= 2500, `the session kept its bucket: b4 was routed ${last - before} ms after the first hello`);
  });

  it('takes a session over while its frames wait for the rate limit: what the new link sends again arrives once each, in order', async () => {
    const relay = await fixture.relay({ maxMessagesPerSecond: 1, burst: 3 });
    const witness = await fixture.client(relay, { name: 'witness' });
    const old = await fixture.client(relay, { name: 'ada' });
    // hello, a0 and a1 take the burst; a2 to a5 wait, a second apart.
    for (let i = 0; i < 6; i++) old.send({ type: 'send', id: `a${i}`, data: i });
    await witness.next((f) => f.id === 'a1');
    const { session, epoch } = old.welcome as { session: string; epoch: string };
    const fresh = fixture.raw(relay, { hello: false });
    await waitFor(() => fresh.socket.readyState === 1, 'connected');
    fresh.send({ type: 'hello', resume: { session, epoch, offset: 0 } });
    await fresh.next((f) => f.type === 'welcome' && f.resumed === true);
    assert.deepEqual(await old.closed(), { code: 4409, reason: 'session_taken_over' });
    // The client sends again what was not acknowledged, in order.
    const unanswered = [0, 1, 2, 3, 4, 5].map((i) => `a${i}`).filter((id) => !old.ofType('ack').some((f) => f.id === id));
    for (const id of unanswered) fresh.send({ type: 'send', id, data: id });
    fresh.send({ type: 'send', id: 'b0', data: 'after' });
    await witness.next((f) => f.id === 'b0', 15_000);
    assert.deepEqual(witness.ofType('message').map((f) => f.id), ['a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'b0'], 'each once, in order');
    assert.deepEqual(fresh.ofType('error'), []);
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
