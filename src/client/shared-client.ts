import type { Handler } from 'mitt';
import { createMessageCenter, type MessageCenter, type Unsubscribe } from '../bus/message-center.js';
import type { Limits, Peer, Target } from '../protocol/frames.js';
import { ChatClient, type ChatClientEvents, type ChatClientOptions } from './chat-client.js';
import { prepare } from './outgoing.js';
import { randomId, sharedStore, type ClientStore, type ResumeState } from './persistence.js';
import { ChatRequestError, REQUEST_TIMEOUT_MS } from './requests.js';
import type { RoomState } from './rooms.js';
import type { ChatMessage, ChatProtocol, ChatStatus, HistoryDetail, SendOptions } from './types.js';
import type { TypingTarget } from './typing-sender.js';
import type { HistoryPage, ReadersResult, SearchResult } from './v1-dialect.js';

/** What a tab sharing a connection shows of it, as the tab holding it last said. */
interface Snapshot {
  readonly status: ChatStatus;
  readonly attempt: number;
  readonly retryAt?: number;
  readonly self?: Peer;
  readonly roster: readonly Peer[];
  readonly count: number;
  readonly rooms: ReadonlyMap<string, RoomState>;
  readonly typists: ReadonlyMap<string, readonly Peer[]>;
  readonly limits?: Limits;
}

/** The requests a tab passes to the one holding the connection, and what they resolve with there. */
type Calls = {
  join: [room: string];
  leave: [room: string];
  search: [room: string, query: string, limit?: number];
  readers: [room: string, offset: number];
  historyPage: [before?: number, limit?: number];
};
type Method = keyof Calls;

/**
 * What the tabs of one shared connection say to each other on their
 * BroadcastChannel. `from` and `to` are the tabs' (clients') random ids;
 * `gen`, on what a leader says, when it took the lead: the tabs believe only
 * the latest leader.
 * - `hello`: a tab asks the leader for the state (on start, and when it was hidden or frozen);
 * - `leader`: a tab took the connection: the others say hello again and pass on what it may not have;
 * - `state`: the leader's answer to a hello, with your messages still waiting and the latest answered;
 * - `event`: everything the leader's client reports (but history), with the state it changed and the resume point;
 * - `send`: your messages made in another tab that the leader has not confirmed yet, in order, to go out through it;
 * - `call` / `reply`: a request (join, leave, search, readers, history) and its answer;
 * - `do`: a request without an answer (typing, markRead, reconnect, checkLink);
 * - `ping` / `pong`: a follower that has not heard from the leader asks whether it is there.
 */
type Post =
  | { readonly k: 'hello'; readonly from: string }
  | { readonly k: 'leader'; readonly from: string; readonly gen: number }
  | { readonly k: 'ping' }
  | { readonly k: 'pong'; readonly gen: number }
  | {
      readonly k: 'state';
      readonly gen: number;
      readonly to: string;
      readonly state: Snapshot;
      readonly resume?: ResumeState;
      readonly pending: ChatMessage[];
      readonly done: ChatMessage[];
    }
  | { readonly k: 'event'; readonly gen: number; readonly type: keyof ChatClientEvents; readonly detail: unknown; readonly state?: Snapshot; readonly resume?: ResumeState }
  | { readonly k: 'send'; readonly messages: ChatMessage[] }
  | { readonly k: 'call'; readonly from: string; readonly id: number; readonly method: Method; readonly args: unknown[] }
  | { readonly k: 'reply'; readonly gen: number; readonly to: string; readonly id: number; readonly value?: unknown; readonly error?: { code: string; message: string } }
  | { readonly k: 'do'; readonly method: 'typing' | 'markRead' | 'reconnect' | 'checkLink'; readonly args: unknown[] };

interface Call {
  readonly method: Method;
  readonly args: unknown[];
  readonly resolve: (value: never) => void;
  readonly reject: (error: ChatRequestError) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

/** Where a tab stands in a shared connection: holding it, using another tab's, or (sharing impossible) holding its own. */
export type SharingRole = 'leader' | 'follower' | 'off';

/** How many of your latest answered messages a leader tells a tab that says hello. */
const DONE_KEPT = 100;

/** ms a follower waits without a word from the leader before asking whether it is there; as long again (to twice that) without an answer, it takes over. */
const LEADER_SILENCE_MS = 3000;

const EVENTS: ReadonlyArray<keyof ChatClientEvents> = ['status', 'presence', 'message', 'update', 'notice', 'gap', 'error', 'typing'];

/**
 * Whether tabs can share a connection here: Web Locks and BroadcastChannel
 * exist (Web Locks need a secure context: https, or localhost) and the
 * page's origin is not opaque (a sandboxed iframe, a data: URL).
 */
export function canShare(options: Pick<ChatClientOptions, 'url' | 'protocol'>): boolean {
  return (
    typeof options.url === 'string' &&
    options.protocol !== 'legacy' &&
    typeof BroadcastChannel === 'function' &&
    typeof navigator !== 'undefined' &&
    typeof navigator.locks?.request === 'function' &&
    typeof location !== 'undefined' &&
    location.origin !== 'null'
  );
}

/**
 * Who a token says you are, to tell connections apart: a JWT's issuer and
 * subject (its expiry changes from tab to tab; its subject does not), any
 * other string itself, nothing for a function (the page's user name tells).
 */
function tokenIdentity(token: ChatClientOptions['token']): string {
  if (typeof token !== 'string') return '';
  try {
    const claims = JSON.parse(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as { iss?: unknown; sub?: unknown };
    if (typeof claims.sub === 'string') return `jwt:${String(claims.iss ?? '')}:${claims.sub}`;
  } catch {
    // Not a JWT.
  }
  return token;
}

/**
 * A ChatClient shared by every tab of a site (and every panel in them) that
 * talks to the same relay, as the same user, in the same rooms: one tab, the
 * leader, holds the only WebSocket and the others use it through a
 * BroadcastChannel, so the relay sees one connection, one session and one
 * presence per browser, not one per tab.
 *
 * - The leader is whichever tab holds a Web Lock named for the connection;
 *   when it closes, crashes or is frozen, the next tab waiting for the lock
 *   takes over and resumes the same session from where the tabs got to, so
 *   nothing is missed or shown twice.
 * - Every tab shows the same conversation: messages, presence, typing and
 *   delivery states reach all of them; a message typed in any tab goes out
 *   through the leader's outbox, in order.
 * - The outbox is shared: what waits is kept in IndexedDB under the
 *   connection, and every tab holds a copy of it, so a message typed in a tab
 *   that closes before it is sent is still sent, once (the relay tells a
 *   resend by its id).
 * - A tab that was hidden or frozen catches up when it is shown again.
 *
 * It has ChatClient's interface (less `resumeState` writes and the option
 * `store`). Use `canShare()` first: where sharing is impossible, use a
 * ChatClient; should taking the lock fail all the same, this client holds a
 * connection of its own (`role` 'off').
 */
export class SharedChatClient {
  readonly #emitter: MessageCenter<ChatClientEvents> = createMessageCenter<ChatClientEvents>();
  readonly #options: ChatClientOptions;
  readonly #key: string;
  readonly #store: ClientStore;
  /** This client's id among the tabs. */
  readonly #id = randomId();
  #role: SharingRole = 'follower';
  /** The connection, when this tab holds it. */
  #client: ChatClient | undefined;
  #unsubscribe: Unsubscribe[] = [];
  #channel: BroadcastChannel | undefined;
  /** Cancels the wait for the lock. */
  #abort: AbortController | undefined;
  /** Lets the lock go. */
  #release: (() => void) | undefined;
  #closed = true;
  #state: Snapshot = { status: 'offline', attempt: 0, roster: [], count: 0, rooms: new Map(), typists: new Map() };
  /** The resume point the tabs got to: a tab that takes the connection over resumes from it. */
  #resume: ResumeState | undefined;
  /** Your messages waiting, as the leader last said, oldest first. */
  #pending = new Map<string, ChatMessage>();
  /** A post of the messages passed in this task is due. */
  #passing = false;
  /** The latest of your messages answered (sent, delivered, read, failed), by id (see `#answered`). */
  readonly #done = new Map<string, ChatMessage>();
  /** Your messages this tab passed to the leader that it has not reported yet: passed again to a new leader. */
  readonly #handed = new Map<string, ChatMessage>();
  readonly #calls = new Map<number, Call>();
  #nextCall = 0;
  /** This tab's place in the relay's history: the page before the oldest it loaded ends here. */
  #older: number | undefined;
  #more = false;
  /** The first page has not arrived yet (it is asked for once online). */
  #historyWanted = false;
  #pageLoading = false;
  /** What was waiting when the client closed (see `handOver`). */
  #leftWith: ChatMessage[] = [];
  /** When this tab took the lead (its posts carry it), and the latest such time heard from a leader. */
  #gen = 0;
  #leaderGen = 0;
  /** When this tab last heard from a leader, and last asked whether there is one (see `#watch`). */
  #heardAt = 0;
  #pingedAt = 0;
  #watchTimer: ReturnType<typeof setInterval> | undefined;
  /** Settles once this tab has let the lock go (or stopped waiting for it). */
  #lockDone: Promise<unknown> = Promise.resolve();

  constructor(options: ChatClientOptions) {
    if (typeof options?.url !== 'string') throw new TypeError('SharedChatClient: options.url must be a WebSocket URL');
    this.#options = options;
    this.#key = JSON.stringify([options.protocol ?? 'v1', options.url, options.name ?? '', options.rooms ?? [], tokenIdentity(options.token)]);
    // What the tab holding the connection keeps (resuming where the tabs got to), and what `handOver` clears.
    this.#store = sharedStore(`shared|${this.#key}`, () => this.#resume);
  }

  on<K extends keyof ChatClientEvents>(type: K, handler: Handler<ChatClientEvents[K]>): Unsubscribe {
    return this.#emitter.on(type, handler);
  }

  /** `leader`: this tab holds the connection; `follower`: it uses another tab's; `off`: sharing failed here, it holds its own. */
  get role(): SharingRole {
    return this.#role;
  }

  get protocol(): ChatProtocol {
    return this.#options.protocol ?? 'v1';
  }

  get name(): string {
    return this.#options.name ?? '';
  }

  get status(): ChatStatus {
    return this.#client?.status ?? this.#state.status;
  }

  get retryAt(): number | undefined {
    return this.#client ? this.#client.retryAt : this.#state.status === 'reconnecting' ? this.#state.retryAt : undefined;
  }

  get self(): Peer | undefined {
    return this.#client ? this.#client.self : this.#state.self;
  }

  get roster(): readonly Peer[] {
    return this.#client?.roster ?? this.#state.roster;
  }

  get count(): number {
    return this.#client?.count ?? this.#state.count;
  }

  get rooms(): ReadonlyMap<string, RoomState> {
    return this.#client?.rooms ?? this.#state.rooms;
  }

  get typists(): ReadonlyMap<string, readonly Peer[]> {
    return this.#client?.typists ?? this.#state.typists;
  }

  get limits(): Limits | undefined {
    return this.#client ? this.#client.limits : this.#state.limits;
  }

  /** Your messages not yet acknowledged, oldest first: those the leader holds, then those this tab passed that it has not confirmed. */
  get pending(): ChatMessage[] {
    return this.#client?.pending ?? [...this.#pending.values(), ...this.#handed.values()];
  }

  get resumeState(): ResumeState | undefined {
    return this.#client?.resumeState ?? this.#resume;
  }

  join(room: string): Promise<RoomState> {
    return this.#call('join', [room]);
  }

  leave(room: string): Promise<void> {
    return this.#call('leave', [room]);
  }

  search(room: string, query: string, limit?: number): Promise<SearchResult> {
    return this.#call('search', [room, query, limit]);
  }

  readers(room: string, offset: number): Promise<ReadersResult> {
    return this.#call('readers', [room, offset]);
  }

  /** The page of history before the oldest this tab loaded. */
  async loadOlder(): Promise<HistoryDetail> {
    if (this.#older === undefined || !this.#more) return { messages: [], more: false };
    return this.#turn(await this.#call('historyPage', [this.#older, this.#pageSize]));
  }

  typing(target: TypingTarget = {}, active = true): void {
    this.#do('typing', [target, active]);
  }

  markRead(messages: readonly ChatMessage[] | readonly number[], room?: string): void {
    this.#do('markRead', [messages, room]);
  }

  reconnect(): void {
    this.#do('reconnect', []);
  }

  checkLink(): void {
    this.#do('checkLink', []);
  }

  persist(): void {
    this.#client?.persist();
  }

  /** As ChatClient's `send`: checked here, then sent by the tab holding the connection. */
  send(data: unknown, to?: Target, room?: string, options?: SendOptions): ChatMessage | undefined {
    const waiting = this.pending.length;
    if (waiting >= (this.#options.maxOutbox ?? 1000)) {
      this.#emitter.emit('error', { code: 'outbox_full', message: `${waiting} messages are waiting for the server; not accepting more until they are sent` });
      return undefined;
    }
    const prepared = prepare(data, to, this.self ?? { id: '', name: this.name, addr: '' }, this.limits?.maxFrameBytes, room, options);
    if ('error' in prepared) {
      this.#emitter.emit('error', prepared.error);
      return undefined;
    }
    this.#pass([prepared.message]);
    return prepared.message;
  }

  adopt(messages: readonly ChatMessage[]): void {
    this.#pass(messages.filter((message) => message.own && message.state === 'pending'));
  }

  connect(): void {
    if (!this.#closed) return this.#client?.connect();
    this.#closed = false;
    this.#historyWanted = (this.#options.history ?? 50) > 0 && this.#older === undefined;
    const channel = new BroadcastChannel(`message-center:${this.#key}`);
    channel.onmessage = (event: MessageEvent<Post>) => this.#receive(event.data);
    this.#channel = channel;
    document.addEventListener('freeze', this.#freeze);
    document.addEventListener('resume', this.#resumed);
    this.#watchTimer = setInterval(this.#watch, LEADER_SILENCE_MS / 3);
    this.#follow();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#leftWith = this.pending;
    document.removeEventListener('freeze', this.#freeze);
    document.removeEventListener('resume', this.#resumed);
    clearInterval(this.#watchTimer);
    this.#stepDown();
    this.#channel?.close();
    this.#channel = undefined;
    for (const [id, call] of this.#calls) this.#settle(id, undefined, { code: 'offline', message: 'the client was closed' }, call);
    this.#setState({ ...this.#state, status: 'offline' });
    this.#emitter.emit('status', { status: 'offline', attempt: 0 });
  }

  /**
   * After `close()`: your messages that were still waiting, taken from the
   * shared connection when no other tab uses it, so a panel moving to another
   * relay or name takes them along as it would its own connection's; none
   * when another tab does (that tab sends them).
   */
  async handOver(): Promise<ChatMessage[]> {
    const waiting = this.#leftWith;
    this.#leftWith = [];
    if (!waiting.length) return [];
    try {
      await this.#lockDone;
      const { held = [], pending = [] } = await navigator.locks.query();
      if ([...held, ...pending].some((lock) => lock.name === this.#lockName)) return [];
    } catch {
      // No locks here: no other tab either.
    }
    // Taken: the next tab of this connection must not send them too.
    await this.#store.saveOutbox([]);
    return waiting;
  }

  get #lockName(): string {
    return `message-center:leader:${this.#key}`;
  }


  // ── leading and following ───────────────────────────────────────────────

  /** Waits in line for the connection, meanwhile using the leader's. */
  #follow(steal = false): void {
    this.#role = 'follower';
    const abort = new AbortController();
    this.#abort = abort;
    this.#heardAt = Date.now();
    this.#lockDone = navigator.locks.request(this.#lockName, steal ? { steal: true } : { signal: abort.signal }, () => this.#lead()).catch((error: unknown) => {
      // Told to stop waiting (or closed): nothing to do.
      if (abort.signal.aborted || this.#closed) return;
      if ((error as Error)?.name === 'AbortError') {
        // Another tab took the lock while this one did not answer (frozen, hung): it leads now, this one follows.
        if (this.#client) {
          this.#stepDown();
          this.#follow();
        }
        return;
      }
      // No lock for this document after all (an opaque origin that slipped through): a connection of its own.
      this.#role = 'off';
      this.#channel?.close();
      this.#channel = undefined;
      void this.#lead();
    });
    this.#post({ k: 'hello', from: this.#id });
  }

  /**
   * A follower that has heard nothing from the leader for a while asks
   * whether it is there; without an answer as long again (a page frozen
   * without notice, or hung), it takes the lock from it. The leader steps
   * down when it runs again. The wait varies a little from tab to tab, so
   * one of them takes over and the others hear it.
   */
  readonly #watch = (): void => {
    if (this.#role !== 'follower' || this.#client || !this.#abort) return;
    const now = Date.now();
    if (now - this.#heardAt < LEADER_SILENCE_MS) return;
    if (this.#pingedAt <= this.#heardAt) {
      this.#pingedAt = now;
      this.#post({ k: 'ping' });
    } else if (now - this.#pingedAt >= LEADER_SILENCE_MS + Math.random() * LEADER_SILENCE_MS) {
      this.#abort.abort();
      this.#follow(true);
    }
  };

  /** This tab got the lock: it opens the connection, resuming where the tabs got to, and holds it until it steps down. */
  #lead(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    if (this.#role !== 'off') this.#role = 'leader';
    // Later than any leader before it (a tab's clock may lag another's by a little: never behind what it heard).
    this.#gen = Math.max(Date.now(), this.#leaderGen + 1);
    this.#leaderGen = this.#gen;
    // The first page, when this tab has none yet, as a client of its own loads it (after a reload: up to where it resumes); later ones by this tab's place.
    const client = new ChatClient({ ...this.#options, history: this.#historyWanted ? this.#pageSize : 0, store: this.#store });
    this.#client = client;
    for (const type of EVENTS) this.#unsubscribe.push(client.on(type, (detail) => this.#fromClient(type, detail)));
    this.#unsubscribe.push(
      client.on('history', (page) => {
        if (!this.#historyWanted) return;
        this.#historyWanted = false;
        this.#turn({ ...page, ...(page.messages[0]?.offset !== undefined ? { next: page.messages[0].offset } : {}) });
        this.#emitter.emit('history', page);
      }),
    );
    // What the tabs know is waiting, with what this one passed and no leader reported yet.
    client.adopt([...this.#pending.values(), ...this.#handed.values()]);
    this.#handed.clear();
    client.connect();
    this.#post({ k: 'leader', from: this.#id, gen: this.#gen });
    // Calls this tab made while it followed go to its own client now.
    for (const [id, call] of this.#calls) this.#run(call.method, call.args).then((value) => this.#settle(id, value), (error: ChatRequestError) => this.#settle(id, undefined, error));
    return new Promise<void>((resolve) => (this.#release = resolve));
  }

  /** Lets the connection go (the client is closing, or the page is being frozen): the next tab in line takes it. */
  #stepDown(): void {
    this.#abort?.abort();
    this.#abort = undefined;
    const client = this.#client;
    if (client) {
      // The others hear nothing of its closing: the next leader carries on.
      for (const unsubscribe of this.#unsubscribe) unsubscribe();
      this.#unsubscribe = [];
      this.#resume = client.resumeState;
      this.#pending = new Map(client.pending.map((message) => [message.id, message]));
      client.close();
      this.#client = undefined;
    }
    this.#release?.();
    this.#release = undefined;
  }

  /** The page is being frozen: it could not answer the others, so it lets the connection go and stops waiting for it. */
  readonly #freeze = (): void => {
    if (this.#role === 'off') return;
    this.#stepDown();
    this.#role = 'follower';
  };

  /** Back from frozen: in line again, and (the leader's answer to its hello tells) caught up. */
  readonly #resumed = (): void => {
    if (this.#closed || this.#role === 'off' || this.#abort || this.#client) return;
    this.#follow();
  };

  /** What the leader's client reports: shown here, and told to the other tabs. */
  #fromClient(type: keyof ChatClientEvents, detail: unknown): void {
    const client = this.#client!;
    // Not before the client has loaded it: adopt() reports the messages it takes over at once, and the point the tabs got to must survive that.
    this.#resume = client.resumeState ?? this.#resume;
    if (type === 'update') this.#answered(detail as ChatMessage);
    this.#emitter.emit(type, detail as never);
    if (this.#role !== 'leader') return;
    this.#post({ k: 'event', gen: this.#gen, type, detail, resume: this.#resume, ...(type === 'message' || type === 'update' ? {} : { state: this.#snapshot(client) }) });
  }

  /** Keeps the latest of your messages the relay answered, for a tab that was not listening when it did. */
  #answered(message: ChatMessage): void {
    this.#done.delete(message.id);
    if (message.state === 'pending') return;
    this.#done.set(message.id, message);
    if (this.#done.size > DONE_KEPT) this.#done.delete(this.#done.keys().next().value!);
  }

  #snapshot(client: ChatClient): Snapshot {
    const { status, retryAt, self, roster, count, rooms, typists, limits } = client;
    return { status, attempt: 0, ...(retryAt !== undefined ? { retryAt } : {}), ...(self ? { self } : {}), roster, count, rooms: new Map(rooms), typists: new Map(typists), ...(limits ? { limits } : {}) };
  }

  #receive(post: Post): void {
    if (this.#closed) return;
    if (post.k === 'event' || post.k === 'state' || post.k === 'reply' || post.k === 'leader' || post.k === 'pong') {
      // From a leader that has since been replaced (it was hung, and its queue is only now running): not to be believed.
      if (post.gen < this.#leaderGen) return;
      this.#leaderGen = post.gen;
      this.#heardAt = Date.now();
      // This tab led, and another took over meanwhile (this one hung): it follows from here on, before acting on anything else queued.
      if (this.#client && this.#role === 'leader' && post.gen > this.#gen) {
        this.#stepDown();
        this.#follow();
      }
    }
    const client = this.#role === 'leader' ? this.#client : undefined;
    switch (post.k) {
      case 'ping':
        // From a timer: a page whose timers are frozen (messages may still be delivered to it) cannot lead either.
        if (client) setTimeout(() => this.#client && this.#post({ k: 'pong', gen: this.#gen }));
        return;
      case 'pong':
        return;
      case 'hello':
        if (client) {
          const state = this.#snapshot(client);
          this.#post({ k: 'state', gen: this.#gen, to: post.from, state, ...(this.#resume ? { resume: this.#resume } : {}), pending: client.pending, done: [...this.#done.values()] });
        }
        return;
      case 'leader':
        if (client) return;
        // A new leader: it may have missed what this tab passed, or asked, on the way.
        this.#post({ k: 'hello', from: this.#id });
        this.#passHanded();
        for (const [id, call] of this.#calls) this.#post({ k: 'call', from: this.#id, id, method: call.method, args: call.args });
        return;
      case 'send':
        // In order; those it has, or has had answered, once only.
        if (client) for (const message of post.messages) if (!this.#done.has(message.id)) client.enqueue(message);
        return;
      case 'call':
        if (client)
          this.#run(post.method, post.args).then(
            (value) => this.#post({ k: 'reply', gen: this.#gen, to: post.from, id: post.id, value }),
            (error: ChatRequestError) => this.#post({ k: 'reply', gen: this.#gen, to: post.from, id: post.id, error: { code: error.code ?? 'internal', message: error.message } }),
          );
        return;
      case 'do':
        if (client) (client[post.method] as (...args: unknown[]) => void)(...post.args);
        return;
      case 'reply':
        if (post.to === this.#id) this.#settle(post.id, post.value, post.error);
        return;
      case 'state':
        if (post.to !== this.#id || client) return;
        // Behind the leader (frozen, or a leader went before it told this tab everything): the latest page shows what was missed.
        if (this.#resume && post.resume && (post.resume.epoch !== this.#resume.epoch || post.resume.offset > this.#resume.offset)) {
          this.#catchUp(post.resume.epoch === this.#resume.epoch ? this.#resume.offset : -1);
        }
        this.#resume = post.resume ?? this.#resume;
        const waited = [...this.#pending.keys(), ...this.#handed.keys()];
        this.#pending = new Map(post.pending.map((message) => [message.id, message]));
        // Answered while this tab was not listening (frozen, hung, or not yet here): their last state.
        for (const id of waited) {
          const answered = this.#pending.has(id) ? undefined : post.done.find((message) => message.id === id);
          if (answered) {
            this.#handed.delete(id);
            this.#emitter.emit('update', answered);
          }
        }
        this.#setState(post.state);
        this.#emitter.emit('status', { status: post.state.status, attempt: post.state.attempt, ...(post.state.retryAt !== undefined ? { retryAt: post.state.retryAt } : {}) });
        this.#emitter.emit('presence', { kind: 'welcome', roster: post.state.roster, count: post.state.count });
        for (const message of [...this.#pending.values(), ...this.#handed.values()]) this.#emitter.emit('update', message);
        return;
      case 'event': {
        if (client) return;
        this.#resume = post.resume ?? this.#resume;
        if (post.state) this.#setState(post.state);
        if (post.type === 'update') this.#updated(post.detail as ChatMessage);
        this.#emitter.emit(post.type, post.detail as never);
        return;
      }
    }
  }

  #setState(state: Snapshot): void {
    this.#state = state;
    if (state.status === 'online') this.#firstPage();
  }

  /** One of your messages changed state, as the leader says: it waits while pending, and this tab has passed it on. */
  #updated(message: ChatMessage): void {
    this.#answered(message);
    this.#handed.delete(message.id);
    if (message.state === 'pending') this.#pending.set(message.id, message);
    else this.#pending.delete(message.id);
  }

  /** Your messages, to go out through whichever tab holds the connection; shown as pending here at once. */
  #pass(messages: readonly ChatMessage[]): void {
    if (messages.length === 0) return;
    if (this.#client) {
      for (const message of messages) this.#client.enqueue(message);
      return;
    }
    for (const message of messages) {
      this.#handed.set(message.id, message);
      this.#emitter.emit('update', message);
    }
    // Once per task, with every message the leader has not confirmed, in order: a leader that missed an
    // earlier post (it was not leading yet) must not take a later message ahead of the ones before it.
    if (this.#passing) return;
    this.#passing = true;
    queueMicrotask(() => {
      this.#passing = false;
      this.#passHanded();
    });
  }

  /** Passes the leader every message this tab passed that no leader has confirmed, in order. */
  #passHanded(): void {
    if (this.#handed.size) this.#post({ k: 'send', messages: [...this.#handed.values()] });
  }

  // ── requests ────────────────────────────────────────────────────────────

  #run<M extends Method>(method: M, args: unknown[]): Promise<unknown> {
    const client = this.#client!;
    return (client[method] as (...args: unknown[]) => Promise<unknown>)(...args);
  }

  /** A request: run by this tab's client when it holds the connection, else passed to the leader (and to the next one, should it go first). */
  #call<T>(method: Method, args: unknown[]): Promise<T> {
    if (this.#client) return this.#run(method, args) as Promise<T>;
    if (this.#closed) return Promise.reject(new ChatRequestError('offline', 'the client is closed'));
    const id = ++this.#nextCall;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => this.#settle(id, undefined, { code: 'timeout', message: `no answer within ${REQUEST_TIMEOUT_MS} ms` }), REQUEST_TIMEOUT_MS + 2000);
      this.#calls.set(id, { method, args, resolve: resolve as (value: never) => void, reject, timer });
      this.#post({ k: 'call', from: this.#id, id, method, args });
    });
  }

  #settle(id: number, value: unknown, error?: { code: string; message: string }, call = this.#calls.get(id)): void {
    if (!call) return;
    this.#calls.delete(id);
    clearTimeout(call.timer);
    if (error) call.reject(new ChatRequestError(error.code, error.message));
    else call.resolve(value as never);
  }

  #do(method: 'typing' | 'markRead' | 'reconnect' | 'checkLink', args: unknown[]): void {
    if (this.#client) (this.#client[method] as (...args: unknown[]) => void)(...args);
    else this.#post({ k: 'do', method, args });
  }

  #post(post: Post): void {
    this.#channel?.postMessage(post);
  }

  // ── history ─────────────────────────────────────────────────────────────

  get #pageSize(): number {
    return this.#options.history || 50;
  }

  /**
   * A follower's first page of history, once online: the latest (what it
   * shares with what reaches this tab as events is shown once; a page that
   * ended where the leader's stream got to would miss your own messages
   * after it, which the relay does not send back). Each tab keeps its own
   * place in the history.
   */
  #firstPage(): void {
    if (!this.#historyWanted || this.#pageLoading || this.#client) return;
    this.#pageLoading = true;
    this.#call<HistoryPage>('historyPage', [undefined, this.#pageSize])
      .then((page) => {
        if (!this.#historyWanted) return;
        this.#historyWanted = false;
        this.#emitter.emit('history', this.#turn(page));
      }, () => {})
      .finally(() => (this.#pageLoading = false));
  }

  /**
   * What this tab missed, past `since` (the newest offset it had; -1 after a
   * new epoch), from the latest page: with `history="0"` too, as it is news,
   * not history. More than a page missed shows as a page.
   */
  #catchUp(since: number): void {
    if (this.#historyWanted) return;
    this.#call<HistoryPage>('historyPage', [undefined, this.#pageSize]).then(
      ({ messages }) => this.#emitter.emit('history', { messages: messages.filter((message) => (message.offset ?? 0) > since), more: this.#more }),
      () => {},
    );
  }

  /** A page this tab loaded: its place moves to before it. */
  #turn(page: HistoryPage): HistoryDetail {
    if (page.next !== undefined) this.#older = Math.min(this.#older ?? Infinity, page.next);
    this.#more = page.more;
    return { messages: page.messages, more: page.more };
  }
}
