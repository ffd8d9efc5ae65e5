import type { CloseReason, ErrorCode } from '../protocol/constants.js';
import type { OnDemandLocale } from './locale-files.js';

/**
 * What the built-in `errors` explain, by code: the protocol's error codes and
 * close reasons, the client's `outbox_full` and the panel's own codes. The
 * compiler holds each table's keys to them, so none is misspelt or outlives
 * its code.
 */
export type Explained = Partial<Record<ErrorCode | CloseReason | 'outbox_full' | 'no_url' | 'not_connected', string>>;

/**
 * Every piece of text the chat panel shows or announces. English is built
 * in; Simplified Chinese is loaded when a panel's language asks for it
 * (locales/zh-CN.ts). Assign `panel.strings = { … }` to override any of them
 * (partial objects are merged over the language's set).
 */
export interface ChatStrings {
  title: string;
  statusConnecting: string;
  statusOnline: string;
  /** While reconnecting; `seconds` counts down to the next attempt (0 = trying now). */
  statusReconnecting: (seconds: number) => string;
  statusOffline: string;
  reconnectNow: string;
  onlineCount: (count: number) => string;
  rosterHeading: string;
  /**
   * The roster's accessible name, from the panel's title and the user's name:
   * two panels on one page need two different names for their rosters.
   */
  rosterLabel: (title: string, userName: string) => string;
  showRoster: string;
  /** Marks yourself in the roster: "Ada (you)". */
  you: string;
  /** The sender shown on your own messages. */
  youSender: string;
  removeRecipient: (name: string) => string;
  retry: string;
  /** Label of a roster entry's toggle: add/remove this person as a recipient. */
  sendPrivatelyTo: (name: string) => string;
  recipients: string;
  /** Marks a recipient's chip while they are not online. */
  recipientOffline: string;
  /** Recipients not online whom the relay may still keep messages for (their session is away). */
  recipientsAway: (names: string) => string;
  /** Why nothing is sent: these recipients cannot be reached (their session is gone). */
  recipientsUnreachable: (names: string) => string;
  toEveryone: string;
  privateTo: (names: string) => string;
  privateFrom: string;
  composerLabel: string;
  composerPlaceholder: string;
  composerPlaceholderOffline: string;
  send: string;
  /** Near the relay's limit: how much of it the message takes. */
  lengthUsed: (percent: number) => string;
  /** Over the relay's limit: about how many characters to remove (from the end). */
  tooLong: (characters: number) => string;
  /** The relay has not answered several connection attempts in a row (the panel keeps trying). */
  cannotConnect: (url: string) => string;
  targetAddresses: string;
  targetAddressesHint: string;
  newMessages: (count: number) => string;
  joined: (name: string) => string;
  left: (name: string) => string;
  gap: string;
  pending: string;
  /** A pending message while offline. */
  waiting: string;
  sent: string;
  delivered: string;
  /** Your private message was shown to its recipient. */
  read: string;
  /** The button under your own room message that asks who has read it. */
  seenBy: string;
  /** Its answer: how many of the room read it, and the first of their names (a list, `readersMore` last when there are more). */
  readBy: (count: number, names: string) => string;
  /** The end of that list: how many more read it than are named. */
  readersMore: (count: number) => string;
  /** While the chat server is asked who read it. */
  checkingReaders: string;
  /** The chat server could not say who read it. */
  readersFailed: string;
  /** The room grew too large for the chat server to keep who read what. */
  readersTooLarge: string;
  failed: (reason: string) => string;
  messageLog: string;
  emptyStream: string;
  showEarlier: string;
  /** While an older page of history loads from the chat server. */
  loadingEarlier: string;
  /** Above the oldest message the chat server keeps. */
  conversationStart: string;
  /** With several rooms: the composer's choice of the room a message to everyone goes to. */
  room: string;
  /** A large room's roster: the field that asks the chat server for names. */
  searchPeople: string;
  /** The search found nobody. */
  noOneFound: string;
  /** The control under a long message shown collapsed; `hidden` characters are not shown yet. */
  showMore: (hidden: number) => string;
  /** The same control once the message is shown whole. */
  showLess: string;
  /** The list of people `@` offers in the composer. */
  mentionPeople: string;
  /** Marks a message that mentions you. */
  mentionsYou: string;
  /** The header's badge, read out in full (the badge itself shows the number). */
  unreadCount: (count: number) => string;
  /** The button that asks the browser for permission to show desktop notifications (`notify`). */
  notifyOffer: string;
  /** The person did not allow notifications when asked: where to change that. */
  notifyRefused: string;
  /** A desktop notification's title for a private message. */
  notifyPrivate: (name: string) => string;
  /** A desktop notification's title for a message that mentions you. */
  notifyMention: (name: string) => string;
  /**
   * Above the composer while others type: `names` lists them as the language
   * lists names ("Ada and Bob"), `count` says how many (from 3 on, only the
   * number is shown).
   */
  typing: (names: string, count: number) => string;
  /** Someone in that list who is typing a private message to you. */
  typingPrivately: (name: string) => string;
  errors: Record<string, string>;
}

export const en: ChatStrings = {
  title: 'Chat',
  statusConnecting: 'Connecting…',
  statusOnline: 'Online',
  statusReconnecting: (seconds) => (seconds > 0 ? `Reconnecting in ${seconds} s` : 'Reconnecting…'),
  statusOffline: 'Offline',
  reconnectNow: 'Reconnect now',
  onlineCount: (count) => `${count} online`,
  rosterHeading: 'Online',
  rosterLabel: (title, userName) => (userName ? `People online in ${title} (${userName})` : `People online in ${title}`),
  showRoster: 'People online',
  you: 'you',
  youSender: 'You',
  removeRecipient: (name) => `Remove ${name}`,
  retry: 'Retry',
  sendPrivatelyTo: (name) => `Send privately to ${name}`,
  recipients: 'Recipients',
  recipientOffline: 'offline',
  recipientsAway: (names) => `Offline now: ${names}. The chat server keeps the message for them for a while, until they are back.`,
  recipientsUnreachable: (names) =>
    `Cannot reach ${names} now: they left, or the chat server restarted. Wait until they are back, or remove them from the recipients.`,
  toEveryone: 'To everyone',
  privateTo: (names) => `Private to ${names}`,
  privateFrom: 'Private',
  composerLabel: 'Message',
  composerPlaceholder: 'Write a message — Enter sends, Shift+Enter for a new line',
  composerPlaceholderOffline: 'Offline — messages are kept and sent when back online',
  send: 'Send',
  lengthUsed: (percent) => `${percent}% of the maximum length`,
  tooLong: (characters) => `Too long to send: remove about ${characters.toLocaleString('en')} characters`,
  cannotConnect: (url) => `Cannot reach the chat server at ${url}; still trying.`,
  targetAddresses: 'To addresses',
  targetAddressesHint: 'Comma-separated IP addresses; empty sends to everyone',
  newMessages: (count) => (count === 1 ? '1 new message' : `${count} new messages`),
  joined: (name) => `${name} joined`,
  left: (name) => `${name} left`,
  gap: 'Some messages may be missing.',
  pending: 'Sending…',
  waiting: 'Waiting for connection',
  sent: 'Sent',
  delivered: 'Delivered',
  read: 'Read',
  seenBy: 'Seen by…',
  readBy: (count, names) => (count === 0 ? 'Not read yet' : `Read by ${count.toLocaleString('en')}: ${names}`),
  readersMore: (count) => `${count.toLocaleString('en')} more`,
  checkingReaders: 'Checking…',
  readersFailed: 'Could not find out who read it',
  readersTooLarge: 'Too many people in this room to tell',
  failed: (reason) => `Not sent: ${reason}`,
  messageLog: 'Messages',
  emptyStream: 'No messages yet.',
  showEarlier: 'Show earlier messages',
  loadingEarlier: 'Loading earlier messages…',
  conversationStart: 'Beginning of the conversation',
  room: 'Room',
  searchPeople: 'Search people',
  noOneFound: 'No one found',
  showMore: (hidden) => `Show more (${hidden.toLocaleString('en')} more characters)`,
  showLess: 'Show less',
  mentionPeople: 'People to mention',
  mentionsYou: 'Mentions you',
  unreadCount: (count) => (count === 1 ? '1 unread message' : `${count} unread messages`),
  notifyOffer: 'Turn on notifications',
  notifyRefused: 'Notifications are blocked for this site. You can allow them in your browser’s site settings.',
  notifyPrivate: (name) => `Private message from ${name}`,
  notifyMention: (name) => `${name} mentioned you`,
  typing: (names, count) => (count === 1 ? `${names} is typing…` : count === 2 ? `${names} are typing…` : `${count} people are typing…`),
  typingPrivately: (name) => `${name} (private)`,
  errors: {
    unknown_target: 'a recipient is no longer online and can no longer be reached',
    too_large: 'the message is too long',
    rate_limited: 'too many messages at once',
    bad_field: 'the server could not read it',
    bad_frame: 'the server could not read it',
    hello_required: 'the connection was not ready',
    internal: 'the chat server had a problem',
    unavailable: 'the chat server cannot deliver messages just now',
    outbox_full: 'too many messages are waiting to be sent',
    no_url: 'no chat server to connect to: set the url attribute',
    not_connected: 'the chat panel is not on the page',
    unauthorized: 'the chat server did not accept your sign-in; trying again',
    token_expired: 'your sign-in has expired; trying again',
    token_not_yet_valid: 'your sign-in is not valid yet (is a clock wrong?); trying again',
    auth_unavailable: 'the chat server cannot check your sign-in right now; trying again',
    origin_not_allowed: 'this page may not connect to the chat server',
    server_full: 'the chat server is full; trying again',
    too_many_connections: 'too many connections from your network; trying again',
    room_forbidden: 'you may not join this room',
    not_in_room: 'you are not in that room',
    too_many_rooms: 'you are in too many rooms',
  } satisfies Explained,
};

/** The languages of the panel: English, built in, and those loaded when asked for (see locale-files.ts). */
export type Locale = 'en' | OnDemandLocale;

/** 'zh', 'zh-CN', 'zh-Hans-CN', … → 'zh-CN'; anything else → 'en'. */
export function pickLocale(lang: string | null | undefined): Locale {
  return lang && /^zh\b/i.test(lang) ? 'zh-CN' : 'en';
}
