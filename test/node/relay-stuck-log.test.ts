import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import type { JWTPayload } from 'jose';
import { SUBPROTOCOL_V1 } from '../../src/protocol/constants.js';
import { upgradeRequest } from '../support/raw-socket.js';
import { startRelayProcess, type RelayProcess } from '../support/relay-process.js';
import { TestClient } from '../support/test-client.js';
import { hs256, SECRET } from '../support/tokens.js';
import { waitFor } from '../support/wait.js';

// The relay under a supervisor or log shipper that stopped reading its
// stdout and stderr. These run the built CLI (`npm test` builds first; run
// `npm run build --silent` before running this file alone).

/** Resident memory of a process, in bytes. */
function residentBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  assert.ok(match, `no VmRSS for process ${pid}`);
  return Number(match[1]) * 1024;
}

/** A client frame without a mask: a protocol error the relay logs (at debug) before it drops the socket. */
const UNMASKED_FRAME = Buffer.from([0x81, 0x02, 0x68, 0x69]);

/**
 * Opens `count` WebSocket connections, `parallel` at a time, each sending an
 * unmasked frame right behind its upgrade request, and waits for the relay
 * to drop each. With `--log-level debug` each logs three lines (connect, the
 * socket error, disconnect); a v1 socket that never says hello stays out of
 * every roster, so the chatters get no presence noise.
 */
async function churn(port: number, count: number, headers: Record<string, string> = {}, parallel = 24): Promise<void> {
  const request = Buffer.concat([Buffer.from(upgradeRequest(port, SUBPROTOCOL_V1, headers)), UNMASKED_FRAME]);
  const once = () =>
    new Promise<void>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => socket.write(request));
      socket.on('error', () => {});
      socket.on('data', () => {});
      socket.once('close', () => resolve());
    });
  let started = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (started < count) {
        started += 1;
        await once();
      }
    }),
  );
}

/** Resolves with how the process ended, or rejects once `deadline` ms have passed. */
function exitWithin(relay: RelayProcess, deadline: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`still running ${deadline} ms after SIGTERM`)), deadline);
    relay.child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, ms: Date.now() - start });
    });
  });
}

describe('a relay whose log nobody reads', () => {
  it('keeps serving while it logs 100,000 lines, stays bounded in memory, and SIGTERM ends it within the grace period', async () => {
    const grace = 3000;
    const relay = await startRelayProcess(
      ['--log-level', 'debug', '--jwt-secret', SECRET, '--max-connections-per-address', '1000', '--shutdown-grace', String(grace)],
      0,
      {},
      { built: true, unread: true },
    );
    const pid = relay.child.pid!;
    const bearer = async (claims: JWTPayload) => ({ authorization: `Bearer ${await hs256(claims, { ttl: 600 })}` });
    try {
      const ada = await TestClient.connect(relay.url, { headers: await bearer({ sub: 'u-ada', name: 'Ada' }) });
      const bob = await TestClient.connect(relay.url, { headers: await bearer({ sub: 'u-bob', name: 'Bob' }) });
      // The connect line names the user: with a 4 KB user id, each connection
      // logs 5 KB, more than any buffer should hold for long.
      const churner = await bearer({ sub: 'u'.repeat(4096) });
      // Fill the pipes and the log's buffer, and let the heap reach its working size, before measuring.
      await churn(relay.port, 6000, churner);
      const before = residentBytes(pid);
      let peak = before;
      let churning = true;
      let sent = 0;
      let healthChecks = 0;
      const chatter = (async () => {
        while (churning) {
          ada.send({ type: 'send', id: `m${sent}`, data: sent });
          sent += 1;
          const health = await fetch(`http://127.0.0.1:${relay.port}/healthz`, { signal: AbortSignal.timeout(5000) });
          assert.equal(health.status, 200, '/healthz answers while the log is stuck');
          await health.body?.cancel();
          healthChecks += 1;
          peak = Math.max(peak, residentBytes(pid));
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      })();
      try {
        await churn(relay.port, 27_400, churner); // with the warm-up: 100,200 lines
      } finally {
        churning = false;
        await chatter;
      }
      peak = Math.max(peak, residentBytes(pid));
      assert.ok(healthChecks > 0);
      await waitFor(() => bob.ofType('message').length === sent, `Bob gets all ${sent} messages Ada sent meanwhile`, 10_000);
      assert.deepEqual(
        bob.ofType('message').map((message) => message.data),
        Array.from({ length: sent }, (_, i) => i),
        'in order, exactly once',
      );
      // At most 4 MiB of lines wait for stdout; the heap itself wanders by
      // some tens of MB. Held without a bound, the 145 MB of lines logged
      // since the warm-up grew it by about 200 MB.
      const grown = peak - before;
      assert.ok(grown < 64 * 1024 * 1024, `resident memory grew by ${Math.round(grown / 1024 / 1024)} MB while the log was stuck`);

      const exited = exitWithin(relay, grace + 5000);
      relay.child.kill('SIGTERM');
      assert.deepEqual(await ada.closed(grace + 5000), { code: 1001, reason: 'server_shutdown' });
      const { code, signal } = await exited;
      assert.deepEqual({ code, signal }, { code: 1, signal: null }, 'it exits by itself, with 1: its log could not be flushed in time');
    } finally {
      await relay.kill();
    }
  });

  it('drops what the destination will not take, counts it, and says how many once it reads again', async () => {
    const relay = await startRelayProcess(['--max-connections-per-address', '1000'], 0, {}, { built: true, unread: true });
    try {
      // Each refusal logs one line holding the refused Origin: 8 KB a line fills any buffer fast.
      const origin = `https://${'x'.repeat(8000)}.example`;
      const refusals = 1500;
      await churn(relay.port, refusals, { origin });

      const lines: Array<Record<string, unknown>> = [];
      let buffered = '';
      relay.child.stdout!.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const parts = buffered.split('\n');
        buffered = parts.pop()!;
        for (const line of parts) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      });
      relay.child.stdout!.resume();
      const refused = () => lines.filter((line) => line.msg === 'refused at admission').length;
      const dropped = () => lines.filter((line) => line.event === 'log_lines_dropped').reduce((sum, line) => sum + (line.dropped as number), 0);
      await waitFor(() => dropped() > 0, 'a line that says how many lines were dropped', 10_000);
      await waitFor(() => refused() + dropped() === refusals, `${refusals} refusals, each logged or counted (${refused()} logged, ${dropped()} dropped)`, 10_000);

      // Logging carries on as before.
      const client = await TestClient.connect(relay.url, { name: 'after' });
      await waitFor(() => lines.some((line) => line.event === 'connect'), 'the next connection is logged', 10_000);
      client.close();
    } finally {
      await relay.kill();
    }
  });
});
