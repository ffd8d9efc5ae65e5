import { FieldLimits } from '../protocol/constants.js';

// Control characters, bidi embeddings/overrides/isolates and zero-width
// characters: none belongs in a display name, and each can be used to make
// one name look like another or to reorder the text around it.
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

/** A display name as the relay shows it: visible characters, single spaces, at most 64 code points. */
export function cleanName(raw: string | undefined | null): string {
  if (!raw) return '';
  const cleaned = raw.replace(INVISIBLE, '').replace(/\s+/g, ' ').trim();
  return [...cleaned].slice(0, FieldLimits.maxNameLength).join('').trim();
}
