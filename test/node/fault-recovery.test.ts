import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { ChatMessage } from '../../src/client/types.js';
import { createRelayServer, type RelayServer } from '../../src/server/index.js';
import { closeAll, cluster, verify, type Member } from '../support/chat-cluster.js';
import { waitFor } from '../support/wait.js';

/** A deterministic pseudo-random sequence (mulberry32), so a failure can be replayed with its seed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('nothing lost: 5 clients, 2,000 messages, connections cut at random', () => {
  const relays: RelayServer[] = [];
  let members: Member[] = [];
  after(async () => {
    closeAll(members);
    await Promise.all(relays.map((relay) => relay.close()));
  });

  it('ends with every client holding exactly the messages addressed to it, in order, none twice', async () => {
    const seed = Number(process.env.FAULT_SEED ?? Date.now() % 100_000);
    const rand = random(seed);
    const relay = await createRelayServer({
      port: 0,
      host: '127.0.0.1',
      logger: false,
      maxMessagesPerSecond: 100_000,
      burst: 100_000,
    });
    relays.push(relay);
    members = await cluster(relay.url, 5);
    const ids = new Map(members.map((m) => [m, m.id]));

    const sent: Array<{ from: Member; message: ChatMessage; to?: Member }> = [];
    let cuts = 0;
    const cutter = setInterval(() => {
      const victim = members[Math.floor(rand() * members.length)]!;
      if (relay.drop({ id: ids.get(victim)! }) > 0) cuts++;
    }, 25);
    try {
      for (let i = 0; i < 2000; i++) {
        const from = members[i % members.length]!;
        if (rand() < 0.35) {
          const others = members.filter((m) => m !== from);
          const to = others[Math.floor(rand() * others.length)]!;
          sent.push({ from, to, message: from.send(`#${i} for ${to.name}`, { ids: [ids.get(to)!] }) });
        } else {
          sent.push({ from, message: from.send(`#${i} for all`) });
        }
        if (i % 20 === 19) await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    } finally {
      clearInterval(cutter);
    }

    await waitFor(
      () => members.every((m) => m.client.status === 'online' && m.client.pending.length === 0),
      'every outbox empty and everyone online',
      30_000,
    );
    await waitFor(() => verify(members, sent).length === 0, `delivery complete (seed ${seed}): ${verify(members, sent).join('; ')}`, 30_000);
    assert.deepEqual(verify(members, sent), [], `seed ${seed}`);
    assert.ok(cuts >= 20, `connections were cut (${cuts} times)`);
    assert.deepEqual(
      members.flatMap((m) => m.gaps),
      [],
      'no gap: every cut was within the replay window',
    );
    assert.equal(sent.length, 2000);
    assert.equal(
      members.reduce((sum, m) => sum + m.acked.size, 0),
      2000,
      'every message acknowledged exactly once to its sender',
    );
  });
});
