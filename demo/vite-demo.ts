// Shared by the framework demos (demo/react, demo/vue, demo/angular): Vite
// serves the demo from this repository's source, and a Message Center relay
// runs on the same port at /chat, so one command starts everything.
import { fileURLToPath } from 'node:url';
import type { Alias, Plugin } from 'vite';
import { createRelayServer } from '../src/server/index.js';

const src = fileURLToPath(new URL('../src/', import.meta.url));

/** `message-center`, `message-center/define`, `/react`, `/vue` → this repository's source, as if installed. */
export const packageAliases: Alias[] = [
  { find: /^message-center$/, replacement: `${src}index.ts` },
  { find: /^message-center\/(define|react|vue)$/, replacement: `${src}$1.ts` },
];

/** Starts the relay on Vite's own HTTP server, at ws://host/chat. */
export function relayOnDevServer(): Plugin {
  return {
    name: 'message-center-relay',
    async configureServer(server) {
      if (!server.httpServer) return;
      const relay = await createRelayServer({ server: server.httpServer as never, path: '/chat', logger: 'warn' });
      server.httpServer.once('close', () => void relay.close());
    },
  };
}
