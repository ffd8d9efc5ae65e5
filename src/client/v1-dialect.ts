import { ErrorCode, SUBPROTOCOL_V1 } from '../protocol/constants.js';
import { encodeFrame } from '../protocol/frame-text.js';
import type { ClientFrame, Limits, MessageFrame, Peer, PresenceFrame, ServerFrame, WelcomeFrame } from '../protocol/frames.js';
import { decodeServerFrame } from '../protocol/server-frames.js';
import type { Dialect, DialectHost } from './dialect.js';
import { measure, sendFrameOf } from './outgoing.js';
import { PresenceNotices } from './presence-notices.js';
import { payloadText, type ChatMessage } from './types.js';

/** Private messages acknowledged but not yet confirmed delivered, kept for their receipt. */
const MAX_AWAITING_RECEIPT = 1000;
const RECEIVED_DEBOUNCE_MS = 250;
/** Message ids remembered to recognise a resend that the server could not (it lost its log). */
const SEEN_IDS = 10_000;
/** How long to wait before sending a message again when the relay asks for it without saying (PROTOCOL.md §20.4). */
const RETRY_AFTER_MS = 1000;

/**
 * Protocol v1 as ChatClient speaks it (docs/PROTOCOL.md section 20): the
 * hello and its welcome, resume and replay without showing a message twice,
 * acknowledgements, refusals and receipts for your messages, and presence.
 */
export class V1Dialect implements Dialect {
  readonly protocols = [SUBPROTOCOL_V1];
  self: Peer | undefined;
  roster: readonly Peer[] = [];
  count = 0;
  limits: Limits | undefined;
  readonly #host: DialectHost;
  readonly #notices: PresenceNotices;
  readonly #seenIds = new Set<string>();
  readonly #awaitingReceipt = new Map<string, ChatMessage>();
  /** The current socket got its welcome: a close before that was a refusal, not a lost link. */
  #welcomed = false;
  #receivedTimer: ReturnType<typeof setTimeout> | undefined;
  /** Messages were processed that the relay has not been told of. */
  #unreported = false;
  #noticeKey = 0;
  /** `unavailable` was reported for the current outage (once is enough). */
  #unavailableReported = false;

  constructor(host: DialectHost) {
    this.#host = host;
    this.#notices = new PresenceNotices((notice) => host.emit('notice', notice));
  }

  restore(): void {
    this.#host.resume.load();
  }

  /** Nothing: the name and the session go in the hello. */
  address(): void {}

  opened(): void {
    this.#welcomed = false;
    const resume = this.#host.resume.state;
    const { name } = this.#host;
    this.#write({ type: 'hello', ...(name ? { name } : {}), ...(resume?.session ? { resume: { ...resume } } : {}) });
  }

  refused(): boolean {
    return !this.#welcomed;
  }

  transmit(message: ChatMessage): void {
    // Its token was taken already: the outbox let it go.
    this.#host.write(encodeFrame(sendFrameOf(message)));
  }

  ping(t: number): void {
    this.#write({ type: 'ping', t });
  }

  /** Writes a frame that goes whether or not a token is there. */
  #write(frame: ClientFrame): void {
    this.#host.outbox.spend();
    this.#host.write(encodeFrame(frame));
  }

  stop(): void {
    this.#notices.stop();
    // Forgotten as well as cleared: a timer left set would keep every later
    // report from being scheduled, after close() and connect().
    clearTimeout(this.#receivedTimer);
    this.#receivedTimer = undefined;
  }

  receive(text: string): void {
    const decoded = decodeServerFrame(text);
    if (!decoded.ok) {
      // A newer server may send frames this client does not know: skip them.
      if (decoded.code === ErrorCode.BadField) {
        this.#host.emit('error', { code: 'bad_server_frame', message: decoded.message });
      }
      return;
    }
    this.#handle(decoded.frame);
  }

  #handle(frame: ServerFrame): void {
    const { outbox } = this.#host;
    switch (frame.type) {
      case 'welcome':
        return this.#welcome(frame);
      case 'message':
        return this.#message(frame);
      case 'ack': {
        const message = outbox.conclude(frame.id, { state: 'sent', offset: frame.offset, ts: frame.ts });
        if (!message) return;
        this.#unavailableReported = false;
        if (!message.to) return;
        this.#awaitingReceipt.set(frame.id, message);
        if (this.#awaitingReceipt.size > MAX_AWAITING_RECEIPT) {
          this.#awaitingReceipt.delete(this.#awaitingReceipt.keys().next().value!);
        }
        return;
      }
      case 'delivered': {
        const message = this.#awaitingReceipt.get(frame.id);
        if (!message) return;
        this.#awaitingReceipt.delete(frame.id);
        this.#host.emit('update', { ...message, state: 'delivered' });
        return;
      }
      case 'join':
      case 'leave':
        return this.#presence(frame);
      case 'error': {
        const { code, id } = frame;
        if (code === ErrorCode.RateLimited || code === ErrorCode.Unavailable) {
          // Not refused, only early, or the relay cannot route just now: the
          // message goes again, in its place. Early is this client's own pacing
          // to get right, not news for the application; an outage is, once.
          if (code === ErrorCode.RateLimited) outbox.drain();
          outbox.takeBack(id, frame.retryAfter ?? RETRY_AFTER_MS);
          if (code === ErrorCode.RateLimited || this.#unavailableReported) return;
          this.#unavailableReported = true;
        } else if (id !== undefined) {
          outbox.conclude(id, { state: 'failed', error: code });
        }
        this.#host.emit('error', { code, message: frame.message, ...(id !== undefined ? { id } : {}) });
        return;
      }
      case 'pong':
        return;
    }
  }

  #welcome(frame: WelcomeFrame): void {
    const host = this.#host;
    const { outbox, resume } = host;
    const presented = resume.state;
    this.#welcomed = true;
    this.self = frame.self;
    this.roster = frame.roster;
    this.count = frame.count;
    this.limits = frame.limits;
    outbox.pace(frame.limits);
    resume.replace({ session: frame.session, epoch: frame.epoch, offset: frame.resumed && presented ? presented.offset : frame.offset });
    host.liveness.start(frame.limits.heartbeatInterval);
    host.ready();
    host.emit('presence', { kind: 'welcome', roster: this.roster, count: this.count });
    this.#notices.welcome(this.roster);
    // Written while the relay's limit was unknown (offline since the start): refused here, not by the relay.
    for (const message of outbox.messages) {
      const measured = measure(message, frame.limits.maxFrameBytes);
      if (measured.ok) continue;
      outbox.conclude(message.id, { state: 'failed', error: measured.code });
      host.emit('error', { code: measured.code, message: measured.message, id: message.id });
    }
    if (presented && !frame.resumed) outbox.awaitRecipients();
    if (frame.gap || (presented && !frame.resumed)) {
      const reason = presented && presented.epoch !== frame.epoch ? 'epoch' : frame.resumed ? 'window' : 'session';
      host.emit('gap', { reason });
      host.emit('notice', { kind: 'gap', key: `gap:${++this.#noticeKey}:${Date.now()}`, ts: Date.now() });
    }
    outbox.flush();
    if (this.#unreported) this.#reportReceived();
  }

  #message(frame: MessageFrame): void {
    const { resume } = this.#host;
    const epoch = resume.state?.epoch ?? '';
    // At or below the newest offset processed: a replay of something already shown.
    if (resume.state && frame.offset <= resume.state.offset) return;
    resume.processed(epoch, frame.offset);
    // A sender resends what the server did not acknowledge; after a relay
    // lost its log (new epoch) that resend has a new offset, but its id.
    const seen = `${frame.from.name}\u0000${frame.id}`;
    if (this.#seenIds.has(seen)) return;
    this.#seenIds.add(seen);
    if (this.#seenIds.size > SEEN_IDS) this.#seenIds.delete(this.#seenIds.values().next().value!);
    this.#host.emit('message', {
      key: `${epoch}:${frame.offset}`,
      id: frame.id,
      offset: frame.offset,
      from: frame.from,
      ...(frame.to ? { to: frame.to } : {}),
      data: frame.data,
      text: payloadText(frame.data),
      ts: frame.ts,
      own: frame.from.id === this.self?.id,
      ...(frame.replay ? { replay: true } : {}),
    });
    if (frame.to) this.#reportReceived();
  }

  #presence({ type: kind, peer, count }: PresenceFrame): void {
    this.roster = kind === 'join' ? [...this.roster.filter((p) => p.id !== peer.id), peer] : this.roster.filter((p) => p.id !== peer.id);
    this.count = count;
    // Someone came back: private messages waiting for their recipients after a relay restart may go now.
    if (kind === 'join' && this.#host.outbox.awaitingRecipients) this.#host.outbox.flush();
    this.#host.emit('presence', { kind, peer, roster: this.roster, count });
    if (kind === 'join') this.#notices.join(peer);
    else this.#notices.leave(peer);
  }

  /** Tells the server, soon and once for a burst, what we have processed: it sends delivery receipts for private messages. */
  #reportReceived(): void {
    this.#unreported = true;
    this.#receivedTimer ??= setTimeout(() => {
      this.#receivedTimer = undefined;
      const resume = this.#host.resume.state;
      // Offline: `unreported` stays set, and the next welcome reports it.
      if (!this.#unreported || !resume || !this.#host.isOnline()) return;
      this.#unreported = false;
      this.#write({ type: 'received', offset: resume.offset });
    }, RECEIVED_DEBOUNCE_MS);
  }
}
