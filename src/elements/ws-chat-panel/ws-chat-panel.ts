import { html, LitElement, nothing, svg, type PropertyValues } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import type { ChatClientOptions, TokenSource } from '../../client/chat-client.js';
import { browserStore } from '../../client/persistence.js';
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
import { ChatErrorEvent } from '../../events/chat-error-event.js';
import { ChatGapEvent } from '../../events/chat-gap-event.js';
import { ChatMessageEvent } from '../../events/chat-message-event.js';
import { ChatPresenceEvent } from '../../events/chat-presence-event.js';
import { ChatSentEvent } from '../../events/chat-sent-event.js';
import { ChatStatusEvent } from '../../events/chat-status-event.js';
import { LOCALES, pickLocale, type ChatStrings, type Locale } from '../../i18n/strings.js';
import { toChatMessages, type HistoryMessage } from './history-message.js';
import { chunks, COLLAPSE_ABOVE, longText } from './long-text.js';
import { styles } from './ws-chat-panel.styles.js';

type Item =
  | { readonly kind: 'message'; readonly key: string; readonly message: ChatMessage }
  | { readonly kind: 'notice'; readonly key: string; readonly notice: ChatNotice };

/** Messages rendered at first; "show earlier" reveals this many more each time. */
const RENDER_PAGE = 150;
const STICK_THRESHOLD_PX = 40;
/** Why the relay refused the connection (close reasons): shown until the panel is online again. */
const REFUSALS = new Set(['unauthorized', 'token_expired', 'auth_unavailable', 'origin_not_allowed', 'server_full', 'too_many_connections']);

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
 *
 * @cssprop --ws-chat-panel-height - Height of the panel when the element's own height is not set or is `auto` (default 32rem). A length; a percentage only of a parent with a definite height (of one without, it leaves the panel at its floor of 12rem, header and composer). Whatever the element's `display`; with `display: contents` (no box of its own) the panel fills a parent of definite height, as a child with `height: 100%` would, and is this tall otherwise.
 * @cssprop --ws-chat-panel-font - Font family.
 * @cssprop --ws-chat-panel-radius - Corner radius of the panel and bubbles.
 * @cssprop --ws-chat-panel-bg - Background.
 * @cssprop --ws-chat-panel-surface - Background of the header, roster and inputs.
 * @cssprop --ws-chat-panel-fg - Text colour.
 * @cssprop --ws-chat-panel-muted - Secondary text colour.
 * @cssprop --ws-chat-panel-border - Border colour.
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

  /** The relay's WebSocket URL. Default: the page's own host (`ws(s)://host/`). */
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
  @state() private recipients: readonly string[] = [];
  @state() private addresses = '';
  @state() private unseen = 0;
  @state() private renderCount = RENDER_PAGE;
  @state() private rosterOpen: boolean | undefined;
  @state() private narrow = false;
  @state() private composerError = '';
  /** The composer error is a refusal of the connection, cleared once online. */
  private refused = false;
  @state() private draft = '';

  @query('.panel') private panelBox!: HTMLElement;
  @query('.stream') private stream!: HTMLElement;
  @query('textarea') private input!: HTMLTextAreaElement;

  private items: Item[] = [];
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
   * `to`. Works offline too: the message waits, shown as pending, and goes out
   * once the panel is online. Returns the message, or undefined if it was
   * refused (empty, or too many messages waiting; a `ws-chat-error` says so).
   */
  send(data: unknown, to?: Target): ChatMessage | undefined {
    if (data === undefined || (typeof data === 'string' && data.trim() === '')) return undefined;
    const client = this.chat.client;
    if (!client) {
      this.onError({ code: 'not_connected', message: 'the panel is not attached to a document' });
      return undefined;
    }
    this.stick = true;
    return client.send(data, to);
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
    this.resizeObserver ??= new ResizeObserver((entries) => {
      for (const entry of entries) {
        // The panel's box, not the host's: with display: contents the host has none.
        if (entry.target === this.panelBox) this.narrow = entry.contentRect.width < 544;
        // The log shrank or grew (composer, roster, window): stay at the bottom if we were.
        else if (this.stick) this.stream.scrollTop = this.stream.scrollHeight;
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
    this.chat.sync([this.resolvedUrl, this.userName, this.protocol, this.token], () => this.clientOptions());
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
    if (detail.status === 'online' && this.refused) {
      this.refused = false;
      this.composerError = '';
    }
    if (detail.status === 'reconnecting') this.startCountdown();
    else this.stopCountdown();
    this.publish('chat:status', detail, new ChatStatusEvent(detail));
  }

  private onPresence(detail: PresenceDetail): void {
    this.rosterValue = detail.roster;
    this.count = detail.count;
    if (detail.kind === 'welcome') this.self = this.chat.client?.self;
    // Someone who left cannot be written to privately any more.
    const online = new Set(detail.roster.map((peer) => peer.id));
    if (this.protocol === 'v1' && this.recipients.some((id) => !online.has(id))) {
      this.recipients = this.recipients.filter((id) => online.has(id));
    }
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
    if (REFUSALS.has(detail.code)) {
      this.refused = true;
      this.composerError = this.text.errors[detail.code] ?? detail.message;
    }
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

  private onSubmit(event: SubmitEvent): void {
    event.preventDefault();
    this.submit();
  }

  private submit(): void {
    const text = this.input.value;
    if (text.trim() === '') return;
    const sent = this.send(text, this.target());
    if (!sent) return;
    this.composerError = '';
    this.input.value = '';
    this.draft = '';
  }

  private target(): Target | undefined {
    if (this.protocol === 'legacy') {
      const addrs = this.addresses
        .split(/[\s,，;；]+/)
        .map((addr) => addr.trim())
        .filter(Boolean);
      return addrs.length ? { addrs } : undefined;
    }
    return this.recipients.length ? { ids: [...this.recipients] } : undefined;
  }

  private toggleRecipient(id: string): void {
    this.recipients = this.recipients.includes(id) ? this.recipients.filter((r) => r !== id) : [...this.recipients, id];
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
    if (this.url) return this.url;
    if (typeof location === 'undefined') return '';
    return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/`;
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

  private describeTargets(to: Target): string {
    const byId = new Map(this.rosterValue.map((peer) => [peer.id, this.peerName(peer)]));
    const names = [
      ...(to.ids ?? []).map((id) => (id === this.self?.id ? this.text.youSender : (byId.get(id) ?? id))),
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
        <h2 class="title" part="title"><slot name="title">${t.title}</slot></h2>
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
                <button class="link-button" @click=${() => this.retry(message)}>${t.retry}</button>`;
    return html`<span class="delivery" part="delivery" data-state=${state}>${content}</span>`;
  }

  private renderNotice(notice: ChatNotice, t: ChatStrings) {
    const name = notice.peer ? this.peerName(notice.peer) : '';
    const text = notice.kind === 'join' ? t.joined(name) : notice.kind === 'leave' ? t.left(name) : t.gap;
    return html`<div class="item notice ${notice.kind}" part="notice" role=${notice.kind === 'gap' ? 'alert' : nothing}>
      ${text}
    </div>`;
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
      <aside id="roster" part="roster" ?hidden=${!shown} aria-labelledby="roster-heading">
        <h3 class="roster-heading" id="roster-heading">${t.rosterHeading} · ${this.count}</h3>
        <ul class="roster">
          ${repeat(
            sorted,
            (peer) => peer.id,
            (peer) => {
              const mine = peer.id === selfId;
              const selected = this.recipients.includes(peer.id);
              const name = this.peerName(peer);
              return html`<li>
                <button
                  class="peer"
                  part="peer"
                  ?disabled=${mine}
                  aria-pressed=${mine ? nothing : selected ? 'true' : 'false'}
                  title=${mine ? nothing : t.sendPrivatelyTo(name)}
                  @click=${() => this.toggleRecipient(peer.id)}
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
    const byId = new Map(this.rosterValue.map((peer) => [peer.id, peer]));
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
              : this.recipients.map((id) => {
                  const name = this.peerName(byId.get(id) ?? { id, name: id, addr: '' });
                  return html`<span class="chip private">
                    ${icon('lock')}<span class="chip-label" dir="auto">${name}</span>
                    <button type="button" aria-label=${t.removeRecipient(name)} @click=${() => this.toggleRecipient(id)}>
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
            aria-describedby=${this.composerError ? 'composer-error' : nothing}
            .value=${this.draft}
            @input=${(event: Event) => (this.draft = (event.target as HTMLTextAreaElement).value)}
            @keydown=${this.onKeyDown}
          ></textarea>
          <button class="send" part="send-button" type="submit" ?disabled=${this.draft.trim() === ''}>
            ${icon('send')}<span>${t.send}</span>
          </button>
        </div>
        ${this.composerError ? html`<p class="error" id="composer-error" role="alert">${this.composerError}</p>` : nothing}
      </form>
    `;
  }
}

function initials(name: string): string {
  const letters = [...name.trim()];
  return (letters[0] ?? '?').toUpperCase();
}

/** A stable colour per name, dark enough for white initials (WCAG AA). */
function avatarColor(name: string): string {
  let hash = 0;
  for (const char of name) hash = (hash * 31 + char.codePointAt(0)!) >>> 0;
  return `hsl(${hash % 360} 55% 38%)`;
}

declare global {
  interface HTMLElementTagNameMap {
    'ws-chat-panel': WsChatPanel;
  }
}
