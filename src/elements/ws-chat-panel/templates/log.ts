import { html, nothing } from 'lit';
import { guard } from 'lit/directives/guard.js';
import { repeat } from 'lit/directives/repeat.js';
import type { ChatMessage, ChatNotice } from '../../../client/types.js';
import { readWatch } from '../../../controllers/read-watch-directive.js';
import { retryCanHelp } from '../../../protocol/constants.js';
import { dayLabel, dayOf, fullDateTime } from '../days.js';
import { formatTime } from '../locale.js';
import { chunks, COLLAPSE_ABOVE, longText } from '../long-text.js';
import { displayName } from '../people.js';
import { tokensOf } from '../text-tokens.js';
import { mentionsYou } from '../mentions-you.js';
import { messageText } from './message-text.js';
import { icon } from './icons.js';
import type { Item } from '../message-list.js';
import type { PanelView } from './view.js';

/** The message log: the window of messages and notices the reader is at, with "show earlier" above it while there are more. */
export function logTemplate(view: PanelView) {
  const { t, list, scroll, locale, connection, people, history } = view;
  const { items } = list;
  const { first } = scroll;
  // Every entry rendered: what is above them is the relay's to give (or nothing, at the beginning).
  const marker = first > 0 || !history.started ? '' : history.loading ? t.loadingEarlier : history.more || !items.length ? '' : t.conversationStart;
  return html`
    <div
      class="stream"
      part="stream"
      role="log"
      aria-live="polite"
      aria-label=${t.messageLog}
      aria-busy=${view.quiet || scroll.busy ? 'true' : nothing}
      tabindex="0"
      @scroll=${view.onScroll}
    >
      <p class="marker" role="status">${marker}</p>
      ${first > 0 || (history.more && !history.loading)
        ? html`<button class="link-button earlier" @click=${first > 0 ? scroll.showEarlier : history.older}>${t.showEarlier}</button>`
        : nothing}
      ${items.length === 0 ? html`<p class="empty"><slot name="empty">${t.emptyStream}</slot></p>` : nothing}
      ${repeat(
        withDays(items.slice(first, scroll.end)),
        (entry) => entry.key,
        // Each entry renders again only when something it shows changed (a busy log renders every
        // frame, hundreds of entries): the entry itself (a new object when it changes), whether it
        // is shown whole, the language, the connection (a pending message says whether it waits
        // for it), who is online (names shared, whom a private message was for).
        (entry) =>
          entry.kind === 'message'
            ? guard(
                [entry.message, list.isExpanded(entry.key), t, locale, connection.status, people.online, view.rooms.length, view.receipts, view.readers.get(entry.key), isPartial(view, entry.message)],
                () => messageTemplate(view, entry.message),
              )
            : entry.kind === 'notice'
              ? guard([entry.notice, t], () => noticeTemplate(view, entry.notice))
              : guard([entry.day, view.today.today, locale], () => dayTemplate(view, entry)),
      )}
    </div>
  `;
}

/** A day separator: it starts the entries of one day in the log, and is no entry of the log itself. */
interface DayEntry {
  readonly kind: 'day';
  readonly key: string;
  readonly day: number;
  readonly ts: number;
}

/**
 * The window's entries with a separator before the first of each day, the
 * first of the window included (whatever is above it). Keyed by the day, a
 * separator stays the same element when older entries load above it. Days
 * only go forward: an entry whose clock puts it before the day shown above
 * it stays under that day (and no day is named twice).
 */
function withDays(items: readonly Item[]): (Item | DayEntry)[] {
  const entries: (Item | DayEntry)[] = [];
  let last = -Infinity;
  for (const item of items) {
    const owner = item.kind === 'message' ? item.message : item.notice;
    const day = dayOf(owner, owner.ts);
    if (day > last) {
      entries.push({ kind: 'day', key: `\u0000day:${day}`, day, ts: owner.ts });
      last = day;
    }
    entries.push(item);
  }
  return entries;
}

function dayTemplate({ today, locale }: PanelView, entry: DayEntry) {
  const label = dayLabel(entry.ts, entry.day, today, locale);
  // A separator, not a heading: it names what follows without adding a stop to every reader's walk through the log.
  return html`<div class="day" part="day" role="separator" aria-label=${label}><span>${label}</span></div>`;
}

function messageTemplate(view: PanelView, message: ChatMessage) {
  const { t, people } = view;
  const isPrivate = message.to !== undefined;
  const sender = message.own ? t.youSender : displayName(message.from);
  // The same test as notifications use: what is marked is what notified.
  const forYou = !message.own && mentionsYou(message, people.selfId);
  const parts = `message${message.own ? ' message-own' : ''}${isPrivate ? ' message-private' : ''}${forYou ? ' message-mention' : ''}`;
  return html`
    <div
      class="item message ${message.own ? 'own' : ''} ${isPrivate ? 'private' : ''} ${forYou ? 'mentioned' : ''}"
      part=${parts}
      data-state=${message.state ?? nothing}
      data-key=${message.key}
      ${message.own ? nothing : readWatch(view.reads, message)}
    >
      <div class="meta">
        <span class="sender" dir="auto">${sender}</span>
        ${!message.own && message.from.addr && people.sharesName(message.from)
          ? html`<span class="addr">${message.from.addr}</span>`
          : nothing}
        <time datetime=${new Date(message.ts).toISOString()} title=${fullDateTime(message.ts, view.locale)}
          ><span aria-hidden="true">${formatTime(message.ts, view.locale)}</span
          ><span class="visually-hidden">${fullDateTime(message.ts, view.locale)}</span></time
        >
        ${view.rooms.length > 1 && message.room ? html`<span class="room" dir="auto">${message.room}</span>` : nothing}
        ${isPrivate
          ? html`<span class="private-label">${icon('lock')}${message.own ? t.privateTo(people.describe(message.to!, t.youSender)) : t.privateFrom}</span>`
          : nothing}
        ${forYou ? html`<span class="mention-label">${t.mentionsYou}</span>` : nothing}
      </div>
      ${bubbleTemplate(view, message)}
      ${message.own ? deliveryTemplate(view, message) : nothing}
    </div>
  `;
}

function bubbleTemplate({ t, list, people }: PanelView, message: ChatMessage) {
  const text = message.text;
  // The names the mentioned went by when last seen: a name never seen is left as text.
  const names = (message.mentions ?? []).flatMap((id) => people.nameOf(id) ?? []);
  const tokens = tokensOf(message, text, names);
  if (text.length <= COLLAPSE_ABOVE) return html`<div class="bubble" part="bubble" dir="auto">${messageText(text, tokens)}</div>`;
  const expanded = list.isExpanded(message.key);
  const { preview, hidden } = longText(message, text);
  // A link a chunk boundary cuts is two anchors to the same URL, each clickable.
  let at = 0;
  return html`<div class="bubble" part="bubble" dir="auto" ?data-collapsed=${!expanded}>${expanded
      ? chunks(message, text).map((chunk) => html`<span class="chunk">${messageText(text, tokens, at, (at += chunk.length))}</span>`)
      : messageText(text, tokens, 0, preview.length)}</div>
    <button class="link-button more" part="more" aria-expanded=${expanded ? 'true' : 'false'} @click=${() => list.toggleExpanded(message.key)}>
      ${expanded ? t.showLess : t.showMore(hidden)}
    </button>`;
}

function deliveryTemplate(view: PanelView, message: ChatMessage) {
  const { t, connection, retry } = view;
  const state = message.state ?? 'pending';
  const content =
    state === 'pending'
      ? html`${icon('clock')}${connection.status === 'online' ? t.pending : t.waiting}`
      : state === 'sent'
        ? html`${icon('check')}${t.sent}`
        : state === 'delivered'
          ? html`${icon('checks')}${t.delivered}`
          : state === 'read'
            ? html`${icon('eye')}${t.read}`
            : html`${icon('alert')}${t.failed(t.errors[message.error ?? ''] ?? message.error ?? '')}
            ${retryCanHelp(message.error ?? '')
              ? html`<button class="link-button" @click=${() => retry(message)}>${t.retry}</button>`
              : nothing}`;
  return html`<span class="delivery" part="delivery" data-state=${state}>${content}${readersTemplate(view, message)}</span>`;
}

/** Under your own message to a room that keeps read positions (not a large one): "Seen by…", and its answer once asked. */
function readersTemplate({ t, protocol, people, rooms, readers, locale }: PanelView, message: ChatMessage) {
  const room = message.room ?? rooms[0];
  if (protocol !== 'v1' || !message.own || message.to || message.offset === undefined || room === undefined || people.rooms.get(room)?.partial) return nothing;
  const answer = readers.get(message.key);
  let text = '';
  if (answer?.state === 'loading') text = t.checkingReaders;
  else if (answer?.state === 'failed') text = answer.tooLarge ? t.readersTooLarge : t.readersFailed;
  else if (answer?.state === 'done') {
    const names = answer.peers.slice(0, READERS_NAMED).map(displayName);
    if (answer.count > names.length) names.push(t.readersMore(answer.count - names.length));
    text = t.readBy(answer.count, new Intl.ListFormat(locale, { style: 'narrow', type: 'conjunction' }).format(names));
  }
  return html`<button class="link-button readers" part="readers-button" @click=${() => readers.ask(message, room)}>${t.seenBy}</button>
    <span class="readers-answer" part="readers" role="status">${text}</span>`;
}

/** Whether the message's room is a large one (no read positions, so no "Seen by…"). */
const isPartial = ({ people, rooms }: PanelView, message: ChatMessage): boolean => people.rooms.get(message.room ?? rooms[0] ?? '')?.partial === true;

/** Names shown of the readers of a room message; the rest are counted. */
const READERS_NAMED = 3;

function noticeTemplate({ t }: PanelView, notice: ChatNotice) {
  const name = notice.peer ? displayName(notice.peer) : '';
  const text = notice.kind === 'join' ? t.joined(name) : notice.kind === 'leave' ? t.left(name) : t.gap;
  return html`<div class="item notice ${notice.kind}" part="notice" role=${notice.kind === 'gap' ? 'alert' : nothing}>
    ${text}
  </div>`;
}
