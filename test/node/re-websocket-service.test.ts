import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { ReWebSocketService } from '../../src/transport/re-websocket-service.js';
import { EchoServer } from '../support/echo-server.js';
import { waitFor } from '../support/wait.js';

describe('ReWebSocketService in Node (with the ws WebSocket class)', () => {
  const server = new EchoServer({ protocols: ['message-center.v1'] });
  after(() => server.stop());

  it('connects, negotiates the subprotocol, echoes, and reconnects after a drop', async () => {
    await server.start();
    const messages: string[] = [];
    let opens = 0;
    const service = new ReWebSocketService(server.url, {
      WebSocket,
      protocols: ['message-center.v1'],
      minReconnectionDelay: 20,
      maxReconnectionDelay: 50,
      openCallback: () => opens++,
      messageCallback: (event) => messages.push(String(event.data)),
    });
    try {
      await waitFor(() => service.state === 'open', 'open');
      assert.equal(service.protocol, 'message-center.v1');
      service.send('ping');
      await waitFor(() => messages.length === 1, 'echo');
      server.drop();
      await waitFor(() => opens === 2 && service.state === 'open', 'reopened');
      service.send('pong');
      await waitFor(() => messages.length === 2, 'second echo');
      assert.deepEqual(messages, ['ping', 'pong']);
    } finally {
      service.close();
    }
  });

  it('explains how to get a WebSocket class when there is none', () => {
    const global = globalThis as { WebSocket?: unknown };
    const saved = global.WebSocket;
    delete global.WebSocket;
    try {
      assert.throws(() => new ReWebSocketService('ws://127.0.0.1:1/'), /pass options.WebSocket/);
    } finally {
      if (saved) global.WebSocket = saved;
    }
  });
});
