// Read receipts in the panel (issue 17 item 2), over a real relay: a private
// message turns "Read" only once the recipient's panel has shown it (on
// screen, in a visible tab); receipts="off" sends none; "Seen by…" counts
// the readers of a room message, and is not offered in a large room.
import { expect } from '@open-wc/testing';
import { sendKeys, setViewport } from '@web/test-runner-commands';
import '../../src/define.js';
import type { DeliveryState, WsChatPanel } from '../../src/index.js';
import { axeFindings } from '../support/axe.js';
import { shadow, startRelay, waitForBubble, waitForStatus } from '../support/panel.js';
import { waitFor } from '../support/wait.js';

/** Side by side, short enough that all of them are on screen at once. */
function panels(url: string, names: string[], attributes: Record<string, string> = {}): WsChatPanel[] {
  const row = document.createElement('div');
  row.className = 'receipts-row';
  row.style.cssText = `display: grid; grid-template-columns: repeat(${names.length}, 1fr); gap: 8px; --ws-chat-panel-height: 22rem`;
  document.body.append(row);
  return names.map((name) => {
    const chat = document.createElement('ws-chat-panel');
    chat.url = url;
    chat.userName = name;
    chat.setAttribute('history', '0');
    for (const [key, value] of Object.entries(attributes)) chat.setAttribute(key, value);
    row.append(chat);
    return chat;
  });
}

const stateOf = (chat: WsChatPanel, text: string): DeliveryState | undefined => chat.messages.find((m) => m.text === text)?.state;

async function waitForState(chat: WsChatPanel, text: string, state: DeliveryState): Promise<void> {
  await waitFor(() => stateOf(chat, text) === state, () => `"${text}" ${state} on ${chat.userName}'s screen (is ${stateOf(chat, text)})`);
}

/** Sends privately and waits until the relay says the recipient's client has it: its read receipt, if any, would have been sent before. */
async function sendPrivately(from: WsChatPanel, to: WsChatPanel, text: string): Promise<void> {
  const peer = from.roster.find((p) => p.name === to.userName);
  if (!peer) throw new Error(`${to.userName} not in ${from.userName}'s roster`);
  from.send(text, { ids: [peer.id] });
  await waitForBubble(to, text);
  await waitFor(() => ['delivered', 'read'].includes(stateOf(from, text) ?? ''), `"${text}" delivered`);
}

function hideTab(): void {
  Object.defineProperty(document, 'visibilityState', { get: () => 'hidden', configurable: true });
  document.dispatchEvent(new Event('visibilitychange'));
}

function showTab(): void {
  // The property defined on the document shadowed the prototype's getter.
  delete (document as { visibilityState?: unknown }).visibilityState;
  document.dispatchEvent(new Event('visibilitychange'));
}

async function online(...chats: WsChatPanel[]): Promise<void> {
  for (const chat of chats) await waitForStatus(chat, 'online');
  await waitFor(() => chats.every((chat) => chat.roster.length === chats.length), 'everyone in every roster');
}

describe('<ws-chat-panel> read receipts', () => {
  before(async () => {
    await setViewport({ width: 1280, height: 900 });
  });
  afterEach(() => {
    showTab();
    for (const row of document.querySelectorAll('.receipts-row')) row.remove();
  });

  it('shows "Read" on a private message once the recipient\'s panel has shown it, not while its tab is hidden', async () => {
    const relay = await startRelay();
    const [ada, bob] = panels(relay.url, ['Ada', 'Bob']) as [WsChatPanel, WsChatPanel];
    await online(ada, bob);
    expect(document.visibilityState).to.equal('visible');
    hideTab();
    expect(document.visibilityState, 'what the panel reads').to.equal('hidden');
    await sendPrivately(ada, bob, 'while hidden');
    // A second message, delivered after the first was on Bob's screen: a read of the first would have come before it.
    await sendPrivately(ada, bob, 'barrier');
    expect(stateOf(ada, 'while hidden'), 'not read while the tab is hidden').to.equal('delivered');
    expect(stateOf(ada, 'barrier')).to.equal('delivered');
    const delivery = () => shadow(ada).querySelector('.message.own:last-of-type .delivery')!;
    expect(delivery().textContent).to.contain('Delivered');

    showTab();
    await waitForState(ada, 'while hidden', 'read');
    await waitForState(ada, 'barrier', 'read');
    await ada.updateComplete;
    const shown = [...shadow(ada).querySelectorAll('.delivery')].map((line) => [line.getAttribute('data-state'), line.textContent!.trim()]);
    expect(shown).to.deep.equal([
      ['read', 'Read'],
      ['read', 'Read'],
    ]);
    expect(shadow(ada).querySelector('.delivery[data-state="read"] svg'), 'with an icon').to.not.equal(null);
    // Booleans, not elements: chai's message for an element walks the whole panel.
    expect(shadow(ada).querySelector('.delivery .readers') === null, 'no "Seen by…" on a private message').to.equal(true);
    expect(await axeFindings(ada, 'a private message read')).to.deep.equal([]);
  });

  it('still shows "Read" and "Delivered" after a reload: the relay keeps no receipts, the tab\'s stored state does', async () => {
    const relay = await startRelay();
    const [ada, bob] = panels(relay.url, ['Ada', 'Bob'], { history: '20' }) as [WsChatPanel, WsChatPanel];
    await online(ada, bob);
    await sendPrivately(ada, bob, 'read before the reload');
    await waitForState(ada, 'read before the reload', 'read');
    hideTab();
    await sendPrivately(ada, bob, 'only delivered');
    // A reload: the element goes, a new one (same user, same page) takes the tab's stored state back.
    ada.remove();
    const [again] = panels(relay.url, ['Ada'], { history: '20' }) as [WsChatPanel];
    await waitFor(() => again.messages.length === 2, () => `the history (has ${again.messages.length})`);
    await again.updateComplete;
    const shown = [...shadow(again).querySelectorAll('.delivery')].map((line) => [line.getAttribute('data-state'), line.textContent!.trim()]);
    expect(shown).to.deep.equal([
      ['read', 'Read'],
      ['delivered', 'Delivered'],
    ]);
  });

  it('does not report a message scrolled out of view, and reports it once scrolled to', async () => {
    const relay = await startRelay({ burst: 200, maxMessagesPerSecond: 200 });
    const [ada, bob] = panels(relay.url, ['Ada', 'Bob']) as [WsChatPanel, WsChatPanel];
    await online(ada, bob);
    for (let i = 0; i < 40; i++) ada.send(`filler ${i}`);
    await waitForBubble(bob, 'filler 39');
    await bob.updateComplete;
    const log = shadow(bob).querySelector<HTMLElement>('.stream')!;
    log.scrollTop = 0;
    log.dispatchEvent(new Event('scroll'));
    await waitFor(() => log.scrollTop === 0, 'Bob reads from the top');
    await sendPrivately(ada, bob, 'below the fold');
    await sendPrivately(ada, bob, 'barrier');
    expect(stateOf(ada, 'below the fold'), 'not on Bob\'s screen: not read').to.equal('delivered');
    const pill = shadow(bob).querySelector<HTMLButtonElement>('.new-pill');
    expect(pill, 'Bob is told of new messages below').to.not.equal(null);
    pill!.click();
    await waitForState(ada, 'below the fold', 'read');
  });

  it('sends no read receipt with receipts="off", and sends them once it is on again', async () => {
    const relay = await startRelay();
    const [ada] = panels(relay.url, ['Ada']) as [WsChatPanel];
    const [bob] = panels(relay.url, ['Bob'], { receipts: 'off' }) as [WsChatPanel];
    await online(ada, bob);
    await sendPrivately(ada, bob, 'shown, but receipts are off');
    await sendPrivately(ada, bob, 'barrier');
    expect(stateOf(ada, 'shown, but receipts are off')).to.equal('delivered');
    expect(stateOf(ada, 'barrier')).to.equal('delivered');
    bob.receipts = 'on';
    await waitForState(ada, 'shown, but receipts are off', 'read');
  });

  it('answers "Seen by…" with the room members who read a message, by keyboard', async () => {
    const relay = await startRelay();
    const [ada, bob, chen] = panels(relay.url, ['Ada', 'Bob', 'Chen'], { room: 'design' }) as [WsChatPanel, WsChatPanel, WsChatPanel];
    await online(ada, bob, chen);
    ada.send('look at this');
    await waitForBubble(bob, 'look at this');
    await waitForBubble(chen, 'look at this');
    await waitFor(() => shadow(ada).querySelector('.delivery .readers') !== null, 'a "Seen by…" button once sent');
    const button = () => shadow(ada).querySelector<HTMLButtonElement>('.delivery .readers')!;
    expect(button().textContent!.trim()).to.equal('Seen by…');
    const answer = () => shadow(ada).querySelector('.readers-answer')!.textContent!.trim();
    // The readers' reports reach the relay a moment after they saw it: ask again until both are counted.
    await waitFor(
      () => {
        if (!answer().startsWith('Read by 2') && !answer().startsWith('Checking')) {
          button().focus();
          void sendKeys({ press: 'Enter' });
        }
        return answer().startsWith('Read by 2');
      },
      () => `"Read by 2" (shows "${answer()}")`,
    );
    // The most recent reader first: which of the two read last is theirs to decide.
    expect(['Read by 2: Chen, Bob', 'Read by 2: Bob, Chen']).to.include(answer());
    expect(shadow(ada).querySelector('.readers-answer')!.getAttribute('role')).to.equal('status');
    expect(await axeFindings(ada, 'readers shown')).to.deep.equal([]);
    expect(shadow(bob).querySelector('.delivery .readers') === null, 'not on others\' messages').to.equal(true);
  });

  it('offers no "Seen by…" in a room larger than the relay keeps read positions for', async () => {
    const relay = await startRelay({ presenceThreshold: 2 });
    const [ada, bob, chen] = panels(relay.url, ['Ada', 'Bob', 'Chen'], { room: 'hall' }) as [WsChatPanel, WsChatPanel, WsChatPanel];
    for (const chat of [ada, bob, chen]) await waitForStatus(chat, 'online');
    // The relay tells a member who came early that the room grew large in its next presence batch: the roster's search field shows it.
    await waitFor(() => shadow(ada).querySelector('input.search') !== null, 'Ada knows the room is large');
    ada.send('to a large room');
    await waitForBubble(bob, 'to a large room');
    await waitFor(() => stateOf(ada, 'to a large room') === 'sent', 'sent');
    await ada.updateComplete;
    expect(shadow(ada).querySelector('.delivery .readers') === null, 'no "Seen by…"').to.equal(true);
  });
});
