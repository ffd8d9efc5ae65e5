import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface EchoServerOptions {
  /** Subprotocols this server accepts, in order of preference. */
  protocols?: string[];
  /** Fixed port to listen on (for restart tests); 0 picks a free one. */
  port?: number;
}

/**
 * A plain WebSocket server on loopback for transport tests: it echoes every
 * text frame, can drop its clients, and can stop and start on the same port.
 */
export class EchoServer {
  private http: Server | undefined;
  private wss: WebSocketServer | undefined;
  private portValue = 0;
  connections = 0;

  constructor(private readonly options: EchoServerOptions = {}) {}

  get port(): number {
    return this.portValue;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.portValue}/`;
  }

  get clients(): number {
    return this.wss?.clients.size ?? 0;
  }

  async start(): Promise<this> {
    const supported = this.options.protocols ?? [];
    const http = createServer((_, response) => response.writeHead(426).end());
    const wss = new WebSocketServer({
      server: http,
      handleProtocols: (offered) => supported.find((protocol) => offered.has(protocol)) ?? false,
    });
    wss.on('connection', (socket: WebSocket) => {
      this.connections += 1;
      socket.on('error', () => {});
      socket.on('message', (data, isBinary) => {
        const text = data.toString();
        if (!isBinary && text === '__close_me__') socket.close(4000, 'asked to');
        else socket.send(text);
      });
    });
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(this.portValue || this.options.port || 0, '127.0.0.1', () => resolve());
    });
    this.portValue = (http.address() as AddressInfo).port;
    this.http = http;
    this.wss = wss;
    return this;
  }

  /** Cuts every client off without a closing handshake (like a dropped link). */
  drop(): void {
    for (const client of this.wss?.clients ?? []) client.terminate();
  }

  async stop(): Promise<void> {
    const { http, wss } = this;
    this.http = undefined;
    this.wss = undefined;
    if (!http || !wss) return;
    for (const client of wss.clients) client.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    http.closeAllConnections();
    await new Promise<void>((resolve) => http.close(() => resolve()));
  }
}
