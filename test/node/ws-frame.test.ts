import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { WebSocketServer } from 'ws';
import { textFrame } from '../../src/server/ws-frame.js';
import { rawWebSocket } from '../support/raw-socket.js';
import { waitFor } from '../support/wait.js';

describe('textFrame', () => {
  const servers: WebSocketServer[] = [];
  after(() => {
    for (const server of servers) server.close();
  });

  it('encodes exactly the bytes ws sends, at every length boundary and for multi-byte text', async () => {
    const cases = ['', 'x', 'x'.repeat(125), 'x'.repeat(126), 'x'.repeat(65_535), 'x'.repeat(65_536), 'é'.repeat(63), '日本語'.repeat(30), '😀'.repeat(20_000)];
    const server = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
    servers.push(server);
    await new Promise((resolve) => server.once('listening', resolve));
    // Sent on request, so none of it arrives with the handshake's response.
    server.on('connection', (socket) => socket.once('message', () => cases.forEach((text) => socket.send(text))));

    const raw = await rawWebSocket((server.address() as AddressInfo).port);
    const received: Buffer[] = [];
    raw.on('data', (chunk: Buffer) => received.push(chunk));
    raw.resume();
    raw.write(Buffer.from([0x81, 0x80, 0, 0, 0, 0])); // an empty, masked text frame: "go"
    const expected = Buffer.concat(cases.map((text) => textFrame(text)));
    await waitFor(() => Buffer.concat(received).length >= expected.length, 'every frame');
    raw.destroy();
    assert.ok(Buffer.concat(received).equals(expected), 'the same bytes');
  });
});
