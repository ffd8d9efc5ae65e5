import { html, LitElement, nothing, svg, type PropertyValues } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import type { ChatClientOptions, TokenSource } from '../../client/chat-client.js';
import { charactersOver, measure } from '../../client/outgoing.js';
import { browserStore, randomId } from '../../client/persistence.js';
import type {
  ChatErrorDetail,
  ChatMessage,
  ChatNotice,
  ChatProtocol,
  ChatStatus,
  Peer,
  PresenceDetail,
  StatusDetail,
  Target,
} from '../../client/types.js';
import { BusController } from '../../controllers/bus-controller.js';
import { ChatController } from '../../controllers/chat-controller.js';
import { FocusKeeperController } from '../../controllers/focus-keeper-controller.js';
import { ScrollFocusController } from '../../controllers/scroll-focus-controller.js';
import { ChatErrorEvent } from '../../events/chat-error-event.js';
import { ChatGapEvent } from '../../events/chat-gap-event.js';
import { ChatMessageEvent } from '../../events/chat-message-event.js';
import { ChatPresenceEvent } from '../../events/chat-presence-event.js';
import { ChatSentEvent } from '../../events/chat-sent-event.js';
import { ChatStatusEvent } from '../../events/chat-status-event.js';
import { LOCALES, pickLocale, type ChatStrings, type Locale } from '../../i18n/strings.js';
import { avatarColor, initials } from './avatar.js';
import { retryCanHelp } from '../../protocol/constants.js';
import { defaultRelayUrl } from './default-url.js';
import { follow, reach, refused, remove, resolve, toggle, type Presence, type Recipient, type Resolution } from './recipients.js';
import { toChatMessages, type HistoryMessage } from './history-message.js';
import { chunks, COLLAPSE_ABOVE, longText } from './long-text.js';
import { NARROW_MAX_WIDTH_REM, styles } from './ws-chat-panel.styles.js';

/** The frame a draft would be sent in, against the relay's limit (remembered for the last draft). */
interface FrameSize {
  readonly text: string;
  readonly to: string;
  readonly limit: number;
  readonly bytes: number;
  /** Characters to remove from the end to fit, once asked. */
  cut?: number;
}

type Item =
  | { readonly kind: 'message'; readonly key: string; readonly message: ChatMessage }
  | { readonly kind: 'notice'; readonly key: string; readonly notice: ChatNotice };

/** Messages rendered at first; "show earlier" reveals this many more each time. */
const RENDER_PAGE = 150;
const STICK_THRESHOLD_PX = 40;
/** Why the relay refused the connection (close reasons): shown until the panel is online again. */
const REFUSALS = new Set(['unauthorized', 'token_expired', 'token_not_yet_valid', 'auth_unavailable', 'origin_not_allowed', 'server_full', 'too_many_connections']);
/** Failed connection attempts in a row after which the panel says it cannot reach the relay (it keeps trying). */
const UNREACHABLE_AFTER = 5;
const NO_URL = 'no relay to connect to: set the url attribute (this page has no host to default to)';
const MAX_KNOWN_NAMES = 1000;
/** The composer shows how long the message is from this share of the relay's limit on. */
const LENGTH_SHOWN_FROM = 0.8;

const icons = {
  people: svg`<path d="M16 19v-1a4 4 0 0 0-4-4H6a4 4 0 0 0-4 4v1"/><circle cx="9" cy="7" r="3.5"/><path d="M22 19v-1a4 4 0 0 0-3-3.87M16 3.13a4 4 0 0 1 0 7.75"/>`,
  lock: svg`<rect x="5" y="11" width="14" height="10" rx="2"/><path d="M8 11V7a4 4 0 0 1 8 0v4"/>`,
  clock: svg`<circle cx="12" cy="12" r="9"/><path d="M12 7v5l3 2"/>`,
  check: svg`<path d="M5 12.5l4.5 4.5L19 7.5"/>`,
  checks: svg`<path d="M2 12.5l4.5 4.5L16 7.5M11 16l1 1L22 7.5"/>`,
  alert: svg`<circle cx="12" cy="12" r="9"/><path d="M12 7.5v5.5M12 16.5v.01"/>`,
  send: svg`<path d="M4 12l16-8-6 16-2.5-6.5z"/><path d="M11.5 13.5L20 4"/>`,
  down: svg`<path d="M12 5v14M6 13l6 6 6-6"/>`,
  close: svg`<path d="M6 6l12 12M18 6L6 18"/>`,
};

const icon = (shape: keyof typeof icons) => html`<svg viewBox="0 0 24 24" aria-hidden="true">${icons[shape]}</svg>`;

/**
 * A real-time chat panel on a Message Center relay: broadcast and private
 * messages, who is online, connection and delivery state. It takes its bus
 * from the nearest `<message-center-provider>` (or the page-wide default),
 * publishes what happens there and as DOM events, and sends what is asked of
 * it on the bus (`chat:send`).
 *
 * @summary Real-time chat over a Message Center relay.
 *
 * @slot title - Replaces the title in the header.
 * @slot empty - Shown while there are no messages.
 *
 * @csspart header - The top bar.
 * @csspart title - The title.
 * @csspart status - Connection status (dot and text).
 * @csspart count - The online count.
 * @csspart stream - The scrolling message log.
 * @csspart message - Each message (also `message-own` for yours, `message-private` for private ones).
 * @csspart bubble - The text of a message.
 * @csspart more - "Show more" / "Show less" under a long message (over 2,000 characters), which is shown collapsed.
 * @csspart notice - Join, leave and gap notices.
 * @csspart delivery - Delivery state under your own messages.
 * @csspart new-pill - The "N new messages" button.
 * @csspart roster - The list of people online.
 * @csspart peer - Each person in the roster.
 * @csspart composer - The form at the bottom.
 * @csspart targets - The recipients row.
 * @csspart input - The message textbox.
 * @csspart send-button - The send button.
 * @csspart note - Under the textbox: why the message cannot be sent (too long, a recipient out of reach), or what to know before sending it.
 *
 * @cssprop --ws-chat-panel-height - Height of the panel when the element's own height is not set or is `auto` (default 32rem). A length; a percentage only of a parent with a definite height (of one without, it leaves the panel at its floor of 12rem, header and composer). Whatever the element's `display`; with `display: contents` (no box of its own) the panel fills a parent of definite height, as a child with `height: 100%` would, and is this tall otherwise.
 * @cssprop --ws-chat-panel-font - Font family.
 * @cssprop --ws-chat-panel-radius - Corner radius of the panel and bubbles.
 * @cssprop --ws-chat-panel-bg - Background.
 * @cssprop --ws-chat-panel-surface - Background of the header, roster and inputs.
 * @cssprop --ws-chat-panel-fg - Text colour.
 * @cssprop --ws-chat-panel-muted - Secondary text colour.
 * @cssprop --ws-chat-panel-border - Border colour.
 * @cssprop --ws-chat-panel-field-border - Edge of the textbox and of the roster's check boxes (keep it 3:1 against the background).
 * @cssprop --ws-chat-panel-accent - Accent (buttons, focus ring, selection).
 * @cssprop --ws-chat-panel-accent-fg - Text on the accent colour.
 * @cssprop --ws-chat-panel-own-bg - Background of your messages.
 * @cssprop --ws-chat-panel-own-fg - Text of your messages.
 * @cssprop --ws-chat-panel-other-bg - Background of others' messages.
 * @cssprop --ws-chat-panel-private - Colour that marks private messages.
 * @cssprop --ws-chat-panel-private-bg - Background of private labels.
 * @cssprop --ws-chat-panel-online - The online dot.
 * @cssprop --ws-chat-panel-warning - Connecting/reconnecting and gap notices.
 * @cssprop --ws-chat-panel-danger - Offline and failed messages.
 *
 * @fires ws-chat-message - A message from someone else arrived (`detail`: ChatMessage).
 * @fires ws-chat-sent - The server accepted one of your messages (`detail`: ChatMessage).
 * @fires ws-chat-status - The connection status changed (`detail`: { status, retryAt?, attempt }).
 * @fires ws-chat-presence - Who is online changed (`detail`: { kind, peer?, roster, count }).
 * @fires ws-chat-error - The server refused something or the connection had trouble (`detail`: { code, message, id? }).
 * @fires ws-chat-gap - Messages may have been missed while disconnected and cannot be replayed (`detail`: { reason }).
 */
export class WsChatPanel extends LitElement {
  static override styles = styles;
  static override shadowRootOptions = { ...LitElement.shadowRootOptions, delegatesFocus: false };

  /**
   * The relay's WebSocket URL. Default: the relay that served the script-tag
   * build (`ws(s)://` and its host); with the npm build, the page's own host.
   */
  @property() url = '';

  /** The name to chat under. */
  @property({ attribute: 'user-name' }) userName = '';

  /** `v1` (default), or `legacy` to talk to an original IP-routing server as it is. */
  @property() protocol: ChatProtocol = 'v1';

  /** Messages kept (older ones are dropped from the panel). Default 1000. */
  @property({ attribute: 'max-messages', type: Number }) maxMessages = 1000;

  /** `auto` (default: follows prefers-color-scheme), `light` or `dark`. */
  @property({ reflect: true }) theme: 'auto' | 'light' | 'dark' = 'auto';

  /** A token for the relay, or a function fetching a fresh one before each connection attempt. */
  @property({ attribute: false }) token: TokenSource | undefined;

  /** Overrides of any built-in text (merged over the language's strings). */
  @property({ attribute: false }) strings: Partial<ChatStrings> | undefined;

  /** Mirrors the `lang` attribute so a change re-renders; read through `lang`. */
  @property({ attribute: 'lang' }) private langAttribute: string | null = null;

  @state() private statusValue: ChatStatus = 'offline';
  @state() private retryAt: number | undefined;
  @state() private rosterValue: readonly Peer[] = [];
  @state() private count = 0;
  @state() private self: Peer | undefined;
  @state() private recipients: readonly Recipient[] = [];
  /** The relay's epoch at the latest welcome: the sessions of earlier epochs are gone. */
  private epoch = '';
  /** Enter was pressed while the message could not go: the reason is announced until it no longer holds. */
  @state() private blockedAttempt = false;
  @state() private addresses = '';
  @state() private unseen = 0;
  @state() private renderCount = RENDER_PAGE;
  @state() private rosterOpen: boolean | undefined;
  @state() private narrow = false;
  @state() private composerError = '';
  /** The composer error is about the connection (refused, unreachable): cleared once online. */
  private connectionTrouble = false;
  private everConnected = false;
  private noUrlReported = false;
  private lengthCache: FrameSize | undefined;
  @state() private draft = '';

  @query('.panel') private panelBox!: HTMLElement;
  @query('.stream') private stream!: HTMLElement;
  @query('textarea') private input!: HTMLTextAreaElement;

  private items: Item[] = [];
  /** Names of the sessions seen, so a private message still says whom it was for after they left. */
  private readonly knownNames = new Map<string, string>();
  private readonly keys = new Set<string>();
  /** Long messages the reader asked to see whole, by key. */
  private readonly expanded = new Set<string>();
  private stick = true;
  private restoreFromBottom: number | undefined;
  private countdown: ReturnType<typeof setInterval> | undefined;
  private resizeObserver: ResizeObserver | undefined;
  private timeFormat: Intl.DateTimeFormat | undefined;
  private timeFormatLocale = '';

  private readonly bus = new BusController(this);

  private readonly chat = new ChatController(this, {
    status: (detail) => this.onStatus(detail),
    presence: (detail) => this.onPresence(detail),
    message: (message) => this.onMessage(message),
    update: (message) => this.onOwnUpdate(message),
    notice: (notice) => this.addItem({ kind: 'notice', key: notice.key, notice }),
    error: (detail) => this.onError(detail),
    gap: (detail) => this.publish('chat:gap', detail, new ChatGapEvent(detail)),
  });

  /** A long message scrolls inside its bubble: such a bubble is a Tab stop, so the keyboard can scroll it. */
  private readonly scrollFocus = new ScrollFocusController(this, '.bubble');

  /**
   * A control removed by the render that follows its use (a chip's remove
   * button, Retry, Reconnect now, "N new messages") hands focus on: within the
   * log to the log, elsewhere to the textbox, where typing goes on.
   */
  private readonly focusKeeper = new FocusKeeperController(this, (focused) =>
    focused.closest('.stream, .new-pill') ? this.stream : this.input,
  );

  constructor() {
    super();
    this.bus.on('chat:send', (request) => {
      if (request.panel !== undefined && request.panel !== this.panelName) return;
      this.send(request.data, request.to);
    });
  }

  // ── public API ──────────────────────────────────────────────────────────

  /** connecting | online | reconnecting | offline */
  get status(): ChatStatus {
    return this.statusValue;
  }

  /** Everyone online (v1), yourself included. */
  get roster(): readonly Peer[] {
    return this.rosterValue;
  }

  /** The messages in the panel, oldest first (yours included, with their delivery state). */
  get messages(): ChatMessage[] {
    return this.items.flatMap((item) => (item.kind === 'message' ? [item.message] : []));
  }

  /**
   * Sends `data` (a string, or any JSON value) to everyone, or privately to
   * `to`, at any time while the panel is in the document: offline, or before
   * it has connected, the message waits, shown as pending, and goes out in
   * order once the panel is online. Returns the message, or undefined if it
   * was refused, with a `ws-chat-error` saying why: empty (no event),
   * `not_connected` (the panel is not in a document), `no_url` (no relay to
   * talk to), `too_large` (over the relay's limit), `bad_field` (not JSON),
   * `outbox_full`.
   */
  send(data: unknown, to?: Target): ChatMessage | undefined {
    if (data === undefined || (typeof data === 'string' && data.trim() === '')) return undefined;
    if (!this.isConnected) {
      this.onError({
        code: 'not_connected',
        message: this.everConnected
          ? 'the panel was removed from the document; it sends only while it is in one'
          : 'the panel has not been added to a document yet; add it, then send',
      });
      return undefined;
    }
    if (!this.resolvedUrl) {
      this.onError({ code: 'no_url', message: NO_URL });
      return undefined;
    }
    this.stick = true;
    return this.chat.send(data, to, this.userName);
  }

  /**
   * Adds messages that did not arrive over this connection, such as history
   * your application loaded from its own store: whole `ChatMessage`s, or
   * `{ id, from, data, ts }` (see `HistoryMessage`: the key is derived from
   * the sender and id, the text from `data`). Throws a `TypeError` naming
   * the field of the first message it cannot complete, and then adds none.
   * Keys already shown are skipped; the oldest go once there are more than
   * `max-messages`.
   */
  addMessages(messages: readonly HistoryMessage[]): void {
    for (const message of toChatMessages(messages)) {
      if (this.keys.has(message.key)) continue;
      this.keys.add(message.key);
      this.items.push({ kind: 'message', key: message.key, message });
    }
    this.trim();
    this.requestUpdate();
  }

  /** Replaces the connection now. */
  reconnect(): void {
    this.chat.client?.reconnect();
  }

  /** Removes every message from the panel (not from anyone else's). */
  clear(): void {
    this.items = [];
    this.keys.clear();
    this.expanded.clear();
    this.unseen = 0;
    this.renderCount = RENDER_PAGE;
    this.requestUpdate();
  }

  // ── lifecycle ───────────────────────────────────────────────────────────

  override connectedCallback(): void {
    super.connectedCallback();
    this.everConnected = true;
    this.resizeObserver ??= new ResizeObserver((entries) => {
      for (const entry of entries) {
        // The panel's box, not the host's: with display: contents the host has none.
        if (entry.target === this.panelBox) {
          // The styles' container query, in rem of the root's font size, as rem in a container query are.
          const remPx = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
          this.narrow = entry.contentRect.width <= NARROW_MAX_WIDTH_REM * remPx;
        } else if (this.stick) {
          // The log shrank or grew (composer, roster, window): stay at the bottom if we were.
          this.stream.scrollTop = this.stream.scrollHeight;
        }
      }
    });
    if (this.hasUpdated) this.observeSizes();
  }

  protected override firstUpdated(): void {
    this.observeSizes();
  }

  private observeSizes(): void {
    this.resizeObserver?.observe(this.panelBox);
    this.resizeObserver?.observe(this.stream);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resizeObserver?.disconnect();
    this.stopCountdown();
  }

  /**
   * Renders at most once per animation frame while the page is visible: a
   * burst of a thousand messages a second costs sixty renders, not a thousand.
   */
  protected override async scheduleUpdate(): Promise<void> {
    if (typeof document !== 'undefined' && document.visibilityState === 'visible') {
      // A page can be visible yet get no frames (an occluded window, a
      // background tab in some browsers): never wait longer than 100 ms.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
        requestAnimationFrame(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    super.scheduleUpdate();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('maxMessages')) this.trim();
    const url = this.resolvedUrl;
    this.chat.sync([url, this.userName, this.protocol, this.token], () => this.clientOptions());
    if (url && this.noUrlReported) {
      this.noUrlReported = false;
      this.connectionTrouble = false;
      this.composerError = '';
    } else if (!url && this.isConnected && !this.noUrlReported) {
      this.noUrlReported = true;
      this.onError({ code: 'no_url', message: NO_URL });
    }
    // The reason Enter was refused for is gone: a later one is shown, not announced, until Enter is pressed again.
    if (this.blockedAttempt && !this.composerNote(this.text)?.blocked) this.blockedAttempt = false;
  }

  protected override updated(): void {
    const stream = this.stream;
    if (!stream) return;
    if (this.restoreFromBottom !== undefined) {
      stream.scrollTop = stream.scrollHeight - this.restoreFromBottom;
      this.restoreFromBottom = undefined;
    } else if (this.stick) {
      stream.scrollTop = stream.scrollHeight;
    }
  }

  // ── client events ───────────────────────────────────────────────────────

  private onStatus(detail: StatusDetail): void {
    this.statusValue = detail.status;
    this.retryAt = detail.retryAt;
    if (detail.status === 'online' && this.connectionTrouble) {
      this.connectionTrouble = false;
      this.composerError = '';
    }
    if (detail.status === 'reconnecting' && detail.attempt >= UNREACHABLE_AFTER && !this.connectionTrouble) {
      // Not refused, just nothing answering: say so rather than count down in silence.
      this.connectionTrouble = true;
      this.composerError = this.text.cannotConnect(withoutSecrets(this.resolvedUrl));
    }
    if (detail.status === 'reconnecting') this.startCountdown();
    else this.stopCountdown();
    this.publish('chat:status', detail, new ChatStatusEvent(detail));
  }

  private onPresence(detail: PresenceDetail): void {
    this.rosterValue = detail.roster;
    this.count = detail.count;
    if (detail.kind === 'welcome') {
      this.self = this.chat.client?.self;
      this.epoch = this.chat.client?.resumeState?.epoch ?? '';
    }
    for (const peer of detail.peer ? [detail.peer] : detail.roster) this.rememberName(peer);
    // Recipients who left stay picked, and are found again when they are back.
    if (this.protocol === 'v1') this.recipients = follow(this.recipients, this.presence);
    this.publish('chat:presence', detail, new ChatPresenceEvent(detail));
  }

  private onMessage(message: ChatMessage): void {
    if (this.keys.has(message.key)) return;
    this.addItem({ kind: 'message', key: message.key, message });
    this.publish('chat:message', message, new ChatMessageEvent(message));
  }

  private onOwnUpdate(message: ChatMessage): void {
    const index = this.findIndex(message.key);
    if (index < 0) {
      // New (or restored from the outbox after a reload) while pending. A later
      // state of a message not shown any more was trimmed from the bounded
      // history: adding it back would put it after newer ones and push them out.
      if (message.state === 'pending') this.addItem({ kind: 'message', key: message.key, message });
    } else {
      this.items[index] = { kind: 'message', key: message.key, message };
      this.requestUpdate();
    }
    if (message.state === 'sent') this.publish('chat:sent', message, new ChatSentEvent(message));
  }

  private onError(detail: ChatErrorDetail): void {
    if (detail.code === 'outbox_full') this.composerError = this.text.errors.outbox_full ?? detail.message;
    if (REFUSALS.has(detail.code) || detail.code === 'no_url') {
      this.connectionTrouble = true;
      this.composerError = this.text.errors[detail.code] ?? detail.message;
    }
    // No one matches those sessions any more: a recipient among them cannot be reached until found again.
    const to = detail.code === 'unknown_target' && detail.id !== undefined ? this.ownMessage(detail.id)?.to : undefined;
    if (to?.ids) this.recipients = refused(this.recipients, to.ids, this.presence);
    this.publish('chat:error', detail, new ChatErrorEvent(detail));
  }

  private publish<T extends object, K extends 'chat:status' | 'chat:presence' | 'chat:message' | 'chat:sent' | 'chat:error' | 'chat:gap'>(
    type: K,
    detail: T,
    event: Event,
  ): void {
    this.dispatchEvent(event);
    this.bus.emit(type, { ...detail, panel: this.panelName } as never);
  }

  // ── the stream ──────────────────────────────────────────────────────────

  private addItem(item: Item): void {
    if (this.keys.has(item.key)) return;
    this.keys.add(item.key);
    this.items.push(item);
    this.trim();
    const mine = item.kind === 'message' && item.message.own;
    if (!this.stick && !mine && item.kind === 'message') this.unseen += 1;
    this.requestUpdate();
  }

  private trim(): void {
    const excess = this.items.length - Math.max(1, this.maxMessages);
    if (excess <= 0) return;
    for (const item of this.items.splice(0, excess)) {
      this.keys.delete(item.key);
      this.expanded.delete(item.key);
    }
  }

  private findIndex(key: string): number {
    for (let i = this.items.length - 1; i >= 0; i--) if (this.items[i]!.key === key) return i;
    return -1;
  }

  private onScroll(): void {
    const stream = this.stream;
    this.stick = stream.scrollHeight - stream.scrollTop - stream.clientHeight < STICK_THRESHOLD_PX;
    if (this.stick && this.unseen) this.unseen = 0;
    if (stream.scrollTop === 0 && this.items.length > this.renderCount) this.showEarlier();
  }

  private toggleExpanded(key: string): void {
    if (!this.expanded.delete(key)) this.expanded.add(key);
    this.requestUpdate();
  }

  private showEarlier(): void {
    const stream = this.stream;
    this.restoreFromBottom = stream.scrollHeight - stream.scrollTop;
    this.renderCount += RENDER_PAGE;
  }

  private jumpToLatest(): void {
    this.stick = true;
    this.unseen = 0;
    this.stream.scrollTop = this.stream.scrollHeight;
    this.requestUpdate();
  }

  // ── composing ───────────────────────────────────────────────────────────

  private onKeyDown(event: KeyboardEvent): void {
    // Enter sends; Shift+Enter is a new line; Enter that ends an IME composition (Chinese input) does neither.
    if (event.key !== 'Enter' || event.shiftKey || event.isComposing || event.keyCode === 229) return;
    event.preventDefault();
    this.submit();
  }

  private onInput(event: Event): void {
    this.draft = (event.target as HTMLTextAreaElement).value;
    this.blockedAttempt = false;
  }

  private onSubmit(event: SubmitEvent): void {
    event.preventDefault();
    this.submit();
  }

  private submit(): void {
    const text = this.input.value;
    if (text.trim() === '') return;
    const target = this.target();
    // Never widened, never narrowed, never cut: the writer is told why, and the draft stays.
    const size = this.frameSize(text, target);
    if (target.kind === 'unreachable' || (size && size.bytes > size.limit)) {
      this.blockedAttempt = true;
      return;
    }
    const sent = this.send(text, target.kind === 'private' ? target.to : undefined);
    if (!sent) return;
    if (!this.connectionTrouble) this.composerError = '';
    this.blockedAttempt = false;
    this.input.value = '';
    this.draft = '';
  }

  /** Where the composer's message goes: everyone, the recipients picked, or nowhere while one cannot be reached. */
  private target(): Resolution {
    if (this.protocol === 'legacy') {
      const addrs = this.addresses
        .split(/[\s,，;；]+/)
        .map((addr) => addr.trim())
        .filter(Boolean);
      return addrs.length ? { kind: 'private', to: { addrs } } : { kind: 'everyone' };
    }
    return resolve(this.recipients, this.presence);
  }

  private get presence(): Presence {
    return { roster: this.rosterValue, selfId: this.self?.id, epoch: this.epoch };
  }

  private toggleRecipient(peer: Peer): void {
    this.recipients = toggle(this.recipients, peer, this.presence);
  }

  private removeRecipient(recipient: Recipient): void {
    this.recipients = remove(this.recipients, recipient.id, this.presence);
  }

  /**
   * The size of the frame the client would send `text` in, and the relay's
   * limit; undefined while the limit is not known (before the first
   * welcome). Remembered for the last draft: it is asked on every render.
   */
  private frameSize(text: string, target: Resolution): FrameSize | undefined {
    const limit = this.protocol === 'v1' ? this.chat.client?.limits?.maxFrameBytes : undefined;
    if (limit === undefined || text.trim() === '' || target.kind === 'unreachable') return undefined;
    const to = target.kind === 'private' ? target.to : undefined;
    const toKey = JSON.stringify(to ?? null);
    const cached = this.lengthCache;
    if (cached?.text !== text || cached.to !== toKey || cached.limit !== limit) {
      const measured = measure({ id: randomId(), ...(to ? { to } : {}), data: text });
      this.lengthCache = { text, to: toKey, limit, bytes: measured.ok ? measured.bytes : Infinity };
    }
    return this.lengthCache;
  }

  private ownMessage(id: string): ChatMessage | undefined {
    const index = this.findIndex(`local:${id}`);
    return index < 0 ? undefined : (this.items[index] as Extract<Item, { kind: 'message' }>).message;
  }

  private retry(message: ChatMessage): void {
    const index = this.findIndex(message.key);
    if (index >= 0) {
      this.keys.delete(message.key);
      this.items.splice(index, 1);
    }
    this.send(message.data, message.to);
  }

  // ── helpers ─────────────────────────────────────────────────────────────

  /** The name this panel goes by on the bus: its id, or else its user-name. */
  private get panelName(): string {
    return this.id || this.userName;
  }

  private get resolvedUrl(): string {
    return this.url || defaultRelayUrl();
  }

  private clientOptions(): ChatClientOptions | undefined {
    const url = this.resolvedUrl;
    if (!url) return undefined;
    const protocol = this.protocol === 'legacy' ? 'legacy' : 'v1';
    return {
      url,
      name: this.userName,
      protocol,
      ...(this.token !== undefined ? { token: this.token } : {}),
      // The outbox survives a reload (IndexedDB), and so does the session (sessionStorage).
      store: browserStore(`${protocol}|${url}|${this.userName}`),
    };
  }

  private get locale(): Locale {
    const own = this.langAttribute;
    const inherited = own || this.closest('[lang]')?.getAttribute('lang') || document.documentElement.lang;
    return pickLocale(inherited || (typeof navigator !== 'undefined' ? navigator.language : 'en'));
  }

  private get text(): ChatStrings {
    const base = LOCALES[this.locale];
    return this.strings ? { ...base, ...this.strings, errors: { ...base.errors, ...this.strings.errors } } : base;
  }

  private formatTime(ts: number): string {
    const locale = this.locale;
    if (!this.timeFormat || this.timeFormatLocale !== locale) {
      this.timeFormat = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' });
      this.timeFormatLocale = locale;
    }
    return this.timeFormat.format(ts);
  }

  private startCountdown(): void {
    if (this.countdown !== undefined) return;
    this.countdown = setInterval(() => this.requestUpdate(), 1000);
  }

  private stopCountdown(): void {
    clearInterval(this.countdown);
    this.countdown = undefined;
  }

  private peerName(peer: Peer): string {
    return peer.name || peer.addr || peer.id;
  }

  private rememberName(peer: Peer): void {
    this.knownNames.delete(peer.id);
    this.knownNames.set(peer.id, this.peerName(peer));
    if (this.knownNames.size > MAX_KNOWN_NAMES) this.knownNames.delete(this.knownNames.keys().next().value!);
  }

  private describeTargets(to: Target): string {
    const names = [
      ...(to.ids ?? []).map((id) => (id === this.self?.id ? this.text.youSender : (this.knownNames.get(id) ?? id))),
      ...(to.names ?? []),
      ...(to.addrs ?? []),
    ];
    return [...new Set(names)].join(', ');
  }

  // ── rendering ───────────────────────────────────────────────────────────

  override render() {
    const t = this.text;
    const rosterShown = this.protocol === 'v1' && (this.rosterOpen ?? !this.narrow);
    return html`<div class="panel"><div class="layout">
      <div class="header" part="header">
        <h2 class="title" part="title"><slot name="title" @slotchange=${() => this.requestUpdate()}>${t.title}</slot></h2>
        ${this.renderStatus(t)}
        <span class="spacer"></span>
        ${this.protocol === 'v1'
          ? html`<button
              class="roster-toggle"
              part="count"
              aria-expanded=${rosterShown ? 'true' : 'false'}
              aria-controls="roster"
              title=${t.showRoster}
              @click=${() => (this.rosterOpen = !rosterShown)}
            >
              ${icon('people')}<span>${t.onlineCount(this.count)}</span>
            </button>`
          : html`<span class="count" part="count">${t.onlineCount(this.count)}</span>`}
      </div>
      <div class="body">
        ${this.renderStream(t)}
        ${this.unseen > 0
          ? html`<button class="new-pill" part="new-pill" @click=${this.jumpToLatest}>${icon('down')}${t.newMessages(this.unseen)}</button>`
          : nothing}
        ${this.protocol === 'v1' ? this.renderRoster(t, rosterShown) : nothing}
      </div>
      ${this.renderComposer(t)}
    </div></div>`;
  }

  private renderStatus(t: ChatStrings) {
    const status = this.statusValue;
    const seconds = this.retryAt !== undefined ? Math.max(0, Math.ceil((this.retryAt - Date.now()) / 1000)) : 0;
    const label =
      status === 'online'
        ? t.statusOnline
        : status === 'connecting'
          ? t.statusConnecting
          : status === 'reconnecting'
            ? t.statusReconnecting(seconds)
            : t.statusOffline;
    // The live region announces changes of state, not every tick of the countdown.
    const announced = status === 'reconnecting' ? t.statusReconnecting(0) : label;
    return html`
      <span class="status" part="status" data-status=${status}>
        <span class="dot" aria-hidden="true"></span>
        <span aria-hidden="true">${label}</span>
        <span class="visually-hidden" role="status">${announced}</span>
        ${status === 'reconnecting' || status === 'offline'
          ? html`<button class="link-button" @click=${() => this.reconnect()}>${t.reconnectNow}</button>`
          : nothing}
      </span>
    `;
  }

  private renderStream(t: ChatStrings) {
    const hidden = Math.max(0, this.items.length - this.renderCount);
    const visible = hidden > 0 ? this.items.slice(hidden) : this.items;
    return html`
      <div
        class="stream"
        part="stream"
        role="log"
        aria-live="polite"
        aria-label=${t.messageLog}
        tabindex="0"
        @scroll=${this.onScroll}
      >
        ${hidden > 0
          ? html`<button class="link-button earlier" @click=${this.showEarlier}>${t.showEarlier}</button>`
          : nothing}
        ${this.items.length === 0 ? html`<p class="empty"><slot name="empty">${t.emptyStream}</slot></p>` : nothing}
        ${repeat(
          visible,
          (item) => item.key,
          (item) => (item.kind === 'message' ? this.renderMessage(item.message, t) : this.renderNotice(item.notice, t)),
        )}
      </div>
    `;
  }

  private renderMessage(message: ChatMessage, t: ChatStrings) {
    const isPrivate = message.to !== undefined;
    const sender = message.own ? t.youSender : this.peerName(message.from);
    const parts = `message${message.own ? ' message-own' : ''}${isPrivate ? ' message-private' : ''}`;
    return html`
      <div
        class="item message ${message.own ? 'own' : ''} ${isPrivate ? 'private' : ''}"
        part=${parts}
        data-state=${message.state ?? nothing}
        data-key=${message.key}
      >
        <div class="meta">
          <span class="sender" dir="auto">${sender}</span>
          ${!message.own && message.from.addr && this.sharesName(message.from)
            ? html`<span class="addr">${message.from.addr}</span>`
            : nothing}
          <time datetime=${new Date(message.ts).toISOString()}>${this.formatTime(message.ts)}</time>
          ${isPrivate
            ? html`<span class="private-label">${icon('lock')}${message.own ? t.privateTo(this.describeTargets(message.to!)) : t.privateFrom}</span>`
            : nothing}
        </div>
        ${this.renderBubble(message, t)}
        ${message.own ? this.renderDelivery(message, t) : nothing}
      </div>
    `;
  }

  private renderBubble(message: ChatMessage, t: ChatStrings) {
    const text = message.text;
    if (text.length <= COLLAPSE_ABOVE) return html`<div class="bubble" part="bubble" dir="auto">${text}</div>`;
    const expanded = this.expanded.has(message.key);
    const { preview, hidden } = longText(message, text);
    return html`<div class="bubble" part="bubble" dir="auto" ?data-collapsed=${!expanded}>${expanded
        ? chunks(message, text).map((chunk) => html`<span class="chunk">${chunk}</span>`)
        : preview}</div>
      <button class="link-button more" part="more" aria-expanded=${expanded ? 'true' : 'false'} @click=${() => this.toggleExpanded(message.key)}>
        ${expanded ? t.showLess : t.showMore(hidden)}
      </button>`;
  }

  private renderDelivery(message: ChatMessage, t: ChatStrings) {
    const state = message.state ?? 'pending';
    const content =
      state === 'pending'
        ? html`${icon('clock')}${this.statusValue === 'online' ? t.pending : t.waiting}`
        : state === 'sent'
          ? html`${icon('check')}${t.sent}`
          : state === 'delivered'
            ? html`${icon('checks')}${t.delivered}`
            : html`${icon('alert')}${t.failed(t.errors[message.error ?? ''] ?? message.error ?? '')}
              ${retryCanHelp(message.error ?? '')
                ? html`<button class="link-button" @click=${() => this.retry(message)}>${t.retry}</button>`
                : nothing}`;
    return html`<span class="delivery" part="delivery" data-state=${state}>${content}</span>`;
  }

  private renderNotice(notice: ChatNotice, t: ChatStrings) {
    const name = notice.peer ? this.peerName(notice.peer) : '';
    const text = notice.kind === 'join' ? t.joined(name) : notice.kind === 'leave' ? t.left(name) : t.gap;
    return html`<div class="item notice ${notice.kind}" part="notice" role=${notice.kind === 'gap' ? 'alert' : nothing}>
      ${text}
    </div>`;
  }

  /**
   * The panel's title as shown (the `title` slot's text, or the built-in one):
   * with the user's name it tells two panels' rosters apart.
   */
  private get titleText(): string {
    const slotted = [...this.children].filter((child) => child.slot === 'title');
    return slotted.map((child) => child.textContent ?? '').join(' ').trim() || this.text.title;
  }

  private sharesName(peer: Peer): boolean {
    let same = 0;
    for (const other of this.rosterValue) if (other.name === peer.name) same++;
    return same > 1;
  }

  private renderRoster(t: ChatStrings, shown: boolean) {
    const selfId = this.self?.id;
    const sorted = [...this.rosterValue].sort((a, b) =>
      a.id === selfId ? -1 : b.id === selfId ? 1 : this.peerName(a).localeCompare(this.peerName(b), this.locale),
    );
    return html`
      <aside id="roster" part="roster" ?hidden=${!shown} aria-label=${t.rosterLabel(this.titleText, this.self?.name || this.userName)}>
        <h3 class="roster-heading" id="roster-heading">${t.rosterHeading} · ${this.count}</h3>
        <ul class="roster">
          ${repeat(
            sorted,
            (peer) => peer.id,
            (peer) => {
              const mine = peer.id === selfId;
              const selected = this.recipients.some((recipient) => recipient.id === peer.id);
              const name = this.peerName(peer);
              return html`<li>
                <button
                  class="peer"
                  part="peer"
                  ?disabled=${mine}
                  aria-pressed=${mine ? nothing : selected ? 'true' : 'false'}
                  title=${mine ? nothing : t.sendPrivatelyTo(name)}
                  @click=${() => this.toggleRecipient(peer)}
                >
                  <span class="avatar" aria-hidden="true" style="background:${avatarColor(name)}">${initials(name)}</span>
                  <span class="peer-text">
                    <span class="peer-name" dir="auto">${name}${mine ? html` <small>(${t.you})</small>` : nothing}</span>
                    ${this.sharesName(peer) ? html`<span class="peer-addr">${peer.addr}</span>` : nothing}
                  </span>
                  ${mine ? nothing : html`<span class="check" aria-hidden="true">${selected ? icon('check') : nothing}</span>`}
                </button>
              </li>`;
            },
          )}
        </ul>
      </aside>
    `;
  }

  private renderComposer(t: ChatStrings) {
    const online = this.statusValue === 'online';
    const presence = this.presence;
    const note = this.composerNote(t);
    const blocked = note?.blocked ?? false;
    const describedBy = [this.composerError ? 'composer-error' : '', note ? 'composer-note' : ''].filter(Boolean).join(' ');
    return html`
      <form part="composer" @submit=${this.onSubmit}>
        <div class="targets" part="targets" role="group" aria-label=${t.recipients}>
          ${this.protocol === 'legacy'
            ? html`<label for="addresses">${t.targetAddresses}</label>
                <input
                  id="addresses"
                  class="addresses"
                  inputmode="decimal"
                  autocomplete="off"
                  placeholder=${t.targetAddressesHint}
                  .value=${this.addresses}
                  @input=${(event: Event) => (this.addresses = (event.target as HTMLInputElement).value)}
                />`
            : this.recipients.length === 0
              ? html`<span class="chip"><span class="chip-label">${t.toEveryone}</span></span>`
              : this.recipients.map((recipient) => {
                  const name = recipient.name || recipient.id;
                  const state = reach(recipient, presence);
                  return html`<span class="chip private" data-state=${state}>
                    ${icon('lock')}<span class="chip-label" dir="auto">${name}</span>
                    ${state === 'online' ? nothing : html`<span class="chip-state">${t.recipientOffline}</span>`}
                    <button type="button" aria-label=${t.removeRecipient(name)} @click=${() => this.removeRecipient(recipient)}>
                      ${icon('close')}
                    </button>
                  </span>`;
                })}
        </div>
        <div class="row">
          <label class="visually-hidden" for="input">${t.composerLabel}</label>
          <textarea
            id="input"
            part="input"
            rows="1"
            enterkeyhint="send"
            placeholder=${online ? t.composerPlaceholder : t.composerPlaceholderOffline}
            aria-describedby=${describedBy || nothing}
            .value=${this.draft}
            @input=${this.onInput}
            @keydown=${this.onKeyDown}
          ></textarea>
          <button
            class="send"
            part="send-button"
            type="submit"
            ?disabled=${blocked || this.draft.trim() === ''}
            aria-describedby=${blocked ? 'composer-note' : nothing}
          >
            ${icon('send')}<span>${t.send}</span>
          </button>
        </div>
        ${note
          ? blocked && this.blockedAttempt
            ? html`<p class="error" id="composer-note" part="note" role="alert">${note.text}</p>`
            : html`<p class="note" id="composer-note" part="note" data-blocked=${blocked ? 'true' : 'false'}>${note.text}</p>`
          : nothing}
        ${this.composerError ? html`<p class="error" id="composer-error" role="alert">${this.composerError}</p>` : nothing}
      </form>
    `;
  }

  /** Why the draft cannot go now (`blocked`), or what to know before sending it. */
  private composerNote(t: ChatStrings): { readonly text: string; readonly blocked: boolean } | undefined {
    const target = this.target();
    if (target.kind === 'unreachable') return { text: t.recipientsUnreachable(this.listNames(target.who)), blocked: true };
    const size = this.frameSize(this.draft, target);
    if (size && size.bytes > size.limit) {
      size.cut ??= charactersOver(this.draft, size.bytes - size.limit);
      return { text: t.tooLong(size.cut), blocked: true };
    }
    const presence = this.presence;
    const away = this.protocol === 'v1' ? this.recipients.filter((recipient) => reach(recipient, presence) === 'away') : [];
    if (away.length > 0) return { text: t.recipientsAway(this.listNames(away)), blocked: false };
    if (size && size.bytes >= size.limit * LENGTH_SHOWN_FROM) return { text: t.lengthUsed(Math.floor((size.bytes * 100) / size.limit)), blocked: false };
    return undefined;
  }

  private listNames(recipients: readonly Recipient[]): string {
    return new Intl.ListFormat(this.locale, { type: 'conjunction' }).format(recipients.map((recipient) => recipient.name || recipient.id));
  }
}

/** The relay's address fit to show: no query string (a token may travel there) and no credentials. */
function withoutSecrets(url: string): string {
  try {
    const parsed = new URL(url, location.href);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return url;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ws-chat-panel': WsChatPanel;
  }
}
