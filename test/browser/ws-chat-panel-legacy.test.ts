import { expect, fixture, html } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import '../../src/define.js';
import type { WsChatPanel } from '../../src/index.js';
import { bubbles, shadow, typeAndSend, waitForBubble, waitForStatus } from '../support/panel.js';
import { waitFor } from '../support/wait.js';

describe('<ws-chat-panel protocol="legacy"> against the original IP-routing server', () => {
  it('chats, counts who is online, shows login notices, and does not show its own echo twice', async () => {
    const original = await executeServerCommand<{ url: string }, object>('original-start', {});
    const root = await fixture<HTMLElement>(html`
      <div>
        <ws-chat-panel protocol="legacy" url=${original.url} user-name="Ada"></ws-chat-panel>
        <ws-chat-panel protocol="legacy" url=${original.url} user-name="Bob"></ws-chat-panel>
      </div>
    `);
    const [ada, bob] = [...root.querySelectorAll('ws-chat-panel')] as [WsChatPanel, WsChatPanel];
    await waitForStatus(ada, 'online');
    await waitForStatus(bob, 'online');
    await waitFor(() => shadow(ada).querySelector('.count')?.textContent === '2 online', 'Ada counts two');
    expect(shadow(ada).querySelector('aside')).to.equal(null, 'no roster: the old server sends none');
    await waitFor(() => [...shadow(ada).querySelectorAll('.notice')].some((n) => n.textContent?.includes('Bob joined')), 'login notice');

    await typeAndSend(ada, 'hello, old server');
    await waitForBubble(bob, 'hello, old server');
    expect(bob.messages.at(-1)!.from).to.deep.equal({ id: '127.0.0.1/Ada', name: 'Ada', addr: '127.0.0.1' });
    await waitFor(() => ada.messages.at(-1)?.state === 'sent', 'the echo settles the message');
    expect(bubbles(ada)).to.deep.equal(['hello, old server'], 'shown once');

    // Target addresses by typing them, as the old ip list.
    const addresses = shadow(ada).querySelector<HTMLInputElement>('#addresses')!;
    addresses.value = '127.0.0.1';
    addresses.dispatchEvent(new Event('input'));
    await ada.updateComplete;
    await typeAndSend(ada, 'to an address');
    await waitForBubble(bob, 'to an address');
    expect(bubbles(ada).filter((text) => text === 'to an address')).to.have.length(1);
  });
});
