import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

// A bare-bones WebSocket client for the load generator. On a 2-core machine
// the generator runs out of CPU about as soon as the server does, so it
// reads frames straight from the socket's chunks, classifies them by one
// byte, and pulls the send timestamp out of the bytes without parsing JSON.
// Every relay gets exactly the same client; for the Socket.IO baseline it
// speaks Engine.IO 4 / Socket.IO 5 packets over the same WebSocket framing
// (the frames inside are the same objects, so the same bytes are found).

const SUBPROTOCOL = 'message-center.v1';
/** `{"type":"` — the byte after it tells the frame types apart (both relays put `type` first). */
const TYPE_AT = 9;
const CHAR_MESSAGE = 0x6d; // m
const CHAR_ACK = 0x61; // a
const CHAR_WELCOME = 0x77; // w
const CHAR_ERROR = 0x65; // e
/** The generator's `data` starts with its send time in µs. */
const DATA_T = Buffer.from('"data":{"t":');

/** How a client talks to the relay: Message Center frames, or Socket.IO packets (`42["event",frame]`). */
export type Wire = 'mc' | 'socketio';
const SIO_EVENT_AT = 4; // `42["` — the byte after it tells the events apart

export interface ClientSink {
  /** A message arrived; `latencyUs` from its send to this chunk's arrival. */
  message(latencyUs: number): void;
  ack(): void;
  error(text: string): void;
  closed(client: BenchClient): void;
  /** Every chunk's size as it arrives, framing included (bench:presence counts what the relay sends). */
  bytes?(n: number): void;
  /** A text frame of a type the client does not count itself (joined, left, join, presence…). */
  other?(text: string): void;
}

/** Fields a client adds to its hello (bench:presence: `rooms`). */
export type HelloFields = Record<string, unknown>;

export class BenchClient {
  /** The id the relay gave this client in its welcome. */
  id = '';
  closed = false;
  private pending: Buffer | undefined;
  private welcomed: (() => void) | undefined;
  private name = '';
  private nextAckId = 0;

  private constructor(
    private readonly socket: Socket,
    private readonly sink: ClientSink,
    readonly wire: Wire,
  ) {}

  /** Connects, upgrades with the v1 subprotocol, says hello and resolves on the welcome. */
  static open(port: number, name: string, sink: ClientSink, wire: Wire = 'mc', timeout = 15_000, hello: HelloFields = {}): Promise<BenchClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host: '127.0.0.1' });
      socket.setNoDelay(true);
      const client = new BenchClient(socket, sink, wire);
      client.name = name;
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
        sink.bytes?.(chunk.length);
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        const status = head.subarray(0, head.indexOf('\r\n')).toString('latin1');
        if (!status.startsWith('HTTP/1.1 101')) return fail(new Error(`upgrade refused: ${status}`));
        socket.off('data', onHandshake);
        socket.on('data', (data: Buffer) => client.onData(data));
        // Socket.IO: hello once the namespace is joined (on its connect packet).
        if (wire === 'mc') client.sendText(JSON.stringify({ type: 'hello', name, ...hello }));
        const rest = head.subarray(end + 4);
        if (rest.length > 0) client.onData(rest);
      };
      socket.on('data', onHandshake);
      socket.once('connect', () => {
        socket.write(
          (wire === 'mc' ? 'GET / HTTP/1.1\r\n' : 'GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n') +
            `Host: 127.0.0.1:${port}\r\n` +
            'Upgrade: websocket\r\n' +
            'Connection: Upgrade\r\n' +
            `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n` +
            'Sec-WebSocket-Version: 13\r\n' +
            (wire === 'mc' ? `Sec-WebSocket-Protocol: ${SUBPROTOCOL}\r\n` : '') +
            '\r\n',
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
   * Sends a frame of ours (`{"type":"send",…}`); to Socket.IO, as the payload
   * of a `send` event, with an ack callback's id when `ack`.
   */
  sendFrame(json: string, ack: boolean): void {
    if (this.wire === 'mc') this.sendText(json);
    else this.sendText(`42${ack ? this.nextAckId++ : ''}["send",${json}]`);
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
    this.sink.bytes?.(chunk.length);
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
    if (opcode === 0x1 && this.wire === 'socketio') this.onSocketIoPacket(buf, start, end, nowUs);
    else if (opcode === 0x1) {
      const kind = buf[start + TYPE_AT];
      if (kind === CHAR_MESSAGE) {
        this.onMessage(buf, start, end, nowUs);
      } else if (kind === CHAR_ACK) {
        this.sink.ack();
      } else if (kind === CHAR_WELCOME) {
        this.onWelcome(buf.toString('utf8', start, end));
      } else if (kind === CHAR_ERROR) {
        this.sink.error(buf.toString('utf8', start, end));
      }
      else this.sink.other?.(buf.toString('utf8', start, end));
    } else if (opcode === 0x9) {
      this.sendControl(0xa, buf.subarray(start, end));
    } else if (opcode === 0x8) {
      this.socket.end();
    }
  }

  /**
   * Engine.IO packet type first (0 open, 2 ping, 4 message), then for a
   * message the Socket.IO one (0 connect, 2 event, 3 ack, 4 connect error).
   */
  private onSocketIoPacket(buf: Buffer, start: number, end: number, nowUs: number): void {
    const engine = buf[start];
    if (engine === 0x32) return this.sendText('3'); // ping → pong
    if (engine === 0x30) return this.sendText('40'); // open → join the default namespace
    if (engine !== 0x34) return;
    const packet = buf[start + 1];
    if (packet === 0x32) {
      const kind = buf[start + SIO_EVENT_AT];
      if (kind === CHAR_MESSAGE) this.onMessage(buf, start, end, nowUs);
      else if (kind === CHAR_WELCOME) {
        const text = buf.toString('utf8', start + 2, end);
        this.onWelcome(JSON.stringify((JSON.parse(text) as [string, unknown])[1]));
      }
    } else if (packet === 0x33) {
      this.sink.ack();
    } else if (packet === 0x30) {
      this.sendText(`42["hello",${JSON.stringify({ type: 'hello', name: this.name })}]`);
    } else {
      this.sink.error(buf.toString('utf8', start, end));
    }
  }

  private onMessage(buf: Buffer, start: number, end: number, nowUs: number): void {
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
  }

  private onWelcome(json: string): void {
    const welcome = JSON.parse(json) as { self: { id: string } };
    this.id = welcome.self.id;
    this.welcomed?.();
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
