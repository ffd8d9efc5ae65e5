import { FieldLimits } from '../protocol/constants.js';

// Control characters, bidi marks, embeddings, overrides and isolates, and
// invisible characters (zero-width space, soft hyphen, word joiners, BOM):
// none belongs in a display name, and each can make one name look like
// another or reorder the text around it. The zero-width joiner and non-joiner
// stay: emoji sequences and several scripts need them.
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

/** A display name as the relay shows it: visible characters, single spaces, at most 64 code points. */
export function cleanName(raw: string | undefined | null): string {
  if (!raw) return '';
  // Whitespace (tabs, newlines, line separators) becomes one space before the
  // invisible characters go, so "Ada\tLovelace" stays two words.
  const cleaned = raw.replace(/\s+/g, ' ').replace(INVISIBLE, '').replace(/ {2,}/g, ' ').trim();
  return [...cleaned].slice(0, FieldLimits.maxNameLength).join('').trim();
}

/**
 * The `guest-…` name of a user who has no display name: six base64url
 * characters of `digest` (a keyed hash of the user id), so the name tells
 * nothing about the id and two users rarely share one (36 bits).
 */
export function guestName(digest: Buffer): string {
  return `guest-${digest.toString('base64url').slice(0, 6)}`;
}
