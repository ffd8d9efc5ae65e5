import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { closeAll, Member, sendNth, verify, type Sent } from '../support/chat-cluster.js';
import { startRelayProcess, type RelayProcess } from '../support/relay-process.js';
import { startRedis, type TestRedis } from '../support/redis-server.js';
import { TestClient } from '../support/test-client.js';
import { waitFor } from '../support/wait.js';

const LOAD = ['--max-messages-per-second', '100000', '--burst', '100000'];

describe('a relay cluster under faults (real processes, real Redis)', () => {
  let redis: TestRedis;
  const processes: RelayProcess[] = [];
  let members: Member[] = [];
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    closeAll(members);
    await Promise.all(processes.map((p) => p.kill()));
    await redis.close();
  });

  async function cluster(prefix: string, size: number) {
    const nodes = await Promise.all(
      Array.from({ length: 3 }, () => startRelayProcess(['--redis', redis.url, '--redis-prefix', prefix, ...LOAD])),
    );
    processes.push(...nodes);
    // Each client prefers one node and, when it cannot connect, tries the next.
    members = Array.from({ length: size }, (_, i) => {
      let attempt = 0;
      return new Member(`c${i}`, () => nodes[(i + attempt++) % nodes.length]!.url);
    });
    for (const member of members) member.client.connect();
    await waitFor(() => members.every((m) => m.client.status === 'online' && m.client.roster.length === size), 'everyone online everywhere', 15_000);
    return nodes;
  }

  async function stream(count: number, fault: () => Promise<void>) {
    const sent: Sent[] = [];
    for (let i = 0; i < count; i++) {
      sent.push(sendNth(members, i));
      if (i === Math.floor(count / 3)) await fault();
      if (i % 20 === 19) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await waitFor(() => members.every((m) => m.client.status === 'online' && m.client.pending.length === 0), 'every outbox empty', 40_000);
    await waitFor(() => verify(members, sent).length === 0, `delivery complete: ${verify(members, sent).join('; ')}`, 40_000);
    return sent;
  }

  it('loses nothing when a node is killed with SIGKILL: its clients resume on another node', async () => {
    const nodes = await cluster(`${redis.prefix}kill`, 6);
    const victim = nodes[0]!;
    const onVictim = () => members.filter((m) => m.client.status === 'online').length;
    const sent = await stream(600, async () => {
      await victim.kill('SIGKILL');
    });
    assert.deepEqual(verify(members, sent), []);
    assert.deepEqual(members.flatMap((m) => m.gaps), [], 'no gap: the log is shared');
    assert.equal(onVictim(), 6);
    assert.equal(members.reduce((sum, m) => sum + m.acked.size, 0), 600);
    closeAll(members);
  });

  it('loses nothing when Redis restarts mid-stream: nodes keep their clients, then catch up', async () => {
    if (!redis.private) {
      // The machine's shared Redis cannot be restarted by a test.
      return;
    }
    await cluster(`${redis.prefix}restart`, 5);
    const errors: string[] = [];
    for (const member of members) member.client.on('error', (e) => errors.push(e.code));
    const statuses: string[] = [];
    for (const member of members) member.client.on('status', (s) => statuses.push(s.status));
    const sent = await stream(500, async () => {
      await redis.stop();
      await new Promise((resolve) => setTimeout(resolve, 1000));
      await redis.start();
    });
    assert.deepEqual(verify(members, sent), []);
    assert.deepEqual(members.flatMap((m) => m.gaps), []);
    assert.ok(errors.includes('unavailable'), 'clients were told to wait while Redis was away');
    assert.ok(!statuses.includes('reconnecting'), 'no client lost its connection');
    closeAll(members);
  });

  it('keeps each sender in order across an outage: after refusing a send with unavailable, it refuses that sender\'s later sends until the refused one comes back', async () => {
    if (!redis.private) return; // the machine's shared Redis cannot be restarted by a test
    const node = await startRelayProcess(['--redis', redis.url, '--redis-prefix', `${redis.prefix}hold`]);
    processes.push(node);
    const ada = await TestClient.connect(node.url, { name: 'ada' });
    const bob = await TestClient.connect(node.url, { name: 'bob' });
    const answer = async (id: string) => {
      const from = ada.frames.length;
      ada.send({ type: 'send', id, data: id });
      return ada.next((f) => (f.type === 'ack' || f.type === 'error') && f.id === id, 5000, from);
    };
    const ready = async () => (await fetch(`http://127.0.0.1:${node.port}/readyz`)).status === 200;
    // The hold outlasts a refusal by 10 s: a Redis that takes longer to come back proves nothing, so try again.
    let proved = false;
    for (let attempt = 0; attempt < 3 && !proved; attempt++) {
      await redis.stop();
      // Until the node notices that Redis is gone, what it is sent is routed.
      let x = `x${attempt}`;
      let refused = await answer(x);
      for (let n = 0; refused.type === 'ack'; n++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        x = `x${attempt}-${n}`;
        refused = await answer(x);
      }
      assert.equal(refused.code, 'unavailable');
      const refusedAt = Date.now();
      await redis.start();
      while (!(await ready())) await new Promise((resolve) => setTimeout(resolve, 50));
      if (Date.now() - refusedAt > 8000) continue;
      // Routable again, but y came after x, which has not come back: y would overtake it.
      const held = await answer(`y${attempt}`);
      assert.deepEqual([held.type, held.code], ['error', 'unavailable'], 'a later send is held back');
      assert.equal(typeof held.retryAfter, 'number');
      const first = await answer(x);
      const second = await answer(`y${attempt}`);
      assert.deepEqual([first.type, second.type], ['ack', 'ack'], 'routed once x came back, then y');
      assert.ok((first.offset as number) < (second.offset as number), 'x before y');
      await waitFor(() => bob.ofType('message').some((f) => f.id === `y${attempt}`), 'bob got y');
      assert.deepEqual(
        bob.ofType('message').map((f) => f.id).filter((id) => id === x || id === `y${attempt}`),
        [x, `y${attempt}`],
        'bob got x, then y',
      );
      assert.equal(ada.closeCode, undefined, 'refusals it could not help are not flooding');
      proved = true;
    }
    assert.ok(proved, 'Redis came back within 8 s in one of three outages');
    ada.close();
    bob.close();
  });

  it('when Redis comes back without its data: every client is closed with 1012, told of the gap, and starts afresh', async () => {
    if (!redis.private) return; // the machine's shared Redis cannot be wiped by a test
    const prefix = `${redis.prefix}lost`;
    const [a, b] = await Promise.all([
      startRelayProcess(['--redis', redis.url, '--redis-prefix', prefix, ...LOAD]),
      startRelayProcess(['--redis', redis.url, '--redis-prefix', prefix, ...LOAD]),
    ]);
    processes.push(a!, b!);
    members = [new Member('ada', a!.url), new Member('bob', b!.url)];
    for (const member of members) member.client.connect();
    await waitFor(() => members.every((m) => m.client.status === 'online' && m.client.roster.length === 2), 'both online');
    // Someone who was here and left: an away session, which a message by name can still reach.
    const ghost = await TestClient.connect(a!.url, { name: 'ghost' });
    ghost.close();
    const [ada, bob] = members as [Member, Member];
    const before = ada.send('before the loss', { names: ['ghost'] });
    await waitFor(() => ada.acked.has(before.id), 'the ghost is an away target');
    const epoch = ada.client.resumeState?.epoch;
    const watcher = await TestClient.connect(b!.url, { name: 'watcher' });

    await redis.stop();
    await redis.start({ empty: true });
    await waitFor(() => members.every((m) => m.gaps.length > 0), 'both told messages may be missing', 20_000);
    // A client may first get back to a node that has not noticed the loss yet; it is closed with 1012 once the node does.
    await waitFor(
      () => members.every((m) => m.client.status === 'online' && m.client.roster.length === 2 && m.client.resumeState?.epoch !== epoch),
      'both back, in a new epoch',
      20_000,
    );
    assert.deepEqual(await watcher.closed(), { code: 1012, reason: 'state_lost' });

    const after = ada.send('after the loss', { names: ['bob'] });
    await waitFor(() => bob.received.some((m) => m.id === after.id), 'routing works again, across nodes');
    // The sessions of the lost state are gone with it.
    const probe = await TestClient.connect(b!.url, { name: 'probe' });
    probe.send({ type: 'send', id: 'to-ghost', to: { names: ['ghost'] }, data: 'anyone?' });
    const answer = await probe.next((f) => f.id === 'to-ghost');
    assert.equal(answer.type, 'error');
    assert.equal(answer.code, 'unknown_target');
    probe.close();
    closeAll(members);
  });

  it('cleans the roster and count up when a node dies without saying goodbye', async () => {
    const prefix = `${redis.prefix}reap`;
    const [a, b] = await Promise.all([
      startRelayProcess(['--redis', redis.url, '--redis-prefix', prefix]),
      startRelayProcess(['--redis', redis.url, '--redis-prefix', prefix]),
    ]);
    processes.push(a!, b!);
    const watcher = await TestClient.connect(b!.url, { name: 'watcher' });
    const doomed = await TestClient.connect(a!.url, { name: 'doomed' });
    await watcher.next((f) => f.type === 'join' && (f.peer as { name: string }).name === 'doomed');
    await a!.kill('SIGKILL');
    // Without the reaper no leave would ever come: the node said no goodbye.
    const left = await watcher.next((f) => f.type === 'leave');
    assert.deepEqual(left, { type: 'leave', peer: doomed.self, count: 1, room: 'lobby' });
    const health = (await (await fetch(`http://127.0.0.1:${b!.port}/healthz`)).json()) as Record<string, unknown>;
    assert.equal(health.online, 1);
    assert.equal(health.nodes, 1);
    watcher.close();
    doomed.close();
  });
});

