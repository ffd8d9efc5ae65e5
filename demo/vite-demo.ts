// Shared by the framework demos (demo/react, demo/vue, demo/angular): Vite
// serves the demo from this repository's source, and a Message Center relay
// runs on the same port at /chat, so one command starts everything.
import { fileURLToPath } from 'node:url';
import type { Alias, Plugin } from 'vite';
import { createRelayServer } from '../src/server/index.js';

const src = fileURLToPath(new URL('../src/', import.meta.url));

/**
 * Each demo's own Vite dependency cache and port, so that all three run at
 * once: with one shared cache, a demo that re-bundles its dependencies deletes
 * the files another demo is serving.
 */
export const demoServer = {
  react: { cacheDir: fileURLToPath(new URL('../node_modules/.vite/demo-react', import.meta.url)), port: 5173 },
  vue: { cacheDir: fileURLToPath(new URL('../node_modules/.vite/demo-vue', import.meta.url)), port: 5174 },
  angular: { cacheDir: fileURLToPath(new URL('../node_modules/.vite/demo-angular', import.meta.url)), port: 5175 },
} as const;

/** `lit-message-center`, `lit-message-center/define`, `/react`, `/vue` → this repository's source, as if installed. */
export const packageAliases: Alias[] = [
  { find: /^lit-message-center$/, replacement: `${src}index.ts` },
  { find: /^lit-message-center\/(define|react|vue)$/, replacement: `${src}$1.ts` },
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
