// A corpus of hostile messages through a real relay into a real panel: none
// may run code, become markup, or break the panel's layout.
import { expect, fixture, html } from '@open-wc/testing';
import '../../src/define.js';
import type { WsChatPanel } from '../../src/index.js';
import { payloadText } from '../../src/client/types.js';
import { shadow, startRelay, waitForStatus } from '../support/panel.js';
import { waitFor } from '../support/wait.js';

type Pwned = Window & { __pwned?: unknown };

/** Every entry tries something; `__pwned` is set only if one of them runs. */
const corpus: Array<[string, unknown]> = [
  ['img onerror', '<img src=x onerror="window.__pwned=\'img\'">'],
  ['script', '<script>window.__pwned="script"</script>'],
  ['svg onload', '<svg onload="window.__pwned=\'svg\'"><circle r="5"></circle></svg>'],
  ['iframe srcdoc', '<iframe srcdoc="<script>parent.__pwned=\'iframe\'</script>"></iframe>'],
  ['javascript: link', '<a href="javascript:window.__pwned=\'a\'">click me</a>'],
  ['bare javascript: URL', 'javascript:window.__pwned="url"'],
  ['data: URL', 'data:text/html;base64,PHNjcmlwdD53aW5kb3cuX19wd25lZD0iZGF0YSI8L3NjcmlwdD4='],
  ['style takeover', '<style>:host,*{display:none!important;position:fixed!important}</style>'],
  ['Lit part markers', '<!--?lit$1234$--><?lit$0$>${window.__pwned="lit"}</template>'],
  ['template injection', '{{constructor.constructor("window.__pwned=\'tpl\'")()}}'],
  ['entities', '&lt;b&gt;not bold&lt;/b&gt; &amp; <b>nor this</b>'],
  ['unterminated right-to-left override', 'abc\u202edef ghi jkl'],
  ['unbalanced isolates', '\u2067\u2067\u2067 right to left \u2069'],
  ['filename spoof', 'invoice\u202etxt.exe'],
  ['zero-width characters', 'ze\u200bro\u200cwi\u200ddth\ufeff\u2060\u00ad'],
  ['combining marks (Zalgo)', `Z${'\u0336\u0317\u0353\u0489'.repeat(300)}`],
  ['very long word', 'W'.repeat(20_000)],
  ['very long URL', `https://example.com/${'segment/'.repeat(2000)}`],
  ['many lines', 'line\n'.repeat(5000)],
  ['line separators', 'x\u2028y\u2029z\r\n\t\v\f'.repeat(500)],
  ['emoji sequences', '👨\u200d👩\u200d👧\u200d👦'.repeat(500)],
  ['markup in an object', { text: '<img src=x onerror="window.__pwned=\'obj\'">' }],
  ['markup in JSON', { html: '<svg onload="window.__pwned=\'json\'">', n: 1e308 }],
  ['prototype pollution', JSON.parse('{"__proto__":{"polluted":true},"text":"proto"}')],
  ['huge number', 1e308],
  ['null', null],
];

/** A link the panel made of a URL in a message: an anchor to an allowed scheme with no children, nothing else. */
const isLink = (element: Element) =>
  element instanceof HTMLAnchorElement &&
  element.getAttribute('part') === 'link' &&
  ['http:', 'https:', 'mailto:'].includes(element.protocol) &&
  element.children.length === 0;

const HOSTILE_NAME = '<img src=x onerror="window.__pwned=\'name\'">\u202eeve';

describe('<ws-chat-panel> with hostile input', () => {
  it('shows every hostile message as inert text and keeps its layout', async () => {
    const relay = await startRelay();
    const root = await fixture<HTMLElement>(html`
      <message-center-provider style="display:flex;gap:16px;width:1240px">
        <ws-chat-panel url=${relay.url} user-name=${HOSTILE_NAME} style="width:600px;--ws-chat-panel-height:480px"></ws-chat-panel>
        <ws-chat-panel url=${relay.url} user-name="Bob" style="width:600px;--ws-chat-panel-height:480px"></ws-chat-panel>
      </message-center-provider>
    `);
    const [mallory, bob] = [...root.querySelectorAll('ws-chat-panel')] as [WsChatPanel, WsChatPanel];
    await waitForStatus(mallory, 'online');
    await waitForStatus(bob, 'online');
    await waitFor(() => bob.roster.length === 2, 'Bob sees Mallory');
    const before = bob.getBoundingClientRect();

    for (const [, payload] of corpus) mallory.send(payload);
    await waitFor(() => bob.messages.length === corpus.length, `all ${corpus.length} messages on Bob's side`, 15_000);
    await waitFor(() => mallory.messages.every((m) => m.state === 'sent'), 'all acknowledged');
    for (const panel of [bob, mallory]) await panel.updateComplete;
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));

    // Nothing ran.
    expect((window as Pwned).__pwned, 'no hostile code ran').to.equal(undefined);
    expect(({} as { polluted?: unknown }).polluted, 'no prototype was polluted').to.equal(undefined);

    // The longest arrive collapsed: the start of their text, and a control to
    // show the rest. Expanded, they are checked whole below, like the others.
    for (const panel of [bob, mallory]) {
      const all = [...shadow(panel).querySelectorAll('.bubble')];
      const toggles = [...shadow(panel).querySelectorAll<HTMLButtonElement>('.message button.more')];
      expect(toggles.length, 'the longest messages are collapsed').to.be.greaterThan(0);
      for (const toggle of toggles) {
        const bubble = toggle.closest('.message')!.querySelector('.bubble')!;
        const [name, payload] = corpus[all.indexOf(bubble)]!;
        expect([...bubble.children].every(isLink) && payloadText(payload).startsWith(bubble.textContent!), `${name}: collapsed to its start`).to.equal(true);
        toggle.click();
      }
      await panel.updateComplete;
    }
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));

    for (const [panel, who] of [[bob, 'Bob'], [mallory, 'Mallory']] as const) {
      const tree = shadow(panel);
      // Nothing became markup: the payloads' elements do not exist, and no element has an event handler attribute.
      expect(tree.querySelectorAll('img, script, iframe, a:not([part="link"]), b, style, object, embed, template, circle[r="5"]').length, `${who}: no payload element`).to.equal(0);
      // The one URL with an allowed scheme is a link, to where it says; the javascript: and data: URLs are not.
      const links = [...tree.querySelectorAll<HTMLAnchorElement>('a[part="link"]')];
      expect(links.length > 0 && links.every((a) => a.href === payloadText(corpus.find(([name]) => name === 'very long URL')![1])), `${who}: only the https URL is a link`).to.equal(true);
      const handlers = [...tree.querySelectorAll('*')].filter((el) => [...el.attributes].some((a) => a.name.startsWith('on')));
      expect(handlers.length, `${who}: no element has an on… attribute`).to.equal(0);
      const rendered = [...tree.querySelectorAll('.bubble')];
      expect(rendered.length, `${who}: one bubble per message`).to.equal(corpus.length);
      rendered.forEach((bubble, i) => {
        // Text only: at most the panel's own plain chunks of a long message, and its links.
        const pieces = [...bubble.children];
        const plain = pieces.every(
          (piece) => isLink(piece) || (piece.matches('span.chunk') && piece.attributes.length === 1 && [...piece.children].every(isLink)),
        );
        expect(plain, `${who}: ${corpus[i]![0]} is text only`).to.equal(true);
        expect(bubble.textContent === payloadText(corpus[i]![1]), `${who}: ${corpus[i]![0]} is shown intact`).to.equal(true);
      });
      for (const selector of ['.bubble', '.sender', '.peer-name', '.chip-label']) {
        for (const el of tree.querySelectorAll(selector)) {
          expect(getComputedStyle(el).unicodeBidi, `${who}: ${selector} is bidi-isolated`).to.equal('isolate');
        }
      }

      // The layout holds: the panel keeps its size, nothing sticks out sideways, no bubble grows without bound.
      const box = panel.getBoundingClientRect();
      expect(Math.abs(box.width - before.width) < 1 && Math.abs(box.height - before.height) < 1, `${who}: the panel keeps its size`).to.equal(true);
      const stream = tree.querySelector<HTMLElement>('.stream')!;
      const streamBox = stream.getBoundingClientRect();
      expect(stream.scrollWidth <= stream.clientWidth + 1, `${who}: the message log does not overflow sideways`).to.equal(true);
      const fontSize = parseFloat(getComputedStyle(rendered[0]!).fontSize);
      rendered.forEach((bubble, i) => {
        const b = bubble.getBoundingClientRect();
        const inside = b.left >= streamBox.left - 1 && b.right <= streamBox.right + 1;
        expect(inside, `${who}: ${corpus[i]![0]} stays inside the log horizontally`).to.equal(true);
        expect(b.height <= 26 * fontSize, `${who}: ${corpus[i]![0]} is at most 24 lines tall (${Math.round(b.height)} px)`).to.equal(true);
      });
      for (const part of ['header', 'composer', 'roster']) {
        const el = tree.querySelector<HTMLElement>(`[part~="${part}"]`);
        expect(el !== null && el.getBoundingClientRect().width > 0, `${who}: the ${part} is shown`).to.equal(true);
        if (!el) continue;
        expect(el.scrollWidth <= el.clientWidth + 1, `${who}: the ${part} does not overflow sideways`).to.equal(true);
        const r = el.getBoundingClientRect();
        expect(r.left >= box.left - 1 && r.right <= box.right + 1, `${who}: the ${part} stays inside the panel`).to.equal(true);
      }
      // An override in a message does not reorder the line around it: the sender comes before the time.
      for (const meta of tree.querySelectorAll('.message:not(.own) .meta')) {
        const sender = meta.querySelector('.sender')!.getBoundingClientRect();
        const time = meta.querySelector('time')!.getBoundingClientRect();
        expect(sender.right <= time.left + 1, `${who}: sender before time`).to.equal(true);
      }
    }
    expect(document.documentElement.scrollWidth <= window.innerWidth + 1 || document.documentElement.scrollWidth <= 1240 + 32, 'nothing escapes into the page').to.equal(true);

    // The hostile name: cleaned of its override by the relay, shown as text everywhere.
    const name = bob.roster.find((p) => p.name !== 'Bob')!.name;
    expect(name).to.equal('<img src=x onerror="window.__pwned=\'name\'">eve');
    const peerNames = [...shadow(bob).querySelectorAll('.peer-name')].map((el) => el.textContent ?? '');
    expect(peerNames.some((text) => text.includes('<img src=x'))).to.equal(true);
  });
});
