// A model-based test of ChatClient's outbox: fast-check drives random
// interleavings of sends, acknowledgements, refusals (rate_limited,
// unavailable, a permanent error), dropped links and client reconnects
// against a model of the order the messages were written in. The peer is a
// scripted relay on a real socket: the real relay never sends rate_limited
// (it makes early frames wait), so only a scripted one can refuse at the
// moments fast-check picks. It follows PROTOCOL.md's order rule (after a
// refusal it refuses that connection's later sends until the refused one
// comes back) and records a violation whenever the client puts a message on
// the wire before the one it must come after.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { WebSocketServer, WebSocket } from 'ws';
import { ChatClient } from '../../src/client/chat-client.js';
import { memoryStore } from '../../src/client/persistence.js';
import { SUBPROTOCOL_V1 } from '../../src/protocol/constants.js';
import { waitFor } from '../support/wait.js';

type Verdict = 'ack' | 'rate_limited' | 'unavailable' | 'fail';
type Action = { kind: 'send'; count: number } | { kind: 'drop' } | { kind: 'reopen' } | { kind: 'wait'; ms: number };

interface Run {
  limits: { maxMessagesPerSecond: number; burst: number };
  retryAfter: number;
  verdicts: Verdict[];
  /** Every id, in the order the application sent them: the model. */
  order: string[];
  /** Ids the scripted relay routed, in the order it routed them. */
  routed: string[];
  failed: Set<string>;
  violations: string[];
  /** When the first welcome was written, and how many sends arrived since: the client's pacing is checked against them. */
  firstWelcomeAt: number | undefined;
  sendsArrived: number;
}

/** The scripted relay: one run at a time. */
class ScriptedRelay {
  private readonly server = new WebSocketServer({ port: 0, host: '127.0.0.1', handleProtocols: (offered) => (offered.has(SUBPROTOCOL_V1) ? SUBPROTOCOL_V1 : false) });
  run: Run | undefined;

  get url(): string {
    return `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  async ready(): Promise<void> {
    if (!this.server.address()) await new Promise((resolve) => this.server.once('listening', resolve));
    this.server.on('connection', (socket) => this.accept(socket));
  }

  drop(): void {
    for (const socket of this.server.clients) socket.terminate();
  }

  close(): Promise<void> {
    this.drop();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: WebSocket): void {
    socket.on('error', () => {});
    let greeted = false;
    /** The send this connection refused and is waiting to see again. */
    let held: { id: string; code: string } | undefined;
    const reply = (frame: object) => socket.send(JSON.stringify(frame));
    socket.on('message', (data) => {
      const run = this.run;
      if (!run) return;
      const frame = JSON.parse(String(data)) as { type: string; id?: string };
      if (frame.type === 'hello') {
        greeted = true;
        run.firstWelcomeAt ??= Date.now();
        reply({
          type: 'welcome',
          v: 1,
          self: { id: 'me', name: 'ada', addr: '' },
          session: 'session',
          epoch: 'epoch',
          offset: 0,
          roster: [{ id: 'me', name: 'ada', addr: '' }],
          count: 1,
          limits: { maxFrameBytes: 65536, heartbeatInterval: 25000, ...run.limits },
          resumed: 'resume' in frame,
        });
        return;
      }
      if (!greeted) run.violations.push(`${frame.type} before hello`);
      if (frame.type !== 'send') return;
      const id = frame.id!;
      run.sendsArrived++;
      const allowed = run.limits.burst + (run.limits.maxMessagesPerSecond * (Date.now() - run.firstWelcomeAt!)) / 1000;
      if (run.sendsArrived > allowed + 1) run.violations.push(`send #${run.sendsArrived} arrived with only ${allowed.toFixed(1)} allowed: not paced`);
      const routedAt = run.routed.indexOf(id);
      if (routedAt >= 0) {
        reply({ type: 'ack', id, offset: routedAt + 1, ts: Date.now(), recipients: 0, duplicate: true });
        return;
      }
      // Refused for good on a link that went before the client heard of it: refused again (its target is still unknown).
      if (run.failed.has(id)) {
        reply({ type: 'error', code: 'unknown_target', message: 'no one', id, targets: { names: ['nobody'] } });
        return;
      }
      const head = run.order.find((candidate) => !run.routed.includes(candidate) && !run.failed.has(candidate));
      if (id !== head) {
        // In flight when an earlier one was refused: refused too, as PROTOCOL.md says. Otherwise it overtook the head.
        if (!held) run.violations.push(`${id} sent before ${head ?? 'nothing'}`);
        reply({ type: 'error', code: held?.code ?? 'unavailable', message: 'held', id, retryAfter: run.retryAfter });
        return;
      }
      held = undefined;
      const verdict = run.verdicts.shift() ?? 'ack';
      if (verdict === 'ack') {
        run.routed.push(id);
        reply({ type: 'ack', id, offset: run.routed.length, ts: Date.now(), recipients: 0 });
      } else if (verdict === 'fail') {
        run.failed.add(id);
        reply({ type: 'error', code: 'unknown_target', message: 'no one', id, targets: { names: ['nobody'] } });
      } else {
        held = { id, code: verdict };
        reply({ type: 'error', code: verdict, message: 'not now', id, retryAfter: run.retryAfter });
      }
    });
  }
}

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('send' as const), count: fc.integer({ min: 1, max: 25 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'drop' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'reopen' as const }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 40 }) }) },
);

const verdict: fc.Arbitrary<Verdict> = fc.oneof(
  { weight: 6, arbitrary: fc.constant('ack' as const) },
  { weight: 2, arbitrary: fc.constant('rate_limited' as const) },
  { weight: 1, arbitrary: fc.constant('unavailable' as const) },
  { weight: 1, arbitrary: fc.constant('fail' as const) },
);

describe('ChatClient outbox (model-based, scripted relay on a real socket)', () => {
  const relay = new ScriptedRelay();
  before(() => relay.ready());
  after(() => relay.close());

  it('whatever the interleaving, routes every message once, in the order sent, paced by welcome.limits, and reports no pacing as an error', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          actions: fc.array(action, { minLength: 1, maxLength: 12 }),
          verdicts: fc.array(verdict, { maxLength: 40 }),
          burst: fc.integer({ min: 1, max: 12 }),
          rate: fc.integer({ min: 100, max: 2000 }),
          retryAfter: fc.integer({ min: 1, max: 15 }),
        }),
        async ({ actions, verdicts, burst, rate, retryAfter }) => {
          const run: Run = {
            limits: { maxMessagesPerSecond: rate, burst },
            retryAfter,
            verdicts: [...verdicts],
            order: [],
            routed: [],
            failed: new Set(),
            violations: [],
            firstWelcomeAt: undefined,
            sendsArrived: 0,
          };
          relay.run = run;
          const client = new ChatClient({
            url: relay.url,
            name: 'ada',
            WebSocket: WebSocket as never,
            store: memoryStore(),
            minReconnectionDelay: 5,
            maxReconnectionDelay: 30,
            jitter: 0,
            maxOutbox: 10_000,
          });
          const errors: string[] = [];
          const final = new Map<string, string>();
          client.on('error', (error) => errors.push(error.code));
          client.on('update', (message) => final.set(message.id, message.state ?? ''));
          const trail: string[] = [];
          client.on('status', (change) => trail.push(change.status));
          try {
            client.connect();
            await waitFor(() => client.status === 'online', 'online');
            for (const step of actions) {
              if (step.kind === 'send') {
                for (let i = 0; i < step.count; i++) run.order.push(client.send(`m${run.order.length}`)!.id);
              } else if (step.kind === 'drop') {
                relay.drop();
              } else if (step.kind === 'reopen') {
                client.close();
                client.connect();
              } else {
                await new Promise((resolve) => setTimeout(resolve, step.ms));
              }
            }
            await waitFor(() => client.pending.length === 0, 'the outbox empties', 5000).catch((error: Error) => {
              const state = { pending: client.pending.length, status: trail, violations: run.violations.slice(0, 3), routed: run.routed.length, sent: run.order.length };
              throw new Error(`${error.message}: ${JSON.stringify(state)}`);
            });
            assert.deepEqual(run.violations, []);
            const expected = run.order.filter((id) => !run.failed.has(id));
            assert.deepEqual(run.routed, expected, 'routed once each, in the order sent');
            for (const id of run.order) assert.equal(final.get(id), run.failed.has(id) ? 'failed' : 'sent');
            assert.deepEqual(errors.filter((code) => code === 'rate_limited'), [], 'pacing is not an error');
          } finally {
            client.close();
            relay.run = undefined;
            relay.drop();
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
