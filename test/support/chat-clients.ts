import { after } from 'node:test';
import { WebSocket } from 'ws';
import { ChatClient, type ChatClientOptions } from '../../src/client/chat-client.js';
import { memoryStore } from '../../src/client/persistence.js';

/**
 * Makes connected ChatClients for one test file (in memory, quick to
 * reconnect), and closes them when its tests are done. Call it before the
 * file's relayFixture(), so the clients close before their relays do.
 */
export function chatClients(defaults: Partial<ChatClientOptions> = {}) {
  const clients: ChatClient[] = [];
  after(() => {
    for (const client of clients) client.close();
  });
  return (url: string, options: Partial<ChatClientOptions> = {}): ChatClient => {
    const created = new ChatClient({
      url,
      WebSocket: WebSocket as never,
      store: memoryStore(),
      minReconnectionDelay: 20,
      maxReconnectionDelay: 100,
      ...defaults,
      ...options,
    });
    clients.push(created);
    created.connect();
    return created;
  };
}
