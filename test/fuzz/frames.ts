// Random and mutated frames for fuzzing the relay, from a seeded generator so
// a run can be repeated: valid frames, the same with bytes changed, frames
// with wrong, missing, extra or hostile fields, random JSON and bytes, deep
// nesting, numbers JSON cannot hold, oversized frames, and (for raw sockets)
// WebSocket frames no client library would send.
import { clientFrame, Opcode } from '../support/ws-frames.js';

export type Random = () => number;

/** mulberry32: small, fast, good enough to spread fuzz cases. */
export function seeded(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FuzzFrame {
  /** What kind of case it is, for the report. */
  readonly kind: string;
  readonly payload: string | Buffer;
  /** Sent as a binary frame (otherwise text, even when the payload is bytes). */
  readonly binary?: boolean;
  /** The relay closes the connection for it: sent on a connection of its own, so the frames behind it are not lost unread. */
  readonly fatal?: boolean;
}

export class FrameGenerator {
  constructor(
    private readonly random: Random,
    private readonly maxFrameBytes: number,
  ) {}

  private int(max: number): number {
    return Math.floor(this.random() * max);
  }

  private pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  private chance(p: number): boolean {
    return this.random() < p;
  }

  /** A string: ASCII, any BMP character, lone surrogates, bidi and invisible characters, markup. */
  string(max = 40): string {
    const length = this.int(max + 1);
    const style = this.int(6);
    if (style === 0) return 'x'.repeat(length);
    if (style === 1) return this.pick(['', ' ', 'Ada', 'guest-1234', '<img src=x onerror=alert(1)>', '\u202eevil', '\u200b', '__proto__', 'constructor', 'null', '0', '"quoted"', '\\', '\ud800', '🎉'.repeat(5)]);
    let out = '';
    for (let i = 0; i < length; i++) {
      const r = this.random();
      out +=
        r < 0.6
          ? String.fromCharCode(32 + this.int(95))
          : r < 0.8
            ? String.fromCharCode(this.int(0x10000))
            : this.pick(['\u0000', '\n', '"', '\\', '\u202e', '\u2066', '\ufeff', '\ud83d', '\ude00', '\u0085', '\u2028']);
    }
    return out;
  }

  number(): number {
    return this.pick([0, -0, 1, -1, 0.5, 2 ** 53 + 1, -(2 ** 31), 1e308, Number.MAX_SAFE_INTEGER, this.int(1000), this.random() * 1e6]);
  }

  /** A JSON value `depth` levels deep at most. */
  json(depth = 3): unknown {
    const r = this.random();
    if (depth <= 0 || r < 0.35) return this.pick([null, true, false, this.number(), this.string(), this.string(200)]);
    if (r < 0.65) return Array.from({ length: this.int(6) }, () => this.json(depth - 1));
    const object: Record<string, unknown> = {};
    for (let i = this.int(6); i > 0; i--) object[this.pick(['a', 'text', 'id', 'type', 'data', 'to', '__proto__', 'constructor', this.string(8)])] = this.json(depth - 1);
    return object;
  }

  target(): unknown {
    const list = () => Array.from({ length: 1 + this.int(3) }, () => this.string(16) || 'x');
    const to: Record<string, unknown> = {};
    if (this.chance(0.5)) to.ids = list();
    if (this.chance(0.5)) to.names = list();
    if (this.chance(0.4)) to.addrs = this.chance(0.5) ? ['127.0.0.1'] : list();
    return to;
  }

  /** A frame protocol v1 accepts. */
  valid(): Record<string, unknown> {
    switch (this.int(7)) {
      case 0:
        return { type: 'hello', ...(this.chance(0.7) ? { name: this.string(30) } : {}) };
      case 1:
        return { type: 'hello', resume: { session: this.string(30) || 's', epoch: this.string(10) || 'e', offset: this.int(1000) } };
      case 2:
      case 3:
        return { type: 'send', id: `f${this.int(1e9)}`, data: this.json() };
      case 4:
        return { type: 'send', id: `f${this.int(1e9)}`, to: this.target(), data: this.json(2) };
      case 5:
        return { type: 'ping', ...(this.chance(0.7) ? { t: this.number() } : {}) };
      default:
        return { type: 'received', offset: this.int(1e6) };
    }
  }

  /** A frame's text with a few characters replaced, inserted, removed or cut. */
  mutate(text: string): string {
    let out = text;
    for (let edits = 1 + this.int(4); edits > 0; edits--) {
      const i = this.int(out.length + 1);
      const char = this.pick(['{', '}', '[', ']', '"', ':', ',', '\\', '0', '-', 'e', 'n', ' ', '\u0000', '\ud800', String.fromCharCode(this.int(0x10000))]);
      switch (this.int(5)) {
        case 0:
          out = out.slice(0, i) + char + out.slice(i + 1);
          break;
        case 1:
          out = out.slice(0, i) + char + out.slice(i);
          break;
        case 2:
          out = out.slice(0, i) + out.slice(i + 1);
          break;
        case 3:
          out = out.slice(0, i);
          break;
        default:
          out = out.slice(0, i) + out.slice(i, i + 12) + out.slice(i);
      }
    }
    return out;
  }

  /** A valid frame made invalid in the structure: fields wrong, missing, extra or hostile. */
  structural(): string {
    const frame = this.valid();
    switch (this.int(10)) {
      case 0:
        frame[this.pick(['from', 'extra', '__proto__', 'constructor', 'toString', 'hasOwnProperty'])] = this.json(1);
        break;
      case 1:
        frame[this.pick(Object.keys(frame))] = this.json(1);
        break;
      case 2:
        delete frame[this.pick(Object.keys(frame))];
        break;
      case 3:
        frame.type = this.pick(['shout', 'Hello', 'SEND', '', 'welcome', 'message', 'ack', 7, null, ['send'], { send: 1 }]);
        break;
      case 4:
        frame.to = { ids: Array.from({ length: 101 + this.int(200) }, (_, i) => `t${i}`) };
        frame.type = 'send';
        frame.id ??= 'many';
        frame.data ??= 1;
        break;
      case 5:
        frame.id = 'i'.repeat(65 + this.int(1000));
        break;
      case 6:
        return JSON.stringify(frame).replace('{', `{"type":"send","id":"dup","data":1,`);
      case 7:
        return `{"__proto__":{"type":"send","polluted":true},${JSON.stringify(frame).slice(1)}`;
      case 8:
        frame.name = 'n'.repeat(257 + this.int(2000));
        frame.type = 'hello';
        break;
      default:
        frame.to = this.pick([{}, { ids: [] }, { ids: [''] }, { names: [7] }, { addrs: 'x' }, null, [], 'everyone']);
        frame.type = 'send';
    }
    return JSON.stringify(frame);
  }

  /** Numbers JSON can write but a double cannot hold, and other numeric oddities. */
  numbers(): string {
    const n = this.pick(['1e999', '-1e999', '1e-999', '-0', '9007199254740993', '1.0', '01', '1e', '.5', 'NaN', 'Infinity', '0x10']);
    return this.pick([
      `{"type":"ping","t":${n}}`,
      `{"type":"received","offset":${n}}`,
      `{"type":"send","id":"n","data":${n}}`,
      `{"type":"hello","resume":{"session":"s","epoch":"e","offset":${n}}}`,
    ]);
  }

  /** Data nested deeper than the protocol allows (and deeper than JSON.stringify can go). */
  deep(): string {
    const depth = this.pick([65, 100, 1000, 5000, 20_000]);
    const open = this.chance(0.5) ? '[' : '{"a":';
    const close = open === '[' ? ']' : '}';
    return `{"type":"send","id":"deep","data":${open.repeat(depth)}1${close.repeat(depth)}}`;
  }

  /** A frame above maxFrameBytes (too_large), and now and then above four times it (1009). */
  big(): string {
    const huge = this.chance(0.05); // 1009 closes the connection
    const size = huge ? this.maxFrameBytes * 4 + 1 + this.int(1000) : this.maxFrameBytes + 1 + this.int(this.maxFrameBytes);
    return `{"type":"send","id":"big","data":"${'x'.repeat(size)}"}`;
  }

  /** One case for a WebSocket client (text or binary frames). */
  next(): FuzzFrame {
    const r = this.random();
    if (r < 0.15) return { kind: 'valid', payload: JSON.stringify(this.valid()) };
    if (r < 0.4) return { kind: 'mutated', payload: this.mutate(JSON.stringify(this.valid())) };
    if (r < 0.6) return { kind: 'structural', payload: this.structural() };
    if (r < 0.7) return { kind: 'random-json', payload: JSON.stringify(this.json(4)) };
    if (r < 0.76) return { kind: 'random-text', payload: this.string(300) };
    if (r < 0.81) return { kind: 'binary', payload: Buffer.from(Array.from({ length: this.int(300) }, () => this.int(256))), binary: true };
    if (r < 0.86) return { kind: 'numbers', payload: this.numbers() };
    if (r < 0.91) return { kind: 'deep', payload: this.deep() };
    if (r < 0.94) {
      const payload = this.big();
      return { kind: 'big', payload, fatal: payload.length > this.maxFrameBytes * 4 };
    }
    if (r < 0.945) return { kind: 'invalid-utf8', payload: Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0xff, 0xfe, 0x22, 0x7d]), fatal: true };
    return { kind: 'legacy', payload: JSON.stringify({ ...(this.chance(0.5) ? { ip: this.chance(0.5) ? this.string(16) : [this.string(16)] } : {}), ...(this.chance(0.5) ? { userName: this.string(20) } : {}), data: this.json(2) }) };
  }

  /** One frame at the WebSocket level that a client library would never send. */
  rawFrame(): { kind: string; bytes: Buffer } {
    switch (this.int(10)) {
      case 0:
        return { kind: 'raw-reserved-opcode', bytes: clientFrame('x', { opcode: this.pick([3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf]) }) };
      case 1:
        return { kind: 'raw-rsv-bits', bytes: clientFrame('{"type":"ping"}', { rsv: 1 + this.int(7) }) };
      case 2: {
        const frame = clientFrame('{"type":"ping"}');
        frame[1] = frame[1]! & 0x7f; // unmasked
        return { kind: 'raw-unmasked', bytes: Buffer.concat([frame.subarray(0, 2), frame.subarray(6)]) };
      }
      case 3:
        return { kind: 'raw-long-control', bytes: clientFrame(Buffer.alloc(126 + this.int(200)), { opcode: Opcode.Ping }) };
      case 4:
        return { kind: 'raw-fragmented-control', bytes: clientFrame('p', { opcode: Opcode.Ping, fin: false }) };
      case 5:
        return { kind: 'raw-lone-continuation', bytes: clientFrame('{"type":"ping"}', { opcode: Opcode.Continuation }) };
      case 6:
        return { kind: 'raw-bad-close', bytes: clientFrame(Buffer.from([0x03, 0xe7 + this.int(2), 0x78]), { opcode: Opcode.Close }) };
      case 7: {
        const head = Buffer.from([0x81, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4]); // a 2^63-byte text frame
        return { kind: 'raw-huge-length', bytes: head };
      }
      case 8: {
        const start = clientFrame('{"type":"send","id":"frag","data":"', { fin: false });
        const middle = clientFrame(Buffer.from([0xe2, 0x82]), { opcode: Opcode.Continuation, fin: false });
        const end = clientFrame(Buffer.from([0x28, 0x22, 0x7d]), { opcode: Opcode.Continuation });
        return { kind: 'raw-fragmented-invalid-utf8', bytes: Buffer.concat([start, middle, end]) };
      }
      default:
        return { kind: 'raw-random-bytes', bytes: Buffer.from(Array.from({ length: 1 + this.int(64) }, () => this.int(256))) };
    }
  }
}
