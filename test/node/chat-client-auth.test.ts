import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { ChatClient } from '../../src/client/chat-client.js';
import { memoryStore } from '../../src/client/persistence.js';
import type { ChatErrorDetail } from '../../src/client/types.js';
import { createRelayServer, type RelayServer, type RelayServerOptions } from '../../src/server/index.js';
import { hs256, SECRET } from '../support/tokens.js';
import { waitFor } from '../support/wait.js';

/** ws as a page on another site would open it. */
class ForeignPageWebSocket extends WebSocket {
  constructor(url: string, protocols?: string | string[]) {
    super(url, protocols, { origin: 'https://evil.example' });
  }
}

describe('ChatClient: tokens and refusals', () => {
  const relays: RelayServer[] = [];
  const clients: ChatClient[] = [];
  after(async () => {
    for (const client of clients) client.close();
    await Promise.all(relays.map((relay) => relay.close()));
  });
  const relay = async (options: Partial<RelayServerOptions> = {}) => {
    const started = await createRelayServer({ port: 0, host: '127.0.0.1', logger: false, ...options });
    relays.push(started);
    return started;
  };
  const client = (url: string, options: Partial<ConstructorParameters<typeof ChatClient>[0]> = {}) => {
    const created = new ChatClient({ url, WebSocket: WebSocket as never, store: memoryStore(), minReconnectionDelay: 50, maxReconnectionDelay: 2000, ...options });
    const errors: ChatErrorDetail[] = [];
    created.on('error', (error) => errors.push(error));
    clients.push(created);
    created.connect();
    return { client: created, errors };
  };

  it('fetches a token for every attempt: an expired one is reported, and the next, fresh one gets in', async () => {
    const server = await relay({ jwtSecret: SECRET });
    let calls = 0;
    const { client: ada, errors } = client(server.url, {
      name: 'ignored',
      token: async () => (++calls === 1 ? hs256({ sub: 'u-ada', name: 'Ada' }, { ttl: -120 }) : hs256({ sub: 'u-ada', name: 'Ada' })),
    });
    await waitFor(() => ada.status === 'online', 'online with the second token');
    assert.equal(calls, 2);
    assert.equal(ada.self!.name, 'Ada', 'the name is the token’s');
    assert.deepEqual(
      errors.filter((e) => e.code === 'token_expired').map((e) => e.code),
      ['token_expired'],
    );
  });

  it('backs off from a relay that keeps refusing it (4401), instead of retrying at the shortest delay', async () => {
    const server = await relay({ jwtSecret: SECRET });
    const { client: mallory, errors } = client(server.url, {
      jitter: 0,
      reconnectionDelayGrowFactor: 2,
      token: 'not-a-token',
    });
    // Each wait as the client scheduled it (its retry time against the moment it decided), not as a clock saw it pass.
    const delays: number[] = [];
    mallory.on('status', ({ status, retryAt }) => {
      if (status === 'reconnecting' && retryAt !== undefined) delays.push(retryAt - Date.now());
    });
    await waitFor(() => delays.length >= 5, 'five refusals');
    // 50, 100, 200, 400, 800 ms: each wait twice the one before (to the millisecond it was computed in).
    for (let i = 1; i < 5; i++) assert.ok(delays[i]! >= 2 * delays[i - 1]! - 2, `the delay grows: ${delays.join(', ')} ms`);
    assert.ok(delays[4]! >= 700, `the delay grows: ${delays.join(', ')} ms`);
    assert.equal(mallory.status, 'reconnecting');
    assert.ok(errors.some((e) => e.code === 'unauthorized'));
    assert.equal(server.online, 0);
  });

  it('stops after 4403 origin_not_allowed (no retry can change the page), and says why', async () => {
    const server = await relay();
    const { client: page, errors } = client(server.url, { WebSocket: ForeignPageWebSocket as never, name: 'page' });
    await waitFor(() => page.status === 'offline' && errors.some((e) => e.code === 'origin_not_allowed'), 'offline, origin refused');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(page.status, 'offline', 'it does not try again by itself');
    assert.equal(server.connections, 0);
  });
});
