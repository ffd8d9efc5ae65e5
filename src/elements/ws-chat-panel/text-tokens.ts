// What in a message's text is more than text: links. A message is never
// parsed as markup; the text is cut into ranges, and a link is a range whose
// URL the browser's own parser read and whose scheme is on the allow-list.
// Only URLs written with their scheme become links (no bare domains: a
// sentence that ends "see example.com" stays a sentence), and every scan is
// one pass over the text, so 64 KB of hostile text costs what 64 KB of prose
// does.

/** A range of the text, `[start, end)` in UTF-16 units. */
export type Token =
  | { readonly kind: 'text'; readonly start: number; readonly end: number }
  | { readonly kind: 'link'; readonly start: number; readonly end: number; readonly href: string };

/** The only schemes that become links: a `javascript:` or `data:` URL stays text, whatever its spelling. */
const ALLOWED = new Set(['http:', 'https:', 'mailto:']);

const SCHEME = /(?:https?:\/\/|mailto:)/gi;
/**
 * What a URL as written runs on through: not spaces or controls, not the
 * characters that delimit URLs in text (`<>"`), not bidi controls (text that
 * would make the link look like another URL), not CJK punctuation (Chinese
 * puts none of its spaces around a URL: "见https://example.com。").
 */
const BODY = /[^\s\p{Cc}<>"\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65]*/uy;
/** A URL's last characters that belong to the sentence around it. */
const TRAILING = /[.,!?;:'*_~]/;
/** A scheme glued to a word or to another scheme ("xhttps://", "git+https://") is not one. */
const GLUED = /[A-Za-z0-9+.-]/;

/**
 * The text as ranges, in order, covering it whole (adjacent text merged):
 * links, and the text between them.
 */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let textStart = 0;
  SCHEME.lastIndex = 0;
  for (let match = SCHEME.exec(text); match; match = SCHEME.exec(text)) {
    const start = match.index;
    BODY.lastIndex = start + match[0].length;
    BODY.exec(text);
    const bodyEnd = BODY.lastIndex;
    // A candidate that is no link is skipped whole: scanning inside it again would make the pass quadratic.
    SCHEME.lastIndex = bodyEnd;
    if (start > 0 && GLUED.test(text[start - 1]!)) continue;
    const end = trimEnd(text, start + match[0].length, bodyEnd);
    const href = checked(text.slice(start, end));
    if (href === undefined) continue;
    if (start > textStart) tokens.push({ kind: 'text', start: textStart, end: start });
    tokens.push({ kind: 'link', start, end, href });
    textStart = end;
    SCHEME.lastIndex = end;
  }
  if (textStart < text.length) tokens.push({ kind: 'text', start: textStart, end: text.length });
  return tokens;
}

/**
 * Where the URL in `text[from, end)` ends once the sentence's punctuation is
 * given back: trailing full stops, commas, quotes, and a closing bracket that
 * closes nothing opened inside the URL ("(see https://en.wikipedia.org/wiki/Lit_(film))").
 */
function trimEnd(text: string, from: number, end: number): number {
  let open = 0;
  let close = 0;
  for (let i = from; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x28 || code === 0x5b) open++;
    else if (code === 0x29 || code === 0x5d) close++;
  }
  while (end > from) {
    const last = text[end - 1]!;
    if (TRAILING.test(last)) end--;
    else if ((last === ')' || last === ']') && close > open) {
      close--;
      end--;
    } else break;
  }
  return end;
}

/** The URL as the browser reads it, when it is one of the allowed schemes and names a host (or, for mail, an address). */
function checked(written: string): string | undefined {
  let url: URL;
  try {
    url = new URL(written);
  } catch {
    return undefined;
  }
  if (!ALLOWED.has(url.protocol)) return undefined;
  if (url.protocol === 'mailto:' ? !url.pathname.includes('@') : !url.hostname) return undefined;
  return url.href;
}

/** The tokens that overlap `[start, end)`, cut to it: a chunk of a long message, or its preview. */
export function tokensIn(tokens: readonly Token[], start: number, end: number): Token[] {
  let low = 0;
  let high = tokens.length;
  // The first token ending after `start`.
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (tokens[middle]!.end <= start) low = middle + 1;
    else high = middle;
  }
  const found: Token[] = [];
  for (let i = low; i < tokens.length && tokens[i]!.start < end; i++) {
    const token = tokens[i]!;
    found.push({ ...token, start: Math.max(token.start, start), end: Math.min(token.end, end) });
  }
  return found;
}

const cache = new WeakMap<object, readonly Token[]>();

/** `tokenize(text)`, computed once per `owner` (the message object). */
export function tokensOf(owner: object, text: string): readonly Token[] {
  let found = cache.get(owner);
  if (!found) cache.set(owner, (found = tokenize(text)));
  return found;
}
