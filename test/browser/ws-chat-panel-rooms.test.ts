// Rooms in the panel (issue 16): `room` names one room or several; with
// several, each message shows its room and the composer picks where a
// broadcast goes.
import { expect } from '@open-wc/testing';
import '../../src/define.js';
import type { WsChatPanel } from '../../src/index.js';
import { bubbles, shadow, startRelay, typeAndSend, waitForBubble, waitForStatus } from '../support/panel.js';

function panel(url: string, name: string, room: string): WsChatPanel {
  const chat = document.createElement('ws-chat-panel');
  chat.url = url;
  chat.userName = name;
  chat.setAttribute('room', room);
  chat.setAttribute('history', '0');
  document.body.append(chat);
  return chat;
}

/** The room each message on screen shows, by its text ('' for none). */
const roomsShown = (chat: WsChatPanel) =>
  Object.fromEntries([...shadow(chat).querySelectorAll('.message')].map((message) => [message.querySelector('.bubble')!.textContent, message.querySelector('.room')?.textContent ?? '']));

describe('<ws-chat-panel> in several rooms', () => {
  afterEach(() => {
    for (const chat of document.querySelectorAll('ws-chat-panel')) chat.remove();
  });

  it('sends a broadcast to the room picked (the first by default), and shows the room of each message', async () => {
    const relay = await startRelay();
    const ada = panel(relay.url, 'Ada', 'dev, ops');
    const bob = panel(relay.url, 'Bob', 'dev');
    const cy = panel(relay.url, 'Cy', 'ops');
    for (const chat of [ada, bob, cy]) await waitForStatus(chat, 'online');

    const picker = shadow(ada).querySelector<HTMLSelectElement>('select.room-pick')!;
    expect(picker.getAttribute('aria-label')).to.equal('Room');
    expect([...picker.options].map((option) => option.value)).to.deep.equal(['dev', 'ops']);
    expect(shadow(bob).querySelector('select.room-pick'), 'one room: nothing to pick').to.equal(null);

    await typeAndSend(ada, 'to the first room');
    picker.value = 'ops';
    picker.dispatchEvent(new Event('change'));
    await typeAndSend(ada, 'to ops');
    await waitForBubble(bob, 'to the first room');
    await waitForBubble(cy, 'to ops');
    await typeAndSend(bob, 'from dev');
    await waitForBubble(ada, 'from dev');
    await waitForBubble(cy, 'to ops');

    expect(bubbles(bob), 'dev only').to.deep.equal(['to the first room', 'from dev']);
    expect(bubbles(cy), 'ops only').to.deep.equal(['to ops']);
    expect(roomsShown(ada)).to.deep.equal({ 'to the first room': 'dev', 'to ops': 'ops', 'from dev': 'dev' });
    expect(roomsShown(bob), 'one room: no room shown').to.deep.equal({ 'to the first room': '', 'from dev': '' });
  });

  it('sends a message from page code to the first room, and shows its room, as the composer does', async () => {
    const relay = await startRelay();
    const ada = panel(relay.url, 'Ada', 'dev, ops');
    const bob = panel(relay.url, 'Bob', 'dev');
    for (const chat of [ada, bob]) await waitForStatus(chat, 'online');
    expect(ada.send('from page code')?.room).to.equal('dev');
    expect(ada.send('to ops from page code', undefined, 'ops')?.room).to.equal('ops');
    await waitForBubble(bob, 'from page code');
    await ada.updateComplete;
    expect(roomsShown(ada)).to.deep.equal({ 'from page code': 'dev', 'to ops from page code': 'ops' });
  });
});
