import type { Peer } from '../../client/types.js';
import type { ChatStrings, Locale } from '../../i18n/strings.js';
import { listNames } from './locale.js';

/** Someone the panel shows typing: in one of its rooms, or (`private`) a message to you. */
export interface ShownTypist {
  readonly peer: Peer;
  readonly private: boolean;
}

/**
 * Who the panel shows typing. Its one log holds every room's messages and
 * your private ones, so it shows everyone typing in any of them, each once,
 * in the order they started; someone typing only privately to you is marked
 * so, as private messages are in the log.
 */
export function shownTypists(typists: ReadonlyMap<string, readonly Peer[]>, rooms: readonly string[]): ShownTypist[] {
  const shown = new Map<string, ShownTypist>();
  for (const room of rooms) for (const peer of typists.get(room) ?? []) if (!shown.has(peer.id)) shown.set(peer.id, { peer, private: false });
  for (const [key, peers] of typists) {
    if (!key.startsWith('@')) continue;
    for (const peer of peers) if (!shown.has(peer.id)) shown.set(peer.id, { peer, private: true });
  }
  return [...shown.values()];
}

/** "Ada is typing…", "Ada and Bob (private) are typing…", "3 people are typing…"; '' for nobody. */
export function typingText(shown: readonly ShownTypist[], t: ChatStrings, locale: Locale): string {
  if (shown.length === 0) return '';
  const names = shown.map(({ peer, private: privately }) => {
    const name = peer.name || peer.id;
    return privately ? t.typingPrivately(name) : name;
  });
  return t.typing(listNames(names, locale), shown.length);
}
