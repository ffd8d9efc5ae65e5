// Mentions, through a real relay into real panels: typing "@" offers the
// people online as a listbox the keyboard and the mouse can pick from.
import { expect, fixture, html } from '@open-wc/testing';
import { executeServerCommand, sendKeys } from '@web/test-runner-commands';
import '../../src/define.js';
import type { WsChatPanel } from '../../src/index.js';
import { axeFindings } from '../support/axe.js';
import { shadow, startRelay, waitForStatus } from '../support/panel.js';
import { waitFor } from '../support/wait.js';

async function threePanels() {
  const relay = await startRelay();
  const root = await fixture<HTMLElement>(html`
    <message-center-provider style="display:flex;gap:16px;width:1300px">
      ${['Ada', 'Bob', 'Bea'].map((name) => html`<ws-chat-panel url=${relay.url} user-name=${name} style="width:420px"></ws-chat-panel>`)}
    </message-center-provider>
  `);
  const panels = [...root.querySelectorAll('ws-chat-panel')] as [WsChatPanel, WsChatPanel, WsChatPanel];
  for (const panel of panels) await waitForStatus(panel, 'online');
  await waitFor(() => panels.every((panel) => panel.roster.length === 3), 'all three online');
  return panels;
}

const textbox = (panel: WsChatPanel) => shadow(panel).querySelector('textarea')!;
const listbox = (panel: WsChatPanel) => shadow(panel).querySelector<HTMLElement>('[role="listbox"]');
const offered = (panel: WsChatPanel) => [...shadow(panel).querySelectorAll('[role="option"]')].map((option) => option.querySelector('.mention-name')!.textContent);
const activeName = (panel: WsChatPanel) => {
  const id = textbox(panel).getAttribute('aria-activedescendant');
  return id ? shadow(panel).getElementById(id)?.querySelector('.mention-name')?.textContent : undefined;
};

async function type(panel: WsChatPanel, text: string) {
  textbox(panel).focus();
  await sendKeys({ type: text });
  await panel.updateComplete;
}

async function press(panel: WsChatPanel, key: string) {
  await sendKeys({ press: key });
  await panel.updateComplete;
}

describe('<ws-chat-panel> mentions', () => {
  it('offers the people online for "@", without yourself, as a combobox the keyboard picks from', async () => {
    const [ada] = await threePanels();
    await type(ada, 'Hi @');
    expect(offered(ada)).to.deep.equal(['Bob', 'Bea']);
    const input = textbox(ada);
    expect(input.getAttribute('aria-autocomplete')).to.equal('list');
    expect(input.getAttribute('aria-controls')).to.equal(listbox(ada)!.id);
    expect(activeName(ada)).to.equal('Bob');
    expect(await axeFindings(ada, 'the mention list open')).to.deep.equal([]);

    await press(ada, 'ArrowDown');
    expect(activeName(ada)).to.equal('Bea');
    await press(ada, 'ArrowDown');
    expect(activeName(ada), 'wraps round').to.equal('Bob');
    await press(ada, 'ArrowUp');
    await press(ada, 'Enter');
    expect(input.value).to.equal('Hi @Bea ');
    expect(listbox(ada)).to.equal(null);
    expect(input.hasAttribute('aria-activedescendant')).to.equal(false);
    expect(ada.messages, 'Enter picked, it did not send').to.deep.equal([]);
    expect(shadow(ada).activeElement).to.equal(input);
  });

  it('narrows the list as the name is typed, picks with Tab, and closes on Escape until the next "@"', async () => {
    const [ada] = await threePanels();
    await type(ada, '@b');
    expect(offered(ada)).to.deep.equal(['Bob', 'Bea']);
    await type(ada, 'e');
    expect(offered(ada)).to.deep.equal(['Bea']);
    await press(ada, 'Tab');
    expect(textbox(ada).value).to.equal('@Bea ');
    expect(shadow(ada).activeElement, 'Tab picked, focus stayed').to.equal(textbox(ada));

    await type(ada, '@');
    expect(listbox(ada)).to.not.equal(null);
    await press(ada, 'Escape');
    expect(listbox(ada)).to.equal(null);
    await type(ada, 'B');
    expect(listbox(ada), 'stays closed for this "@"').to.equal(null);
    await type(ada, ' and @');
    expect(offered(ada)).to.deep.equal(['Bob', 'Bea']);
  });

  it('picks with a click, leaving focus in the textbox', async () => {
    const [ada] = await threePanels();
    await type(ada, 'ping @');
    const [, bea] = [...shadow(ada).querySelectorAll<HTMLElement>('[role="option"]')];
    bea!.dispatchEvent(new MouseEvent('mousedown', { bubbles: true, cancelable: true }));
    bea!.click();
    await ada.updateComplete;
    expect(textbox(ada).value).to.equal('ping @Bea ');
    expect(listbox(ada)).to.equal(null);
  });

  it("sends the ids of the people picked through the relay: the mentioned person's panel marks the message, no one else's does", async () => {
    const [ada, bob, bea] = await threePanels();
    const id = (name: string) => ada.roster.find((p) => p.name === name)!.id;
    await type(ada, 'Hi @Bo');
    await press(ada, 'Enter');
    // Bea's name typed, not picked: text only.
    await type(ada, 'and @Bea');
    await press(ada, 'Escape');
    await press(ada, 'Enter');
    const text = 'Hi @Bob and @Bea';
    await waitFor(() => [bob, bea].every((panel) => panel.messages.some((m) => m.text === text)), 'Bob and Bea have the message');
    expect(ada.messages.find((m) => m.text === text)!.mentions).to.deep.equal([id('Bob')]);
    for (const panel of [bob, bea]) expect(panel.messages.find((m) => m.text === text)!.mentions, panel.userName).to.deep.equal([id('Bob')]);
    const item = (panel: WsChatPanel) => {
      const key = panel.messages.find((m) => m.text === text)!.key;
      return shadow(panel).querySelector<HTMLElement>(`.message[data-key="${CSS.escape(key)}"]`)!;
    };
    for (const panel of [ada, bob, bea]) await panel.updateComplete;
    expect(item(bob).getAttribute('part')).to.contain('message-mention');
    for (const panel of [ada, bea]) expect(item(panel).getAttribute('part'), panel.userName).to.not.contain('message-mention');
    for (const panel of [ada, bob, bea]) {
      expect([...item(panel).querySelectorAll('[part="mention"]')].map((span) => span.textContent), panel.userName).to.deep.equal(['@Bob']);
    }
    expect(await axeFindings(bob, 'a message that mentions you, from the relay')).to.deep.equal([]);
  });

  it('sends no id for a name picked and then deleted', async () => {
    const [ada, bob] = await threePanels();
    await type(ada, '@Bo');
    await press(ada, 'Enter');
    for (let i = 0; i < '@Bob '.length; i++) await press(ada, 'Backspace');
    await type(ada, 'nobody here');
    await press(ada, 'Enter');
    await waitFor(() => bob.messages.some((m) => m.text === 'nobody here'), 'Bob has the message');
    expect(bob.messages.find((m) => m.text === 'nobody here')!.mentions).to.equal(undefined);
  });

  it("marks the @Name of each person a message mentions, and the whole message only in the mentioned person's panel", async () => {
    const [ada, bob, bea] = await threePanels();
    const peer = (name: string) => ada.roster.find((p) => p.name === name)!;
    // A whole message as a panel hands it on (the ws-chat-message detail), from Bea, mentioning Bob only.
    const message = { key: 'm-1', id: 'm-1', from: peer('Bea'), data: 'hi @Bob and @Ada', text: 'hi @Bob and @Ada', ts: Date.now(), own: false, mentions: [peer('Bob').id] };
    for (const panel of [ada, bob, bea]) panel.addMessages([message as never]);
    const item = (panel: WsChatPanel) => shadow(panel).querySelector<HTMLElement>('.message[data-key="m-1"]');
    await waitFor(() => [ada, bob, bea].every((panel) => item(panel) !== null), 'the message in every panel');
    for (const panel of [ada, bob, bea]) {
      await panel.updateComplete;
      expect([...item(panel)!.querySelectorAll('[part="mention"]')].map((span) => span.textContent), `${panel.userName}: only @Bob is a mention`).to.deep.equal(['@Bob']);
      expect(item(panel)!.querySelector('.bubble')!.textContent).to.equal('hi @Bob and @Ada');
    }
    expect(item(bob)!.getAttribute('part')).to.contain('message-mention');
    expect(item(bob)!.querySelector('.mention-label')!.textContent).to.equal('Mentions you');
    for (const panel of [ada, bea]) {
      expect(item(panel)!.getAttribute('part'), `${panel.userName} is not mentioned`).to.not.contain('message-mention');
      expect(item(panel)!.querySelector('.mention-label')).to.equal(null);
    }
    expect(await axeFindings(bob, 'a message that mentions you')).to.deep.equal([]);
  });

  it('in a large room, offers members the roster does not show, found by asking the relay', async () => {
    const relay = await startRelay({ presenceThreshold: 20, maxConnectionsPerAddress: 200 });
    const ada = await fixture<WsChatPanel>(html`<ws-chat-panel url=${relay.url} user-name="Ada" room="hall"></ws-chat-panel>`);
    await waitForStatus(ada, 'online');
    const { id } = await executeServerCommand<{ id: string }, object>('crowd-join', { relay: relay.id, room: 'hall', count: 150, prefix: 'zed' });
    try {
      await waitFor(() => shadow(ada).querySelector('[part="count"]')?.textContent?.includes('151') === true, 'the room of 151 counted');
      // The roster holds the room's most recently active part: the first to join is not in it.
      expect(ada.roster.some((peer) => peer.name === 'zed0'), 'zed0 is not in the roster').to.equal(false);
      await type(ada, '@zed0');
      await waitFor(() => offered(ada).includes('zed0'), () => `zed0 offered (offered: ${offered(ada)})`);
      await press(ada, 'Enter');
      expect(textbox(ada).value).to.equal('@zed0 ');
    } finally {
      await executeServerCommand('crowd-leave', { id });
    }
  });

  it('passes axe in the dark theme and in Chinese with the list open, a link, days and a message that mentions you', async () => {
    const relay = await startRelay();
    const root = await fixture<HTMLElement>(html`
      <message-center-provider style="display:flex;gap:16px;width:900px">
        <ws-chat-panel url=${relay.url} user-name="Ada" theme="dark" style="width:420px"></ws-chat-panel>
        <ws-chat-panel url=${relay.url} user-name="Bob" theme="dark" lang="zh-CN" style="width:420px"></ws-chat-panel>
      </message-center-provider>
    `);
    const [ada, bob] = [...root.querySelectorAll('ws-chat-panel')] as [WsChatPanel, WsChatPanel];
    for (const panel of [ada, bob]) await waitForStatus(panel, 'online');
    await waitFor(() => ada.roster.length === 2 && bob.roster.length === 2, 'both online');
    bob.addMessages([{ id: 'old', from: 'Eve', data: 'yesterday, see https://example.com/notes', ts: Date.now() - 86_400_000 }]);
    await type(ada, '@Bo');
    await press(ada, 'Enter');
    await type(ada, 'look at https://example.com/x');
    await press(ada, 'Enter');
    await waitFor(() => bob.messages.some((m) => m.mentions !== undefined), 'Bob has the mention');
    await bob.updateComplete;
    expect(shadow(bob).querySelector('[part~="message-mention"] .mention-label')!.textContent).to.equal('提到了你');
    expect(await axeFindings(bob, 'dark, Chinese: a link, days, a message that mentions you')).to.deep.equal([]);
    await type(ada, '@');
    expect(listbox(ada)).to.not.equal(null);
    expect(await axeFindings(ada, 'dark: the mention list open')).to.deep.equal([]);
  });

  it("takes a stored message's mentions from addMessages, and refuses a list that is not of ids", async () => {
    const [ada, bob] = await threePanels();
    const bobId = ada.roster.find((p) => p.name === 'Bob')!.id;
    bob.addMessages([{ id: 's1', from: 'Ada', data: 'stored @Bob', ts: Date.now(), mentions: [bobId] }]);
    await waitFor(() => shadow(bob).querySelector('[part~="message-mention"]') !== null, "the stored message marked in Bob's panel");
    expect(() => bob.addMessages([{ id: 's2', from: 'Ada', data: 'x', ts: Date.now(), mentions: [''] }])).to.throw(TypeError, 'messages[0].mentions');
  });

  it('does not open inside an address', async () => {
    const [ada] = await threePanels();
    await type(ada, 'mail ada@b');
    expect(listbox(ada)).to.equal(null);
  });
});
