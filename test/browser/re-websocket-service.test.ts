import { expect } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import { ReWebSocketService, type ConnectionStateChange } from '../../src/index.js';
import { waitFor } from '../support/wait.js';

interface EchoServer {
  id: string;
  url: string;
}

const startEcho = (protocols?: string[]) => executeServerCommand<EchoServer, object>('echo-start', { protocols });
const echo = (command: string, id: string) => executeServerCommand(`echo-${command}`, { id });

/** Records what a service reports through the original wrapper's callbacks. */
function recorder() {
  const log = {
    opens: 0,
    messages: [] as string[],
    errors: [] as Array<Event | Error>,
    closes: [] as number[],
    states: [] as ConnectionStateChange[],
  };
  const callbacks = {
    openCallback: () => void log.opens++,
    messageCallback: (event: MessageEvent) => void log.messages.push(String(event.data)),
    errorCallback: (error: Event | Error) => void log.errors.push(error),
    closeCallback: (event: { code: number }) => void log.closes.push(event.code),
    stateCallback: (change: ConnectionStateChange) => void log.states.push(change),
  };
  return { log, callbacks };
}

const fast = { minReconnectionDelay: 50, maxReconnectionDelay: 200, connectionTimeout: 1000 };

describe('ReWebSocketService', () => {
  const services: ReWebSocketService[] = [];
  const track = (service: ReWebSocketService) => (services.push(service), service);
  afterEach(() => services.splice(0).forEach((service) => service.close()));

  it('connects, sends and receives through the familiar callbacks', async () => {
    const server = await startEcho();
    const { log, callbacks } = recorder();
    const service = track(new ReWebSocketService(server.url, { ...callbacks, ...fast }));
    expect(service.state).to.equal('connecting');
    await waitFor(() => service.state === 'open', 'open');
    expect(service.send('hello')).to.equal('sent');
    await waitFor(() => log.messages.length === 1, 'echo');
    expect(log.messages).to.deep.equal(['hello']);
    expect(log.opens).to.equal(1);
    expect(log.states.map((s) => s.state)).to.deep.equal(['connecting', 'open']);
    expect(service.websocket).to.have.property('readyState', WebSocket.OPEN);
  });

  it('reconnects after the server drops it and keeps delivering to the same callbacks', async () => {
    const server = await startEcho();
    const { log, callbacks } = recorder();
    const service = track(new ReWebSocketService(server.url, { ...callbacks, ...fast }));
    await waitFor(() => service.state === 'open', 'open');
    await echo('drop', server.id);
    await waitFor(() => log.states.some((s) => s.state === 'reconnecting'), 'reconnecting');
    const reconnecting = log.states.find((s) => s.state === 'reconnecting')!;
    expect(reconnecting.previous).to.equal('open');
    expect(reconnecting.retryAt).to.be.a('number');
    await waitFor(() => service.state === 'open' && log.opens === 2, 'reopened');
    service.send('after the drop');
    await waitFor(() => log.messages.includes('after the drop'), 'echo after reconnect');
  });

  it('comes back when the server restarts on the same port, backing off meanwhile', async () => {
    const server = await startEcho();
    const { log, callbacks } = recorder();
    const service = track(new ReWebSocketService(server.url, { ...callbacks, ...fast }));
    await waitFor(() => service.state === 'open', 'open');
    await echo('stop', server.id);
    await waitFor(() => service.attempt >= 2, 'at least two failed attempts');
    expect(service.state).to.equal('reconnecting');
    await echo('restart', server.id);
    await waitFor(() => service.state === 'open', 'open after restart');
    expect(service.attempt).to.equal(0);
    expect(log.opens).to.equal(2);
  });

  it('queues what is sent before open and flushes it in order after openCallback', async () => {
    const server = await startEcho();
    const { log, callbacks } = recorder();
    let service!: ReWebSocketService;
    service = track(
      new ReWebSocketService(server.url, {
        ...callbacks,
        ...fast,
        openCallback: () => service.send('handshake'),
      }),
    );
    expect(service.send('one')).to.equal('queued');
    expect(service.send('two')).to.equal('queued');
    await waitFor(() => log.messages.length === 3, 'three echoes');
    expect(log.messages).to.deep.equal(['handshake', 'one', 'two']);
  });

  it('rejects and reports a message when its queue is full, never dropping silently', async () => {
    const { log, callbacks } = recorder();
    const service = track(
      new ReWebSocketService('ws://127.0.0.1:9/', { ...callbacks, ...fast, maxQueuedMessages: 2, startClosed: true }),
    );
    expect(service.send('x')).to.equal('rejected');
    service.open();
    expect(service.send('a')).to.equal('queued');
    expect(service.send('b')).to.equal('queued');
    expect(service.send('c')).to.equal('rejected');
    const full = log.errors.at(-1) as RangeError;
    expect(full.message).to.match(/queue is full \(2 messages\)/);
    expect(service.queued).to.equal(2);
  });

  it('does not stick when the URL provider throws: it reports and retries', async () => {
    const server = await startEcho();
    const { log, callbacks } = recorder();
    let calls = 0;
    const service = track(
      new ReWebSocketService(
        () => {
          calls += 1;
          if (calls <= 2) throw new Error(`token service down (${calls})`);
          return server.url;
        },
        { ...callbacks, ...fast },
      ),
    );
    await waitFor(() => service.state === 'open', 'open after provider recovered');
    expect(calls).to.equal(3);
    expect(log.errors.map((e) => (e as Error).message)).to.deep.equal(['token service down (1)', 'token service down (2)']);
  });

  it('recovers from a URL provider that never answers (the watchdog starts over)', async () => {
    const server = await startEcho();
    const { log, callbacks } = recorder();
    let calls = 0;
    const service = track(
      new ReWebSocketService(
        () => {
          calls += 1;
          return calls === 1 ? new Promise<string>(() => {}) : server.url;
        },
        { ...callbacks, ...fast, connectionTimeout: 250 },
      ),
    );
    await waitFor(() => service.state === 'open', 'open after the watchdog');
    expect(log.errors.some((e) => /stuck/.test((e as Error).message))).to.equal(true);
  });

  it('can be closed while connecting and opened again', async () => {
    const server = await startEcho();
    const { log, callbacks } = recorder();
    const service = track(new ReWebSocketService(server.url, { ...callbacks, ...fast }));
    service.close();
    expect(service.state).to.equal('closed');
    // It stays closed: no late socket opens behind our back.
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(log.opens).to.equal(0);
    service.open();
    await waitFor(() => service.state === 'open', 'open after reopen');
    expect(log.states.map((s) => s.state)).to.deep.equal(['connecting', 'closed', 'connecting', 'open']);
  });

  it('selects a subprotocol the server speaks', async () => {
    const server = await startEcho(['chat.v2', 'chat.v1']);
    const service = track(new ReWebSocketService(server.url, { ...fast, protocols: ['chat.v1', 'other'] }));
    await waitFor(() => service.state === 'open', 'open');
    expect(service.protocol).to.equal('chat.v1');
  });

  it('gives up after maxRetries, and when shouldReconnect says no', async () => {
    const gaveUp = track(new ReWebSocketService('ws://127.0.0.1:9/', { ...fast, maxRetries: 2 }));
    await waitFor(() => gaveUp.state === 'closed', 'closed after retries');
    expect(gaveUp.attempt).to.equal(3);

    const server = await startEcho();
    const { log, callbacks } = recorder();
    const refused = track(
      new ReWebSocketService(server.url, { ...callbacks, ...fast, shouldReconnect: (event) => event.code !== 4000 }),
    );
    await waitFor(() => refused.state === 'open', 'open');
    refused.send('__close_me__');
    await waitFor(() => refused.state === 'closed', 'closed on 4000');
    expect(log.closes).to.deep.equal([4000]);
  });

  it('draws a fresh jitter for every client, so a crowd does not retry in lockstep', async () => {
    // Each delay as drawn: the retry time against the moment it was scheduled (not against when this test looks).
    const delays: number[] = [];
    Array.from({ length: 12 }, () =>
      track(
        new ReWebSocketService('ws://127.0.0.1:9/', {
          minReconnectionDelay: 1000,
          maxReconnectionDelay: 1000,
          stateCallback: ({ state, retryAt }) => {
            if (state === 'reconnecting' && retryAt !== undefined && delays.length < 12) delays.push(retryAt - Date.now());
          },
        }),
      ),
    );
    await waitFor(() => delays.length === 12, 'all reconnecting');
    expect(new Set(delays.map((d) => Math.round(d / 20))).size).to.be.greaterThan(4);
    for (const delay of delays) expect(delay).to.be.within(400, 1000);
  });

  it('refuses bad configuration with a precise TypeError', () => {
    expect(() => new ReWebSocketService(42 as never)).to.throw(TypeError, /url must be a string/);
    expect(() => new ReWebSocketService('ws://x', { minReconnectionDelay: 500, maxReconnectionDelay: 100 })).to.throw(
      TypeError,
      /maxReconnectionDelay \(100\) must be/,
    );
    expect(() => new ReWebSocketService('ws://x', { jitter: 2 })).to.throw(TypeError, /jitter/);
  });
});
