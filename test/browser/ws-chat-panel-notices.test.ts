// Join and leave notices say what changed in who is online: nothing for a
// dropped link that comes back or a relay restart, the difference after one's
// own reconnect (issue 12, item 6).
import { expect, fixture, html } from '@open-wc/testing';
import '../../src/define.js';
import type { WsChatPanel } from '../../src/index.js';
import { addPanel, proxyCommand, relayCommand, rosterNames, shadow, startProxy, startRelay, waitForStatus, type RelayInfo } from '../support/panel.js';
import { waitFor } from '../support/wait.js';

/** The join and leave notices in the panel's log, in order. */
const notices = (panel: WsChatPanel) =>
  [...shadow(panel).querySelectorAll('.notice.join, .notice.leave')].map((notice) => notice.textContent!.trim());

async function waitForNotice(panel: WsChatPanel, text: string, timeout = 15_000): Promise<void> {
  await waitFor(() => notices(panel).includes(text), `"${text}" (notices: ${JSON.stringify(notices(panel))})`, timeout);
}

/**
 * Cat comes and goes. Her leave is announced last: a leave the panel was
 * wrongly holding back from before would have been announced by then.
 */
async function catComesAndGoes(root: HTMLElement, relay: RelayInfo, ann: WsChatPanel): Promise<void> {
  const cat = addPanel(root, relay.url, 'Cat');
  await waitForNotice(ann, 'Cat joined');
  cat.remove();
  await waitForNotice(ann, 'Cat left');
}

describe('<ws-chat-panel>: notices say what changed', () => {
  it('a relay restart announces no one: everyone was there all along, whoever comes back first', async () => {
    const relay = await startRelay();
    const path = await startProxy(relay);
    const root = await fixture<HTMLElement>(html`<div></div>`);
    const ann = addPanel(root, relay.url, 'Ann');
    await waitForStatus(ann, 'online');
    const eve = addPanel(root, path.url, 'Eve');
    await waitForNotice(ann, 'Eve joined');

    // Eve is slower to come back than Ann (her network is down a moment longer).
    await proxyCommand('cut', path.id);
    await relayCommand('restart', relay.id);
    await waitForStatus(ann, 'reconnecting');
    await waitFor(() => ann.status === 'online' && rosterNames(ann).join() === 'Ann', 'Ann back first', 15_000);
    await proxyCommand('restore', path.id);
    await waitFor(() => eve.status === 'online' && rosterNames(ann).join() === 'Ann,Eve', 'Eve back', 15_000);
    await catComesAndGoes(root, relay, ann);
    expect(notices(ann)).to.deep.equal(['Eve joined', 'Cat joined', 'Cat left']);
  });

  it("Eve's link drops and comes back: no notice", async () => {
    const relay = await startRelay();
    const path = await startProxy(relay);
    const root = await fixture<HTMLElement>(html`<div></div>`);
    const ann = addPanel(root, relay.url, 'Ann');
    await waitForStatus(ann, 'online');
    addPanel(root, path.url, 'Eve');
    await waitForNotice(ann, 'Eve joined');

    await proxyCommand('cut', path.id);
    await waitFor(() => rosterNames(ann).join() === 'Ann', 'Ann sees Eve drop');
    await proxyCommand('restore', path.id);
    await waitFor(() => rosterNames(ann).join() === 'Ann,Eve', 'Eve back', 15_000);
    await catComesAndGoes(root, relay, ann);
    expect(notices(ann)).to.deep.equal(['Eve joined', 'Cat joined', 'Cat left']);
  });

  it("after Ann's own link comes back: who joined and who left meanwhile, and nothing about who stayed", async () => {
    const relay = await startRelay();
    const path = await startProxy(relay);
    const root = await fixture<HTMLElement>(html`<div></div>`);
    const ann = addPanel(root, path.url, 'Ann');
    await waitForStatus(ann, 'online');
    addPanel(root, relay.url, 'Eve');
    await waitForNotice(ann, 'Eve joined');
    const dan = addPanel(root, relay.url, 'Dan');
    await waitForNotice(ann, 'Dan joined');

    await proxyCommand('cut', path.id);
    await waitForStatus(ann, 'reconnecting');
    dan.remove();
    const fay = addPanel(root, relay.url, 'Fay');
    await waitForStatus(fay, 'online');
    await proxyCommand('restore', path.id);
    await waitForStatus(ann, 'online', 15_000);
    await waitForNotice(ann, 'Fay joined');
    await waitForNotice(ann, 'Dan left');
    await catComesAndGoes(root, relay, ann);
    expect(notices(ann)).to.deep.equal(['Eve joined', 'Dan joined', 'Fay joined', 'Dan left', 'Cat joined', 'Cat left']);
  });
});
