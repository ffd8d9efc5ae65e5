import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

/**
 * Opens a WebSocket at the TCP level and stops there: after the 101 response
 * it neither reads nor answers pings. Used to play a slow consumer or a dead
 * peer, which a well-behaved client library cannot.
 */
export async function rawWebSocket(port: number, protocol?: string, headers: Record<string, string> = {}): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.write(upgradeRequest(port, protocol, headers));
  await new Promise<void>((resolve, reject) => {
    let head = '';
    const onData = (chunk: Buffer) => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      if (head.startsWith('HTTP/1.1 101')) resolve();
      else reject(new Error(`upgrade refused: ${head.split('\r\n', 1)[0]}`));
    };
    socket.on('data', onData);
  });
  socket.pause();
  return socket;
}

/** The bytes of a WebSocket upgrade request to the relay on `port`. */
export function upgradeRequest(port: number, protocol?: string, headers: Record<string, string> = {}): string {
  return [
    'GET / HTTP/1.1',
    `Host: 127.0.0.1:${port}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
    'Sec-WebSocket-Version: 13',
    ...(protocol ? [`Sec-WebSocket-Protocol: ${protocol}`] : []),
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    '',
    '',
  ].join('\r\n');
}
