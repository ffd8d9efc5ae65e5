// How the panel finds links in a message's text (src/elements/ws-chat-panel/text-tokens.ts):
// only http, https and mailto URLs written with their scheme, without the
// sentence's punctuation, never anything else, in one pass over any text.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { tokenize, tokensIn, type Token } from '../../src/elements/ws-chat-panel/text-tokens.js';

const links = (text: string) => tokenize(text).flatMap((token) => (token.kind === 'link' ? [text.slice(token.start, token.end)] : []));
const hrefs = (text: string) => tokenize(text).flatMap((token) => (token.kind === 'link' ? [token.href] : []));
const joined = (text: string, tokens: readonly Token[]) => tokens.map((token) => text.slice(token.start, token.end)).join('');

/** Text made of the pieces links are made of, and of what surrounds and attacks them. */
const linkish = fc
  .array(
    fc.oneof(
      fc.constantFrom('http://', 'https://', 'HTTPS://', 'mailto:', 'javascript:', 'JaVaScRiPt:', 'data:', 'vbscript:', 'a@b.c', 'example.com', '/', '?q=1', '#x'),
      fc.constantFrom(' ', '\n', '.', ',', '(', ')', '[', ']', '"', "'", '<', '>', '。', '，', '）', '\u202e', '\u2066', '\u0000', '\t', '&#106;', 'аpple', '中文'),
      fc.string({ unit: 'binary', maxLength: 6 }),
    ),
    { maxLength: 40 },
  )
  .map((pieces) => pieces.join(''));

describe('text-tokens: links in a message', () => {
  it('covers any text whole and in order, and every link parses to an allowed scheme', () => {
    fc.assert(
      fc.property(fc.oneof(linkish, fc.string({ unit: 'binary', maxLength: 200 })), (text) => {
        const tokens = tokenize(text);
        assert.equal(joined(text, tokens), text);
        let at = 0;
        for (const token of tokens) {
          assert.equal(token.start, at);
          assert.ok(token.end > token.start);
          at = token.end;
          if (token.kind === 'link') assert.ok(['http:', 'https:', 'mailto:'].includes(new URL(token.href).protocol), token.href);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('links http, https and mailto URLs written with their scheme, in any case', () => {
    assert.deepEqual(links('see https://example.com/a?b=c#d now'), ['https://example.com/a?b=c#d']);
    assert.deepEqual(links('HTTP://EXAMPLE.COM'), ['HTTP://EXAMPLE.COM']);
    assert.deepEqual(hrefs('HTTP://EXAMPLE.COM'), ['http://example.com/']);
    assert.deepEqual(links('write to mailto:ada@example.com.'), ['mailto:ada@example.com']);
    assert.deepEqual(links('a https://a.example b http://b.example'), ['https://a.example', 'http://b.example']);
  });

  it('leaves bare domains, other schemes and glued schemes as text', () => {
    for (const text of ['example.com', 'www.example.com', 'ftp://example.com', 'xhttps://example.com', 'git+https://example.com', 'https://', 'http:// example.com', 'mailto:', 'mailto:nobody']) {
      assert.deepEqual(links(text), [], text);
    }
  });

  it('never links javascript:, data: or vbscript:, however spelt', () => {
    const hostile = [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      ' javascript:alert(1)',
      'java\tscript:alert(1)',
      'java\nscript:alert(1)',
      '\u0001javascript:alert(1)',
      'javascript&#58;alert(1)',
      '&#106;avascript:alert(1)',
      'jav&#x09;ascript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'DATA:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
      'vbscript:msgbox(1)',
      'javascript://example.com/%0Aalert(1)',
      'mailto:javascript:alert(1)',
    ];
    for (const text of hostile) {
      for (const token of tokenize(text)) assert.equal(token.kind, 'text', text);
    }
    // A URL that carries such text links to its own host, never to a script.
    for (const href of hrefs('https://example.com/?next=javascript:alert(1) http://example.com/javascript:alert(1)')) {
      assert.match(href, /^https?:\/\/example\.com\//);
    }
  });

  it("gives the sentence's punctuation back", () => {
    assert.deepEqual(links('Look: https://example.com.'), ['https://example.com']);
    assert.deepEqual(links('(https://example.com/a)'), ['https://example.com/a']);
    assert.deepEqual(links('https://en.wikipedia.org/wiki/Lit_(film), right?'), ['https://en.wikipedia.org/wiki/Lit_(film)']);
    assert.deepEqual(links('"https://example.com/x"!'), ['https://example.com/x']);
    assert.deepEqual(links("'https://example.com/x'?"), ['https://example.com/x']);
    assert.deepEqual(links('[https://example.com/x]'), ['https://example.com/x']);
    assert.deepEqual(links('<https://example.com/x>'), ['https://example.com/x']);
    assert.deepEqual(links('见https://example.com/路径。好的'), ['https://example.com/路径']);
    assert.deepEqual(links('（https://example.com/x）'), ['https://example.com/x']);
    assert.deepEqual(links('链接https://example.com，谢谢'), ['https://example.com']);
  });

  it('shows a look-alike host as written, and its real host in the href', () => {
    // The first letter is Cyrillic.
    const [href] = hrefs('https://аpple.com/login');
    assert.equal(href, 'https://xn--pple-43d.com/login');
  });

  it('ends a link at a bidi control, so no override can sit inside one', () => {
    assert.deepEqual(links('https://example.com/\u202Egnp.exe'), ['https://example.com/']);
    assert.deepEqual(links('\u202Ehttps://example.com/abc\u202C'), ['https://example.com/abc']);
    for (const link of links('\u2067https://a.example/\u2069x \u200fhttps://b.example\u200e')) assert.doesNotMatch(link, /[\u200e\u200f\u202a-\u202e\u2066-\u2069]/);
  });

  it('reads a 10,000-character URL, 2,000 URLs and 64 KB of near-misses in one pass each', () => {
    const long = `https://example.com/${'a'.repeat(10_000)}`;
    assert.deepEqual(links(`${long} end`), [long]);
    const many = Array.from({ length: 2000 }, (_, i) => `https://example.com/${i}`).join(' ');
    assert.equal(links(many).length, 2000);
    // Candidates the URL parser refuses, five times what the relay accepts: scanning each to the
    // end again was quadratic (0.7-0.9 s on 64 KB, about 20 s on these); one pass takes milliseconds.
    for (const hostile of ['http://['.repeat(40_000), 'mailto:'.repeat(45_000), 'https://a'.repeat(35_000), '('.repeat(150_000) + 'https://a.b' + ')'.repeat(150_000)]) {
      const started = process.hrtime.bigint();
      assert.equal(joined(hostile, tokenize(hostile)), hostile);
      assert.ok(Number(process.hrtime.bigint() - started) / 1e9 < 2, `${hostile.slice(0, 12)}… took over 2 s`);
    }
  });

  it('cuts tokens to a range, a link split in two keeping its href', () => {
    const text = 'go https://example.com/abc now';
    const tokens = tokenize(text);
    const left = tokensIn(tokens, 0, 10);
    const right = tokensIn(tokens, 10, text.length);
    assert.equal(joined(text, left) + joined(text, right), text);
    assert.deepEqual(left.at(-1), { kind: 'link', start: 3, end: 10, href: 'https://example.com/abc' });
    assert.deepEqual(right[0], { kind: 'link', start: 10, end: 26, href: 'https://example.com/abc' });
  });
});

describe('text-tokens: mentions in a message', () => {
  const mentioned = (text: string, names: string[]) =>
    tokenize(text, names).flatMap((token) => (token.kind === 'mention' ? [text.slice(token.start, token.end)] : []));

  it('covers any text whole with any names, each mention being @ and one of them', () => {
    const names = fc.array(fc.oneof(fc.constantFrom('Ada', 'Ada Lovelace', '李雷', 'Bob', 'a@b'), fc.string({ maxLength: 6 })), { maxLength: 5 });
    const text = fc.array(fc.oneof(fc.constantFrom('@', '@Ada', '@Ada Lovelace', '@李雷', ' ', 'x', 'https://e.com/@Ada', '.'), fc.string({ maxLength: 5 })), { maxLength: 30 }).map((p) => p.join(''));
    fc.assert(
      fc.property(text, names, (input, list) => {
        const tokens = tokenize(input, list);
        assert.equal(joined(input, tokens), input);
        for (const token of tokens) if (token.kind === 'mention') assert.equal(input.slice(token.start, token.end), `@${token.name}`);
      }),
      { numRuns: 2000 },
    );
  });

  it('finds @name as a word, the longest name first, never inside a link or an address', () => {
    assert.deepEqual(mentioned('hi @Ada and @Bob!', ['Ada']), ['@Ada']);
    assert.deepEqual(mentioned('@Ada Lovelace, look', ['Ada', 'Ada Lovelace']), ['@Ada Lovelace']);
    assert.deepEqual(mentioned('@Adam is not @Ada', ['Ada']), ['@Ada']);
    assert.deepEqual(mentioned('mail ada@Ada.com', ['Ada']), []);
    assert.deepEqual(mentioned('see https://example.com/@Ada', ['Ada']), []);
    assert.deepEqual(mentioned('你好@李雷，在吗', ['李雷']), ['@李雷']);
    assert.deepEqual(mentioned('@Ada', []), []);
  });
});
