import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket } from 'socket.io';
import { messageOf, recipientIds, type BaselineSend as SendFrame, type Peer } from './baseline-message.js';

// The other comparison point: the same minimal routing as baseline-relay.ts,
// written the way a Socket.IO 4 application would write it. Events carry the
// same frame objects as ours (hello → welcome, send → message), so the load
// generator finds the same bytes inside Socket.IO's envelope. When the client
// asks for an acknowledgement (an emit with a callback), it is answered with
// an ack frame like ours: the fair comparison for our acknowledged unicast.
// WebSocket transport only, no compression, like the other two relays.


export interface SocketIoRelay {
  readonly port: number;
  close(): Promise<void>;
}

export async function startSocketIoRelay(options: { port: number; host: string }): Promise<SocketIoRelay> {
  const http = createServer();
  const io = new Server(http, {
    transports: ['websocket'],
    perMessageDeflate: false,
    httpCompression: false,
    serveClient: false,
  });
  const clients = new Map<string, Socket>();
  let offset = 0;

  io.on('connection', (socket) => {
    const addr = socket.handshake.address;
    let peer: Peer | undefined;
    socket.on('disconnect', () => {
      if (peer) clients.delete(peer.id);
    });
    socket.on('hello', (frame: { name?: unknown }) => {
      if (peer) return;
      peer = { id: randomBytes(9).toString('base64url'), name: String(frame?.name ?? ''), addr };
      clients.set(peer.id, socket);
      socket.emit('welcome', { type: 'welcome', self: peer });
    });
    socket.on('send', (frame: SendFrame, ack?: (reply: unknown) => void) => {
      if (!peer || typeof frame !== 'object' || frame === null) return;
      const message = messageOf(frame, peer, ++offset);
      if (frame.to) {
        for (const id of recipientIds(frame.to)) clients.get(id)?.emit('message', message);
      } else {
        // Encoded once by the adapter for every recipient.
        socket.broadcast.emit('message', message);
      }
      if (typeof ack === 'function') ack({ type: 'ack', id: frame.id, offset: message.offset, ts: message.ts, recipients: frame.to ? 1 : clients.size - 1 });
    });
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port, options.host, () => resolve());
  });
  return {
    port: (http.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => io.close(() => resolve())),
  };
}
