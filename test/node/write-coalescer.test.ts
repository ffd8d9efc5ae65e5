import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import type { WebSocket } from 'ws';
import { Connection, WriteCoalescer } from '../../src/server/connection.js';

/** A socket that records each write that reaches it: one entry per system call a real socket would make. */
function recordingSocket() {
  const calls: string[][] = [];
  const raw = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      calls.push([chunk.toString()]);
      callback();
    },
    writev(chunks, callback) {
      calls.push(chunks.map(({ chunk }) => (chunk as Buffer).toString()));
      callback();
    },
  });
  const socket = { readyState: 1, bufferedAmount: 0 } as unknown as WebSocket;
  const connection = new Connection(socket, raw as never, { id: 'c', name: 'c', addr: '127.0.0.1', dialect: 'v1', rate: 10, burst: 10 });
  return { calls, connection, raw };
}

const endOfTurn = () => new Promise((resolve) => setImmediate(resolve));
const frame = (text: string) => Buffer.from(text);

describe('WriteCoalescer', () => {
  it('holds the frames written in one event-loop turn to its end, where each socket’s leave in one write, in order', async () => {
    const coalescer = new WriteCoalescer();
    const a = recordingSocket();
    const b = recordingSocket();
    a.connection.write(frame('m1'), coalescer);
    b.connection.write(frame('m1'), coalescer);
    a.connection.write(frame('ack'), coalescer);
    a.connection.write(frame('m2'), coalescer);
    assert.deepEqual([a.calls, b.calls], [[], []]);
    await endOfTurn();
    assert.deepEqual(a.calls, [['m1', 'ack', 'm2']]);
    assert.deepEqual(b.calls, [['m1']]);

    b.connection.write(frame('m3'), coalescer);
    await endOfTurn();
    assert.deepEqual(b.calls, [['m1'], ['m3']], 'the next turn is held and flushed again');
  });

  it('keeps frames in order with what ws writes to the socket itself (pings, pongs, a close)', async () => {
    const coalescer = new WriteCoalescer();
    const a = recordingSocket();
    a.connection.write(frame('m1'), coalescer);
    a.raw.write(frame('close'));
    await endOfTurn();
    assert.deepEqual(a.calls.flat(), ['m1', 'close']);
  });

  it('counts the turn’s held bytes out of the backlog until they leave, and writes nothing to a closing socket', async () => {
    const coalescer = new WriteCoalescer();
    const a = recordingSocket();
    a.connection.write(frame('one'), coalescer);
    a.connection.write(frame('twotwo'), coalescer);
    assert.equal(a.connection.corkedBytes, 9);
    await endOfTurn();
    assert.equal(a.connection.corkedBytes, 0);
    (a.connection.socket as unknown as { readyState: number }).readyState = 2;
    a.connection.write(frame('late'), coalescer);
    await endOfTurn();
    assert.deepEqual(a.calls.flat(), ['one', 'twotwo']);
  });
});
