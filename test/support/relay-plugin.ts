import type { TestRunnerPlugin } from '@web/test-runner';
import { EchoServer } from './echo-server.js';

/**
 * Server commands through which browser tests start and drive real servers
 * on loopback. Every server a test session starts is stopped when the
 * session ends, so a failing test leaves nothing running.
 */
export function relayPlugin(): TestRunnerPlugin {
  const echoServers = new Map<string, EchoServer>();
  let nextId = 0;

  const echo = (id: unknown): EchoServer => {
    const server = echoServers.get(String(id));
    if (!server) throw new Error(`no echo server ${String(id)}`);
    return server;
  };

  return {
    name: 'message-center-relays',
    async executeCommand({ command, payload }) {
      const args = (payload ?? {}) as Record<string, unknown>;
      switch (command) {
        case 'echo-start': {
          const server = await new EchoServer({ protocols: args.protocols as string[] | undefined }).start();
          const id = String(++nextId);
          echoServers.set(id, server);
          return { id, url: server.url, port: server.port };
        }
        case 'echo-drop':
          echo(args.id).drop();
          return true;
        case 'echo-stop':
          await echo(args.id).stop();
          return true;
        case 'echo-restart':
          await echo(args.id).start();
          return true;
        case 'echo-stats': {
          const server = echo(args.id);
          return { clients: server.clients, connections: server.connections };
        }
        default:
          return undefined;
      }
    },
    async serverStop() {
      await Promise.all([...echoServers.values()].map((server) => server.stop()));
    },
  };
}
