// The longest messages the relay accepts, through a real relay into real
// panels: shown collapsed behind an accessible "show more", whole on request,
// and neither side's composer stops working. (What they cost in milliseconds
// is measured by `npm run bench:panel`, not asserted here.)
import { expect } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../src/define.js';
import type { WsChatPanel } from '../../src/index.js';
import { conversation, shadow, typeAndSend, waitForBubble } from '../support/panel.js';
import { waitFor } from '../support/wait.js';

/** The relay's default frame limit, less the envelope the client wraps around `data`. */
const MAX_FRAME = 64 * 1024;
const envelope = JSON.stringify({ type: 'send', id: 'x'.repeat(32), data: '' }).length;
/** The longest string of `unit` (UTF-8 `bytes` each) that still fits in one frame. */
const largest = (unit: string, bytes: number) => unit.repeat(Math.floor((MAX_FRAME - envelope) / bytes));


/** The rendered message whose text is `text`: its bubble and its show-more control. */
function rendered(panel: WsChatPanel, text: string) {
  const message = panel.messages.find((m) => m.text === text);
  if (!message) throw new Error(`${panel.userName} has no such message`);
  const item = shadow(panel).querySelector<HTMLElement>(`.message[data-key="${CSS.escape(message.key)}"]`)!;
  return { item, bubble: item.querySelector<HTMLElement>('.bubble')!, toggle: item.querySelector<HTMLButtonElement>('button.more') };
}

async function arrived(sender: WsChatPanel, receiver: WsChatPanel, text: string) {
  await waitFor(() => receiver.messages.some((m) => m.text === text), `${receiver.userName} has the long message`, 10_000);
  await waitFor(() => sender.messages.some((m) => m.text === text && m.state === 'sent'), `the relay accepted ${sender.userName}'s long message`, 10_000);
  await sender.updateComplete;
  await receiver.updateComplete;
}

function expectCollapsed(panel: WsChatPanel, text: string) {
  const { bubble, toggle } = rendered(panel, text);
  const shown = bubble.textContent ?? '';
  expect(shown.length > 0 && shown.length < text.length / 10, `${panel.userName}: collapsed to a preview (${shown.length} of ${text.length})`).to.equal(true);
  expect(text.startsWith(shown), `${panel.userName}: the preview is the start of the message`).to.equal(true);
  expect(toggle, `${panel.userName}: a show-more control`).to.not.equal(null);
  expect(toggle!.getAttribute('aria-expanded')).to.equal('false');
}

describe('<ws-chat-panel> with the longest messages the relay accepts', () => {
  it('shows a 64 KB word collapsed on both sides, whole on request, and both composers keep working', async () => {
    const { ada, bob } = await conversation({ bobLang: 'zh-CN' });
    const word = largest('W', 1);
    ada.send(word);
    await arrived(ada, bob, word);
    expectCollapsed(ada, word);
    expectCollapsed(bob, word);
    expect(bob.messages.find((m) => m.text === word)!.data, 'the message itself is whole').to.equal(word);

    // Show more, in English and in Chinese.
    expect(rendered(ada, word).toggle!.textContent).to.match(/show more/i);
    expect(rendered(bob, word).toggle!.textContent).to.contain('展开');
    rendered(bob, word).toggle!.click();
    await bob.updateComplete;
    expect(rendered(bob, word).bubble.textContent, 'expanded: the whole message').to.equal(word);
    expect(rendered(bob, word).toggle!.getAttribute('aria-expanded')).to.equal('true');
    expect(rendered(bob, word).toggle!.textContent).to.contain('收起');

    // It stays expanded while more arrives, and collapses again on request.
    await typeAndSend(ada, 'still here');
    await waitForBubble(bob, 'still here');
    expect(rendered(bob, word).bubble.textContent).to.equal(word);
    rendered(bob, word).toggle!.click();
    await bob.updateComplete;
    expectCollapsed(bob, word);

    // Bob's composer works after it, with the keyboard.
    await typeAndSend(bob, 'me too');
    await waitForBubble(ada, 'me too');
  });

  it('takes a paste of 50 KB into the composer and sends it; the other side shows it collapsed', async () => {
    const { ada, bob } = await conversation({ bobLang: 'zh-CN' });
    const paragraph = 'The quick brown fox jumps over the lazy dog, then naps in the sun; nobody minds. '.repeat(8) + '\n\n';
    const pasted = paragraph.repeat(Math.ceil(50_000 / paragraph.length)).slice(0, 50_000);
    const input = shadow(ada).querySelector('textarea')!;
    input.focus();
    // What a paste does to a textarea: one insertText edit, with its input event.
    document.execCommand('insertText', false, pasted);
    await ada.updateComplete;
    expect(input.value).to.equal(pasted);
    expect(shadow(ada).querySelector<HTMLButtonElement>('.send')!.disabled).to.equal(false);
    await sendKeys({ press: 'Enter' });
    await arrived(ada, bob, pasted);
    expect(input.value, 'the composer is cleared').to.equal('');
    expectCollapsed(ada, pasted);
    expectCollapsed(bob, pasted);
  });

  it('collapses the longest Chinese message too; the keyboard expands it, keeps focus on the control, and every character is there', async () => {
    const { ada, bob } = await conversation({ bobLang: 'zh-CN' });
    const chinese = largest('长', 3).slice(0, -8) + '结尾：完整无缺';
    bob.send(chinese);
    await arrived(bob, ada, chinese);
    expectCollapsed(ada, chinese);
    const toggle = rendered(ada, chinese).toggle!;
    toggle.focus();
    await sendKeys({ press: 'Enter' });
    await ada.updateComplete;
    expect(rendered(ada, chinese).bubble.textContent).to.equal(chinese);
    expect(shadow(ada).activeElement, 'focus stays on the control').to.equal(rendered(ada, chinese).toggle);
    await sendKeys({ press: 'Space' });
    await ada.updateComplete;
    expectCollapsed(ada, chinese);
  });

  it('shows a message just under the collapsing length whole, without a control', async () => {
    const { ada, bob } = await conversation({ bobLang: 'zh-CN' });
    const short = 'A sentence of ordinary length, repeated. '.repeat(40);
    ada.send(short);
    await arrived(ada, bob, short);
    const { bubble, toggle } = rendered(bob, short);
    expect(bubble.textContent).to.equal(short);
    expect(toggle).to.equal(null);
  });
});
