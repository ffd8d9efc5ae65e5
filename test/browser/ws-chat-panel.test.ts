import { expect, fixture, html } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../src/define.js';
import { createMessageCenter, type ChatMessage, type MessageCenterEvents, type WsChatPanel } from '../../src/index.js';
import {
  bubbles,
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

async function twoPanels(relay: RelayInfo, names = ['Ada', 'Bob']) {
  const root = await fixture<HTMLElement>(html`
    <message-center-provider>
      ${names.map((name) => html`<ws-chat-panel url=${relay.url} user-name=${name} id=${name.toLowerCase()}></ws-chat-panel>`)}
    </message-center-provider>
  `);
  const panels = [...root.querySelectorAll('ws-chat-panel')];
  for (const panel of panels) await waitForStatus(panel, 'online');
  await waitFor(() => panels.every((panel) => panel.roster.length === names.length), 'everyone in every roster');
  return { root, panels };
}

describe('<ws-chat-panel>', () => {
  it('two panels exchange a broadcast, typed with the keyboard', async () => {
    const relay = await startRelay();
    const { panels } = await twoPanels(relay);
    const [ada, bob] = panels as [WsChatPanel, WsChatPanel];
    await typeAndSend(ada, 'Hello Bob');
    await waitForBubble(bob, 'Hello Bob');
    const received = bob.messages.find((m) => m.text === 'Hello Bob')!;
    expect(received.from.name).to.equal('Ada');
    expect(received.own).to.equal(false);
    expect(received.to).to.equal(undefined);
    await waitFor(() => ada.messages[0]?.state === 'sent', 'Ada sees her message acknowledged');
    expect(ada.messages.map((m) => [m.text, m.own])).to.deep.equal([['Hello Bob', true]]);
    expect(shadow(ada).querySelector('textarea')!.value).to.equal('', 'the composer is cleared');
  });

  it('Shift+Enter breaks the line and Enter sends both lines', async () => {
    const relay = await startRelay();
    const { panels } = await twoPanels(relay);
    const [ada, bob] = panels as [WsChatPanel, WsChatPanel];
    shadow(ada).querySelector('textarea')!.focus();
    await sendKeys({ type: 'first line' });
    await sendKeys({ down: 'Shift' });
    await sendKeys({ press: 'Enter' });
    await sendKeys({ up: 'Shift' });
    await sendKeys({ type: 'second line' });
    expect(ada.messages).to.have.length(0);
    await sendKeys({ press: 'Enter' });
    await waitForBubble(bob, 'first line\nsecond line');
  });

  it('a unicast picked from the roster reaches only its target, marked private', async () => {
    const relay = await startRelay();
    const { panels } = await twoPanels(relay, ['Ada', 'Bob', 'Cy']);
    const [ada, bob, cy] = panels as [WsChatPanel, WsChatPanel, WsChatPanel];
    await toggleRecipient(ada, 'Bob');
    const chips = shadow(ada).querySelectorAll('.targets .chip.private');
    expect([...chips].map((chip) => chip.textContent?.trim())).to.deep.equal(['Bob']);
    await typeAndSend(ada, 'just for you');
    await waitForBubble(bob, 'just for you');
    const privateMessage = bob.messages.find((m) => m.text === 'just for you')!;
    expect(privateMessage.to).to.deep.equal({ ids: [bob.roster.find((p) => p.name === 'Bob')!.id] });
    expect(shadow(bob).querySelector('.message.private .private-label')).to.exist;
    const ownLabel = shadow(ada).querySelector('.message.own.private .private-label')!.textContent!;
    expect(ownLabel).to.contain('Bob');

    // Back to everyone; a broadcast after the unicast proves Cy never got it.
    await toggleRecipient(ada, 'Bob');
    await typeAndSend(ada, 'for everyone');
    await waitForBubble(cy, 'for everyone');
    expect(bubbles(cy)).to.deep.equal(['for everyone']);
  });

  it('shows a message with markup as text: nothing a peer sends becomes markup', async () => {
    const relay = await startRelay();
    const { panels } = await twoPanels(relay);
    const [ada, bob] = panels as [WsChatPanel, WsChatPanel];
    const hostile = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script><b>bold</b>';
    ada.send(hostile);
    await waitForBubble(bob, hostile);
    const bubble = [...shadow(bob).querySelectorAll('.bubble')].at(-1)!;
    expect(bubble.children).to.have.length(0);
    expect(shadow(bob).querySelector('img, script, b')).to.equal(null);
    expect((window as { __pwned?: number }).__pwned).to.equal(undefined);
  });

  it('keeps what is typed while offline, shows it pending, and sends it once connected', async () => {
    const relay = await startRelay();
    const { panels } = await twoPanels(relay);
    const [ada, bob] = panels as [WsChatPanel, WsChatPanel];
    // Ada's network goes away (her relay address stops answering) while Bob stays online.
    ada.url = 'ws://127.0.0.1:9/';
    await waitFor(() => ada.status === 'reconnecting', 'Ada is cut off');
    await typeAndSend(ada, 'written while offline');
    expect(ada.messages.at(-1)).to.include({ text: 'written while offline', state: 'pending' });
    await ada.updateComplete;
    const delivery = shadow(ada).querySelector('.message.own .delivery')!;
    expect(delivery.getAttribute('data-state')).to.equal('pending');
    expect(delivery.textContent).to.contain('Waiting for connection');
    expect(bubbles(bob)).to.deep.equal([]);

    ada.url = relay.url;
    await waitForStatus(ada, 'online');
    await waitForBubble(bob, 'written while offline');
    await waitFor(() => ada.messages.at(-1)?.state === 'sent', 'acknowledged once connected');
    expect(ada.messages.filter((m) => m.text === 'written while offline')).to.have.length(1, 'shown once on her side');
  });

  it('shows the connection state, with a countdown while reconnecting', async () => {
    const relay = await startRelay();
    const panel = await fixture<WsChatPanel>(html`<ws-chat-panel url=${relay.url} user-name="Solo"></ws-chat-panel>`);
    await waitForStatus(panel, 'online');
    const status = () => shadow(panel).querySelector('.status')!;
    expect(status().getAttribute('data-status')).to.equal('online');
    expect(status().textContent).to.contain('Online');
    await relayCommand('stop', relay.id);
    await waitForStatus(panel, 'reconnecting');
    await waitFor(() => /Reconnecting/.test(status().textContent ?? ''), 'reconnecting text');
    expect(shadow(panel).querySelector('[role="status"]')!.textContent).to.contain('Reconnecting');
    await relayCommand('resume', relay.id);
    await waitForStatus(panel, 'online', 15_000);
  });

  it('publishes on the bus and as DOM events, and sends what the bus asks', async () => {
    const relay = await startRelay();
    const bus = createMessageCenter();
    const seen: Array<[string, unknown]> = [];
    bus.on('*', (type, payload) => seen.push([String(type), payload]));
    const root = await fixture<HTMLElement>(html`
      <message-center-provider .bus=${bus}>
        <ws-chat-panel id="ada" url=${relay.url} user-name="Ada"></ws-chat-panel>
        <ws-chat-panel id="bob" url=${relay.url} user-name="Bob"></ws-chat-panel>
      </message-center-provider>
    `);
    const [ada, bob] = [...root.querySelectorAll('ws-chat-panel')] as [WsChatPanel, WsChatPanel];
    const domEvents: Array<[string, unknown]> = [];
    for (const type of ['ws-chat-message', 'ws-chat-sent', 'ws-chat-status', 'ws-chat-presence', 'ws-chat-error'] as const) {
      root.addEventListener(type, (event) => domEvents.push([type, event.detail]));
    }
    await waitForStatus(ada, 'online');
    await waitForStatus(bob, 'online');
    await waitFor(() => ada.roster.length === 2, 'Ada sees Bob');

    bus.emit('chat:send', { data: 'sent through the bus', panel: 'ada' });
    await waitForBubble(bob, 'sent through the bus');
    await waitFor(() => seen.some(([type]) => type === 'chat:sent'), 'chat:sent on the bus');

    const message = seen.find(([type]) => type === 'chat:message')![1] as ChatMessage & { panel: string };
    expect(message).to.include({ panel: 'bob', text: 'sent through the bus', own: false });
    expect(message.from.name).to.equal('Ada');
    const sent = seen.find(([type]) => type === 'chat:sent')![1] as ChatMessage & { panel: string };
    expect(sent).to.include({ panel: 'ada', state: 'sent', text: 'sent through the bus' });
    expect(sent.offset).to.equal(message.offset);
    const statuses = seen.filter(([type]) => type === 'chat:status').map(([, p]) => p as MessageCenterEvents['chat:status']);
    expect(statuses.filter((s) => s.panel === 'ada').map((s) => s.status)).to.deep.equal(['connecting', 'online']);
    const presence = seen.filter(([type]) => type === 'chat:presence').map(([, p]) => p as MessageCenterEvents['chat:presence']);
    expect(presence.some((p) => p.panel === 'ada' && p.kind === 'join' && p.peer?.name === 'Bob' && p.count === 2)).to.equal(true);

    expect(domEvents.find(([type]) => type === 'ws-chat-message')![1]).to.include({ text: 'sent through the bus' });
    expect(domEvents.find(([type]) => type === 'ws-chat-sent')![1]).to.include({ state: 'sent' });
    expect(domEvents.some(([type]) => type === 'ws-chat-status')).to.equal(true);
    expect(domEvents.some(([type]) => type === 'ws-chat-presence')).to.equal(true);

    // A private message to someone who is gone: refused, reported on the bus, the DOM and the message.
    ada.send('to nobody', { ids: ['not-a-peer'] });
    await waitFor(() => domEvents.some(([type]) => type === 'ws-chat-error'), 'error event');
    expect(domEvents.find(([type]) => type === 'ws-chat-error')![1]).to.include({ code: 'unknown_target' });
    expect(seen.find(([type]) => type === 'chat:error')![1]).to.include({ code: 'unknown_target', panel: 'ada' });
    await waitFor(() => ada.messages.at(-1)?.state === 'failed', 'the message shows it failed');
    await ada.updateComplete;
    expect(shadow(ada).querySelector('.delivery[data-state="failed"]')!.textContent).to.contain('no longer online');
  });

  it('detaching closes its socket and removes only its own bus handlers; re-attaching reopens', async () => {
    const relay = await startRelay();
    const bus = createMessageCenter();
    const appHandler = () => {};
    bus.on('chat:send', appHandler);
    const root = await fixture<HTMLElement>(html`
      <message-center-provider .bus=${bus}>
        <ws-chat-panel url=${relay.url} user-name="Ada"></ws-chat-panel>
        <ws-chat-panel url=${relay.url} user-name="Bob"></ws-chat-panel>
      </message-center-provider>
    `);
    const [ada, bob] = [...root.querySelectorAll('ws-chat-panel')] as [WsChatPanel, WsChatPanel];
    await waitForStatus(ada, 'online');
    await waitForStatus(bob, 'online');
    expect(bus.listenerCount('chat:send')).to.equal(3);

    ada.remove();
    await waitFor(() => bob.roster.length === 1, 'Bob sees Ada leave');
    const stats = await relayCommand<{ connections: number }>('stats', relay.id);
    expect(stats.connections).to.equal(1);
    expect(ada.status).to.equal('offline');
    expect(bus.listenerCount('chat:send')).to.equal(2);

    root.append(ada);
    await waitForStatus(ada, 'online');
    expect(bus.listenerCount('chat:send')).to.equal(3);
    await waitFor(() => bob.roster.length === 2, 'Bob sees Ada back');
  });

  it('shows "N new messages" when the reader has scrolled up, and keeps to the bottom otherwise', async () => {
    const relay = await startRelay();
    const { panels } = await twoPanels(relay);
    const [ada, bob] = panels as [WsChatPanel, WsChatPanel];
    for (let i = 0; i < 30; i++) ada.send(`filler ${i}`);
    await waitFor(() => bob.messages.length === 30, 'Bob got the filler');
    await bob.updateComplete;
    const stream = shadow(bob).querySelector<HTMLElement>('.stream')!;
    await waitFor(() => stream.scrollHeight - stream.scrollTop - stream.clientHeight < 5, 'kept at the bottom');
    stream.scrollTop = 0;
    stream.dispatchEvent(new Event('scroll'));
    ada.send('while you were reading');
    ada.send('and another');
    await waitFor(() => shadow(bob).querySelector('.new-pill')?.textContent?.includes('2 new messages') ?? false, 'the pill');
    expect(stream.scrollTop).to.equal(0, 'the reader is not yanked down');
    shadow(bob).querySelector<HTMLButtonElement>('.new-pill')!.click();
    await bob.updateComplete;
    await waitFor(() => stream.scrollHeight - stream.scrollTop - stream.clientHeight < 5, 'jumped to the latest');
    expect(shadow(bob).querySelector('.new-pill')).to.equal(null);
  });

  it('keeps at most max-messages', async () => {
    const relay = await startRelay();
    const panel = await fixture<WsChatPanel>(html`<ws-chat-panel url=${relay.url} user-name="Ada" max-messages="5"></ws-chat-panel>`);
    await waitForStatus(panel, 'online');
    for (let i = 0; i < 8; i++) panel.send(`m${i}`);
    await waitFor(() => panel.messages.every((m) => m.state === 'sent') && panel.messages.length === 5, 'five acknowledged');
    expect(panel.messages.map((m) => m.text)).to.deep.equal(['m3', 'm4', 'm5', 'm6', 'm7']);
  });

  it('speaks Chinese with lang="zh-CN", and takes overrides of any string', async () => {
    const relay = await startRelay();
    const panel = await fixture<WsChatPanel>(html`<ws-chat-panel lang="zh-CN" url=${relay.url} user-name="李雷"></ws-chat-panel>`);
    await waitForStatus(panel, 'online');
    await waitForChinese(panel);
    const root = shadow(panel);
    expect(root.querySelector('.title')!.textContent).to.contain('聊天');
    expect(root.querySelector('.status')!.textContent).to.contain('在线');
    expect(root.querySelector('.send')!.textContent).to.contain('发送');
    expect(root.querySelector('textarea')!.placeholder).to.contain('回车发送');
    expect(root.querySelector('.roster-toggle')!.textContent).to.contain('1 人在线');
    panel.strings = { title: '客服', send: '发出' };
    await panel.updateComplete;
    expect(root.querySelector('.title')!.textContent).to.contain('客服');
    expect(root.querySelector('.send')!.textContent).to.contain('发出');
    panel.setAttribute('lang', 'en');
    await panel.updateComplete;
    expect(root.querySelector('.status')!.textContent).to.contain('Online');
  });

  it('passes an automated accessibility check (axe), online and with messages', async () => {
    const relay = await startRelay();
    const { panels } = await twoPanels(relay);
    const [ada, bob] = panels as [WsChatPanel, WsChatPanel];
    await toggleRecipient(ada, 'Bob');
    ada.send('private hello', { ids: [bob.roster.find((p) => p.name === 'Bob')!.id] });
    await waitForBubble(bob, 'private hello');
    await expect(ada).to.be.accessible();
    await expect(bob).to.be.accessible();
  });
});
