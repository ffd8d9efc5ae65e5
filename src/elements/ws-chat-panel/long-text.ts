// Long messages: laying out a whole 64 KB message (the most the relay
// accepts) takes longer than a frame, so the panel shows a preview of it
// behind "show more", and the whole of it in chunks the browser lays out
// only as they scroll into view (content-visibility). Measured by
// `npm run bench:panel -- --only=long`.

/** Messages longer than this (UTF-16 code units) are shown collapsed. */
export const COLLAPSE_ABOVE = 2000;
/** About how much of a collapsed message is shown: about what its bubble (24 lines at most) shows. */
const PREVIEW_LENGTH = 800;
/** About how much text each chunk of an expanded message holds. */
const CHUNK_LENGTH = 2000;
/**
 * At most this many lines in the preview, and in a chunk: 30,000 empty lines
 * are 60 KB too. (Each chunk has a cost of its own: 300 chunks of 100 lines
 * took 60-95 ms of CPU to show, 60 of 500 lines 13-24 ms.)
 */
const PREVIEW_LINES = 20;
const CHUNK_LINES = 500;

export interface LongText {
  /** The start of the text, cut at a line break, a space, or at least between two characters. */
  readonly preview: string;
  /** Characters (code points) after the preview. */
  readonly hidden: number;
}

const segmenter = typeof Intl !== 'undefined' && 'Segmenter' in Intl ? new Intl.Segmenter(undefined, { granularity: 'grapheme' }) : undefined;
/** How far back from the ideal cut a line break or a space is looked for. */
const SLACK = 0.2;
/** How far around the ideal cut grapheme boundaries are looked for. */
const GRAPHEME_WINDOW = 64;

/**
 * Where to cut `text` at about `at`: after the last line break or space in the
 * last fifth before it, else at the grapheme boundary before it, else (inside
 * one enormous cluster, such as a pile of combining marks) at least not
 * between the two halves of a surrogate pair.
 */
function cutPoint(text: string, at: number): number {
  if (at >= text.length) return text.length;
  const floor = Math.floor(at * (1 - SLACK));
  const newline = text.lastIndexOf('\n', at - 1);
  if (newline >= floor) return newline + 1;
  for (let i = at - 1; i >= floor; i--) {
    const code = text.charCodeAt(i);
    if (code === 0x20 || code === 0x09 || code === 0x3000) return i + 1;
  }
  if (segmenter) {
    const start = Math.max(0, at - GRAPHEME_WINDOW);
    const end = Math.min(text.length, at + GRAPHEME_WINDOW);
    let best = -1;
    // The window's own edges are not boundaries of the text: skip them.
    for (const { index } of segmenter.segment(text.slice(start, end))) {
      const boundary = start + index;
      if (boundary > start && boundary <= at) best = boundary;
    }
    if (best > 0) return best;
  }
  const code = text.charCodeAt(at - 1);
  return code >= 0xd800 && code <= 0xdbff ? at - 1 : at;
}

const SURROGATE_PAIR = /[\uD800-\uDBFF][\uDC00-\uDFFF]/g;
/** `at`, or less: just after the `lines`-th line break, if that comes first. */
function withinLines(text: string, at: number, lines: number): number {
  let newline = -1;
  for (let line = 0; line < lines; line++) {
    newline = text.indexOf('\n', newline + 1);
    if (newline < 0 || newline >= at) return at;
  }
  return newline + 1;
}

const previews = new WeakMap<object, LongText>();
const chunkLists = new WeakMap<object, readonly string[]>();

/** The preview of `text`, computed once per `owner` (the message object). */
export function longText(owner: object, text: string): LongText {
  let found = previews.get(owner);
  if (!found) {
    const preview = text.slice(0, cutPoint(text, withinLines(text, PREVIEW_LENGTH, PREVIEW_LINES)));
    const rest = text.slice(preview.length);
    // Code points, not UTF-16 units (an emoji is one, not two). A regular
    // expression, not a loop: a cold loop over 64 KB took 2–6 ms.
    found = { preview, hidden: rest.length - (rest.match(SURROGATE_PAIR)?.length ?? 0) };
    previews.set(owner, found);
  }
  return found;
}

/** `text` in pieces of about CHUNK_LENGTH, cut as `cutPoint` cuts; computed once per `owner`. */
export function chunks(owner: object, text: string): readonly string[] {
  let found = chunkLists.get(owner);
  if (!found) {
    const list: string[] = [];
    let rest = text;
    for (;;) {
      const end = withinLines(rest, CHUNK_LENGTH, CHUNK_LINES);
      if (end >= rest.length) break;
      const cut = cutPoint(rest, end);
      list.push(rest.slice(0, cut));
      rest = rest.slice(cut);
    }
    if (rest) list.push(rest);
    found = list;
    chunkLists.set(owner, found);
  }
  return found;
}
