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
  /** Peer ids the message mentions, as `message.mentions` carries them: the mentioned person's panel marks it. */
  readonly mentions?: readonly string[];
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
 * nothing: a batch with one bad message is refused whole. Whole messages
 * are kept as they are, not copied.
 */
export function toChatMessages(messages: unknown): ChatMessage[] {
  if (!Array.isArray(messages)) throw new TypeError('addMessages: messages must be an array');
  const completed = new Array<ChatMessage>(messages.length);
  for (let index = 0; index < messages.length; index++) completed[index] = toChatMessage(messages[index], index);
  return completed;
}

/** What `addMessages` says about message `index` (built only when it refuses: batches run to 10,000). */
function refuse(index: number, field: string, problem: string): never {
  throw new TypeError(`addMessages: messages[${index}]${field} ${problem}`);
}

type Writable<T> = { -readonly [K in keyof T]: T[K] };

function toChatMessage(input: unknown, index: number): ChatMessage {
  if (!isObject(input)) refuse(index, '', `must be an object (got ${input === null ? 'null' : typeof input})`);
  const from = sender(input.from, index);

  if (input.key !== undefined && (typeof input.key !== 'string' || input.key === '')) refuse(index, '.key', 'must be a non-empty string when given');
  const key = input.key as string | undefined;
  let id: string;
  if (typeof input.id === 'string' && input.id !== '') id = input.id;
  else if (typeof input.id === 'number' && Number.isFinite(input.id)) id = String(input.id);
  else if (input.id === undefined && key !== undefined) id = key;
  else refuse(index, '.id', 'must be a non-empty string or a number (it identifies the message when there is no key)');

  if (input.text !== undefined && typeof input.text !== 'string') refuse(index, '.text', 'must be a string when given');
  if (input.text === undefined && input.data === undefined) refuse(index, '.data', 'is missing (and there is no text to show instead)');
  const text = (input.text as string | undefined) ?? payloadText(input.data);
  if (text.trim() === '') refuse(index, input.text !== undefined ? '.text' : '.data', 'is empty: there would be nothing to show');

  const ts = time(input.ts, index);
  if (input.own !== undefined && typeof input.own !== 'boolean') refuse(index, '.own', 'must be a boolean when given');
  const own = input.own === true;
  if (input.state !== undefined && !STATES.has(input.state as string)) refuse(index, '.state', `must be one of ${[...STATES].join(', ')} when given`);
  if (input.offset !== undefined && !(Number.isInteger(input.offset) && (input.offset as number) >= 0)) refuse(index, '.offset', 'must be a whole number ≥ 0 when given');
  if (input.error !== undefined && typeof input.error !== 'string') refuse(index, '.error', 'must be a string when given');
  const to = input.to === undefined ? undefined : target(input.to, index);
  if (input.mentions !== undefined && !(Array.isArray(input.mentions) && input.mentions.every((id) => typeof id === 'string' && id !== ''))) {
    refuse(index, '.mentions', 'must be an array of peer ids (non-empty strings) when given');
  }

  // A whole ChatMessage (from a ws-chat-message event, say) is kept as it is.
  const whole =
    key !== undefined &&
    id === input.id &&
    from === input.from &&
    input.text !== undefined &&
    input.data !== undefined &&
    ts === input.ts &&
    input.own !== undefined &&
    (!own || input.state !== undefined);
  if (whole) return input as unknown as ChatMessage;

  const message: Writable<ChatMessage> = {
    // The client tells a resend from a new message by its sender's name and its
    // id: so does the derived key (by the peer id only when there is no name).
    // The sender's length before it keeps "a:b" + "c" apart from "a" + "b:c".
    key: key ?? (from.name ? `history:n${from.name.length}:${from.name}:${id}` : `history:i${from.id.length}:${from.id}:${id}`),
    id,
    from,
    data: input.data === undefined ? text : input.data,
    text,
    ts,
    own,
  };
  if (input.offset !== undefined) message.offset = input.offset as number;
  if (to) message.to = to;
  if ((input.mentions as readonly string[] | undefined)?.length) message.mentions = input.mentions as readonly string[];
  if (own) message.state = (input.state as DeliveryState | undefined) ?? 'sent';
  if (input.error !== undefined) message.error = input.error as string;
  if (input.replay === true) message.replay = true;
  return message;
}

function sender(from: unknown, index: number): Peer {
  if (typeof from === 'string' && from !== '') return { id: '', name: from, addr: '' };
  if (!isObject(from)) refuse(index, '.from', 'must be a peer ({ name } or { id }) or a non-empty name');
  const { id, name, addr } = from;
  // A whole peer is kept as it is.
  if (typeof id === 'string' && typeof name === 'string' && typeof addr === 'string' && (name !== '' || id !== '')) return from as Peer;
  if (id !== undefined && typeof id !== 'string') refuse(index, '.from.id', 'must be a string when given');
  if (name !== undefined && typeof name !== 'string') refuse(index, '.from.name', 'must be a string when given');
  if (addr !== undefined && typeof addr !== 'string') refuse(index, '.from.addr', 'must be a string when given');
  const peer = { id: (id as string | undefined) ?? '', name: (name as string | undefined) ?? '', addr: (addr as string | undefined) ?? '' };
  if (peer.name === '' && peer.id === '') refuse(index, '.from', 'needs a name or an id: the panel shows who sent each message');
  return peer;
}

function time(ts: unknown, index: number): number {
  const value = ts instanceof Date ? ts.getTime() : typeof ts === 'string' ? Date.parse(ts) : ts;
  // The range a Date can hold: the panel formats every timestamp.
  if (typeof value !== 'number' || !Number.isFinite(value) || Math.abs(value) > 8.64e15) {
    refuse(index, '.ts', `must be a time: ms since the epoch, a Date, or a date string (got ${typeof ts === 'string' ? JSON.stringify(ts) : String(ts)})`);
  }
  return value;
}

function target(to: unknown, index: number): Target {
  if (!isObject(to)) refuse(index, '.to', 'must be an object { ids?, names?, addrs? } when given');
  for (const list of TARGET_LISTS) {
    const value = to[list];
    if (value !== undefined && !(Array.isArray(value) && value.every((entry) => typeof entry === 'string'))) {
      refuse(index, `.to.${list}`, 'must be an array of strings when given');
    }
  }
  return to as Target;
}
