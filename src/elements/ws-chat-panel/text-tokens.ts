// What in a message's text is more than text: links, and mentions of the
// people the message names on the wire. A message is never
// parsed as markup; the text is cut into ranges, and a link is a range whose
// URL the browser's own parser read and whose scheme is on the allow-list.
// Only URLs written with their scheme become links (no bare domains: a
// sentence that ends "see example.com" stays a sentence), and every scan is
// one pass over the text, so 64 KB of hostile text costs what 64 KB of prose
// does.

/** A range of the text, `[start, end)` in UTF-16 units. */
export type Token =
  | { readonly kind: 'text'; readonly start: number; readonly end: number }
  | { readonly kind: 'link'; readonly start: number; readonly end: number; readonly href: string }
  | { readonly kind: 'mention'; readonly start: number; readonly end: number; readonly name: string };

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
/** What before `@` makes it part of an address (`ada@example.com`), not a mention. Chinese puts no space before one: `你好@李雷`. */
export const BEFORE_MENTION = /[A-Za-z0-9._%+-]/;
/** What after `@name` makes it the start of a longer name (`@Adam` is not `@Ada`); Chinese and Japanese put no space after one. */
const AFTER_MENTION = /(?![\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}])[\p{L}\p{N}_]/u;

/**
 * The text as ranges, in order, covering it whole: links, `@name` for each
 * of `names` (the people the message mentions; the longest name first where
 * one is the start of another), and the text between them. Inside a link is
 * no mention.
 */
export function tokenize(text: string, names: readonly string[] = []): Token[] {
  const tokens: Token[] = [];
  const byLength = names.filter(Boolean).sort((a, b) => b.length - a.length);
  /** Text from `from` to `to`, with its mentions. */
  const plain = (from: number, to: number) => {
    let at = from;
    for (let sign = byLength.length ? text.indexOf('@', from) : -1; sign >= 0 && sign < to; sign = text.indexOf('@', sign + 1)) {
      if (sign > 0 && BEFORE_MENTION.test(text[sign - 1]!)) continue;
      const name = byLength.find(
        (candidate) =>
          sign + 1 + candidate.length <= to && text.startsWith(candidate, sign + 1) && !AFTER_MENTION.test(text[sign + 1 + candidate.length] ?? ''),
      );
      if (name === undefined) continue;
      if (sign > at) tokens.push({ kind: 'text', start: at, end: sign });
      tokens.push({ kind: 'mention', start: sign, end: sign + 1 + name.length, name });
      at = sign + 1 + name.length;
      sign = at - 1;
    }
    if (to > at) tokens.push({ kind: 'text', start: at, end: to });
  };
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
    plain(textStart, start);
    tokens.push({ kind: 'link', start, end, href });
    textStart = end;
    SCHEME.lastIndex = end;
  }
  plain(textStart, text.length);
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

const cache = new WeakMap<object, { readonly names: string; readonly tokens: readonly Token[] }>();

/** `tokenize(text, names)`, computed once per `owner` (the message object) and set of names. */
export function tokensOf(owner: object, text: string, names: readonly string[] = []): readonly Token[] {
  const key = names.join('\u0000');
  let found = cache.get(owner);
  if (found?.names !== key) cache.set(owner, (found = { names: key, tokens: tokenize(text, names) }));
  return found.tokens;
}
