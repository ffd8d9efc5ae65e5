import { QueryParam, REFUSAL_CLOSE_CODES } from '../protocol/constants.js';
import type { Limits } from '../protocol/frames.js';
import { decodeLegacyOutFrame, encodeLegacyInFrame } from '../protocol/legacy-format.js';
import type { CloseLike } from '../transport/re-websocket-service.js';
import type { Dialect, DialectHost } from './dialect.js';
import { payloadText, type ChatMessage, type Peer } from './types.js';

const ECHO_WINDOW_MS = 30_000;

/**
 * The original IP-routing server's format, for ChatClient's legacy mode:
 * no handshake, no acknowledgements, no roster. The server echoes what we
 * send back to us (always for a broadcast, and for a unicast whose address
 * list includes our own): that echo is the only acknowledgement there is.
 */
export class LegacyDialect implements Dialect {
  readonly protocols = undefined;
  readonly self = undefined;
  readonly roster: readonly Peer[] = [];
  count = 0;
  readonly limits: Limits | undefined = undefined;
  readonly #host: DialectHost;
  #key = 0;
  /** What we sent lately, to recognise the server's echo of it. */
  #echoes: Array<{ id: string; data: string; at: number }> = [];

  constructor(host: DialectHost) {
    this.#host = host;
  }

  restore(): void {}

  stop(): void {}

  offline(): void {}

  /** The format has no ping: the liveness monitor never runs for it. */
  ping(): void {}

  address(url: URL): void {
    if (this.#host.name) url.searchParams.set(QueryParam.UserName, this.#host.name);
  }

  /** Online as soon as the socket opens: there is no handshake. */
  opened(): void {
    this.#host.ready();
    this.#host.outbox.flush();
  }

  /** Only the relay's refusals count: a legacy socket is never welcomed. */
  refused(event: CloseLike): boolean {
    return REFUSAL_CLOSE_CODES.has(event.code);
  }

  transmit(message: ChatMessage): void {
    const addrs = message.to?.addrs ?? [];
    this.#host.write(encodeLegacyInFrame(this.#host.name, message.data, addrs));
    this.#echoes.push({ id: message.id, data: JSON.stringify(message.data), at: Date.now() });
    // A unicast gets no echo unless our own address was listed: writing it is all we can know.
    if (addrs.length > 0) this.#host.outbox.conclude(message.id, { state: 'sent' });
  }

  receive(text: string): void {
    const frame = decodeLegacyOutFrame(text);
    if (!frame) return;
    const host = this.#host;
    this.count = frame.count;
    if (frame.kind === 'error') {
      host.emit('error', { code: frame.code, message: frame.message });
      return;
    }
    const { kind, addr, name } = frame;
    const peer: Peer = { id: addr ? `${addr}/${name}` : name, name, addr };
    if (kind !== 'message') {
      host.emit('presence', { kind, peer, roster: [], count: frame.count });
      host.emit('notice', { kind, peer, key: `legacy:${++this.#key}`, ts: Date.now() });
      return;
    }
    const { data } = frame;
    if (name === host.name && this.#matchEcho(data)) return;
    host.emit('message', {
      key: `legacy:${++this.#key}`,
      id: `legacy-${this.#key}`,
      from: peer,
      data,
      text: payloadText(data),
      ts: Date.now(),
      own: false,
    });
  }

  /** An echo concludes the matching pending message and is not shown twice. */
  #matchEcho(data: unknown): boolean {
    const serialized = JSON.stringify(data);
    const now = Date.now();
    this.#echoes = this.#echoes.filter((echo) => now - echo.at < ECHO_WINDOW_MS);
    const index = this.#echoes.findIndex((echo) => echo.data === serialized);
    if (index < 0) return false;
    const [echo] = this.#echoes.splice(index, 1);
    if (this.#host.outbox.isPending(echo!.id)) this.#host.outbox.conclude(echo!.id, { state: 'sent' });
    return true;
  }
}
