// A connection's state (src/server/connection.ts) only moves forward: a late
// hello cannot take a closed connection back online, nor a welcome a closed one.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import type { WebSocket } from 'ws';
import { Connection, WriteCoalescer, type Dialect } from '../../src/server/connection.js';

function connection(dialect: Dialect) {
  const writes: string[] = [];
  const raw = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      writes.push(chunk.toString());
      callback();
    },
  });
  const socket = { readyState: 1, bufferedAmount: 0 } as unknown as WebSocket;
  return { writes, connection: new Connection(socket, raw as never, { id: 'c', name: 'c', addr: '127.0.0.1', dialect, rate: 10, burst: 10 }) };
}

describe('Connection state', () => {
  it('a v1 connection awaits its hello, is welcomed, goes online, and closes', () => {
    const { connection: c } = connection('v1');
    assert.equal(c.state, 'awaiting-hello');
    assert.equal(c.setState('welcoming'), true);
    assert.equal(c.setState('online'), true);
    assert.equal(c.closed, false);
    assert.equal(c.setState('closed'), true);
    assert.equal(c.closed, true);
  });

  it('a legacy connection is online from the start (it has no hello)', () => {
    const { connection: c } = connection('legacy');
    assert.equal(c.state, 'online');
    assert.equal(c.setState('online'), false, 'joining it is no change');
  });

  it('never moves back', () => {
    const { connection: c } = connection('v1');
    c.setState('online');
    assert.equal(c.setState('welcoming'), false);
    assert.equal(c.setState('awaiting-hello'), false);
    assert.equal(c.state, 'online');
    c.setState('closed');
    assert.equal(c.setState('online'), false, 'a welcome that comes after the close does not bring it back');
    assert.equal(c.state, 'closed');
    assert.equal(c.setState('closed'), false, 'a second close is no change (the relay handles each close once)');
  });

  it('writes nothing once closed', async () => {
    const { connection: c, writes } = connection('legacy');
    const coalescer = new WriteCoalescer();
    assert.equal(c.write(Buffer.from('a'), coalescer), true);
    c.setState('closed');
    assert.equal(c.write(Buffer.from('b'), coalescer), false);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(writes, ['a']);
  });
});
