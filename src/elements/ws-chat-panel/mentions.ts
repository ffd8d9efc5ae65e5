import type { Peer } from '../../client/types.js';
import { BEFORE_MENTION, tokenize } from './text-tokens.js';

// Mentions in the composer, as text: the `@name` being typed (what the
// picker offers names for), the text once a name is picked, and which of the
// people picked are still mentioned when the message goes. A mention is
// `@` + the person's name as the roster shows it; the wire carries their
// session ids, so two people of one name are still two people.

/** The longest `@query` the picker looks names up for: past it the writer is writing, not picking. */
const MAX_QUERY = 64;

/** The `@name` being typed just before `caret`: where its `@` is and what follows it. */
export function mentionQuery(text: string, caret: number): { readonly start: number; readonly query: string } | undefined {
  const from = Math.max(0, caret - MAX_QUERY - 1);
  for (let i = caret - 1; i >= from; i--) {
    const char = text[i]!;
    if (char === '@') {
      if (i > 0 && BEFORE_MENTION.test(text[i - 1]!)) return undefined;
      return { start: i, query: text.slice(i + 1, caret) };
    }
    if (/\s/.test(char)) return undefined;
  }
  return undefined;
}

/**
 * The people to offer for `query`: names that start with it first, then
 * names with a word that does, without yourself, each person once, at most
 * `limit`. Case and width are ignored as the language ignores them.
 */
export function candidates(peers: readonly Peer[], query: string, selfId: string | undefined, limit = 8): Peer[] {
  const wanted = query.toLocaleLowerCase();
  const starts: Peer[] = [];
  const words: Peer[] = [];
  const seen = new Set<string>();
  for (const peer of peers) {
    if (!peer.name || peer.id === selfId || seen.has(peer.id)) continue;
    seen.add(peer.id);
    const name = peer.name.toLocaleLowerCase();
    if (name.startsWith(wanted)) starts.push(peer);
    else if (wanted && name.split(/\s+/).some((word) => word.startsWith(wanted))) words.push(peer);
  }
  return [...starts, ...words].slice(0, limit);
}

/** `text` with the `@query` from `start` to `caret` replaced by `@name ` (one space after), and where the caret goes. */
export function insertMention(text: string, start: number, caret: number, name: string): { readonly text: string; readonly caret: number } {
  const mention = `@${name} `;
  const after = text.slice(caret).replace(/^ /, '');
  return { text: text.slice(0, start) + mention + after, caret: start + mention.length };
}

/** Whether `@name` stands in `text` as a mention, as the panel shows one (the same tokenizer: not inside a link, not `@Adam` for `@Ada`). */
export function mentions(text: string, name: string): boolean {
  return tokenize(text, [name]).some((token) => token.kind === 'mention');
}

/** The ids of the people picked whose `@name` is still in `text` (the writer may have deleted one). */
export function mentionedIds(text: string, picked: ReadonlyMap<string, string>): string[] {
  return [...picked].filter(([, name]) => mentions(text, name)).map(([id]) => id);
}
