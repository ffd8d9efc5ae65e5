import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP proxy in front of a relay that can go silent: `freeze()` stops
 * forwarding on the open connections without closing them, as a sleeping
 * laptop or a dead NAT mapping does. New connections still go through,
 * unless `cut()` took the network away: then they fail until `restore()`.
 */
export class BlackholeProxy {
  private server: Server | undefined;
  private readonly pairs = new Set<{ client: Socket; upstream: Socket; frozen: boolean }>();
  private down = false;

  constructor(private readonly targetPort: number) {}

  async start(): Promise<number> {
    this.server = createServer((client) => {
      if (this.down) {
        client.destroy();
        return;
      }
      const upstream = connect(this.targetPort, '127.0.0.1');
      const pair = { client, upstream, frozen: false };
      this.pairs.add(pair);
      client.on('data', (chunk) => pair.frozen || upstream.write(chunk));
      upstream.on('data', (chunk) => pair.frozen || client.write(chunk));
      const end = () => {
        this.pairs.delete(pair);
        client.destroy();
        upstream.destroy();
      };
      client.on('error', end).on('close', end);
      upstream.on('error', end).on('close', end);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }

  /** Silences every connection open now. */
  freeze(): void {
    for (const pair of this.pairs) pair.frozen = true;
  }

  /** The network goes away: every connection breaks (no close frame), and new ones fail until `restore()`. */
  cut(): void {
    this.down = true;
    for (const pair of this.pairs) {
      pair.client.destroy();
      pair.upstream.destroy();
    }
  }

  restore(): void {
    this.down = false;
  }

  async stop(): Promise<void> {
    for (const pair of this.pairs) {
      pair.client.destroy();
      pair.upstream.destroy();
    }
    await new Promise((resolve) => this.server?.close(resolve));
  }
}
