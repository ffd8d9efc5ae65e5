// Typing indicators in the panel (issue 17), over a real relay: "Ada is
// typing…" shows on the other panels while Ada's draft has text, and goes
// when she empties it, sends it, leaves, or when her stop is lost (after
// Typing.expireMs); private typing is marked; nothing in legacy mode; axe
// passes with the indicator shown.
import { expect } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../src/define.js';
import { getDefaultMessageCenter, type ChatTypingEvent, type MessageCenterEvents, type WsChatPanel } from '../../src/index.js';
import { axeFindings } from '../support/axe.js';
import { proxyCommand, rosterNames, shadow, startProxy, startRelay, toggleRecipient, waitForBubble, waitForChinese, waitForStatus } from '../support/panel.js';
import { waitFor } from '../support/wait.js';

function panel(url: string, name: string, attributes: Record<string, string> = {}): WsChatPanel {
  const chat = document.createElement('ws-chat-panel');
  chat.url = url;
  chat.userName = name;
  chat.setAttribute('history', '0');
  for (const [key, value] of Object.entries(attributes)) chat.setAttribute(key, value);
  document.body.append(chat);
  return chat;
}

const indicator = (chat: WsChatPanel) => shadow(chat).querySelector('.typing-text')?.textContent?.trim() ?? '';

async function waitForIndicator(chat: WsChatPanel, text: string, timeout?: number): Promise<void> {
  await waitFor(() => indicator(chat) === text, () => `${chat.userName} to show "${text}" (shows "${indicator(chat)}")`, timeout);
}

/** Types `text` into the panel's composer with the real keyboard (without sending). */
async function type(chat: WsChatPanel, text: string): Promise<void> {
  shadow(chat).querySelector('textarea')!.focus();
  await sendKeys({ type: text });
  await chat.updateComplete;
}

/** Empties the draft as a person does: Backspace until nothing is left. */
async function erase(chat: WsChatPanel): Promise<void> {
  const textarea = shadow(chat).querySelector('textarea')!;
  textarea.focus();
  while (textarea.value) await sendKeys({ press: 'Backspace' });
  await chat.updateComplete;
}

describe('<ws-chat-panel> typing indicator', () => {
  afterEach(() => {
    for (const chat of document.querySelectorAll('ws-chat-panel')) chat.remove();
  });

  it('shows who types while the draft has text, and not once it is emptied or sent', async () => {
    const relay = await startRelay();
    const ada = panel(relay.url, 'Ada');
    const bob = panel(relay.url, 'Bob');
    for (const chat of [ada, bob]) await waitForStatus(chat, 'online');
    const region = shadow(bob).querySelector('.typing-text')!;
    expect([region.getAttribute('role'), region.getAttribute('aria-live'), region.getAttribute('aria-atomic')]).to.deep.equal(['status', 'polite', 'true']);
    expect(indicator(bob), 'nobody types yet').to.equal('');
    const events: ChatTypingEvent[] = [];
    bob.addEventListener('ws-chat-typing', (event) => events.push(event));
    const onBus: Array<MessageCenterEvents['chat:typing']> = [];
    const off = getDefaultMessageCenter().on('chat:typing', (detail) => onBus.push(detail));

    await type(ada, 'hel');
    await waitForIndicator(bob, 'Ada is typing…');
    off();
    expect(events.map((event) => [event.detail.conversation.room, event.detail.peers.map((peer) => peer.name)])).to.deep.equal([['lobby', ['Ada']]]);
    expect(events[0]!.bubbles && events[0]!.composed).to.equal(true);
    expect(onBus.filter((detail) => detail.panel === 'Bob').map((detail) => detail.peers.map((peer) => peer.name))).to.deep.equal([['Ada']]);
    expect(indicator(ada), 'not told of herself').to.equal('');
    expect(shadow(bob).querySelector('.typing-dots')?.getAttribute('aria-hidden')).to.equal('true');

    await erase(ada);
    await waitForIndicator(bob, '');
    expect(shadow(bob).querySelector('.typing-dots'), 'no dots while nobody types').to.equal(null);

    await type(ada, 'hi');
    await waitForIndicator(bob, 'Ada is typing…');
    await sendKeys({ press: 'Enter' });
    await waitForBubble(bob, 'hi');
    await bob.updateComplete;
    expect(indicator(bob), 'her message ended it').to.equal('');
  });

  it('hides a typist who leaves, with the leave (without waiting for the expiry)', async () => {
    const relay = await startRelay();
    const ada = panel(relay.url, 'Ada');
    const bob = panel(relay.url, 'Bob');
    for (const chat of [ada, bob]) await waitForStatus(chat, 'online');
    await type(ada, 'about to go');
    await waitForIndicator(bob, 'Ada is typing…');
    ada.remove();
    await waitFor(() => !rosterNames(bob).includes('Ada'), 'Ada left Bob\'s roster');
    await bob.updateComplete;
    // The leave that took her from the roster took her typing with it, in the same render.
    expect(indicator(bob)).to.equal('');
  });

  it('forgets a typist whose stop was lost, after the expiry, while still online', async () => {
    const relay = await startRelay();
    const path = await startProxy(relay);
    const ada = panel(relay.url, 'Ada');
    const bob = panel(path.url, 'Bob');
    for (const chat of [ada, bob]) await waitForStatus(chat, 'online');
    await type(ada, 'typing');
    await waitForIndicator(bob, 'Ada is typing…');
    // What the relay sends Bob waits in the proxy: Ada's stop does not reach him.
    await proxyCommand('hold', path.id);
    try {
      await erase(ada);
      await waitForIndicator(bob, '', 15_000);
      expect(bob.status, 'still online: the expiry ended it, not a lost link').to.equal('online');
      expect(rosterNames(bob)).to.include('Ada');
    } finally {
      await proxyCommand('release', path.id);
    }
  });

  it('marks private typing, shows it only to the recipient, and counts three typists; in Chinese too', async () => {
    const relay = await startRelay();
    const ada = panel(relay.url, 'Ada');
    const bob = panel(relay.url, 'Bob');
    const cy = panel(relay.url, 'Cy');
    const dee = panel(relay.url, 'Dee', { lang: 'zh-CN' });
    for (const chat of [ada, bob, cy, dee]) await waitForStatus(chat, 'online');
    await waitForChinese(dee);
    await waitFor(() => rosterNames(ada).length === 4, 'everyone in Ada\'s roster');

    await toggleRecipient(ada, 'Bob');
    // A typist is forgotten Typing.expireMs after its last word: those typing already type on
    // before each check (a keystroke says it again once Typing.repeatMs has passed), so a slow
    // machine does not see one expire in the middle.
    const keepTyping = async (...chats: WsChatPanel[]) => {
      for (const chat of chats) await type(chat, '.');
    };
    await type(ada, 'psst');
    await waitForIndicator(bob, 'Ada (private) is typing…');
    await keepTyping(ada);
    await type(cy, 'hello');
    // The rooms' typists first, then those typing privately.
    await waitForIndicator(bob, 'Cy and Ada (private) are typing…');
    await waitForIndicator(dee, 'Cy 正在输入…');
    expect(indicator(cy), 'the private conversation is not Cy\'s').to.equal('');
    await keepTyping(ada, cy);
    await type(dee, '你好');
    await waitForIndicator(bob, '3 people are typing…');
    await keepTyping(cy);
    await type(bob, 'me too');
    await waitForIndicator(dee, 'Cy和Bob 正在输入…');
    const findings = await axeFindings(bob, 'typing indicator shown');
    expect(findings, findings.join('\n')).to.deep.equal([]);
  });

  it('shows nothing of typing in legacy mode', async () => {
    const relay = await startRelay();
    const old = panel(relay.url, 'Old', { protocol: 'legacy' });
    const ada = panel(relay.url, 'Ada');
    for (const chat of [old, ada]) await waitForStatus(chat, 'online');
    await type(old, 'legacy draft');
    await type(ada, 'v1 draft');
    await sendKeys({ press: 'Enter' });
    await waitForBubble(old, 'v1 draft');
    expect(shadow(old).querySelector('.typing'), 'no indicator in legacy mode').to.equal(null);
  });
});
