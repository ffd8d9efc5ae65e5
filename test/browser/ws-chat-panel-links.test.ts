// Links in messages, through a real relay into real panels: http, https and
// mailto URLs become anchors that open in a new tab and pass nothing on;
// nothing else ever does, whatever the sender wrote; the text shown is the
// text sent, character for character.
import { expect } from '@open-wc/testing';
import { render } from 'lit';
import fc from 'fast-check';
import '../../src/define.js';
import type { WsChatPanel } from '../../src/index.js';
import { tokenize } from '../../src/elements/ws-chat-panel/text-tokens.js';
import { messageText } from '../../src/elements/ws-chat-panel/templates/message-text.js';
import { axeFindings } from '../support/axe.js';
import { conversation, shadow } from '../support/panel.js';
import { waitFor } from '../support/wait.js';

const ALLOWED = ['http:', 'https:', 'mailto:'];


/** Ada sends `text`; resolves with the bubble Bob shows for it. */
async function sendAndShow(ada: WsChatPanel, bob: WsChatPanel, text: string): Promise<HTMLElement> {
  ada.send(text);
  await waitFor(() => bob.messages.some((m) => m.text === text), `Bob has ${JSON.stringify(text.slice(0, 40))}`, 10_000);
  await bob.updateComplete;
  const message = bob.messages.find((m) => m.text === text)!;
  return shadow(bob).querySelector<HTMLElement>(`.message[data-key="${CSS.escape(message.key)}"] .bubble`)!;
}

const anchors = (root: ParentNode) => [...root.querySelectorAll<HTMLAnchorElement>('a')];

describe('<ws-chat-panel> links in messages', () => {
  it('makes http, https and mailto URLs links that open apart, and leaves the rest text', async () => {
    const { ada, bob } = await conversation();
    const text = 'Docs: https://example.com/docs?a=1#top. Mail mailto:ada@example.com, not example.org or ftp://example.net!';
    const bubble = await sendAndShow(ada, bob, text);
    expect(bubble.textContent).to.equal(text);
    const links = anchors(bubble);
    expect(links.map((a) => [a.textContent, a.getAttribute('href')])).to.deep.equal([
      ['https://example.com/docs?a=1#top', 'https://example.com/docs?a=1#top'],
      ['mailto:ada@example.com', 'mailto:ada@example.com'],
    ]);
    for (const link of links) {
      expect(link.target).to.equal('_blank');
      expect(link.rel).to.equal('noopener noreferrer nofollow ugc');
      expect(link.getAttribute('part')).to.equal('link');
    }
    // The sender's own copy shows the same links.
    await waitFor(() => anchors(shadow(ada)).length === 2, "Ada's copy has its two links");
    expect(await axeFindings(bob, 'a message with links')).to.deep.equal([]);
  });

  it('never makes a javascript:, data: or vbscript: URL a link, however it is spelt', async () => {
    const { ada, bob } = await conversation();
    const hostile = [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(document.domain)',
      'java\tscript:alert(1)',
      '&#106;avascript:alert(1)',
      'javascript&colon;alert(1)',
      '\u0000javascript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'vbscript:msgbox(1)',
      '<a href="javascript:alert(1)">x</a>',
      'mailto:javascript:alert(1)',
    ].join('\n');
    const bubble = await sendAndShow(ada, bob, hostile);
    expect(bubble.textContent).to.equal(hostile);
    expect(anchors(shadow(bob)), 'no anchor anywhere in the panel').to.deep.equal([]);
  });

  it("shows a look-alike host as written and the host it really goes to in the link's title", async () => {
    const { ada, bob } = await conversation();
    // The "а" is Cyrillic.
    const bubble = await sendAndShow(ada, bob, 'Log in at https://аpple.com/login');
    const [link] = anchors(bubble);
    expect(link!.textContent).to.equal('https://аpple.com/login');
    expect(link!.title).to.equal('https://xn--pple-43d.com/login');
    expect(link!.hostname).to.equal('xn--pple-43d.com');
  });

  it('lays a link out left to right whatever bidi override comes before it', async () => {
    const { ada, bob } = await conversation();
    // Without isolation the override would show this link as "moc.elpmaxe//:sptth", a URL that is not the one it goes to.
    const bubble = await sendAndShow(ada, bob, '\u202Ehttps://example.com/abc and on');
    const [link] = anchors(bubble);
    expect(link!.textContent).to.equal('https://example.com/abc');
    const node = [...link!.childNodes].find((child): child is Text => child instanceof Text)!;
    const x = (offset: number) => {
      const range = document.createRange();
      range.setStart(node, offset);
      range.setEnd(node, offset + 1);
      return range.getBoundingClientRect().left;
    };
    expect(x(0) < x(node.length - 1), 'the first character is left of the last').to.equal(true);
  });

  it('keeps a 10,000-character URL one clickable link across the chunks of a long message, inside its bubble', async () => {
    const { ada, bob } = await conversation();
    const url = `https://example.com/${'a'.repeat(10_000)}`;
    const text = `Here: ${url} (that was long)`;
    const bubble = await sendAndShow(ada, bob, text);
    // Collapsed: the preview's part of it is a link already, to the whole URL.
    expect(anchors(bubble).map((a) => a.href)).to.deep.equal([url]);
    bubble.parentElement!.querySelector<HTMLButtonElement>('button.more')!.click();
    await waitFor(() => bubble.querySelectorAll('.chunk').length > 1, 'the message shown whole, in chunks');
    await bob.updateComplete;
    expect(bubble.textContent).to.equal(text);
    const parts = anchors(bubble);
    expect(parts.length > 1, 'cut by the chunks').to.equal(true);
    expect(parts.map((a) => a.textContent).join('')).to.equal(url);
    expect(new Set(parts.map((a) => a.href))).to.deep.equal(new Set([url]));
    const box = bubble.getBoundingClientRect();
    for (const part of parts) expect(part.getBoundingClientRect().right <= box.right + 1, 'wrapped inside the bubble').to.equal(true);
  });

  it('shows a message of 2,000 URLs as 2,000 links', async () => {
    const { ada, bob } = await conversation();
    const urls = Array.from({ length: 2000 }, (_, i) => `https://example.com/${i}`);
    const text = urls.join(' ');
    const bubble = await sendAndShow(ada, bob, text);
    bubble.parentElement!.querySelector<HTMLButtonElement>('button.more')!.click();
    await waitFor(() => bubble.textContent === text, 'the message shown whole');
    expect(anchors(bubble).map((a) => a.href)).to.deep.equal(urls);
  });

  it('renders any text as itself, with every link to an allowed scheme (property)', () => {
    const host = document.createElement('div');
    document.body.append(host);
    const pieces = fc.oneof(
      fc.constantFrom('https://', 'HTTP://', 'mailto:', 'javascript:', 'data:', 'a@b.c', 'example.com', ' ', '\n', '.', ')', '(', '"', '<', '>', '&amp;', '。', '\u202e', '\u0000'),
      fc.string({ unit: 'binary', maxLength: 8 }),
    );
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 30 }).map((list) => list.join('')), (text) => {
        render(messageText(text, tokenize(text)), host);
        expect(host.textContent).to.equal(text);
        for (const a of anchors(host)) expect(ALLOWED).to.include(a.protocol);
      }),
      { numRuns: 500 },
    );
    host.remove();
  });
});
