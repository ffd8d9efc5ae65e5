import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { ChatStatus } from '../../src/client/types.js';
import { createRelayServer, type RelayServer } from '../../src/server/index.js';
import { Member } from '../support/chat-cluster.js';
import { startRelayProcess, type RelayProcess } from '../support/relay-process.js';
import { waitFor } from '../support/wait.js';

/** A ChatClient, connected, with what it reported that these tests look at besides what a Member keeps. */
function member(url: string, name: string) {
  const member = new Member(name, url);
  const errors: string[] = [];
  const statuses: ChatStatus[] = [];
  member.client.on('error', (error) => errors.push(error.code));
  member.client.on('status', ({ status }) => statuses.push(status));
  member.client.connect();
  return { client: member.client, received: member.received, errors, statuses };
}

type Sender = ReturnType<typeof member>;

/**
 * What went wrong, counted: the receiver must show every text once, in the
 * order sent; the sender must never be closed for flooding, nor told about
 * pacing it does itself.
 */
function problems(sender: Sender, receiver: Sender, expected: string[]) {
  const position = new Map(expected.map((text, i) => [text, i]));
  let inversions = 0;
  const texts = receiver.received.map((message) => message.text);
  for (let i = 1; i < texts.length; i++) {
    if (position.get(texts[i]!)! < position.get(texts[i - 1]!)!) inversions++;
  }
  const shown = new Set(texts);
  return {
    inversions,
    twice: texts.length - shown.size,
    missing: expected.filter((text) => !shown.has(text)).length,
    floodCloses: sender.errors.filter((code) => code === 'flood').length,
    rateLimitedErrors: sender.errors.filter((code) => code === 'rate_limited').length,
  };
}

const NONE = { inversions: 0, twice: 0, missing: 0, floodCloses: 0, rateLimitedErrors: 0 };

describe('ChatClient: per-sender order, whatever the burst', () => {
  const relays: RelayServer[] = [];
  const processes: RelayProcess[] = [];
  const folders: string[] = [];
  const members: Sender[] = [];
  after(async () => {
    for (const { client } of members) client.close();
    await Promise.all(relays.map((relay) => relay.close()));
    await Promise.all(processes.map((process) => process.kill()));
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  });

  const pair = async (url: string) => {
    const ada = member(url, 'ada');
    const bob = member(url, 'bob');
    members.push(ada, bob);
    await waitFor(() => ada.client.status === 'online' && bob.client.roster.length === 2, 'both online');
    return { ada, bob };
  };

  const burstOf500 = async (limits: { maxMessagesPerSecond?: number; burst?: number }, timeout: number) => {
    const relay = await createRelayServer({ port: 0, host: '127.0.0.1', logger: false, ...limits });
    relays.push(relay);
    const { ada, bob } = await pair(relay.url);
    const texts = Array.from({ length: 500 }, (_, i) => `m${i}`);
    for (const text of texts) assert.ok(ada.client.send(text), `${text} accepted into the outbox`);
    await waitFor(() => new Set(bob.received.map((m) => m.text)).size >= 500, `500 delivered (got ${bob.received.length})`, timeout);
    await waitFor(() => ada.client.pending.length === 0, 'every one acknowledged');
    assert.deepEqual(problems(ada, bob, texts), NONE);
    assert.deepEqual(bob.received.map((m) => m.text), texts);
    assert.ok(!ada.statuses.includes('reconnecting'), 'the sender stayed connected');
  };

  it('500 sent at once, relay at 200 messages/s: every one arrives once, in order; no flood close, no rate_limited noise', async () => {
    await burstOf500({ maxMessagesPerSecond: 200, burst: 40 }, 20_000);
  });

  it('500 sent at once at the default limits (20/s, burst 40, about 23 s): the same', { timeout: 60_000 }, async () => {
    await burstOf500({}, 45_000);
  });

  it('200 queued while the relay (--data-dir) restarts, then 100 more once it is back: every one once, in order', { timeout: 60_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mc-order-'));
    folders.push(dataDir);
    const args = ['--data-dir', dataDir, '--max-messages-per-second', '100'];
    let relay = await startRelayProcess(args);
    processes.push(relay);
    const { ada, bob } = await pair(relay.url);
    await relay.kill('SIGKILL');
    await waitFor(() => ada.client.status === 'reconnecting' && bob.client.status === 'reconnecting', 'both cut off');
    const texts = Array.from({ length: 300 }, (_, i) => `r${i}`);
    for (const text of texts.slice(0, 200)) assert.ok(ada.client.send(text));
    relay = await startRelayProcess(args, relay.port);
    processes.push(relay);
    await waitFor(() => ada.client.status === 'online', 'the sender is back', 10_000);
    const backAt = ada.statuses.length;
    for (const text of texts.slice(200)) assert.ok(ada.client.send(text));
    await waitFor(() => new Set(bob.received.map((m) => m.text)).size >= 300, `300 delivered (got ${bob.received.length})`, 30_000);
    await waitFor(() => ada.client.pending.length === 0, 'every one acknowledged');
    assert.deepEqual(problems(ada, bob, texts), NONE);
    assert.deepEqual(bob.received.map((m) => m.text), texts);
    assert.deepEqual(ada.statuses.slice(backAt), [], 'once back, the sender stayed connected');
  });
});
