import { after, before } from 'node:test';
import { createRelayServer, type RelayServer, type RelayServerOptions } from '../../src/server/index.js';
import { startRedis, type TestRedis } from './redis-server.js';
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

/**
 * relayFixture for the nodes of clusters on a Redis of the test file's own
 * (started before its tests, stopped after its relays). Call it inside the
 * `describe` whose tests use it.
 */
export function clusterFixture() {
  const fixture = relayFixture();
  let redis: TestRedis | undefined;
  before(async () => {
    redis = await startRedis();
  });
  // Registered after relayFixture's: the relays close before their Redis does.
  after(async () => {
    await redis?.close();
  });
  return {
    ...fixture,
    /** A key prefix no other test's cluster shares: nodes given the same one form one cluster. */
    prefix: (name: string): string => `${redis!.prefix}${name}`,
    /** A node of the cluster whose keys start with `prefix`. */
    node: (prefix: string, options: Partial<RelayServerOptions> = {}): Promise<RelayServer> =>
      fixture.relay({ redis: redis!.url, redisPrefix: prefix, ...options }),
  };
}

/** Addresses for clients behind a trusted proxy, so tests can tell them apart on loopback. */
export const from = (addr: string): ClientOptions => ({ headers: { 'x-forwarded-for': addr } });
