import { parseObject } from '../protocol/codec.js';
import { LEGACY_LOGIN, LEGACY_LOGOUT, type LegacyOutFrame } from '../protocol/legacy.js';
import type { ReWebSocketService } from '../transport/re-websocket-service.js';
import { payloadText, type ChatErrorDetail, type ChatMessage, type ChatNotice, type Peer, type PresenceDetail } from './types.js';

const ECHO_WINDOW_MS = 30_000;

export interface LegacyHost {
  emit(type: 'message', detail: ChatMessage): void;
  emit(type: 'presence', detail: PresenceDetail): void;
  emit(type: 'notice', detail: ChatNotice): void;
  emit(type: 'error', detail: ChatErrorDetail): void;
  settle(id: string, change: { state: 'sent' }): void;
  isPending(id: string): boolean;
  setCount(count: number): void;
}

/**
 * The original IP-routing server's format, for ChatClient's legacy mode:
 * no handshake, no acknowledgements, no roster. The server echoes what we
 * send back to us (always for a broadcast, and for a unicast whose address
 * list includes our own): that echo is the only acknowledgement there is.
 */
export class LegacyDialect {
  private key = 0;
  /** What we sent lately, to recognise the server's echo of it. */
  private echoes: Array<{ id: string; data: string; at: number }> = [];

  constructor(
    private readonly name: string,
    private readonly host: LegacyHost,
  ) {}

  transmit(service: ReWebSocketService, message: ChatMessage): void {
    const addrs = message.to?.addrs ?? [];
    service.send(JSON.stringify({ ...(addrs.length ? { ip: addrs } : {}), userName: this.name, data: message.data }));
    this.echoes.push({ id: message.id, data: JSON.stringify(message.data), at: Date.now() });
    // A unicast gets no echo unless our own address was listed: writing it is all we can know.
    if (addrs.length > 0) this.host.settle(message.id, { state: 'sent' });
  }

  receive(text: string): void {
    const parsed = parseObject(text);
    if (!parsed.ok) return;
    const frame = parsed.value as Partial<LegacyOutFrame>;
    if (typeof frame.count !== 'number') return;
    const addr = String(frame.currUserIp ?? '');
    const name = String(frame.currUserName ?? '');
    const peer: Peer = { id: addr ? `${addr}/${name}` : name, name, addr };
    const { data } = frame;
    this.host.setCount(frame.count);
    if (addr === '' && name === '' && data !== null && typeof data === 'object' && 'error' in data) {
      const { error, message } = data as { error: unknown; message?: unknown };
      this.host.emit('error', { code: String(error), message: String(message ?? error) });
      return;
    }
    if (data === LEGACY_LOGIN || data === LEGACY_LOGOUT) {
      const kind = data === LEGACY_LOGIN ? 'join' : 'leave';
      this.host.emit('presence', { kind, peer, roster: [], count: frame.count });
      this.host.emit('notice', { kind, peer, key: `legacy:${++this.key}`, ts: Date.now() });
      return;
    }
    if (name === this.name && this.matchEcho(data)) return;
    this.host.emit('message', {
      key: `legacy:${++this.key}`,
      id: `legacy-${this.key}`,
      from: peer,
      data,
      text: payloadText(data),
      ts: Date.now(),
      own: false,
    });
  }

  /** An echo settles the matching pending message and is not shown twice. */
  private matchEcho(data: unknown): boolean {
    const serialized = JSON.stringify(data);
    const now = Date.now();
    this.echoes = this.echoes.filter((echo) => now - echo.at < ECHO_WINDOW_MS);
    const index = this.echoes.findIndex((echo) => echo.data === serialized);
    if (index < 0) return false;
    const [echo] = this.echoes.splice(index, 1);
    if (this.host.isPending(echo!.id)) this.host.settle(echo!.id, { state: 'sent' });
    return true;
  }
}
