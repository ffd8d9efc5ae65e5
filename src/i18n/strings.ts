import type { CloseReason, ErrorCode } from '../protocol/constants.js';

/**
 * What the built-in `errors` explain, by code: the protocol's error codes and
 * close reasons, the client's `outbox_full` and the panel's own codes. The
 * compiler holds each table's keys to them, so none is misspelt or outlives
 * its code.
 */
type Explained = Partial<Record<ErrorCode | CloseReason | 'outbox_full' | 'no_url' | 'not_connected', string>>;

/**
 * Every piece of text the chat panel shows or announces. English and
 * Simplified Chinese are built in; assign `panel.strings = { … }` to
 * override any of them (partial objects are merged over the built-in set).
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
  failed: (reason: string) => string;
  messageLog: string;
  emptyStream: string;
  showEarlier: string;
  /** The control under a long message shown collapsed; `hidden` characters are not shown yet. */
  showMore: (hidden: number) => string;
  /** The same control once the message is shown whole. */
  showLess: string;
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
  failed: (reason) => `Not sent: ${reason}`,
  messageLog: 'Messages',
  emptyStream: 'No messages yet.',
  showEarlier: 'Show earlier messages',
  showMore: (hidden) => `Show more (${hidden.toLocaleString('en')} more characters)`,
  showLess: 'Show less',
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
  } satisfies Explained,
};

export const zhCN: ChatStrings = {
  title: '聊天',
  statusConnecting: '正在连接…',
  statusOnline: '在线',
  statusReconnecting: (seconds) => (seconds > 0 ? `${seconds} 秒后重新连接` : '正在重新连接…'),
  statusOffline: '离线',
  reconnectNow: '立即重连',
  onlineCount: (count) => `${count} 人在线`,
  rosterHeading: '在线',
  rosterLabel: (title, userName) => (userName ? `${title}的在线成员（${userName}）` : `${title}的在线成员`),
  showRoster: '在线成员',
  you: '我',
  youSender: '我',
  removeRecipient: (name) => `移除 ${name}`,
  retry: '重试',
  sendPrivatelyTo: (name) => `私信给 ${name}`,
  recipients: '接收人',
  recipientOffline: '离线',
  recipientsAway: (names) => `当前离线：${names}。聊天服务器会暂时保留这条消息，等对方回来后送达。`,
  recipientsUnreachable: (names) => `现在无法联系 ${names}：对方已离开，或聊天服务器已重启。请等对方回来，或将其从接收人中移除。`,
  toEveryone: '发送给所有人',
  privateTo: (names) => `私信给 ${names}`,
  privateFrom: '私信',
  composerLabel: '消息',
  composerPlaceholder: '输入消息 — 回车发送，Shift+回车换行',
  composerPlaceholderOffline: '离线中 — 消息会保留，恢复连接后发送',
  send: '发送',
  lengthUsed: (percent) => `已达最大长度的 ${percent}%`,
  tooLong: (characters) => `消息太长，无法发送：请删减约 ${characters.toLocaleString('zh-CN')} 个字符`,
  cannotConnect: (url) => `无法连接聊天服务器 ${url}，正在重试。`,
  targetAddresses: '发送到地址',
  targetAddressesHint: '以逗号分隔的 IP 地址；留空则发给所有人',
  newMessages: (count) => `${count} 条新消息`,
  joined: (name) => `${name} 加入了`,
  left: (name) => `${name} 离开了`,
  gap: '可能有部分消息缺失。',
  pending: '发送中…',
  waiting: '等待连接',
  sent: '已发送',
  delivered: '已送达',
  failed: (reason) => `未发送：${reason}`,
  messageLog: '消息',
  emptyStream: '还没有消息。',
  showEarlier: '显示更早的消息',
  showMore: (hidden) => `展开全文（还有 ${hidden.toLocaleString('zh-CN')} 个字符）`,
  showLess: '收起',
  errors: {
    unknown_target: '接收人已不在线，无法送达',
    too_large: '消息太长',
    rate_limited: '发送太频繁',
    bad_field: '服务器无法读取该消息',
    bad_frame: '服务器无法读取该消息',
    hello_required: '连接尚未就绪',
    internal: '聊天服务器出错',
    unavailable: '聊天服务器暂时无法投递消息',
    outbox_full: '待发送的消息太多',
    no_url: '没有可连接的聊天服务器：请设置 url 属性',
    not_connected: '聊天面板不在页面上',
    unauthorized: '聊天服务器未接受你的登录，正在重试',
    token_expired: '登录已过期，正在重试',
    token_not_yet_valid: '登录尚未生效（时钟可能不准），正在重试',
    auth_unavailable: '聊天服务器暂时无法验证你的登录，正在重试',
    origin_not_allowed: '此页面不允许连接聊天服务器',
    server_full: '聊天服务器已满，正在重试',
    too_many_connections: '你的网络连接数过多，正在重试',
  } satisfies Explained,
};

export type Locale = 'en' | 'zh-CN';

export const LOCALES: Record<Locale, ChatStrings> = { en, 'zh-CN': zhCN };

/** 'zh', 'zh-CN', 'zh-Hans-CN', … → 'zh-CN'; anything else → 'en'. */
export function pickLocale(lang: string | null | undefined): Locale {
  return lang && /^zh\b/i.test(lang) ? 'zh-CN' : 'en';
}
