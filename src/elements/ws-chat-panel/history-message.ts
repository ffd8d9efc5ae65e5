import { payloadText, type ChatMessage, type DeliveryState, type Peer, type Target } from '../../client/types.js';

/**
 * A message from the page's own store, as `addMessages()` takes it: a whole
 * `ChatMessage` (the `ws-chat-message` detail), or only what a store
 * naturally keeps, `{ id, from, data, ts }`.
 *
 * ```js
 * panel.addMessages([
 *   { id: 'm1', from: { name: 'Eve' }, data: 'Hi!', ts: 1796288401000 },
 *   { id: 'm2', from: 'Ada', data: { text: 'Hello' }, ts: '2026-12-03T09:00:02Z', own: true },
 * ]);
 * ```
 */
export interface HistoryMessage {
  /** Unique within the panel. Default: derived from the sender and `id`, so the same stored message is shown once. */
  readonly key?: string;
  /** The sender's id for the message (a string, or a number). Needed unless `key` is given. */
  readonly id?: string | number;
  /** Who sent it: a peer (at least a `name` or an `id`), or just a name. */
  readonly from: Partial<Peer> | string;
  /** The payload; shown as live messages are (strings as they are, `{ text }` by its text, anything else as JSON). */
  readonly data?: unknown;
  /** The text to show. Default: derived from `data`. */
  readonly text?: string;
  /** When it was sent: ms since the epoch, a `Date`, or a date string `Date.parse` reads. */
  readonly ts: number | Date | string;
  readonly to?: Target;
  /** True for your own messages. Default false. */
  readonly own?: boolean;
  /** Your own messages only. Default `sent`: a stored message is not waiting to be sent. */
  readonly state?: DeliveryState;
  readonly error?: string;
  readonly offset?: number;
  readonly replay?: boolean;
}

const STATES: ReadonlySet<string> = new Set<DeliveryState>(['pending', 'sent', 'delivered', 'failed']);
const TARGET_LISTS = ['ids', 'names', 'addrs'] as const;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/**
 * Completes stored messages into `ChatMessage`s, or throws a `TypeError`
 * naming the first field it cannot complete (`messages[3].ts …`). All or
 * nothing: a batch with one bad message is refused whole.
 */
export function toChatMessages(messages: unknown): ChatMessage[] {
  if (!Array.isArray(messages)) throw new TypeError('addMessages: messages must be an array');
  return messages.map((message, index) => toChatMessage(message, `addMessages: messages[${index}]`));
}

function toChatMessage(input: unknown, at: string): ChatMessage {
  if (!isObject(input)) throw new TypeError(`${at} must be an object (got ${input === null ? 'null' : typeof input})`);
  const from = sender(input.from, `${at}.from`);

  if (input.key !== undefined && (typeof input.key !== 'string' || input.key === '')) {
    throw new TypeError(`${at}.key must be a non-empty string when given`);
  }
  const key = input.key as string | undefined;
  let id: string;
  if (typeof input.id === 'string' && input.id !== '') id = input.id;
  else if (typeof input.id === 'number' && Number.isFinite(input.id)) id = String(input.id);
  else if (input.id === undefined && key !== undefined) id = key;
  else throw new TypeError(`${at}.id must be a non-empty string or a number (it identifies the message when there is no key)`);

  if (input.text !== undefined && typeof input.text !== 'string') throw new TypeError(`${at}.text must be a string when given`);
  if (input.text === undefined && input.data === undefined) throw new TypeError(`${at}.data is missing (and there is no text to show instead)`);
  const text = (input.text as string | undefined) ?? payloadText(input.data);
  if (text.trim() === '') throw new TypeError(`${at}.${input.text !== undefined ? 'text' : 'data'} is empty: there would be nothing to show`);

  const ts = time(input.ts, `${at}.ts`);
  if (input.own !== undefined && typeof input.own !== 'boolean') throw new TypeError(`${at}.own must be a boolean when given`);
  const own = input.own === true;
  if (input.state !== undefined && !STATES.has(input.state as string)) {
    throw new TypeError(`${at}.state must be one of ${[...STATES].join(', ')} when given`);
  }
  if (input.offset !== undefined && !(Number.isInteger(input.offset) && (input.offset as number) >= 0)) {
    throw new TypeError(`${at}.offset must be a whole number ≥ 0 when given`);
  }
  if (input.error !== undefined && typeof input.error !== 'string') throw new TypeError(`${at}.error must be a string when given`);
  const to = input.to === undefined ? undefined : target(input.to, `${at}.to`);

  return {
    // The client tells a resend from a new message by its sender's name and its
    // id: so does the derived key (by the peer id only when there is no name).
    key: key ?? `history:${JSON.stringify([from.name, from.name ? '' : from.id, id])}`,
    id,
    ...(input.offset !== undefined ? { offset: input.offset as number } : {}),
    from,
    ...(to ? { to } : {}),
    data: input.data === undefined ? text : input.data,
    text,
    ts,
    own,
    ...(own ? { state: (input.state as DeliveryState | undefined) ?? 'sent' } : {}),
    ...(input.error !== undefined ? { error: input.error as string } : {}),
    ...(input.replay === true ? { replay: true } : {}),
  };
}

function sender(from: unknown, at: string): Peer {
  if (typeof from === 'string' && from !== '') return { id: '', name: from, addr: '' };
  if (!isObject(from)) throw new TypeError(`${at} must be a peer ({ name } or { id }) or a non-empty name`);
  for (const field of ['id', 'name', 'addr'] as const) {
    if (from[field] !== undefined && typeof from[field] !== 'string') throw new TypeError(`${at}.${field} must be a string when given`);
  }
  const peer = { id: (from.id as string | undefined) ?? '', name: (from.name as string | undefined) ?? '', addr: (from.addr as string | undefined) ?? '' };
  if (peer.name === '' && peer.id === '') throw new TypeError(`${at} needs a name or an id: the panel shows who sent each message`);
  return peer;
}

function time(ts: unknown, at: string): number {
  const value = ts instanceof Date ? ts.getTime() : typeof ts === 'string' ? Date.parse(ts) : ts;
  // The range a Date can hold: the panel formats every timestamp.
  if (typeof value !== 'number' || !Number.isFinite(value) || Math.abs(value) > 8.64e15) {
    throw new TypeError(`${at} must be a time: ms since the epoch, a Date, or a date string (got ${typeof ts === 'string' ? JSON.stringify(ts) : String(ts)})`);
  }
  return value;
}

function target(to: unknown, at: string): Target {
  if (!isObject(to)) throw new TypeError(`${at} must be an object { ids?, names?, addrs? } when given`);
  for (const list of TARGET_LISTS) {
    const value = to[list];
    if (value !== undefined && !(Array.isArray(value) && value.every((entry) => typeof entry === 'string'))) {
      throw new TypeError(`${at}.${list} must be an array of strings when given`);
    }
  }
  return to as Target;
}
