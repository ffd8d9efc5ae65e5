import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { messageOf, recipientIds, type Peer } from './baseline-message.js';

// The comparison point: what a competent but naive relay on `ws` does, and
// no more. It speaks the same frames as ours (hello → welcome, send →
// message) so one load generator drives both, with the same ids and the same
// message shape, so both put the same bytes on the wire. It does not
// validate, log, rate-limit, track presence, or acknowledge.

const SUBPROTOCOL = 'message-center.v1';

export interface BaselineRelay {
  readonly port: number;
  close(): Promise<void>;
}

export async function startBaselineRelay(options: { port: number; host: string }): Promise<BaselineRelay> {
  const wss = new WebSocketServer({
    port: options.port,
    host: options.host,
    perMessageDeflate: false,
    clientTracking: false,
    handleProtocols: (offered) => (offered.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
  });
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve);
    wss.once('error', reject);
  });
  const clients = new Map<string, WebSocket>();
  let offset = 0;

  wss.on('connection', (socket, request) => {
    const addr = request.socket.remoteAddress ?? '';
    let peer: Peer | undefined;
    socket.on('error', () => {});
    socket.on('close', () => {
      if (peer) clients.delete(peer.id);
    });
    socket.on('message', (raw) => {
      let frame: { type?: unknown; id?: unknown; name?: unknown; to?: { ids?: unknown }; data?: unknown };
      try {
        frame = JSON.parse(raw.toString());
      } catch {
        return;
      }
      if (frame.type === 'hello' && !peer) {
        peer = { id: randomBytes(9).toString('base64url'), name: String(frame.name ?? ''), addr };
        clients.set(peer.id, socket);
        socket.send(JSON.stringify({ type: 'welcome', self: peer }));
        return;
      }
      if (frame.type !== 'send' || !peer) return;
      const text = JSON.stringify(messageOf(frame, peer, ++offset));
      if (frame.to) {
        for (const id of recipientIds(frame.to)) clients.get(id)?.send(text);
      } else {
        for (const client of clients.values()) if (client !== socket) client.send(text);
      }
    });
  });

  return {
    port: (wss.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of clients.values()) client.terminate();
        wss.close(() => resolve());
      }),
  };
}
