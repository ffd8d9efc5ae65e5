import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

// A bare-bones WebSocket client for the load generator. On a 2-core machine
// the generator runs out of CPU about as soon as the server does, so it
// reads frames straight from the socket's chunks, classifies them by one
// byte, and pulls the send timestamp out of the bytes without parsing JSON.
// Both relays get exactly the same client.

const SUBPROTOCOL = 'message-center.v1';
/** `{"type":"` — the byte after it tells the frame types apart (both relays put `type` first). */
const TYPE_AT = 9;
const CHAR_MESSAGE = 0x6d; // m
const CHAR_ACK = 0x61; // a
const CHAR_WELCOME = 0x77; // w
const CHAR_ERROR = 0x65; // e
/** The generator's `data` starts with its send time in µs. */
const DATA_T = Buffer.from('"data":{"t":');

export interface ClientSink {
  /** A message arrived; `latencyUs` from its send to this chunk's arrival. */
  message(latencyUs: number): void;
  ack(): void;
  error(text: string): void;
  closed(client: BenchClient): void;
}

export class BenchClient {
  /** The id the relay gave this client in its welcome. */
  id = '';
  closed = false;
  private pending: Buffer | undefined;
  private welcomed: (() => void) | undefined;

  private constructor(
    private readonly socket: Socket,
    private readonly sink: ClientSink,
  ) {}

  /** Connects, upgrades with the v1 subprotocol, says hello and resolves on the welcome. */
  static open(port: number, name: string, sink: ClientSink, timeout = 15_000): Promise<BenchClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host: '127.0.0.1' });
      socket.setNoDelay(true);
      const client = new BenchClient(socket, sink);
      let settled = false;
      const fail = (error: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.destroy();
        reject(error);
      };
      const timer = setTimeout(() => fail(new Error(`no welcome within ${timeout} ms`)), timeout);
      client.welcomed = () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(client);
      };
      let head = Buffer.alloc(0);
      const onHandshake = (chunk: Buffer) => {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        const status = head.subarray(0, head.indexOf('\r\n')).toString('latin1');
        if (!status.startsWith('HTTP/1.1 101')) return fail(new Error(`upgrade refused: ${status}`));
        socket.off('data', onHandshake);
        socket.on('data', (data: Buffer) => client.onData(data));
        client.sendText(JSON.stringify({ type: 'hello', name }));
        const rest = head.subarray(end + 4);
        if (rest.length > 0) client.onData(rest);
      };
      socket.on('data', onHandshake);
      socket.once('connect', () => {
        socket.write(
          'GET / HTTP/1.1\r\n' +
            `Host: 127.0.0.1:${port}\r\n` +
            'Upgrade: websocket\r\n' +
            'Connection: Upgrade\r\n' +
            `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n` +
            'Sec-WebSocket-Version: 13\r\n' +
            `Sec-WebSocket-Protocol: ${SUBPROTOCOL}\r\n\r\n`,
        );
      });
      socket.on('error', (error) => fail(error));
      socket.on('close', () => {
        fail(new Error('closed before the welcome'));
        if (client.closed) return;
        client.closed = true;
        sink.closed(client);
      });
    });
  }

  /**
   * Sends a text frame. Client frames must be masked; the key is zero, which
   * leaves the payload as is (the relay still unmasks, the same for both).
   */
  sendText(text: string): void {
    const length = Buffer.byteLength(text);
    const head = length < 126 ? 2 : length < 65_536 ? 4 : 10;
    const frame = Buffer.allocUnsafe(head + 4 + length);
    frame[0] = 0x81;
    if (length < 126) {
      frame[1] = 0x80 | length;
    } else if (length < 65_536) {
      frame[1] = 0x80 | 126;
      frame.writeUInt16BE(length, 2);
    } else {
      frame[1] = 0x80 | 127;
      frame.writeBigUInt64BE(BigInt(length), 2);
    }
    frame.writeUInt32BE(0, head);
    frame.write(text, head + 4, 'utf8');
    this.socket.write(frame);
  }

  close(): void {
    this.closed = true;
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    // Every frame in one chunk arrived at the same moment.
    const nowUs = Math.round(performance.now() * 1000);
    const buf = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    let at = 0;
    while (buf.length - at >= 2) {
      const opcode = buf[at]! & 0x0f;
      let length = buf[at + 1]! & 0x7f;
      let head = 2;
      if (length === 126) {
        if (buf.length - at < 4) break;
        length = buf.readUInt16BE(at + 2);
        head = 4;
      } else if (length === 127) {
        if (buf.length - at < 10) break;
        length = Number(buf.readBigUInt64BE(at + 2));
        head = 10;
      }
      if (buf.length - at < head + length) break;
      this.onFrame(opcode, buf, at + head, at + head + length, nowUs);
      at += head + length;
    }
    this.pending = at < buf.length ? Buffer.from(buf.subarray(at)) : undefined;
  }

  private onFrame(opcode: number, buf: Buffer, start: number, end: number, nowUs: number): void {
    if (opcode === 0x1) {
      const kind = buf[start + TYPE_AT];
      if (kind === CHAR_MESSAGE) {
        const at = buf.indexOf(DATA_T, start);
        if (at < 0 || at >= end) {
          this.sink.error(`message without a timestamp: ${buf.toString('utf8', start, end)}`);
          return;
        }
        let sentUs = 0;
        for (let i = at + DATA_T.length; i < end; i++) {
          const digit = buf[i]! - 0x30;
          if (digit < 0 || digit > 9) break;
          sentUs = sentUs * 10 + digit;
        }
        this.sink.message(nowUs - sentUs);
      } else if (kind === CHAR_ACK) {
        this.sink.ack();
      } else if (kind === CHAR_WELCOME) {
        const welcome = JSON.parse(buf.toString('utf8', start, end)) as { self: { id: string } };
        this.id = welcome.self.id;
        this.welcomed?.();
      } else if (kind === CHAR_ERROR) {
        this.sink.error(buf.toString('utf8', start, end));
      }
      // join, leave, pong: not counted
    } else if (opcode === 0x9) {
      this.sendControl(0xa, buf.subarray(start, end));
    } else if (opcode === 0x8) {
      this.socket.end();
    }
  }

  private sendControl(opcode: number, payload: Buffer): void {
    const frame = Buffer.allocUnsafe(6 + payload.length);
    frame[0] = 0x80 | opcode;
    frame[1] = 0x80 | payload.length;
    frame.writeUInt32BE(0, 2);
    payload.copy(frame, 6);
    this.socket.write(frame);
  }
}
