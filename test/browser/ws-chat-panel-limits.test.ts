// The writer knows the relay's limit before sending: a counter near it, Send
// disabled past it with the reason in view, and a retry only where a retry
// can help (issue 12, item 3).
import { expect, fixture, html } from '@open-wc/testing';
import '../../src/define.js';
import type { ChatErrorDetail, WsChatPanel } from '../../src/index.js';
import { bubbles, pressEnter, shadow, startRelay, toggleRecipient, waitForBubble, waitForChinese, waitForStatus } from '../support/panel.js';
import { waitFor } from '../support/wait.js';

const LIMIT = 2048;
const textarea = (panel: WsChatPanel) => shadow(panel).querySelector('textarea')!;
const sendButton = (panel: WsChatPanel) => shadow(panel).querySelector<HTMLButtonElement>('.send')!;
const note = (panel: WsChatPanel) => shadow(panel).querySelector('[part="note"]')?.textContent?.trim() ?? '';

/** Puts `text` in the composer as a paste does (typing two kilobytes key by key takes too long). */
async function paste(panel: WsChatPanel, text: string): Promise<void> {
  const input = textarea(panel);
  input.focus();
  input.value = text;
  input.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
  await panel.updateComplete;
}

/** Bytes of the send frame the panel will send for `text` (ids are 32 hex digits), as the relay counts them. */
const frameBytes = (text: string, to?: object) =>
  new TextEncoder().encode(JSON.stringify({ type: 'send', id: '0'.repeat(32), ...(to ? { to } : {}), data: text })).length;

async function adaAndBob() {
  const relay = await startRelay({ maxFrameBytes: LIMIT });
  const root = await fixture<HTMLElement>(html`
    <div>
      <ws-chat-panel url=${relay.url} user-name="Ada"></ws-chat-panel>
      <ws-chat-panel url=${relay.url} user-name="Bob"></ws-chat-panel>
    </div>
  `);
  const [ada, bob] = [...root.querySelectorAll('ws-chat-panel')] as [WsChatPanel, WsChatPanel];
  await waitForStatus(ada, 'online');
  await waitForStatus(bob, 'online');
  await waitFor(() => ada.roster.length === 2, 'Ada sees Bob');
  return { relay, ada, bob };
}

describe('<ws-chat-panel>: the length limit, before sending', () => {
  it('counts near the limit, disables Send past it saying by how much, and the count is exact (Chinese, emoji, escapes)', async () => {
    const { ada, bob } = await adaAndBob();
    const unit = '中文😀"\\\n';
    let text = '';
    while (frameBytes(text + unit) <= LIMIT + 40) text += unit;

    await paste(ada, 'short');
    expect(note(ada)).to.equal('');
    await paste(ada, text.slice(0, Math.floor(text.length * 0.85)));
    expect(note(ada)).to.match(/^\d+% of the maximum length$/);
    expect(sendButton(ada).disabled).to.equal(false);

    await paste(ada, text);
    const over = note(ada).match(/^Too long to send: remove about (\d+) characters$/);
    expect(over, note(ada)).to.not.equal(null);
    expect(sendButton(ada).disabled, 'Send is disabled').to.equal(true);
    expect(sendButton(ada).getAttribute('aria-describedby')).to.equal('composer-note', 'and says why');
    await pressEnter(ada);
    expect(ada.messages).to.deep.equal([], 'Enter sends nothing either');
    expect(shadow(ada).querySelector('form [role="alert"]')!.textContent).to.contain('Too long to send');
    expect(textarea(ada).value).to.equal(text, 'the draft is kept');

    // Removing exactly that many characters from the end makes it fit, and the relay takes it.
    const fitting = [...text].slice(0, -Number(over![1])).join('');
    expect(frameBytes(fitting)).to.be.at.most(LIMIT);
    expect(frameBytes([...text].slice(0, -Number(over![1]) + 1).join(''))).to.be.above(LIMIT);
    await paste(ada, fitting);
    expect(sendButton(ada).disabled).to.equal(false);
    await pressEnter(ada);
    await waitForBubble(bob, fitting);
    await waitFor(() => ada.messages.at(-1)?.state === 'sent', 'the relay accepted it');
  });

  it('counts the recipients too: what fits for everyone may not fit privately', async () => {
    const { ada } = await adaAndBob();
    let text = '';
    while (frameBytes(`${text}x`) <= LIMIT) text += 'x';
    await paste(ada, text);
    expect(sendButton(ada).disabled).to.equal(false);
    await toggleRecipient(ada, 'Bob');
    expect(note(ada)).to.match(/^Too long to send: remove about \d+ characters$/);
    expect(sendButton(ada).disabled).to.equal(true);
  });

  it('says it in Chinese too', async () => {
    const { ada } = await adaAndBob();
    ada.setAttribute('lang', 'zh-CN');
    await waitForChinese(ada);
    let text = '';
    while (frameBytes(text) <= LIMIT) text += '长';
    await paste(ada, text);
    expect(note(ada)).to.equal('消息太长，无法发送：请删减约 1 个字符');
    await paste(ada, text.slice(0, -40));
    expect(note(ada)).to.match(/^已达最大长度的 \d+%$/);
  });

  it('send() from code with a payload over the limit: a too_large error at once, nothing sent', async () => {
    const { ada, bob } = await adaAndBob();
    const errors: ChatErrorDetail[] = [];
    ada.addEventListener('ws-chat-error', (event) => errors.push(event.detail));
    expect(ada.send('x'.repeat(LIMIT))).to.equal(undefined);
    expect(errors.map((error) => error.code)).to.deep.equal(['too_large']);
    expect(ada.messages).to.deep.equal([]);
    ada.send('after it');
    await waitForBubble(bob, 'after it');
    expect(bubbles(bob)).to.deep.equal(['after it']);
  });

  it('a message that can never go (too long, written before the limit was known) fails without a Retry that cannot help', async () => {
    const relay = await startRelay({ maxFrameBytes: LIMIT });
    // Offline from the start: the relay's limit is not known yet, so the message waits.
    const ada = await fixture<WsChatPanel>(html`<ws-chat-panel url="ws://127.0.0.1:9/" user-name="Ada"></ws-chat-panel>`);
    await paste(ada, 'y'.repeat(LIMIT * 2));
    await pressEnter(ada);
    expect(ada.messages.at(-1)?.state).to.equal('pending');
    ada.url = relay.url;
    await waitFor(() => ada.messages.at(-1)?.state === 'failed', 'refused once the limit is known');
    await ada.updateComplete;
    const delivery = shadow(ada).querySelector('.delivery[data-state="failed"]')!;
    expect(delivery.textContent).to.contain('the message is too long');
    // (Booleans in assertions: a failing one on a DOM element takes the runner minutes to print.)
    expect(delivery.querySelector('button') === null, 'no Retry: it would fail again').to.equal(true);

    // Nor for a recipient no one matches any more; the reason is still shown.
    ada.send('to nobody', { ids: ['not-a-peer'] });
    await waitFor(() => ada.messages.at(-1)?.state === 'failed', 'unknown_target');
    await ada.updateComplete;
    const last = [...shadow(ada).querySelectorAll('.delivery[data-state="failed"]')].at(-1)!;
    expect(last.textContent).to.contain('no longer online');
    expect(last.querySelector('button') === null, 'no Retry').to.equal(true);
  });
});
