import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP proxy in front of a relay that can go silent: `freeze()` stops
 * forwarding on the open connections without closing them, as a sleeping
 * laptop or a dead NAT mapping does. New connections still go through,
 * unless `cut()` took the network away: then they fail until `restore()`.
 * `hold()` keeps what the relay sends from reaching its clients (a slow
 * network) until `release()` delivers it, in order.
 */
export class BlackholeProxy {
  private server: Server | undefined;
  private readonly pairs = new Set<{ client: Socket; upstream: Socket; frozen: boolean }>();
  private down = false;
  /** While held: what the relay sent, by connection, in order. */
  private held: Array<{ client: Socket; chunk: Buffer }> | undefined;

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
      upstream.on('data', (chunk: Buffer) => {
        if (pair.frozen) return;
        if (this.held) this.held.push({ client, chunk });
        else client.write(chunk);
      });
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

  /** From now on, what the relay sends waits here. */
  hold(): void {
    this.held ??= [];
  }

  /** Delivers what waited, in order, and forwards again. */
  release(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const { client, chunk } of held) if (!client.destroyed) client.write(chunk);
  }

  async stop(): Promise<void> {
    for (const pair of this.pairs) {
      pair.client.destroy();
      pair.upstream.destroy();
    }
    await new Promise((resolve) => this.server?.close(resolve));
  }
}
