import { WebSocket } from 'ws';
import { SUBPROTOCOL_V1 } from '../../src/protocol/constants.js';
import { DEADLINE_MS } from './wait.js';

type Frame = Record<string, unknown> & { type?: string };

export interface ClientOptions {
  /** 'v1' (default) offers the subprotocol and says hello; 'legacy' speaks the original format. */
  dialect?: 'v1' | 'legacy';
  name?: string;
  /** The hello's `rooms` (v1); absent: not sent (the default room). */
  rooms?: string[];
  /** Send hello on open (v1). Default true. */
  hello?: boolean;
  headers?: Record<string, string>;
  query?: string;
}

/**
 * A real WebSocket client for relay tests: records every frame it receives
 * and waits for the ones a test expects, with a deadline.
 */
export class TestClient {
  readonly frames: Frame[] = [];
  readonly socket: WebSocket;
  closeCode: number | undefined;
  closeReason: string | undefined;
  private waiters: Array<() => void> = [];
  private readonly opened: Promise<void>;
  private readonly closedPromise: Promise<void>;

  constructor(url: string, private readonly options: ClientOptions = {}) {
    const dialect = options.dialect ?? 'v1';
    const target = options.query ? `${url}${url.includes('?') ? '&' : '?'}${options.query}` : url;
    this.socket = new WebSocket(target, dialect === 'v1' ? [SUBPROTOCOL_V1] : [], { headers: options.headers });
    this.socket.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()) as Frame);
      this.notify();
    });
    this.opened = new Promise((resolve, reject) => {
      this.socket.once('open', () => resolve());
      this.socket.once('error', reject);
    });
    this.closedPromise = new Promise((resolve) => {
      this.socket.once('close', (code, reason) => {
        this.closeCode = code;
        this.closeReason = reason.toString();
        this.notify();
        resolve();
      });
    });
    this.socket.on('error', () => {});
  }

  /** Connects; for v1 says hello and waits for the welcome. */
  static async connect(url: string, options: ClientOptions = {}): Promise<TestClient> {
    const client = new TestClient(url, options);
    await client.opened;
    if ((options.dialect ?? 'v1') === 'v1' && options.hello !== false) {
      client.send({
        type: 'hello',
        ...(options.name !== undefined ? { name: options.name } : {}),
        ...(options.rooms !== undefined ? { rooms: options.rooms } : {}),
      });
      await client.next((frame) => frame.type === 'welcome');
    }
    return client;
  }

  get welcome(): Frame {
    const welcome = this.frames.find((frame) => frame.type === 'welcome');
    if (!welcome) throw new Error('no welcome yet');
    return welcome;
  }

  get self(): { id: string; name: string; addr: string } {
    return this.welcome.self as { id: string; name: string; addr: string };
  }

  send(frame: unknown): void {
    this.socket.send(JSON.stringify(frame));
  }

  sendRaw(data: string | Buffer, binary = false): void {
    this.socket.send(data, { binary });
  }

  ofType(type: string): Frame[] {
    return this.frames.filter((frame) => frame.type === type);
  }

  /** Waits for the first frame (from `after` on) matching `predicate`. */
  async next(predicate: (frame: Frame) => boolean, timeout = DEADLINE_MS, after = 0): Promise<Frame> {
    const deadline = Date.now() + timeout;
    for (;;) {
      const found = this.frames.slice(after).find(predicate);
      if (found) return found;
      if (this.closeCode !== undefined) throw new Error(`socket closed (${this.closeCode} ${this.closeReason}) before the frame arrived`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching frame within ${timeout} ms; got ${JSON.stringify(this.frames.slice(-5))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async closed(timeout = DEADLINE_MS): Promise<{ code: number; reason: string }> {
    await Promise.race([
      this.closedPromise,
      new Promise((_, reject) => setTimeout(() => reject(new Error(`not closed within ${timeout} ms`)), timeout)),
    ]);
    return { code: this.closeCode!, reason: this.closeReason ?? '' };
  }

  close(): void {
    this.socket.terminate();
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}
