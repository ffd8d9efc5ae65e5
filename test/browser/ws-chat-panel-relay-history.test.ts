// The relay's history in the panel (issue 16): a panel that opens, or is
// reloaded, shows the recent conversation; scrolling up loads older pages
// from the relay, in order, none twice, down to the beginning.
import { expect } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import '../../src/define.js';
import type { WsChatPanel } from '../../src/index.js';
import { bubbles, shadow, startProxy, startRelay, waitForStatus, type RelayInfo } from '../support/panel.js';
import { waitFor } from '../support/wait.js';

const unique = (name: string) => `${name}-${Math.random().toString(36).slice(2, 8)}`;

function panel(url: string, name: string, attributes: Record<string, string> = {}): WsChatPanel {
  const chat = document.createElement('ws-chat-panel');
  chat.url = url;
  chat.userName = name;
  for (const [key, value] of Object.entries(attributes)) chat.setAttribute(key, value);
  chat.style.setProperty('--ws-chat-panel-height', '420px');
  document.body.append(chat);
  return chat;
}

/** `count` broadcasts from a writer of their own, each acknowledged by the relay; returns their texts in order. */
async function written(relay: RelayInfo, count: number, prefix: string): Promise<string[]> {
  const writer = panel(relay.url, unique('Eve'), { history: '0' });
  await waitForStatus(writer, 'online');
  const texts = Array.from({ length: count }, (_, i) => `${prefix} ${i}`);
  for (const text of texts) writer.send(text);
  await waitFor(() => writer.messages.filter((message) => message.state === 'sent').length === count, 'every message acknowledged');
  writer.remove();
  return texts;
}

const marker = (chat: WsChatPanel) => shadow(chat).querySelector('.marker')?.textContent?.trim() ?? '';
const log = (chat: WsChatPanel) => shadow(chat).querySelector<HTMLElement>('.stream')!;

describe('<ws-chat-panel> history from the relay', () => {
  let relay: RelayInfo;
  before(async () => {
    relay = await startRelay({ maxMessagesPerSecond: 1000, burst: 1000 });
  });
  afterEach(() => {
    for (const chat of document.querySelectorAll('ws-chat-panel')) chat.remove();
  });

  it('shows the recent conversation on opening, and again after a reload, with what came meanwhile after it', async () => {
    const texts = await written(relay, 30, unique('before'));
    const name = unique('Ada');
    let ada = panel(relay.url, name, { history: '20' });
    await waitFor(() => bubbles(ada).length === 20, () => `the last 20 on screen (has ${bubbles(ada).length})`);
    expect(bubbles(ada)).to.deep.equal(texts.slice(-20));

    // A reload: the element goes, a new one takes its session back.
    ada.remove();
    const more = await written(relay, 1, unique('meanwhile'));
    ada = panel(relay.url, name, { history: '20' });
    const expected = [...texts.slice(-20), ...more];
    await waitFor(() => bubbles(ada).length >= expected.length, () => `${expected.length} on screen (has ${JSON.stringify(bubbles(ada))})`);
    await ada.updateComplete;
    expect(bubbles(ada), 'the 20 before, then the one missed, each once').to.deep.equal(expected);
  });

  it('loads older pages as the reader scrolls up, in order, none twice, down to the beginning of the conversation', async () => {
    const fresh = await startRelay({ maxMessagesPerSecond: 1000, burst: 1000 });
    const texts = await written(fresh, 130, 'old');
    const ada = panel(fresh.url, unique('Ada'), { history: '25' });
    await waitFor(() => bubbles(ada).length === 25, () => `the first page (has ${bubbles(ada).length})`);
    await ada.updateComplete;
    // The reader keeps scrolling to the top; every page shows above what they were reading.
    await waitFor(
      () => {
        log(ada).scrollTop = 0;
        log(ada).dispatchEvent(new Event('scroll'));
        return marker(ada) === 'Beginning of the conversation';
      },
      () => `the beginning (has ${bubbles(ada).length}, marker "${marker(ada)}")`,
      30_000,
    );
    await ada.updateComplete;
    expect(bubbles(ada), 'every message once, in order').to.deep.equal(texts);
    expect(shadow(ada).querySelector('.marker')!.getAttribute('role')).to.equal('status');
  });

  it('says "Loading earlier messages…" while an older page is on its way, and shows it when it comes', async () => {
    const fresh = await startRelay({ maxMessagesPerSecond: 1000, burst: 1000 });
    const texts = await written(fresh, 40, 'slow');
    // A network the test can slow down: what the relay sends waits while it is held.
    const path = await startProxy(fresh);
    const ada = panel(path.url, unique('Ada'), { history: '20' });
    await waitFor(() => bubbles(ada).length === 20, () => `the first page (has ${bubbles(ada).length})`);
    await ada.updateComplete;
    await executeServerCommand('proxy-hold', { id: path.id });
    // The reader scrolls to the top (again, until the panel has asked: its log may still be settling).
    await waitFor(
      () => {
        log(ada).scrollTop = 0;
        log(ada).dispatchEvent(new Event('scroll'));
        return marker(ada) === 'Loading earlier messages…';
      },
      () => `the marker says it is loading (says "${marker(ada)}")`,
    );
    expect(shadow(ada).querySelector('.marker')!.getAttribute('role'), 'announced to screen readers').to.equal('status');
    expect(bubbles(ada), 'nothing older yet').to.deep.equal(texts.slice(-20));
    await executeServerCommand('proxy-release', { id: path.id });
    await waitFor(() => bubbles(ada).length === 40, () => `the older page shown (has ${bubbles(ada).length})`);
    await waitFor(() => marker(ada) !== 'Loading earlier messages…', 'the marker no longer says it is loading');
    expect(bubbles(ada)).to.deep.equal(texts);
  });

  it('loads nothing with history="0"', async () => {
    await written(relay, 3, 'quiet');
    const ada = panel(relay.url, unique('Ada'), { history: '0' });
    await waitForStatus(ada, 'online');
    // What comes after the welcome shows; what came before it does not.
    const live = await written(relay, 1, unique('live'));
    await waitFor(() => bubbles(ada).length > 0, 'the live message');
    await ada.updateComplete;
    expect(bubbles(ada)).to.deep.equal(live);
  });
});
