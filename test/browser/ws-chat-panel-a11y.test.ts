// Accessibility of the chat panel, measured in every state a person meets,
// against a real relay: axe on two panels side by side (so landmarks must tell
// them apart) in both themes and both built-in languages, and the keyboard
// paths axe cannot see: where focus goes when the control holding it goes
// away, and whether a message that scrolls can be reached and scrolled.
import { expect, fixture, html } from '@open-wc/testing';
import type { ElementContext } from 'axe-core';
import { emulateMedia, executeServerCommand, sendKeys, setViewport } from '@web/test-runner-commands';
import '../../src/define.js';
import type { WsChatPanel } from '../../src/index.js';
import { avatarColor } from '../../src/elements/ws-chat-panel/avatar.js';
import { axeFindings } from '../support/axe.js';
import { contrastRatio } from '../support/contrast.js';
import {
  relayCommand,
  shadow,
  startRelay,
  toggleRecipient,
  typeAndSend,
  waitForBubble,
  waitForChinese,
  waitForStatus,
  type RelayInfo,
} from '../support/panel.js';
import { waitFor } from '../support/wait.js';

/** Sixty lines: far taller than a bubble may grow, so the bubble scrolls. */
const LONG = Array.from({ length: 60 }, (_, i) => `line ${i + 1} of a long message`).join('\n');
const MAX_FRAME_BYTES = 4096;

/**
 * One of your own messages that failed with an error a retry can fix (the
 * relay could not store it), as `addMessages` restores it from a store: the
 * client now refuses what the relay would refuse for good before sending, and
 * sends again by itself what the relay only delays.
 */
const failedRetryable = () => ({
  key: `restored:${Math.random()}`,
  id: 'restored-1',
  from: { id: '', name: 'Ada', addr: '' },
  data: 'could not be stored',
  text: 'could not be stored',
  ts: Date.now(),
  own: true,
  state: 'failed' as const,
  error: 'internal',
});

type Theme = 'light' | 'dark' | 'auto';

async function twoPanels(relay: RelayInfo, { theme = 'auto', lang = 'en' }: { theme?: Theme; lang?: string } = {}) {
  const root = await fixture<HTMLElement>(html`
    <message-center-provider>
      <div lang=${lang} style="display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; width: 1240px">
        ${['Ada', 'Bob'].map(
          (name) => html`<ws-chat-panel url=${relay.url} user-name=${name} id=${name.toLowerCase()} theme=${theme}></ws-chat-panel>`,
        )}
      </div>
    </message-center-provider>
  `);
  const [ada, bob] = [...root.querySelectorAll('ws-chat-panel')] as [WsChatPanel, WsChatPanel];
  for (const panel of [ada, bob]) await waitForStatus(panel, 'online');
  // Chinese loads after the first render: check it, not the English shown meanwhile.
  if (lang !== 'en') for (const panel of [ada, bob]) await waitForChinese(panel);
  await waitFor(() => ada.roster.length === 2 && bob.roster.length === 2, 'both in both rosters');
  return { root, ada, bob };
}

const find = <T extends Element = HTMLElement>(panel: WsChatPanel, selector: string): T => {
  const element = shadow(panel).querySelector<T>(selector);
  if (!element) throw new Error(`no ${selector} in ${panel.userName}'s panel`);
  return element;
};

/** Presses Enter on a control in the panel, as a keyboard user does, and lets the panel render what follows. */
async function pressEnterOn(panel: WsChatPanel, selector: string): Promise<void> {
  find(panel, selector).focus();
  await sendKeys({ press: 'Enter' });
  await panel.updateComplete;
}

/**
 * Where the keyboard focus is, as text: `panel-id > tag.class` inside a
 * panel, or the page element holding it. (Elements themselves make chai's
 * failure message walk the whole panel.)
 */
function focusedElement(): string {
  const active = document.activeElement;
  const inner = active?.shadowRoot?.activeElement;
  const describe = (element: Element) => `${element.localName}${element.className ? `.${String(element.className).trim().split(/\s+/).join('.')}` : ''}`;
  if (!active) return 'nothing';
  return inner ? `${active.id} > ${describe(inner)}` : describe(active);
}

/** Walks two panels through every state, running axe on both at each one; returns what axe found. */
async function findingsInEveryState(theme: Theme, lang: string): Promise<string[]> {
  const relay = await startRelay({ maxFrameBytes: MAX_FRAME_BYTES });
  const { root, ada, bob } = await twoPanels(relay, { theme, lang });
  const findings: string[] = [];
  const scan = async (state: string, covered?: string) => {
    await Promise.all([ada.updateComplete, bob.updateComplete]);
    // ResizeObservers report in the frame after a render (a long bubble becomes a Tab stop then): let one pass.
    await new Promise((frame) => requestAnimationFrame(() => requestAnimationFrame(frame)));
    // What lies under an overlay cannot be read (axe cannot tell its contrast); it is scanned uncovered in the other states.
    const context: ElementContext = covered ? { include: [root], exclude: [{ fromShadowDom: ['#ada', covered] }] } : root;
    findings.push(...(await axeFindings(context, `${theme}/${lang}/${state}`)));
  };

  await scan('idle');

  await typeAndSend(ada, 'Hello Bob');
  await waitForBubble(bob, 'Hello Bob');
  await typeAndSend(bob, 'Hi Ada');
  await waitForBubble(ada, 'Hi Ada');
  await toggleRecipient(ada, 'Bob');
  await typeAndSend(ada, 'just for you');
  await waitForBubble(bob, 'just for you');
  await waitFor(() => ['delivered', 'read'].includes(ada.messages.at(-1)?.state ?? ''), 'the private message delivered (and read, once Bob\'s panel showed it)');
  await scan('chatting, a recipient picked, a private message delivered');

  bob.send(LONG);
  await waitForBubble(ada, LONG);
  await scan('a long message');

  // A refusal from the relay (no Retry: it cannot help), and one a retry can fix, as an application's own store would restore it.
  ada.send('to someone who is not there', { ids: ['nobody-here'] });
  await waitFor(() => ada.messages.at(-1)?.state === 'failed', 'the message to nobody refused');
  ada.addMessages([failedRetryable()]);
  await ada.updateComplete;
  await waitFor(() => find(ada, '.delivery button') !== null, 'a Retry button');
  await scan('failed messages');

  ada.style.maxWidth = '22rem';
  await waitFor(() => find(ada, 'aside').hasAttribute('hidden'), 'the roster folds away on a narrow panel');
  find(ada, '.roster-toggle').click();
  await waitFor(() => !find(ada, 'aside').hasAttribute('hidden'), 'the roster opens over the narrow panel');
  await scan('roster open over a narrow panel', '.stream');
  find(ada, '.roster-toggle').click();
  ada.style.maxWidth = '';

  await relayCommand('stop', relay.id);
  await waitForStatus(ada, 'reconnecting');
  ada.send('said while away');
  await waitFor(() => ada.messages.at(-1)?.state === 'pending', 'the message kept as pending');
  await scan('offline, a message pending');
  return findings;
}

describe('<ws-chat-panel> accessibility', () => {
  before(() => setViewport({ width: 1280, height: 900 }));
  afterEach(() => emulateMedia({ colorScheme: 'light' }));

  for (const theme of ['light', 'dark'] as const) {
    for (const lang of ['en', 'zh-CN']) {
      it(`axe finds nothing in any state: theme="${theme}", lang="${lang}", two panels`, async () => {
        expect(await findingsInEveryState(theme, lang)).to.deep.equal([]);
      });
    }
  }

  it('axe finds nothing in any state: theme="auto" under a dark colour scheme', async () => {
    await emulateMedia({ colorScheme: 'dark' });
    expect(await findingsInEveryState('auto', 'en')).to.deep.equal([]);
  });

  for (const theme of ['light', 'dark'] as const) {
    it(`axe finds nothing with protocol="legacy" (the addresses field instead of a roster), theme="${theme}"`, async () => {
      const original = await executeServerCommand<{ url: string }, object>('original-start', {});
      const root = await fixture<HTMLElement>(html`
        <div style="display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; width: 1240px">
          <ws-chat-panel protocol="legacy" url=${original.url} user-name="Ada" id="ada" theme=${theme}></ws-chat-panel>
          <ws-chat-panel protocol="legacy" url=${original.url} user-name="Bob" id="bob" theme=${theme}></ws-chat-panel>
        </div>
      `);
      const [ada, bob] = [...root.querySelectorAll('ws-chat-panel')] as [WsChatPanel, WsChatPanel];
      await waitForStatus(ada, 'online');
      await waitForStatus(bob, 'online');
      const findings = await axeFindings(root, `legacy/${theme}/idle`);
      await typeAndSend(ada, 'hello, old server');
      await waitForBubble(bob, 'hello, old server');
      const addresses = find<HTMLInputElement>(ada, '#addresses');
      addresses.value = '127.0.0.1';
      addresses.dispatchEvent(new Event('input'));
      await Promise.all([ada.updateComplete, bob.updateComplete]);
      findings.push(...(await axeFindings(root, `legacy/${theme}/chatting, an address typed`)));
      expect(findings).to.deep.equal([]);
    });
  }

  it('initials are 4.5:1 against their avatar at every hue a name can give', () => {
    const hues = new Map<number, string>();
    for (let i = 0; hues.size < 360 && i < 100_000; i++) {
      const color = avatarColor(`peer-${i}`);
      hues.set(Number(/hsl\((\d+)/.exec(color)![1]), color);
    }
    expect(hues.size).to.equal(360);
    const weak = [...hues.values()].filter((color) => contrastRatio('#ffffff', color) < 4.5);
    expect(weak, 'avatar colours under 4.5:1 with white initials').to.deep.equal([]);
  });

  for (const theme of ['light', 'dark'] as const) {
    it(`the textbox's edge and the focus ring stand out 3:1 from what surrounds them (WCAG 1.4.11), theme="${theme}"`, async () => {
      const { ada } = await twoPanels(await startRelay(), { theme });
      const style = (selector: string) => getComputedStyle(find(ada, selector));
      const edge = style('textarea').borderTopColor;
      expect(contrastRatio(edge, style('form').backgroundColor), 'edge against the composer').to.be.at.least(3);
      expect(contrastRatio(edge, style('textarea').backgroundColor), 'edge against the textbox').to.be.at.least(3);
      find(ada, '.roster-toggle').focus();
      await sendKeys({ press: 'Tab' });
      expect(focusedElement()).to.equal('ada > div.stream');
      const ring = style('.stream');
      expect(ring.outlineStyle).to.equal('solid');
      // The ring is drawn over the panel's own box (the host is only a box the page places, without a background).
      expect(contrastRatio(ring.outlineColor, ring.backgroundColor === 'rgba(0, 0, 0, 0)' ? style('.panel').backgroundColor : ring.backgroundColor)).to.be.at.least(3);
    });
  }

  it('Enter on a recipient chip\'s remove button moves focus to the textbox, not to the page', async () => {
    const { ada } = await twoPanels(await startRelay());
    await toggleRecipient(ada, 'Bob');
    await pressEnterOn(ada, '.chip button');
    expect(shadow(ada).querySelector('.chip button') === null, 'the chip is gone').to.equal(true);
    expect(focusedElement()).to.equal('ada > textarea');
  });

  it('the roster over a narrow panel gets out of the way: it closes when you go to write, and on Escape, back to its button', async () => {
    const { ada } = await twoPanels(await startRelay());
    ada.style.maxWidth = '22rem';
    const aside = () => find(ada, 'aside');
    await waitFor(() => aside().hasAttribute('hidden'), 'the roster folds away on a narrow panel');

    await pressEnterOn(ada, '.roster-toggle');
    await waitFor(() => !aside().hasAttribute('hidden'), 'the roster opens over the log');
    await toggleRecipient(ada, 'Bob');
    expect(aside().hasAttribute('hidden'), 'picking someone leaves it open: you may pick more').to.equal(false);
    find(ada, 'textarea').focus();
    await ada.updateComplete;
    expect(aside().hasAttribute('hidden'), 'going to the textbox closes it, so it no longer covers the conversation').to.equal(true);
    expect(find(ada, '.chip').textContent, 'the pick stays').to.contain('Bob');
    expect(find(ada, '.roster-toggle').getAttribute('aria-expanded')).to.equal('false');

    await pressEnterOn(ada, '.roster-toggle');
    await waitFor(() => !aside().hasAttribute('hidden'), 'open again');
    find(ada, 'button.peer:not([disabled])').focus();
    expect(focusedElement(), 'a person in the roster').to.equal('ada > button.peer');
    await sendKeys({ press: 'Escape' });
    await ada.updateComplete;
    expect(aside().hasAttribute('hidden'), 'Escape closes it').to.equal(true);
    expect(focusedElement(), 'and focus goes back to the button that opened it').to.equal('ada > button.roster-toggle');

    // Wide again, the roster is beside the log: writing does not hide it.
    ada.style.maxWidth = '';
    await waitFor(() => !aside().hasAttribute('hidden'), 'shown beside the log');
    find(ada, 'textarea').focus();
    await ada.updateComplete;
    expect(aside().hasAttribute('hidden')).to.equal(false);
  });

  it('Retry by keyboard leaves focus in the message log', async () => {
    const { ada } = await twoPanels(await startRelay());
    ada.addMessages([failedRetryable()]);
    await ada.updateComplete;
    await pressEnterOn(ada, '.delivery button');
    expect(focusedElement()).to.equal('ada > div.stream');
  });

  it('"N new messages" by keyboard jumps to the latest and leaves focus in the message log', async () => {
    const { ada, bob } = await twoPanels(await startRelay());
    for (let i = 0; i < 30; i++) ada.send(`filler ${i}`);
    await waitFor(() => bob.messages.length === 30, 'Bob got the filler');
    await bob.updateComplete;
    const stream = find(bob, '.stream');
    await waitFor(() => stream.scrollHeight - stream.scrollTop - stream.clientHeight < 5, 'kept at the bottom');
    stream.scrollTop = 0;
    stream.dispatchEvent(new Event('scroll'));
    ada.send('while you were reading');
    await waitFor(() => shadow(bob).querySelector('.new-pill') !== null, 'the pill');
    await pressEnterOn(bob, '.new-pill');
    expect(shadow(bob).querySelector('.new-pill') === null, 'the pill is gone').to.equal(true);
    expect(focusedElement()).to.equal('bob > div.stream');
  });

  it('"Reconnect now" by keyboard leaves focus in the panel once it goes away', async () => {
    const relay = await startRelay();
    const { ada } = await twoPanels(relay);
    await relayCommand('stop', relay.id);
    await waitForStatus(ada, 'reconnecting');
    find(ada, '.status button').focus();
    await relayCommand('resume', relay.id);
    await sendKeys({ press: 'Enter' });
    await waitForStatus(ada, 'online');
    expect(shadow(ada).querySelector('.status button') === null, 'the button is gone').to.equal(true);
    expect(focusedElement()).to.equal('ada > textarea');
  });

  it('a message too long for its bubble is a Tab stop and scrolls with the arrow keys; a short one is not', async () => {
    const { ada, bob } = await twoPanels(await startRelay());
    bob.send('short');
    bob.send(LONG);
    await waitForBubble(ada, LONG);
    const [short, long] = [...shadow(ada).querySelectorAll<HTMLElement>('.bubble')] as [HTMLElement, HTMLElement];
    expect(long.scrollHeight, 'the long bubble overflows').to.be.greaterThan(long.clientHeight);
    await waitFor(() => long.tabIndex === 0, 'the long bubble in the tab order');
    expect(short.hasAttribute('tabindex'), 'a short bubble is no Tab stop').to.equal(false);

    find(ada, '.stream').focus();
    await sendKeys({ press: 'Tab' });
    expect(focusedElement(), 'Tab from the log reaches the long message').to.equal('ada > div.bubble');
    await sendKeys({ press: 'ArrowDown' });
    await sendKeys({ press: 'ArrowDown' });
    await waitFor(() => long.scrollTop > 0, 'the arrow keys scroll the long message');
  });

  it('a panel moved in the page (detached, re-attached) still makes its long messages Tab stops, old and new', async () => {
    const { ada, bob } = await twoPanels(await startRelay());
    bob.send(LONG);
    await waitForBubble(ada, LONG);
    const first = shadow(ada).querySelector<HTMLElement>('.bubble')!;
    await waitFor(() => first.tabIndex === 0, 'the long bubble in the tab order');
    const home = ada.parentElement!;
    home.append(ada); // moved: disconnected and connected again
    await waitForStatus(ada, 'online');
    bob.send(`${LONG}\nagain`);
    await waitForBubble(ada, `${LONG}\nagain`);
    const second = [...shadow(ada).querySelectorAll<HTMLElement>('.bubble')].at(-1)!;
    await waitFor(() => second.tabIndex === 0, 'the new long bubble in the tab order');
    expect(first.tabIndex).to.equal(0);
  });
});
