// How the panel cuts a long message into a preview and into chunks
// (src/elements/ws-chat-panel/long-text.ts): nothing is lost or reordered,
// no character is split in two, and no piece is long.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { chunks, longText } from '../../src/elements/ws-chat-panel/long-text.js';

/** Long text of every kind: any Unicode, words, lines, emoji sequences, piles of combining marks. */
const piece = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.string({ unit: fc.constantFrom('a', 'b', ' ', '\n', '中', '文', '，'), maxLength: 3000 }),
  fc.constantFrom('W'.repeat(5000), '\n'.repeat(3000), `Z${'\u0336'.repeat(4000)}`, '👨\u200d👩\u200d👧\u200d👦'.repeat(400), 'word '.repeat(900)),
);
const longTexts = fc.array(piece, { minLength: 1, maxLength: 8 }).map((pieces) => pieces.join(''));

const splitsPair = (text: string, at: number) => at > 0 && at < text.length && /[\uD800-\uDBFF]/.test(text[at - 1]!) && /[\uDC00-\uDFFF]/.test(text[at]!);
const lines = (text: string) => text.split('\n').length - 1;
const codePoints = (text: string) => [...text].length;

describe('long-text: previews and chunks of long messages', () => {
  it('chunks are the whole text in order, each at most 2,000 units and 500 line breaks, none splitting a surrogate pair', () => {
    fc.assert(
      fc.property(longTexts, (text) => {
        const list = chunks({}, text);
        assert.equal(list.join(''), text);
        let at = 0;
        for (const chunk of list) {
          assert.ok(chunk.length > 0 && chunk.length <= 2000, `a chunk of ${chunk.length}`);
          assert.ok(lines(chunk) <= 500, `a chunk of ${lines(chunk)} lines`);
          at += chunk.length;
          assert.ok(!splitsPair(text, at), `split a surrogate pair at ${at}`);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('the preview is the start of the text, at most 800 units and 20 line breaks, and counts what it leaves out in code points', () => {
    fc.assert(
      fc.property(longTexts.filter((text) => text.length > 2000), (text) => {
        const { preview, hidden } = longText({}, text);
        assert.ok(text.startsWith(preview));
        assert.ok(preview.length > 0 && preview.length <= 800, `a preview of ${preview.length}`);
        assert.ok(lines(preview) <= 20);
        assert.ok(!splitsPair(text, preview.length));
        assert.equal(hidden, codePoints(text.slice(preview.length)));
      }),
      { numRuns: 300 },
    );
  });

  it('cuts prose at a space and lines at their end, not inside a word', () => {
    const prose = 'The quick brown fox jumps over the lazy dog. '.repeat(100);
    const { preview } = longText({}, prose);
    assert.ok(preview.endsWith(' '), JSON.stringify(preview.slice(-10)));
    for (const chunk of chunks({}, prose).slice(0, -1)) assert.ok(chunk.endsWith(' '));
    const poem = 'a line of a poem\n'.repeat(300);
    assert.ok(longText({}, poem).preview.endsWith('\n'));
  });

  it('keeps a grapheme whole when one is near: an emoji family is never cut apart', () => {
    const family = '👨\u200d👩\u200d👧\u200d👦';
    const text = family.repeat(400);
    const { preview } = longText({}, text);
    assert.equal(preview.length % family.length, 0, 'the preview ends between two families');
    for (const chunk of chunks({}, text)) assert.equal(chunk.length % family.length, 0);
  });

  it('computes each once per message object', () => {
    const message = {};
    const text = 'x'.repeat(5000);
    assert.equal(longText(message, text), longText(message, text));
    assert.equal(chunks(message, text), chunks(message, text));
  });
});
