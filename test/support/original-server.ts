import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * The original tiny IP-routing server the project grew from, as its author
 * wrote it: frames in `{ip?, userName?, data}`, out
 * `{count, currUserIp, currUserName, data}`, a login notice to everyone with
 * the online count. Legacy-mode tests run the panel against this, not our relay.
 */
export async function startOriginalServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const http: Server = createServer();
  const wss = new WebSocketServer({ server: http });
  const ips = new Map<WebSocket, { ip: string; userName: string }>();
  const sendAll = (targets: Iterable<WebSocket>, frame: object) => {
    const text = JSON.stringify(frame);
    for (const client of targets) client.send(text);
  };
  wss.on('connection', (socket, request) => {
    const ip = (request.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    const userName = new URL(request.url ?? '/', 'http://x').searchParams.get('userName') ?? '';
    ips.set(socket, { ip, userName });
    sendAll(wss.clients, { count: wss.clients.size, currUserIp: ip, currUserName: userName, data: 'login' });
    socket.on('message', (raw) => {
      const { ip: targets, userName: name, data } = JSON.parse(raw.toString()) as { ip?: string[]; userName?: string; data: unknown };
      const sender = ips.get(socket)!;
      if (name) sender.userName = name;
      const frame = { count: wss.clients.size, currUserIp: sender.ip, currUserName: sender.userName, data };
      if (targets && targets.length > 0) {
        sendAll([...wss.clients].filter((client) => targets.includes(ips.get(client)?.ip ?? '')), frame);
      } else {
        sendAll(wss.clients, frame);
      }
    });
    socket.on('close', () => ips.delete(socket));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    url: `ws://127.0.0.1:${(http.address() as AddressInfo).port}/`,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise((resolve) => wss.close(resolve));
      await new Promise((resolve) => http.close(resolve));
    },
  };
}
