// Unread messages and desktop notifications (issue 17, item 3), over a real
// relay: the count of what arrived where the reader could not see it (the
// log scrolled up, the tab hidden) and its clearing once seen; the title
// badge; ws-chat-unread; and notifications, asked for only from a click.
//
// The tab is hidden by giving `document.visibilityState` the browser's
// answer for a background tab and dispatching `visibilitychange`, as the
// browser does: the test runner keeps one page in the foreground.
//
// The notifications permission is set through the browser itself (CDP
// permission overrides, test/support/permission-plugin.ts). Headless
// Chromium answers a real request with `denied` and keeps that answer for
// the origin for the rest of the run, so the one test that lets a request
// reach the browser runs last.
import { expect, fixture, html } from '@open-wc/testing';
import { executeServerCommand, sendKeys } from '@web/test-runner-commands';
import '../../src/define.js';
import type { UnreadDetail, WsChatPanel } from '../../src/index.js';
import { getDefaultMessageCenter } from '../../src/index.js';
import { axeFindings } from '../support/axe.js';
import type { NotificationPermissionSetting } from '../support/permission-plugin.js';
import { shadow, startRelay, waitForBubble, waitForChinese, waitForStatus } from '../support/panel.js';
import { waitFor } from '../support/wait.js';

const setPermission = (setting: NotificationPermissionSetting) => executeServerCommand('notification-permission', { setting });

function setVisibility(state: DocumentVisibilityState): void {
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => state });
  Object.defineProperty(document, 'hidden', { configurable: true, get: () => state === 'hidden' });
  document.dispatchEvent(new Event('visibilitychange'));
}

function restoreVisibility(): void {
  // The instance's own properties shadow the browser's getters; without them the browser answers again.
  delete (document as { visibilityState?: unknown }).visibilityState;
  delete (document as { hidden?: unknown }).hidden;
  document.dispatchEvent(new Event('visibilitychange'));
}

interface Shown {
  title: string;
  body: string;
  tag: string;
  notification: Notification;
}

/** Records every notification the page creates, through the browser's own constructor. */
function recordNotifications(): { shown: Shown[]; restore: () => void } {
  const Real = window.Notification;
  const shown: Shown[] = [];
  class Recorded extends Real {
    constructor(title: string, options: NotificationOptions = {}) {
      super(title, options);
      shown.push({ title, body: options.body ?? '', tag: options.tag ?? '', notification: this });
    }
  }
  window.Notification = Recorded as typeof Notification;
  return { shown, restore: () => void (window.Notification = Real) };
}

/** Counts the calls of the browser's requestPermission, passing each on to it. */
function spyOnRequestPermission(): { calls: () => number; restore: () => void } {
  const real = Notification.requestPermission;
  let calls = 0;
  Notification.requestPermission = ((...args: Parameters<typeof real>) => {
    calls += 1;
    return real.apply(Notification, args);
  }) as typeof real;
  return { calls: () => calls, restore: () => void (Notification.requestPermission = real) };
}

interface PanelOptions {
  id?: string;
  attributes?: Record<string, string>;
  history?: number;
}

async function panel(url: string, name: string, { id, attributes = {}, history = 0 }: PanelOptions = {}): Promise<WsChatPanel> {
  const chat = document.createElement('ws-chat-panel');
  chat.url = url;
  chat.userName = name;
  chat.history = history;
  if (id) chat.id = id;
  for (const [attribute, value] of Object.entries(attributes)) chat.setAttribute(attribute, value);
  document.body.append(chat);
  await waitForStatus(chat, 'online');
  return chat;
}

const badge = (chat: WsChatPanel) => shadow(chat).querySelector('[part="unread"]');
const badgeText = (chat: WsChatPanel) => badge(chat)?.querySelector('.visually-hidden')?.textContent ?? '';
const pill = (chat: WsChatPanel) => shadow(chat).querySelector('.new-pill')?.textContent?.trim() ?? '';
const offer = (chat: WsChatPanel) => shadow(chat).querySelector<HTMLElement>('[part="notify-offer"]');

/** Every `ws-chat-unread` that `chat` fires, in order. */
function unreadEvents(chat: WsChatPanel): UnreadDetail[] {
  const seen: UnreadDetail[] = [];
  chat.addEventListener('ws-chat-unread', (event) => seen.push(event.detail));
  return seen;
}

/** Fills the reader's log until it scrolls, and waits until it shows the latest. */
async function fillLog(writer: WsChatPanel, reader: WsChatPanel, count = 30): Promise<HTMLElement> {
  const before = reader.messages.length;
  for (let i = 0; i < count; i++) writer.send(`filler ${i}`);
  await waitFor(() => reader.messages.length === before + count, `${reader.userName} got the filler`);
  await reader.updateComplete;
  const log = shadow(reader).querySelector<HTMLElement>('.stream')!;
  await waitFor(() => log.scrollHeight > log.clientHeight && log.scrollHeight - log.scrollTop - log.clientHeight < 5, 'the log scrolls, kept at its latest');
  return log;
}

async function scrollTo(reader: WsChatPanel, log: HTMLElement, where: 'top' | 'bottom'): Promise<void> {
  log.scrollTop = where === 'top' ? 0 : log.scrollHeight;
  log.dispatchEvent(new Event('scroll'));
  await reader.updateComplete;
}

describe('<ws-chat-panel> unread messages', () => {
  const originalTitle = document.title;

  afterEach(() => {
    restoreVisibility();
    for (const chat of document.querySelectorAll('ws-chat-panel')) chat.remove();
    document.title = originalTitle;
  });

  it('counts messages from others that arrive while the log is scrolled up, in the header and the pill, until the reader scrolls to the latest', async () => {
    const relay = await startRelay();
    const ada = await panel(relay.url, 'Ada');
    const bob = await panel(relay.url, 'Bob');
    const log = await fillLog(ada, bob);
    expect(bob.unread, 'what arrived in view is seen').to.deep.equal({ count: 0, mentions: 0 });
    const events = unreadEvents(bob);
    const onBus: number[] = [];
    const off = getDefaultMessageCenter().on('chat:unread', (detail) => {
      if (detail.panel === 'Bob') onBus.push(detail.count);
    });

    await scrollTo(bob, log, 'top');
    ada.send('one');
    ada.send('two');
    ada.send('three');
    await waitFor(() => bob.unread.count === 3, () => `three unread (has ${bob.unread.count})`);
    // Bob's own message and someone joining are not news for Bob.
    const cy = await panel(relay.url, 'Cy');
    await waitFor(() => bob.roster.length === 3, 'Cy in Bob\'s roster');
    await bob.updateComplete;
    expect(badgeText(bob)).to.equal('3 unread messages');
    expect(badge(bob)!.querySelector('[aria-hidden="true"]')!.textContent).to.equal('3');
    expect(badge(bob)!.closest('[aria-live], [role="status"], [role="log"]'), 'the badge is no live region').to.equal(null);
    expect(pill(bob)).to.equal('3 new messages');

    await scrollTo(bob, log, 'bottom');
    await waitFor(() => bob.unread.count === 0, 'cleared at the latest');
    await bob.updateComplete;
    expect(badge(bob), 'no badge once seen').to.equal(null);
    expect(pill(bob)).to.equal('');
    expect(events.map((detail) => detail.count)).to.deep.equal([1, 2, 3, 0]);
    expect(events.every((detail) => detail.mentions === 0)).to.equal(true);
    expect(onBus, 'the bus hears the same').to.deep.equal([1, 2, 3, 0]);
    off();
    cy.remove();
  });

  it('counts what arrives while the tab is hidden, even at the latest, and clears when the tab is visible again', async () => {
    const relay = await startRelay();
    const ada = await panel(relay.url, 'Ada');
    const bob = await panel(relay.url, 'Bob');
    const events = unreadEvents(bob);
    setVisibility('hidden');
    ada.send('while you were away');
    ada.send('and this', { ids: [bob.roster.find((peer) => peer.name === 'Bob')!.id] });
    await waitForBubble(bob, 'and this');
    bob.send('my own, from page code');
    await waitFor(() => bob.messages.at(-1)?.state === 'sent', 'Bob\'s own message sent');
    expect(bob.unread.count, 'two from Ada; Bob\'s own does not count, nor clear them').to.equal(2);
    await bob.updateComplete;
    expect(badgeText(bob)).to.equal('2 unread messages');
    expect(pill(bob), 'at the latest: nothing below to jump to').to.equal('');

    setVisibility('visible');
    await waitFor(() => bob.unread.count === 0, 'cleared once visible at the latest');
    expect(events.map((detail) => detail.count)).to.deep.equal([1, 2, 0]);
  });

  it('does not count the history the relay replays on opening, even into a hidden tab', async () => {
    const relay = await startRelay();
    const ada = await panel(relay.url, 'Ada');
    for (let i = 0; i < 5; i++) ada.send(`earlier ${i}`);
    await waitFor(() => ada.messages.every((message) => message.state === 'sent'), 'all five logged');
    setVisibility('hidden');
    const bob = await panel(relay.url, 'Bob', { history: 50 });
    const events = unreadEvents(bob);
    await waitForBubble(bob, 'earlier 4');
    ada.send('new one');
    await waitForBubble(bob, 'new one');
    expect(bob.unread.count, 'only the live one').to.equal(1);
    expect(events.map((detail) => detail.count)).to.deep.equal([1]);
  });

  it('title-badge puts the count before the page\'s title, summed over panels, and restores the title exactly when seen or removed', async () => {
    document.title = 'Support — Acme';
    const relay = await startRelay();
    const ada = await panel(relay.url, 'Ada');
    const bob = await panel(relay.url, 'Bob', { attributes: { 'title-badge': '' } });
    const cy = await panel(relay.url, 'Cy', { attributes: { 'title-badge': '' } });
    const dee = await panel(relay.url, 'Dee'); // counts, but not in the title
    setVisibility('hidden');
    ada.send('hello all');
    await waitFor(() => bob.unread.count === 1 && cy.unread.count === 1 && dee.unread.count === 1, 'one unread in each');
    await waitFor(() => document.title === '(2) Support — Acme', () => `the title badged with both panels' count (is "${document.title}")`);
    ada.send('and again');
    await waitFor(() => document.title === '(4) Support — Acme', () => `the sum again (is "${document.title}")`);

    cy.remove();
    await waitFor(() => document.title === '(2) Support — Acme', () => `Cy's share gone with it (is "${document.title}")`);
    setVisibility('visible');
    await waitFor(() => document.title === 'Support — Acme', () => `restored once seen (is "${document.title}")`);

    setVisibility('hidden');
    ada.send('once more');
    await waitFor(() => document.title === '(1) Support — Acme', () => `badged again (is "${document.title}")`);
    bob.remove();
    expect(document.title, 'restored when the panel leaves the page').to.equal('Support — Acme');
  });

  it('title-badge adopts a title the page sets meanwhile, and restores that one', async () => {
    document.title = 'Inbox';
    const relay = await startRelay();
    const ada = await panel(relay.url, 'Ada');
    const bob = await panel(relay.url, 'Bob', { attributes: { 'title-badge': '' } });
    setVisibility('hidden');
    ada.send('one');
    await waitFor(() => document.title === '(1) Inbox', () => `badged (is "${document.title}")`);
    document.title = 'Inbox — 2 drafts';
    ada.send('two');
    await waitFor(() => document.title === '(2) Inbox — 2 drafts', () => `badged over the page's new title (is "${document.title}")`);
    setVisibility('visible');
    await waitFor(() => document.title === 'Inbox — 2 drafts', () => `the page's latest title back (is "${document.title}")`);
    expect(bob.unread.count).to.equal(0);
  });

  it('axe finds nothing with the badge and the notifications button shown, in English and Chinese, light and dark', async () => {
    await setPermission('default');
    const relay = await startRelay();
    const findings: string[] = [];
    for (const [lang, theme] of [['en', 'light'], ['zh-CN', 'dark']] as const) {
      const root = await fixture<HTMLElement>(html`
        <div lang=${lang} style="display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; width: 1240px">
          <ws-chat-panel url=${relay.url} user-name="Ada" id="ada" theme=${theme} history="0"></ws-chat-panel>
          <ws-chat-panel url=${relay.url} user-name="Bob" id="bob" theme=${theme} history="0" notify title-badge></ws-chat-panel>
        </div>
      `);
      const [ada, bob] = [...root.querySelectorAll('ws-chat-panel')] as [WsChatPanel, WsChatPanel];
      for (const chat of [ada, bob]) await waitForStatus(chat, 'online');
      if (lang !== 'en') for (const chat of [ada, bob]) await waitForChinese(chat);
      const button = offer(bob)?.querySelector('button');
      expect(button?.textContent?.trim(), 'the offer').to.equal(lang === 'en' ? 'Turn on notifications' : '开启通知');
      expect(offer(ada), 'no offer without notify').to.equal(null);
      const log = await fillLog(ada, bob);
      await scrollTo(bob, log, 'top');
      ada.send('unread');
      await waitFor(() => bob.unread.count === 1, 'one unread');
      await bob.updateComplete;
      expect(badgeText(bob)).to.equal(lang === 'en' ? '1 unread message' : '1 条未读消息');
      findings.push(...(await axeFindings(root, `${lang}/${theme}/badge and notifications button`)));
      root.remove();
    }
    expect(findings).to.deep.equal([]);
  });

  it('shows a desktop notification for a private message while the tab is hidden: none while visible, none for a broadcast, none without notify', async () => {
    await setPermission('granted');
    const recorded = recordNotifications();
    try {
      const relay = await startRelay();
      const ada = await panel(relay.url, 'Ada');
      const bob = await panel(relay.url, 'Bob', { id: 'bob-panel', attributes: { notify: '' } });
      const cy = await panel(relay.url, 'Cy'); // no notify
      await waitFor(() => ada.roster.length === 3, 'all three in Ada\'s roster');
      const idOf = (name: string) => ada.roster.find((peer) => peer.name === name)!.id;
      expect(offer(bob), 'no offer once granted').to.equal(null);

      ada.send('while you look', { ids: [idOf('Bob')] });
      await waitForBubble(bob, 'while you look');
      setVisibility('hidden');
      ada.send('to everyone');
      await waitForBubble(bob, 'to everyone');
      expect(recorded.shown, 'none while visible, none for a broadcast').to.deep.equal([]);

      const long = `${'word '.repeat(60)}end`;
      ada.send('just for you', { ids: [idOf('Bob')] });
      ada.send(long, { ids: [idOf('Bob')] });
      ada.send('for Cy', { ids: [idOf('Cy')] });
      await waitForBubble(cy, 'for Cy');
      await waitFor(() => recorded.shown.length === 2, () => `two notifications (has ${recorded.shown.length})`);
      const [first, second] = recorded.shown as [Shown, Shown];
      expect(first.title).to.equal('Private message from Ada');
      expect(first.body).to.equal('just for you');
      expect(second.body).to.have.length(140);
      expect(second.body.endsWith('…')).to.equal(true);
      expect(long.startsWith(second.body.slice(0, -1))).to.equal(true);
      expect(first.tag, 'one per conversation: the second replaces the first').to.equal(second.tag);
      expect(first.tag).to.contain('bob-panel');

      // Scrolled up to read, Bob clicks the notification: the page and the panel come forward, at the latest.
      const log = shadow(bob).querySelector<HTMLElement>('.stream')!;
      setVisibility('visible');
      await fillLog(ada, bob);
      await scrollTo(bob, log, 'top');
      ada.send('one more');
      await waitFor(() => bob.unread.count === 1, 'one unread');
      second.notification.dispatchEvent(new Event('click'));
      await bob.updateComplete;
      expect(bob.shadowRoot!.activeElement, 'the log has focus').to.equal(log);
      await waitFor(() => bob.unread.count === 0, 'read once revealed');
    } finally {
      recorded.restore();
    }
  });

  it('takes the offer away as soon as the browser has an answer, however it got one', async () => {
    await setPermission('default');
    const relay = await startRelay();
    const ada = await panel(relay.url, 'Ada', { attributes: { notify: '' } });
    const bob = await panel(relay.url, 'Bob', { attributes: { notify: '' } });
    await waitFor(() => offer(ada) !== null && offer(bob) !== null, 'both panels offer notifications');
    // Allowed elsewhere (another panel, the site's settings): no message, no click here.
    await setPermission('granted');
    await waitFor(() => offer(ada) === null && offer(bob) === null, 'neither offers them any more');
    await setPermission('default');
    await waitFor(() => offer(ada) !== null && offer(bob) !== null, 'undecided again: offered again');
  });

  it('a mention reaches the notification and the mention count of the person mentioned, and nobody else\'s', async () => {
    await setPermission('granted');
    const recorded = recordNotifications();
    try {
      const relay = await startRelay();
      const ada = await panel(relay.url, 'Ada', { id: 'ada-panel', attributes: { notify: '' } });
      const bob = await panel(relay.url, 'Bob', { id: 'bob-panel', attributes: { notify: '' } });
      const cy = await panel(relay.url, 'Cy', { id: 'cy-panel', attributes: { notify: '' } });
      await waitFor(() => ada.roster.length === 3, 'all three in Ada\'s roster');
      const bobId = ada.roster.find((peer) => peer.name === 'Bob')!.id;
      setVisibility('hidden');
      ada.send('@Bob can you look at the build?', undefined, undefined, { mentions: [bobId] });
      await waitForBubble(cy, '@Bob can you look at the build?');
      await waitFor(() => recorded.shown.length === 1, () => `one notification (has ${recorded.shown.length})`);
      await waitFor(() => bob.unread.count === 1, 'Bob has it unread');
      expect(bob.messages.at(-1)?.mentions, 'the ids came over the wire').to.deep.equal([bobId]);
      const [shown] = recorded.shown as [Shown];
      expect(shown.title).to.equal('Ada mentioned you');
      expect(shown.body).to.equal('@Bob can you look at the build?');
      expect(shown.tag.startsWith('ws-chat:bob-panel:'), `Bob's panel's (tag ${shown.tag})`).to.equal(true);
      expect(bob.unread).to.deep.equal({ count: 1, mentions: 1 });
      expect(cy.unread, 'Cy has it unread, not as a mention').to.deep.equal({ count: 1, mentions: 0 });
      expect(ada.unread, 'the sender has nothing unread').to.deep.equal({ count: 0, mentions: 0 });
    } finally {
      recorded.restore();
    }
  });

  it('asks for permission only when its button is pressed: never on load, nor when private messages or mentions arrive; declined, it says so', async () => {
    await setPermission('default');
    expect(Notification.permission, 'this test needs an undecided browser').to.equal('default');
    const spy = spyOnRequestPermission();
    try {
      const relay = await startRelay();
      const ada = await panel(relay.url, 'Ada');
      const bob = await panel(relay.url, 'Bob', { attributes: { notify: '' } });
      await waitFor(() => ada.roster.length === 2, 'both in Ada\'s roster');
      const bobId = ada.roster.find((peer) => peer.name === 'Bob')!.id;
      for (const state of ['visible', 'hidden'] as const) {
        setVisibility(state);
        ada.send(`private while ${state}`, { ids: [bobId] });
        ada.send(`@Bob mentioned while ${state}`, undefined, undefined, { mentions: [bobId] });
        ada.send(`to all while ${state}`);
        await waitForBubble(bob, `to all while ${state}`);
      }
      setVisibility('visible');
      await bob.updateComplete;
      await waitFor(() => bob.messages.some((message) => message.mentions?.includes(bobId)), 'a mention of Bob arrived');
      expect(spy.calls(), 'not asked on load, nor for a message or a mention').to.equal(0);

      const button = offer(bob)!.querySelector('button')!;
      button.focus();
      await sendKeys({ press: 'Enter' });
      await waitFor(() => spy.calls() === 1, 'asked once, on the key press');
      // Headless Chromium answers "denied", as a person declining would.
      await waitFor(() => offer(bob)?.querySelector('[role="status"]') != null, 'the panel says notifications are blocked');
      expect(offer(bob)!.textContent).to.contain('Notifications are blocked');
      expect(offer(bob)!.querySelector('button'), 'nothing left to press').to.equal(null);
      expect(spy.calls()).to.equal(1);
    } finally {
      spy.restore();
    }
  });
});
