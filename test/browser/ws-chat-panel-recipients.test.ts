// A private draft never becomes a broadcast: the recipients picked in the
// roster stay picked while they are gone, and are found again, by who they
// are, when they come back (issue 12, item 1).
import { expect, fixture, html } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../src/define.js';
import type { WsChatPanel } from '../../src/index.js';
import {
  addPanel,
  bubbles,
  pressEnter,
  proxyCommand,
  relayCommand,
  rosterNames,
  shadow,
  startProxy,
  startRelay,
  toggleRecipient,
  typeAndSend,
  waitForBubble,
  waitForStatus,
  type RelayInfo,
} from '../support/panel.js';
import { waitFor } from '../support/wait.js';

const SECRET = 'secret for Ben only: the door code is 4711';

/** The chips above the textbox, as text (name, and "offline" when they are not online). */
function chips(panel: WsChatPanel): string[] {
  return [...shadow(panel).querySelectorAll('.targets .chip')].map((chip) => chip.textContent!.replace(/\s+/g, ' ').trim());
}

const draft = (panel: WsChatPanel) => shadow(panel).querySelector('textarea')!.value;
const sendButton = (panel: WsChatPanel) => shadow(panel).querySelector<HTMLButtonElement>('.send')!;
/** The alert under the composer (a refusal), if any. */
const alertText = (panel: WsChatPanel) => shadow(panel).querySelector('form [role="alert"]')?.textContent?.trim() ?? '';

async function typeDraft(panel: WsChatPanel, text: string): Promise<void> {
  shadow(panel).querySelector('textarea')!.focus();
  await sendKeys({ type: text });
  await panel.updateComplete;
}

/** Ann and Cat on the relay; Ben too, through a network path the test can cut (his Wi-Fi). */
async function annBenCat(relay: RelayInfo, benUrl = relay.url) {
  const root = await fixture<HTMLElement>(html`<div></div>`);
  const ann = addPanel(root, relay.url, 'Ann');
  await waitForStatus(ann, 'online');
  const ben = addPanel(root, benUrl, 'Ben');
  await waitForStatus(ben, 'online');
  const cat = addPanel(root, relay.url, 'Cat');
  await waitForStatus(cat, 'online');
  await waitFor(() => [ann, ben, cat].every((panel) => panel.roster.length === 3), 'everyone sees everyone');
  return { root, ann, ben, cat };
}

/** Ann writes to everyone; once Cat has that, anything sent before it would have reached her first. */
async function catHasOnly(ann: WsChatPanel, cat: WsChatPanel, expected: string[]): Promise<void> {
  const marker = `marker ${Math.random()}`;
  ann.send(marker);
  await waitForBubble(cat, marker);
  expect(bubbles(cat)).to.deep.equal([...expected, marker]);
}

describe('<ws-chat-panel>: a private draft never becomes a broadcast', () => {
  it('Ben closes his tab: the chip keeps him, marked offline; his new tab gets the message, Cat never does', async () => {
    const relay = await startRelay();
    const { root, ann, ben, cat } = await annBenCat(relay);
    await toggleRecipient(ann, 'Ben');
    await typeDraft(ann, SECRET);
    const oldId = ann.roster.find((peer) => peer.name === 'Ben')!.id;

    ben.remove();
    // A new tab has a new sessionStorage: Ben comes back as a new session (a new id).
    for (const key of Object.keys(sessionStorage)) if (key.startsWith('message-center:resume:')) sessionStorage.removeItem(key);
    await waitFor(() => !rosterNames(ann).includes('Ben'), 'Ann sees Ben go');
    await ann.updateComplete;
    expect(chips(ann)).to.deep.equal(['Ben offline']);
    const chip = shadow(ann).querySelector('.targets .chip')!;
    expect(chip.getAttribute('data-state')).to.equal('away');
    expect(draft(ann)).to.equal(SECRET);

    const benAgain = addPanel(root, relay.url, 'Ben');
    await waitForStatus(benAgain, 'online');
    await waitFor(() => rosterNames(ann).includes('Ben'), 'Ann sees Ben back');
    expect(ann.roster.find((peer) => peer.name === 'Ben')!.id).to.not.equal(oldId, 'a new session');
    await ann.updateComplete;
    expect(chips(ann)).to.deep.equal(['Ben'], 'the chip found Ben in his new tab');

    await pressEnter(ann);
    await waitForBubble(benAgain, SECRET);
    await catHasOnly(ann, cat, []);
  });

  it("Ben's connection drops and comes back: the draft stays his, and what Ann sends meanwhile reaches him on his return", async () => {
    const relay = await startRelay();
    const path = await startProxy(relay);
    const { ann, ben, cat } = await annBenCat(relay, path.url);
    await toggleRecipient(ann, 'Ben');
    await typeDraft(ann, SECRET);
    const benId = ann.roster.find((peer) => peer.name === 'Ben')!.id;

    await proxyCommand('cut', path.id);
    await waitFor(() => !rosterNames(ann).includes('Ben'), 'Ann sees Ben go');
    await ann.updateComplete;
    expect(chips(ann)).to.deep.equal(['Ben offline']);
    // Offline is not unreachable: the relay keeps his session, and the message for him.
    expect(sendButton(ann).disabled).to.equal(false);
    expect(shadow(ann).querySelector('[part="note"]')!.textContent).to.contain('Offline now: Ben.');
    await expect(ann).to.be.accessible();
    await pressEnter(ann);
    await waitFor(() => ann.messages.at(-1)?.state === 'sent', 'the relay accepted it for Ben');
    expect(ann.messages.at(-1)!.to).to.deep.equal({ ids: [benId] });

    await proxyCommand('restore', path.id);
    await waitForBubble(ben, SECRET, 15_000);
    await waitFor(() => ['delivered', 'read'].includes(ann.messages.at(-1)?.state ?? ''), 'Ann learns Ben has it (or has read it)');
    await ann.updateComplete;
    expect(chips(ann)).to.deep.equal(['Ben']);
    await catHasOnly(ann, cat, []);
  });

  it('the relay restarts while Ben is cut off: sending to him is refused in the panel, the draft is kept, and it goes once he is back', async () => {
    const relay = await startRelay();
    const path = await startProxy(relay);
    const { ann, ben, cat } = await annBenCat(relay, path.url);
    await toggleRecipient(ann, 'Ben');
    await typeDraft(ann, SECRET);

    await proxyCommand('cut', path.id);
    await relayCommand('restart', relay.id);
    await waitForStatus(ann, 'reconnecting');
    await waitForStatus(ann, 'online', 15_000);
    await waitForStatus(cat, 'online', 15_000);
    await waitFor(() => rosterNames(ann).join() === 'Ann,Cat', 'Ann sees Cat back, and not Ben');
    await ann.updateComplete;
    expect(chips(ann)).to.deep.equal(['Ben offline']);
    expect(shadow(ann).querySelector('.targets .chip')!.getAttribute('data-state')).to.equal('gone');
    expect(sendButton(ann).disabled, 'Send is disabled: his old session is gone with the restart').to.equal(true);

    await pressEnter(ann);
    expect(alertText(ann)).to.contain('Ben');
    expect(draft(ann)).to.equal(SECRET, 'the draft is kept');
    expect(ann.messages).to.deep.equal([]);
    await expect(ann).to.be.accessible();

    await proxyCommand('restore', path.id);
    await waitFor(() => rosterNames(ann).includes('Ben'), 'Ben is back', 15_000);
    await ann.updateComplete;
    expect(chips(ann)).to.deep.equal(['Ben']);
    expect(alertText(ann)).to.equal('');
    await pressEnter(ann);
    await waitForBubble(ben, SECRET);
    await catHasOnly(ann, cat, []);
  });

  it("the relay forgot Ben's away session: its unknown_target marks him unreachable, and he is found again when back", async () => {
    // Sessions expire a moment after their connection ends.
    const relay = await startRelay({ sessionTtl: 300, heartbeatInterval: 200 });
    const path = await startProxy(relay);
    const { ann, ben, cat } = await annBenCat(relay, path.url);
    await toggleRecipient(ann, 'Ben');
    await proxyCommand('cut', path.id);
    await waitFor(() => !rosterNames(ann).includes('Ben'), 'Ann sees Ben go');
    // Ann cannot know when the relay forgets him: she asks until it says no one matches (kept for him till then).
    const deadline = Date.now() + 10_000;
    for (let attempt = 1; ann.messages.at(-1)?.state !== 'failed'; attempt++) {
      expect(Date.now() < deadline, 'the relay forgets the away session').to.equal(true);
      await typeDraft(ann, `are you there? ${attempt}`);
      await pressEnter(ann);
      await waitFor(() => ann.messages.at(-1)?.state === 'sent' || ann.messages.at(-1)?.state === 'failed', 'an answer');
    }
    expect(ann.messages.at(-1)!.error).to.equal('unknown_target');
    await ann.updateComplete;
    expect(shadow(ann).querySelector('.targets .chip')!.getAttribute('data-state')).to.equal('gone');
    await typeDraft(ann, SECRET);
    expect(sendButton(ann).disabled, 'not sent to him again').to.equal(true);

    await proxyCommand('restore', path.id);
    await waitFor(() => rosterNames(ann).includes('Ben'), 'Ben is back, in a new session', 15_000);
    await ann.updateComplete;
    expect(chips(ann)).to.deep.equal(['Ben']);
    await pressEnter(ann);
    await waitForBubble(ben, SECRET);
    await catHasOnly(ann, cat, []);
  });

  it('with two recipients, one unreachable: refused, naming who cannot be reached; removing him sends to the other only', async () => {
    const relay = await startRelay();
    const path = await startProxy(relay);
    const root = await fixture<HTMLElement>(html`<div></div>`);
    const ann = addPanel(root, relay.url, 'Ann');
    const ben = addPanel(root, path.url, 'Ben');
    const cat = addPanel(root, relay.url, 'Cat');
    const dan = addPanel(root, relay.url, 'Dan');
    await waitFor(() => [ann, ben, cat, dan].every((panel) => panel.roster.length === 4), 'everyone sees everyone');
    await toggleRecipient(ann, 'Ben');
    await toggleRecipient(ann, 'Cat');
    await typeDraft(ann, 'for Ben and Cat');

    await proxyCommand('cut', path.id);
    await relayCommand('restart', relay.id);
    await waitForStatus(ann, 'reconnecting');
    await waitForStatus(ann, 'online', 15_000);
    await waitFor(() => rosterNames(ann).join() === 'Ann,Cat,Dan', 'Ann sees Cat and Dan back, not Ben', 15_000);
    await ann.updateComplete;
    expect(chips(ann)).to.deep.equal(['Ben offline', 'Cat']);
    await pressEnter(ann);
    expect(alertText(ann)).to.contain('Ben');
    expect(alertText(ann)).to.not.contain('Cat');
    expect(ann.messages).to.deep.equal([], 'not sent to Cat alone behind her back');

    shadow(ann).querySelector<HTMLButtonElement>('.targets .chip button[aria-label="Remove Ben"]')!.click();
    await ann.updateComplete;
    expect(chips(ann)).to.deep.equal(['Cat']);
    await pressEnter(ann);
    await waitForBubble(cat, 'for Ben and Cat');
    const marker = 'for everyone';
    await toggleRecipient(ann, 'Cat');
    await typeAndSend(ann, marker);
    await waitForBubble(dan, marker);
    expect(bubbles(dan)).to.deep.equal([marker]);
  });

  it('two people called Ada: the one picked leaves, and the other one never gets what was meant for the first', async () => {
    const relay = await startRelay();
    const root = await fixture<HTMLElement>(html`<div></div>`);
    const ann = addPanel(root, relay.url, 'Ann');
    await waitForStatus(ann, 'online');
    const ada1 = addPanel(root, relay.url, 'Ada');
    await waitFor(() => ann.roster.length === 2, 'the first Ada');
    const firstId = ann.roster.find((peer) => peer.name === 'Ada')!.id;
    // Another person: another browser, so not the first one's session store (which one page shares per URL and name).
    const elsewhere = await startProxy(relay);
    const ada2 = addPanel(root, elsewhere.url, 'Ada');
    await waitFor(() => ann.roster.length === 3 && ada2.status === 'online', 'the second Ada');
    // Same name, same address: the roster lists them in the order they came; the first is the first one.
    await toggleRecipient(ann, 'Ada');
    await typeDraft(ann, 'for the first Ada');

    ada1.remove();
    await waitFor(() => ann.roster.length === 2, 'the first Ada leaves');
    await ann.updateComplete;
    expect(chips(ann)).to.deep.equal(['Ada offline'], 'not moved to the other Ada');
    await pressEnter(ann);
    await waitFor(() => ann.messages.at(-1)?.state === 'sent', 'kept by the relay for the first Ada');
    expect(ann.messages.at(-1)!.to).to.deep.equal({ ids: [firstId] });
    await catHasOnly(ann, ada2, []);
  });
});
