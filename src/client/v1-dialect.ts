import { DEFAULT_ROOM, ErrorCode, FieldLimits, SUBPROTOCOL_V1 } from '../protocol/constants.js';
import { encodeFrame } from '../protocol/frame-text.js';
import type {
  ClientFrame,
  JoinedFrame,
  Limits,
  MessageFrame,
  PageFrame,
  Peer,
  PresenceFrame,
  ReadersAnswerFrame,
  RosterFrame,
  ServerFrame,
  WelcomeFrame,
} from '../protocol/frames.js';
import { decodeServerFrame } from '../protocol/server-frames.js';
import { DeliveryMemory } from './delivery-memory.js';
import type { Dialect, DialectHost } from './dialect.js';
import { measure, sendFrameOf } from './outgoing.js';
import { PresenceNotices } from './presence-notices.js';
import { ReadReports } from './read-reports.js';
import { ChatRequestError, Requests } from './requests.js';
import { Rooms, type RoomState } from './rooms.js';
import { Typists } from './typists.js';
import { TypingSender, type TypingTarget } from './typing-sender.js';
import { payloadText, type ChatMessage, type HistoryDetail } from './types.js';

/** What `who` answers: how many are in the room, and those that matched. */
export interface SearchResult {
  readonly count: number;
  readonly peers: readonly Peer[];
}

/** A page of history for a reader that keeps its own place: `next` is the offset the page before it ends before. */
export interface HistoryPage extends HistoryDetail {
  readonly next?: number;
}

/** Who of a room has read up to a message (the asker not counted): how many, and who, the most recent reader first (at most 100). */
export interface ReadersResult {
  readonly count: number;
  readonly peers: readonly Peer[];
}

/** Private messages acknowledged but not yet confirmed read, kept for their receipts. */
const MAX_AWAITING_RECEIPT = 1000;
const RECEIVED_DEBOUNCE_MS = 250;
/** Message ids remembered to recognise a resend that the server could not (it lost its log). */
const SEEN_IDS = 10_000;
/** How long to wait before sending a message again when the relay asks for it without saying (PROTOCOL.md §20.4). */
const RETRY_AFTER_MS = 1000;

/**
 * Protocol v1 as ChatClient speaks it (docs/PROTOCOL.md section 20): the
 * hello and its welcome, resume and replay without showing a message twice,
 * acknowledgements, refusals and receipts for your messages, presence in
 * rooms, and the requests that wait for an answer (join, leave, who,
 * history).
 */
export class V1Dialect implements Dialect {
  readonly protocols = [SUBPROTOCOL_V1];
  self: Peer | undefined;
  limits: Limits | undefined;
  readonly rooms = new Rooms();
  /** Who is typing where, as the relay has said. */
  readonly typists: Typists;
  readonly #host: DialectHost;
  readonly #typing: TypingSender;
  readonly #notices: PresenceNotices;
  readonly #requests = new Requests();
  /** The rooms the hello asks for: the option's, then the rooms this client is in once it joined or left one. Undefined: the relay's default. */
  #wanted: readonly string[] | undefined;
  /** The offset the next older page of history ends before; undefined until the first welcome. */
  #older: number | undefined;
  /** The relay may keep messages older than `#older`. */
  #more = true;
  #firstPage: Promise<unknown> | undefined;
  /** Ids of your messages sent since a resumed first welcome, until its page arrives: they are not history. */
  #sentSince: Set<string> | undefined;
  #olderPage: Promise<HistoryDetail> | undefined;
  readonly #seenIds = new Set<string>();
  /** Your private messages by id, as last reported, until they are read (a `delivered` after `read` must not take them back). */
  readonly #awaitingReceipt = new Map<string, ChatMessage>();
  /** What they reached, for history to show after a reload (the relay logs no receipts). */
  readonly #delivery: DeliveryMemory;
  readonly #reads = new ReadReports((frame) => {
    if (!this.#host.isOnline()) return false;
    this.#write(frame);
    return true;
  });
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
    this.#delivery = new DeliveryMemory(host.store);
    this.#wanted = host.rooms;
    this.#notices = new PresenceNotices((notice) => host.emit('notice', notice));
    this.typists = new Typists((detail) => host.emit('typing', detail));
    this.#typing = new TypingSender((frame) => this.#write(frame));
  }

  /** Everyone in your rooms, as far as the relay has said. */
  get roster(): readonly Peer[] {
    return this.rooms.roster;
  }

  /** How many are in your first room. */
  get count(): number {
    return this.rooms.first?.count ?? 0;
  }

  join(room: string): Promise<RoomState> {
    return this.#ask<JoinedFrame>((id) => ({ type: 'join', room, id })).then(() => this.rooms.states.get(room)!);
  }

  async leave(room: string): Promise<void> {
    await this.#ask((id) => ({ type: 'leave', room, id }));
  }

  async search(room: string, query: string, limit?: number): Promise<SearchResult> {
    const { count, peers } = await this.#ask<RosterFrame>((id) => ({ type: 'who', id, room, ...(query ? { query } : {}), ...(limit ? { limit } : {}) }));
    return { count, peers };
  }

  /**
   * The user is typing (or, `active` false, stopped) in a room or to peers.
   * Said only online, in a room this client is in; the sender spaces it out.
   */
  typing(target: TypingTarget, active: boolean): void {
    if (!this.#host.isOnline()) return;
    if (target.to?.length) return this.#typing.update({ to: target.to }, active);
    const room = target.room ?? this.rooms.first?.room;
    if (room !== undefined && this.rooms.states.has(room)) this.#typing.update({ room }, active);
  }

  /**
   * Reports messages as shown to a person: of `room`, or private ones.
   * Skipped: your own, those reported already, and rooms whose relay keeps no
   * positions (partial rooms: larger than its presence threshold).
   */
  markRead(offsets: Iterable<number>, room: string | undefined): void {
    if (room !== undefined && this.rooms.states.get(room)?.partial) return;
    this.#reads.add(offsets, room);
  }

  async readers(room: string, offset: number): Promise<ReadersResult> {
    const { count, peers } = await this.#ask<ReadersAnswerFrame>((id) => ({ type: 'readers', id, room, offset }));
    return { count, peers };
  }

  /** The page of history before the oldest one loaded (after the first page, when it is still on its way). */
  loadOlder(): Promise<HistoryDetail> {
    this.#olderPage ??= (async () => {
      await this.#firstPage?.catch(() => {});
      return this.#page();
    })().finally(() => (this.#olderPage = undefined));
    return this.#olderPage;
  }

  offline(): void {
    this.#requests.failAll('offline', 'the link to the relay went before the answer came');
    // Stops may be lost with the link, ours and theirs.
    this.#typing.reset();
    this.typists.clear();
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
    const rooms = this.#wanted;
    this.#write({ type: 'hello', ...(name ? { name } : {}), ...(resume?.session ? { resume: { ...resume } } : {}), ...(rooms ? { rooms: [...rooms] } : {}) });
  }

  refused(): boolean {
    return !this.#welcomed;
  }

  transmit(message: ChatMessage): void {
    // Its token was taken already: the outbox let it go.
    this.#sentSince?.add(message.id);
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
    this.offline();
    this.#notices.stop();
    this.#reads.stop();
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
        this.#reads.own(frame.offset);
        return this.#awaitReceipt(message);
      }
      case 'delivered': {
        const message = this.#awaitingReceipt.get(frame.id);
        // Read messages wait no more, so a late delivered never takes one back.
        if (!message || message.state === 'delivered') return;
        const delivered: ChatMessage = { ...message, state: 'delivered' };
        this.#awaitingReceipt.set(frame.id, delivered);
        this.#delivery.set(message.offset!, 'delivered');
        this.#host.emit('update', delivered);
        return;
      }
      case 'read': {
        const message = this.#awaitingReceipt.get(frame.id);
        if (!message || message.offset !== frame.offset) return;
        this.#awaitingReceipt.delete(frame.id);
        this.#delivery.set(frame.offset, 'read');
        this.#host.emit('update', { ...message, state: 'read' });
        return;
      }
      case 'readers':
        this.#requests.answer(frame.id, frame);
        return;
      case 'join':
      case 'leave':
        return this.#presence(frame);
      case 'presence':
        this.rooms.batch(frame);
        for (const peer of frame.left) this.#typistLeft(peer.id, frame.room);
        if (frame.joined.length && this.#host.outbox.awaitingRecipients) this.#host.outbox.flush();
        return this.#roomChanged(frame.room);
      case 'joined': {
        const { type, id, ...state } = frame;
        this.rooms.entered(state);
        return this.#answered(id, frame, state.room);
      }
      case 'left':
        this.rooms.left(frame.room);
        this.typists.leftRoom(frame.room);
        return this.#answered(frame.id, frame, frame.room);
      case 'roster':
      case 'page':
        this.#requests.answer(frame.id, frame);
        return;
      case 'error': {
        const { code, id } = frame;
        if (this.#requests.fail(id, code, frame.message)) return;
        // Without an id these answer a `read` (best effort, never answered otherwise): a room left, or grown large meanwhile. Nothing for the application to do.
        if (id === undefined && (code === ErrorCode.NotInRoom || code === ErrorCode.RoomTooLarge)) return;
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
      case 'typing':
        if (frame.from.id !== this.self?.id) this.typists.heard(frame.from, frame.room, frame.stop === true);
        return;
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
    // A relay before rooms has one room, and says nothing of it.
    this.rooms.reset(frame.rooms ?? [{ room: this.#wanted?.[0] ?? DEFAULT_ROOM, count: frame.count, roster: frame.roster }]);
    this.limits = frame.limits;
    outbox.pace(frame.limits);
    resume.replace({ session: frame.session, epoch: frame.epoch, offset: frame.resumed && presented ? presented.offset : frame.offset });
    this.#delivery.epoch(frame.epoch);
    host.liveness.start(frame.limits.heartbeatInterval);
    host.ready();
    // History once in the client's life, before anything of ours is sent again: what follows the welcome is replayed, or is new.
    if (this.#older === undefined) {
      this.#older = frame.offset + 1;
      if (host.history > 0) {
        if (frame.resumed) this.#sentSince = new Set();
        const first = this.#firstPageOf(frame.resumed ? frame.offset : undefined);
        this.#firstPage = first;
        first.finally(() => (this.#sentSince = undefined)).then(
          (detail) => host.emit('history', detail),
          // A relay before history (protocol revision 6) does not know the frame: it has none to give.
          (error: ChatRequestError) => error.code !== ErrorCode.BadFrame && host.emit('error', { code: error.code, message: `history: ${error.message}` }),
        );
      }
    }
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
    this.#reads.epoch(frame.epoch);
    this.#reads.flush();
    if (this.#unreported) this.#reportReceived();
  }

  /** Your private message, acknowledged, waits for its receipts. */
  #awaitReceipt(message: ChatMessage): void {
    if (!message.to) return;
    this.#awaitingReceipt.set(message.id, message);
    if (this.#awaitingReceipt.size > MAX_AWAITING_RECEIPT) {
      this.#awaitingReceipt.delete(this.#awaitingReceipt.keys().next().value!);
    }
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
    // Sent: the draft it was typed in is gone.
    if (frame.to) this.typists.forget(frame.from.id, { peer: frame.from });
    else {
      const room = frame.room ?? this.rooms.first?.room;
      if (room !== undefined) this.typists.forget(frame.from.id, { room });
    }
    this.#host.emit('message', this.#chatMessage(frame, epoch));
    if (frame.to) this.#reportReceived();
  }

  #chatMessage(frame: MessageFrame, epoch: string): ChatMessage {
    const own = frame.from.id === this.self?.id;
    return {
      key: `${epoch}:${frame.offset}`,
      id: frame.id,
      offset: frame.offset,
      from: frame.from,
      ...(frame.to ? { to: frame.to } : {}),
      ...(frame.room !== undefined ? { room: frame.room } : {}),
      data: frame.data,
      text: payloadText(frame.data),
      ...(frame.mentions ? { mentions: frame.mentions } : {}),
      ts: frame.ts,
      own,
      ...(frame.replay ? { replay: true } : {}),
    };
  }

  /**
   * The page of history before `#older`, and where the next one starts.
   * After a resumed welcome at offset `resumedAt` it reads up to the log's
   * head instead: the replay brings what others sent past that point, but
   * never your own messages (the relay does not send them back), which a
   * reload would otherwise lose. Of what lies past the point it keeps only
   * those, less the ones this client is sending now.
   */
  async #page(resumedAt?: number, limit = Math.min(this.#host.history || 50, FieldLimits.maxHistoryLimit)): Promise<HistoryDetail> {
    const before = this.#older;
    if (before === undefined || !this.#more) return { messages: [], more: false };
    const { messages, more, next } = await this.#fetch(resumedAt === undefined ? before : undefined, limit, resumedAt);
    this.#more = more;
    if (next !== undefined) this.#older = resumedAt === undefined ? Math.min(before, next) : next;
    return { messages, more };
  }

  /**
   * A page of history ending before `before` (the latest when undefined),
   * for a reader that keeps its own place in it (another tab sharing this
   * connection): `next` is where the page before it ends.
   */
  async page(before: number | undefined, limit: number): Promise<HistoryPage> {
    return this.#fetch(before, Math.min(limit, FieldLimits.maxHistoryLimit));
  }

  /**
   * Asks the relay for a page and shows it as this client would: your own
   * with the receipts it saw them reach. `next` is where the page before it
   * ends; `more`, whether there may be one.
   */
  async #fetch(before: number | undefined, limit: number, resumedAt?: number): Promise<HistoryPage> {
    const page = await this.#ask<PageFrame>((id) => ({ type: 'history', id, ...(before !== undefined ? { before } : {}), limit }));
    const next = page.before ?? page.messages[0]?.offset;
    const epoch = this.#host.resume.state?.epoch ?? '';
    const messages: ChatMessage[] = [];
    for (const frame of page.messages) {
      const message = this.#chatMessage(frame, epoch);
      if (resumedAt === undefined || frame.offset <= resumedAt || (message.own && !this.#sentSince?.has(message.id))) {
        // Receipts are not logged: what this client saw them reach, if it did.
        const shown: ChatMessage = message.own ? { ...message, state: this.#delivery.get(frame.offset) ?? 'sent' } : message;
        messages.push(shown);
        // Its receipts may still come (the recipient reads it after this reload); read, it has had them all.
        if (shown.own && shown.state !== 'read') this.#awaitReceipt(shown);
      }
    }
    // A relay that names no earlier place to go on from has nothing older to give.
    const more = page.more && next !== undefined && (before === undefined || next < before);
    return { messages, more, ...(next !== undefined ? { next } : {}) };
  }

  /**
   * The first page, topped up with older pages while short (after a resumed
   * welcome, the replay brings part of it instead; a relay stops a page after
   * scanning so many entries), a few at most.
   */
  async #firstPageOf(resumedAt: number | undefined): Promise<HistoryDetail> {
    const limit = Math.min(this.#host.history, FieldLimits.maxHistoryLimit);
    let { messages, more } = await this.#page(resumedAt, limit);
    for (let pages = 1; more && messages.length < limit && pages < 4; pages++) {
      const older = await this.#page(undefined, limit - messages.length);
      ({ more } = older);
      messages = [...older.messages, ...messages];
    }
    return { messages, more };
  }

  /** Sends a request that waits for its answer (and takes a token, as the relay counts it). */
  #ask<A>(frame: (id: string) => ClientFrame): Promise<A> {
    if (!this.#host.isOnline()) return Promise.reject(new ChatRequestError('offline', 'not connected to the relay'));
    return this.#requests.ask<A>((id) => this.#write(frame(id)));
  }

  /** A room was entered or left: from now on the hello asks for the rooms this client is in. */
  #answered(id: string | undefined, frame: unknown, room: string): void {
    this.#wanted = [...this.rooms.states.keys()];
    this.#requests.answer(id, frame);
    this.#roomChanged(room);
  }

  #roomChanged(room: string): void {
    this.#host.emit('presence', { kind: 'room', room, roster: this.roster, count: this.count });
  }

  #presence({ type: kind, peer, count, room }: PresenceFrame): void {
    const seen = this.rooms.has(peer.id);
    this.rooms.notice(kind, peer, count, room);
    // Someone came back: private messages waiting for their recipients after a relay restart may go now.
    if (kind === 'join' && this.#host.outbox.awaitingRecipients) this.#host.outbox.flush();
    this.#host.emit('presence', { kind, peer, ...(room !== undefined ? { room } : {}), roster: this.roster, count: this.count });
    // Announced once however many of your rooms they share: when they are first seen, and when seen in none.
    if (kind === 'leave') this.#typistLeft(peer.id, room);
    if (kind === 'join' && !seen) this.#notices.join(peer);
    else if (kind === 'leave' && seen && !this.rooms.has(peer.id)) this.#notices.leave(peer);
  }

  /** `id` left `room` (undefined: a relay before rooms): it types there no more, and nowhere once it shares no room with this client. */
  #typistLeft(id: string, room: string | undefined): void {
    if (room !== undefined) this.typists.left(id, room);
    if (room === undefined || !this.rooms.has(id)) this.typists.left(id);
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
