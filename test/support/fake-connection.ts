// Connections without a network, for unit tests of the relay's parts: real
// Connection objects whose socket records the frames written to it.
import { Writable } from 'node:stream';
import type { WebSocket } from 'ws';
import { Connection } from '../../src/server/connection.js';
import type { Dialect } from '../../src/server/dialect.js';

export interface FakeConnection {
  readonly connection: Connection;
  /** Every frame written to it, parsed (both dialects write JSON). */
  frames(): Array<Record<string, unknown>>;
}

/** The payload of each WebSocket text frame in `bytes` (as ws-frame.ts writes them: unmasked, FIN set). */
function payloads(bytes: Buffer): string[] {
  const out: string[] = [];
  let at = 0;
  while (at < bytes.length) {
    let length = bytes[at + 1]! & 0x7f;
    let head = 2;
    if (length === 126) {
      length = bytes.readUInt16BE(at + 2);
      head = 4;
    } else if (length === 127) {
      length = bytes.readUInt32BE(at + 6);
      head = 10;
    }
    out.push(bytes.subarray(at + head, at + head + length).toString('utf8'));
    at += head + length;
  }
  return out;
}

export function fakeConnection(init: { id: string; name: string; addr: string; dialect?: Dialect }): FakeConnection {
  const chunks: Buffer[] = [];
  const raw = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk);
      callback();
    },
  });
  const socket = { readyState: 1, bufferedAmount: 0, close() {}, terminate() {}, resume() {}, pause() {} } as unknown as WebSocket;
  const connection = new Connection(socket, raw as never, { dialect: 'v1', rate: 1000, burst: 1000, ...init });
  return {
    connection,
    frames: () => payloads(Buffer.concat(chunks)).map((text) => JSON.parse(text) as Record<string, unknown>),
  };
}
