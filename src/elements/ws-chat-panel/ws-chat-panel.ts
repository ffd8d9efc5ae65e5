import { LitElement, type PropertyValues } from 'lit';
import { property } from 'lit/decorators.js';
import type { ChatClientOptions, TokenSource } from '../../client/chat-client.js';
import { browserStore } from '../../client/persistence.js';
import { canShare, SharedChatClient, type SharingRole } from '../../client/shared-client.js';
import type { ChatErrorDetail, ChatMessage, ChatProtocol, ChatStatus, Peer, PresenceDetail, SendOptions, StatusDetail, Target, UnreadDetail } from '../../client/types.js';
import { BusController } from '../../controllers/bus-controller.js';
import { ChatController, type ConnectionOptions } from '../../controllers/chat-controller.js';
import { FocusKeeperController } from '../../controllers/focus-keeper-controller.js';
import { NarrowController } from '../../controllers/narrow-controller.js';
import { ReadTrackerController } from '../../controllers/read-tracker-controller.js';
import { RosterDisclosureController } from '../../controllers/roster-disclosure-controller.js';
import { ScrollFocusController } from '../../controllers/scroll-focus-controller.js';
import { StickyScrollController } from '../../controllers/sticky-scroll-controller.js';
import { ChatErrorEvent } from '../../events/chat-error-event.js';
import { ChatGapEvent } from '../../events/chat-gap-event.js';
import { ChatMessageEvent } from '../../events/chat-message-event.js';
import { ChatPresenceEvent } from '../../events/chat-presence-event.js';
import { ChatSentEvent } from '../../events/chat-sent-event.js';
import { ChatStatusEvent } from '../../events/chat-status-event.js';
import { ChatUnreadEvent } from '../../events/chat-unread-event.js';
import { ChatTypingEvent } from '../../events/chat-typing-event.js';
import type { ChatStrings } from '../../i18n/strings.js';
import { ErrorCode, FieldLimits } from '../../protocol/constants.js';
import { ComposerController } from './composer-controller.js';
import { ConnectionStatusController, noUrlError, notConnectedError } from './connection-status-controller.js';
import { defaultRelayUrl } from './default-url.js';
import { HistoryLoader } from './history-loader.js';
import { toChatMessages, type HistoryMessage } from './history-message.js';
import { localeOf, withOverrides } from './locale.js';
import { LocaleController } from './locale-controller.js';
import { MentionPicker } from './mention-picker.js';
import { MessageList, type Item } from './message-list.js';
import { nextFrame } from './next-frame.js';
import { NotifyController } from './notify-controller.js';
import { People } from './people.js';
import { ReadersLookup } from './readers-lookup.js';
import { panelTemplate } from './templates/panel.js';
import { TodayController } from './today-controller.js';
import { TitleBadgeController } from './title-badge.js';
import { UnreadController } from './unread-controller.js';
import { shownTypists } from './typing-indicator.js';
import { NARROW_MAX_WIDTH_REM, styles } from './ws-chat-panel.styles.js';

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
 * @csspart message - Each message (also `message-own` for yours, `message-private` for private ones, `message-mention` for those that mention you).
 * @csspart mention - An `@Name` in a message that mentions that person.
 * @csspart bubble - The text of a message.
 * @csspart link - A link in a message (http, https and mailto URLs; it opens in a new tab).
 * @csspart day - A day separator in the log ("Today", "Yesterday", a date).
 * @csspart more - "Show more" / "Show less" under a long message (over 2,000 characters), which is shown collapsed.
 * @csspart notice - Join, leave and gap notices.
 * @csspart delivery - Delivery state under your own messages ("Read" once a private one was shown to its recipient).
 * @csspart readers-button - "Seen by…" under your own room messages (not in rooms larger than the relay's presence threshold): asks who read it.
 * @csspart readers - Its answer ("Read by 3: Ada, Bob, Chen").
 * @csspart new-pill - The "N new messages" button.
 * @csspart unread - The header's badge counting unread messages (shown while there are some).
 * @csspart notify-offer - The bar under the header offering "Turn on notifications" (with `notify`, until the browser has an answer).
 * @csspart roster - The list of people online.
 * @csspart peer - Each person in the roster.
 * @csspart composer - The form at the bottom.
 * @csspart targets - The recipients row.
 * @csspart input - The message textbox.
 * @csspart send-button - The send button.
 * @csspart typing - Above the composer: who else is typing ("Ada is typing…"), with animated dots (still where the reader prefers reduced motion).
 * @csspart mentions - The list of people typing `@` offers, above the textbox.
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
 * @fires ws-chat-presence - Who is online changed (`detail`: { kind, peer?, room?, roster, count }; kind `room` when a whole room changed: entered, left, or a large room's batch).
 * @fires ws-chat-error - The server refused something or the connection had trouble (`detail`: { code, message, id? }).
 * @fires ws-chat-gap - Messages may have been missed while disconnected and cannot be replayed (`detail`: { reason }).
 * @fires ws-chat-unread - The count of unread messages changed (`detail`: { count, mentions }): messages from others that arrived while the log was scrolled up or the page hidden, until seen (the log at its latest with the page visible). `mentions`: how many of them mention you. For a page's own badge (a launcher button, a favicon dot).
 * @fires ws-chat-typing - Who is typing in a conversation changed (v1; `detail`: { conversation: { room } or { peer }, peers }, `peers` empty when nobody is any more).
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

  /**
   * The room to be in, or several separated by commas (v1): with several, each
   * message shows its room, and the composer picks the room a message to
   * everyone goes to (the first by default). Default: the relay's default room.
   */
  @property() room = '';

  /** How many of the latest messages to show from the relay's log on opening (v1; at most 200); older ones load on scrolling up. 0: none. Default 50. */
  @property({ type: Number }) history = 50;

  /** `auto` (default: follows prefers-color-scheme), `light` or `dark`. */
  @property({ reflect: true }) theme: 'auto' | 'light' | 'dark' = 'auto';

  /** A token for the relay, or a function fetching a fresh one before each connection attempt. */
  @property({ attribute: false }) token: TokenSource | undefined;

  /**
   * While there are unread messages, the page's title starts with their
   * count: `(3) Title`. Several panels with it on one page show their sum;
   * the title is restored exactly once none has any, or the panel leaves
   * the page.
   */
  @property({ type: Boolean, attribute: 'title-badge' }) titleBadge = false;

  /**
   * Desktop notifications of private messages to you and messages that
   * mention you, while the page is hidden. The panel offers a "Turn on
   * notifications" button while the browser has not been told; permission is
   * asked only when that is pressed.
   */
  @property({ type: Boolean }) notify = false;

  /**
   * `on` (default): messages of others that were shown to you (at least half
   * on screen, in a visible tab) are reported read, so their senders see
   * "Read". `off`: nothing is reported. Either way your own messages show
   * the receipts others send, and "Seen by…" still asks who read them.
   */
  @property() receipts: 'on' | 'off' = 'on';

  /**
   * `on` (default): every tab of the site, and every panel in them, that
   * talks to the same relay as the same user in the same rooms shares one
   * connection, held by one tab; the relay sees one connection and one
   * presence per browser, and a conversation looks the same in every tab.
   * `off`: one connection per panel. Panels connect on their own anyway
   * where tabs cannot share (no Web Locks or BroadcastChannel, an insecure
   * or opaque origin, `protocol="legacy"`).
   */
  @property({ attribute: 'shared-connection' }) sharedConnection: 'on' | 'off' = 'on';

  /** Overrides of any built-in text (merged over the language's strings). */
  @property({ attribute: false }) strings: Partial<ChatStrings> | undefined;

  /** Mirrors the `lang` attribute so a change re-renders; read through `lang`. */
  @property({ attribute: 'lang' }) private langAttribute: string | null = null;

  #everConnected = false;
  /** When the panel last rendered (`performance.now()`). */
  #renderedAt = -Infinity;
  #noUrlReported = false;

  readonly #list = new MessageList(this, () => this.maxMessages);
  readonly #people = new People(this);
  readonly #connection = new ConnectionStatusController(this);
  readonly #language = new LocaleController(this, {
    wanted: () => localeOf(this, this.langAttribute),
    failed: (detail) => this.#onError(detail),
  });

  readonly #bus = new BusController(this);

  readonly #chat = new ChatController(this, {
    status: (detail) => this.#onStatus(detail),
    presence: (detail) => this.#onPresence(detail),
    message: (message) => this.#onMessage(message),
    update: (message) => this.#onOwnUpdate(message),
    notice: (notice) => this.#addItem({ kind: 'notice', key: notice.key, notice }),
    history: (detail) => this.#history.add(detail),
    error: (detail) => this.#onError(detail),
    gap: (detail) => this.#publish('chat:gap', detail, new ChatGapEvent(detail)),
    typing: (detail) => {
      this.requestUpdate();
      this.#publish('chat:typing', detail, new ChatTypingEvent(detail));
    },
  });

  readonly #composer = new ComposerController(this, {
    protocol: () => this.protocol,
    presence: this.#people,
    frameLimit: () => this.#chat.client?.limits?.maxFrameBytes,
    textbox: () => this.#part('textarea'),
    typing: (target, active) => this.#chat.client?.typing(target, active),
    send: (text, to, room) => {
      // Past the protocol's limit the rest are mentioned in the text only: a message is not refused for its mentions.
      const mentions = this.#mention.mentioned(text).slice(0, FieldLimits.maxMentions);
      const sent = this.send(text, to, room, mentions.length ? { mentions } : undefined);
      if (sent) {
        this.#connection.sent();
        this.#mention.sent();
      }
      return sent;
    },
    keyTaken: (event) => this.#mention.keyDown(event),
    typed: () => this.#mention.onCaret(),
  });

  readonly #mention = new MentionPicker(this, {
    enabled: () => this.protocol === 'v1',
    peers: () => this.#people.roster,
    selfId: () => this.#people.selfId,
    textbox: () => this.#part('textarea'),
    search: (query) => {
      const client = this.#chat.client;
      const room = this.#people.partial?.room;
      return client && room ? client.search(room, query).then(({ peers }) => peers) : undefined;
    },
  });

  /** A long message scrolls inside its bubble: such a bubble is a Tab stop, so the keyboard can scroll it. */
  readonly #scrollFocus = new ScrollFocusController(this, '.bubble');

  /**
   * A control removed by the render that follows its use (a chip's remove
   * button, Retry, Reconnect now, "N new messages") hands focus on: within the
   * log to the log, elsewhere to the textbox, where typing goes on.
   */
  readonly #focusKeeper = new FocusKeeperController(this, (focused) =>
    focused.closest('.stream, .new-pill') ? this.#part('.stream') : this.#part('textarea'),
  );

  /** The log stays at the latest message while the reader is there (after focus is handed on, as focusing may scroll). */
  readonly #logScroll = new StickyScrollController(this, () => this.#part('.stream'), () => this.#list.items.length);

  /** The panel's box, not the host's: with display: contents the host has none. */
  readonly #layout = new NarrowController(this, () => this.#part('.panel'), NARROW_MAX_WIDTH_REM);

  readonly #today = new TodayController(this);

  readonly #unread = new UnreadController(this, {
    atLatest: () => this.#logScroll.atLatest,
    selfId: () => this.#people.selfId,
    changed: (detail) => this.#publish('chat:unread', detail, new ChatUnreadEvent(detail)),
  });

  /** With `title-badge`: the unread count in the page's title. */
  readonly #titleBadge = new TitleBadgeController(this, () => this.titleBadge, () => this.#unread.count);

  readonly #notifications = new NotifyController(this, {
    enabled: () => this.notify,
    selfId: () => this.#people.selfId,
    panelName: () => this.#panelName,
    strings: () => this.#text,
    reveal: () => {
      window.focus();
      this.#jumpToLatest();
      this.#part('.stream')?.focus();
    },
  });

  readonly #history = new HistoryLoader(this, this.#list, () => this.#chat.client, () => this.maxMessages);
  #searchTimer: ReturnType<typeof setTimeout> | undefined;

  readonly #reads = new ReadTrackerController(this, {
    enabled: () => this.#receiptsOn,
    read: (messages) => this.#chat.client?.markRead(messages),
  });

  readonly #readers = new ReadersLookup(this, () => this.#chat.client);

  readonly #roster = new RosterDisclosureController(this, {
    enabled: () => this.protocol === 'v1',
    narrow: () => this.#layout.narrow,
    part: (selector) => this.#part(selector),
  });

  constructor() {
    super();
    this.#bus.on('chat:send', (request) => {
      if (request.panel !== undefined && request.panel !== this.#panelName) return;
      this.send(request.data, request.to, undefined, request.mentions ? { mentions: request.mentions } : undefined);
    });
  }

  // ── public API ──────────────────────────────────────────────────────────

  /** connecting | online | reconnecting | offline */
  get status(): ChatStatus {
    return this.#connection.status;
  }

  /** Everyone online (v1), yourself included. */
  get roster(): readonly Peer[] {
    return this.#people.roster;
  }

  /** `leader`: this panel's tab holds the shared connection; `follower`: it uses another's; `off`: the panel has a connection of its own (see `shared-connection`). */
  get sharing(): SharingRole {
    const client = this.#chat.client;
    return client instanceof SharedChatClient ? client.role : 'off';
  }

  /** Messages from others not seen yet, and how many of them mention you (see `ws-chat-unread`). */
  get unread(): UnreadDetail {
    return { count: this.#unread.count, mentions: this.#unread.mentions };
  }

  /** The messages in the panel, oldest first (yours included, with their delivery state). */
  get messages(): ChatMessage[] {
    return this.#list.messages;
  }

  /**
   * Sends `data` (a string, or any JSON value) to everyone, or privately to
   * `to`, at any time while the panel is in the document: offline, or before
   * it has connected, the message waits, shown as pending, and goes out in
   * order once the panel is online. Returns the message, or undefined if it
   * was refused, with a `ws-chat-error` saying why: empty (no event),
   * `not_connected` (the panel is not in a document), `no_url` (no relay to
   * talk to), `too_large` (over the relay's limit), `bad_field` (not JSON),
   * `outbox_full`. A message to everyone goes to `room` (one of the panel's
   * rooms; default: the first). `options.mentions`: peer ids the message
   * mentions (their panels highlight it and may notify them).
   */
  send(data: unknown, to?: Target, room?: string, options?: SendOptions): ChatMessage | undefined {
    if (data === undefined || (typeof data === 'string' && data.trim() === '')) return undefined;
    if (!this.isConnected) {
      this.#onError(notConnectedError(this.#everConnected));
      return undefined;
    }
    if (!this.#resolvedUrl) {
      this.#onError(noUrlError());
      return undefined;
    }
    this.#logScroll.follow();
    this.#unread.check();
    // Named even when it is the first: with several rooms your own message shows its room too.
    return this.#chat.send(data, to, this.userName, room ?? (this.#rooms.length > 1 ? this.#rooms[0] : undefined), options);
  }

  /**
   * Adds messages that did not arrive over this connection, such as history
   * your application loaded from its own store: whole `ChatMessage`s, or
   * `{ id, from, data, ts }` (see `HistoryMessage`: the key is derived from
   * the sender and id, the text from `data`). Throws a `TypeError` naming
   * the field of the first message it cannot complete, and then adds none.
   * Each message takes its place by `ts`, so history loaded after live
   * messages shows before them, in any order you pass it; keys already
   * shown are skipped; the oldest go once there are more than
   * `max-messages`.
   */
  addMessages(messages: readonly HistoryMessage[]): void {
    this.#list.addMessages(toChatMessages(messages));
  }

  /** Replaces the connection now. */
  reconnect(): void {
    this.#chat.client?.reconnect();
  }

  /** Removes every message from the panel (not from anyone else's). */
  clear(): void {
    this.#list.clear();
    this.#logScroll.reset();
    this.#unread.reset();
  }

  // ── lifecycle ───────────────────────────────────────────────────────────

  override connectedCallback(): void {
    super.connectedCallback();
    this.#everConnected = true;
  }

  /**
   * Renders at most once per animation frame while the page is visible: a
   * burst of a thousand messages a second costs sixty renders, not a thousand.
   * While renders follow each other frame after frame (a stream of messages),
   * every other frame: the same messages then cost half the layout and paint.
   */
  protected override async scheduleUpdate(): Promise<void> {
    if (typeof document !== 'undefined' && document.visibilityState === 'visible') {
      await nextFrame();
      if (performance.now() - this.#renderedAt < 20) await nextFrame();
    }
    super.scheduleUpdate();
    this.#renderedAt = performance.now();
  }

  /** Resolves once the log is whole: a long history renders a slice per update (StickyScrollController). */
  protected override async getUpdateComplete(): Promise<boolean> {
    while (!(await super.getUpdateComplete()));
    return true;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('maxMessages')) this.#list.trim();
    const url = this.#resolvedUrl;
    this.#chat.sync([url, this.userName, this.protocol, this.token, this.room, this.history, this.sharedConnection], () => {
      this.#history.reset();
      return this.#clientOptions();
    });
    if (url && this.#noUrlReported) {
      this.#noUrlReported = false;
      this.#connection.troubleOver();
    } else if (!url && this.isConnected && !this.#noUrlReported) {
      this.#noUrlReported = true;
      this.#onError(noUrlError());
    }
  }

  override render() {
    const t = this.#text;
    return panelTemplate({
      t,
      locale: this.#language.shown,
      quiet: this.#language.loading,
      protocol: this.protocol,
      title: this.#titleText(t),
      userName: this.userName,
      rosterShown: this.#roster.shown,
      connection: this.#connection,
      people: this.#people,
      list: this.#list,
      scroll: this.#logScroll,
      composer: this.#composer,
      mention: this.#mention,
      history: this.#history,
      today: this.#today,
      rooms: this.#rooms,
      unread: this.#unread,
      notifications: this.#notifications,
      jumpToLatest: this.#jumpToLatest,
      typists: this.protocol === 'v1' ? shownTypists(this.#chat.client?.typists ?? new Map(), this.#rooms) : [],
      onScroll: this.#onScroll,
      search: this.#search,
      toggleRoster: () => this.#roster.toggle(),
      titleChanged: () => this.requestUpdate(),
      reconnect: () => this.reconnect(),
      retry: (message) => this.#retry(message),
      reads: this.#reads,
      receipts: this.#receiptsOn,
      readers: this.#readers,
    });
  }

  // ── client events ───────────────────────────────────────────────────────

  #onStatus(detail: StatusDetail): void {
    this.#connection.update(detail, this.#resolvedUrl);
    this.#publish('chat:status', detail, new ChatStatusEvent(detail));
  }

  #onPresence(detail: PresenceDetail): void {
    this.#people.update(detail, this.#chat.client);
    // Recipients who left stay picked, and are found again when they are back.
    if (this.protocol === 'v1') this.#composer.follow();
    this.#publish('chat:presence', detail, new ChatPresenceEvent(detail));
  }

  #onMessage(message: ChatMessage): void {
    if (!this.#addItem({ kind: 'message', key: message.key, message })) return;
    this.#unread.arrived(message);
    this.#notifications.arrived(message);
    this.#publish('chat:message', message, new ChatMessageEvent(message));
  }

  #onOwnUpdate(message: ChatMessage): void {
    // New (or restored from the outbox after a reload) while pending. A later
    // state of a message not shown any more was trimmed from the bounded
    // history: adding it back would put it after newer ones and push them out.
    if (!this.#list.replace(message) && message.state === 'pending') this.#addItem({ kind: 'message', key: message.key, message });
    if (message.state === 'sent') this.#publish('chat:sent', message, new ChatSentEvent(message));
  }

  #onError(detail: ChatErrorDetail): void {
    this.#connection.report(detail);
    // No one matches those sessions any more: a recipient among them cannot be reached until found again.
    const to = detail.code === ErrorCode.UnknownTarget && detail.id !== undefined ? this.#list.find(`local:${detail.id}`)?.to : undefined;
    if (to?.ids) this.#composer.refused(to.ids);
    this.#publish('chat:error', detail, new ChatErrorEvent(detail));
  }

  #publish<T extends object, K extends 'chat:status' | 'chat:presence' | 'chat:message' | 'chat:sent' | 'chat:error' | 'chat:gap' | 'chat:unread' | 'chat:typing'>(
    type: K,
    detail: T,
    event: Event,
  ): void {
    this.dispatchEvent(event);
    this.#bus.emit(type, { ...detail, panel: this.#panelName } as never);
  }

  /** Adds `item` to the log unless it is there already; returns whether it did. */
  #addItem(item: Item): boolean {
    if (!this.#list.add(item)) return false;
    if (item.kind === 'message' && !item.message.own) this.#logScroll.arrived();
    return true;
  }

  #retry(message: ChatMessage): void {
    this.#list.remove(message.key);
    this.send(message.data, message.to, message.room);
  }

  /** Near the top of the log, with every entry rendered: the page before them comes from the relay. */
  readonly #onScroll = (): void => {
    this.#logScroll.onScroll();
    this.#unread.check();
    const log = this.#part('.stream');
    if (this.#logScroll.first === 0 && log.scrollTop < log.clientHeight) this.#history.older();
  };

  /** "N new messages", or a notification clicked: to the latest, which the reader then sees. */
  readonly #jumpToLatest = (): void => {
    this.#logScroll.jumpToLatest();
    this.#unread.check();
  };

  /** The roster's search field in a large room: asks the relay, a moment after the typing stops. */
  readonly #search = (event: Event): void => {
    const query = (event.target as HTMLInputElement).value.trim();
    clearTimeout(this.#searchTimer);
    if (!query) return this.#people.setFound(this.#people.found, '');
    this.#searchTimer = setTimeout(() => {
      const client = this.#chat.client;
      const room = this.#people.partial?.room;
      if (client && room) client.search(room, query).then(({ peers }) => this.#people.setFound(peers, query), () => {});
    }, 250);
  };

  /** The rooms the panel is in (as the relay entered them), else those it asks for. */
  get #rooms(): readonly string[] {
    return this.#people.rooms.size ? [...this.#people.rooms.keys()] : roomsOf(this.room);
  }

  // ── helpers ─────────────────────────────────────────────────────────────

  /** The name this panel goes by on the bus: its id, or else its user-name. */
  get #panelName(): string {
    return this.id || this.userName;
  }

  get #receiptsOn(): boolean {
    return this.receipts !== 'off' && this.protocol === 'v1';
  }

  get #resolvedUrl(): string {
    return this.url || defaultRelayUrl();
  }

  #clientOptions(): ConnectionOptions | undefined {
    const url = this.#resolvedUrl;
    if (!url) return undefined;
    const protocol = this.protocol === 'legacy' ? 'legacy' : 'v1';
    const rooms = roomsOf(this.room);
    const options: ChatClientOptions = {
      url,
      name: this.userName,
      protocol,
      history: this.history,
      ...(rooms.length ? { rooms } : {}),
      ...(this.token !== undefined ? { token: this.token } : {}),
    };
    if (this.sharedConnection !== 'off' && canShare(options)) return { ...options, shared: true };
    // The outbox survives a reload (IndexedDB), and so does the session (sessionStorage).
    return { ...options, store: browserStore(`${protocol}|${url}|${this.userName}`) };
  }

  get #text(): ChatStrings {
    return withOverrides(this.#language.strings, this.strings);
  }

  /** An element of the panel's render (undefined before the first). */
  #part<E extends Element = HTMLElement>(selector: string): E {
    return this.renderRoot?.querySelector<E>(selector) as E;
  }

  /**
   * The panel's title as shown (the `title` slot's text, or the built-in one):
   * with the user's name it tells two panels' rosters apart.
   */
  #titleText(t: ChatStrings): string {
    const slotted = [...this.children].filter((child) => child.slot === 'title');
    return slotted.map((child) => child.textContent ?? '').join(' ').trim() || t.title;
  }
}

/** The rooms a `room` attribute names: separated by commas, blanks ignored. */
const roomsOf = (attribute: string): string[] =>
  (attribute ?? '')
    .split(',')
    .map((room) => room.trim())
    .filter(Boolean);

declare global {
  interface HTMLElementTagNameMap {
    'ws-chat-panel': WsChatPanel;
  }
}
