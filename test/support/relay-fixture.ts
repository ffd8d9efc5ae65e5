import { after } from 'node:test';
import { createRelayServer, type RelayServer, type RelayServerOptions } from '../../src/server/index.js';
import { TestClient, type ClientOptions } from './test-client.js';

/**
 * Starts relays and clients for one test file and closes all of them when the
 * file's tests are done.
 */
export function relayFixture() {
  const relays: RelayServer[] = [];
  const clients: TestClient[] = [];
  after(async () => {
    for (const client of clients) client.close();
    await Promise.all(relays.map((relay) => relay.close()));
  });
  return {
    async relay(options: Partial<RelayServerOptions> = {}): Promise<RelayServer> {
      const relay = await createRelayServer({ port: 0, host: '127.0.0.1', logger: false, ...options } as RelayServerOptions);
      relays.push(relay);
      return relay;
    },
    async client(relay: RelayServer, options: ClientOptions = {}): Promise<TestClient> {
      const client = await TestClient.connect(relay.url, options);
      clients.push(client);
      return client;
    },
    /** A client that is not connected yet (for tests of the handshake itself). */
    raw(relay: RelayServer, options: ClientOptions = {}): TestClient {
      const client = new TestClient(relay.url, options);
      clients.push(client);
      return client;
    },
  };
}

/** Addresses for clients behind a trusted proxy, so tests can tell them apart on loopback. */
export const from = (addr: string): ClientOptions => ({ headers: { 'x-forwarded-for': addr } });
