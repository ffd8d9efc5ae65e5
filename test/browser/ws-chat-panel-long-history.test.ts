// A long history (10,000 messages from the page's store) opens at its newest
// message without holding the page: the newest screenful first, the rest in
// slices that leave the browser turns in between, the reader's place kept as
// older messages are rendered above it, every message reachable, in order, once.
import { expect, fixture, html } from '@open-wc/testing';
import '../../src/define.js';
import type { WsChatPanel } from '../../src/index.js';
import { bubbles, shadow } from '../support/panel.js';
import { waitFor } from '../support/wait.js';

const nowhere = 'ws://127.0.0.1:9/';
const COUNT = 10_000;
const start = Date.UTC(2026, 11, 3, 9);
/** As a store holds them, newest last; the newest is the one to open at. */
const stored = () => Array.from({ length: COUNT }, (_, i) => ({ id: `m${i}`, from: { name: `Person ${i % 7}` }, data: `stored ${i}`, ts: start + i * 1000 }));

async function panel() {
  const name = `Ada-${Math.random().toString(36).slice(2)}`;
  const chat = await fixture<WsChatPanel>(
    html`<ws-chat-panel url=${nowhere} user-name=${name} max-messages=${COUNT} style="--ws-chat-panel-height: 480px"></ws-chat-panel>`,
  );
  await chat.updateComplete;
  return chat;
}

const log = (chat: WsChatPanel) => shadow(chat).querySelector<HTMLElement>('.stream')!;

/** Whether `element` is wholly inside the log's visible box. */
function inView(chat: WsChatPanel, element: Element | null | undefined): boolean {
  if (!element) return false;
  const box = log(chat).getBoundingClientRect();
  const { top, bottom } = element.getBoundingClientRect();
  return top >= box.top - 1 && bottom <= box.bottom + 1;
}

const lastBubble = (chat: WsChatPanel) => [...shadow(chat).querySelectorAll('.bubble')].at(-1);

describe('<ws-chat-panel> with 10,000 messages of history', () => {
  it('opens at the newest message at once, and renders the rest in slices that let the page run in between', async () => {
    const chat = await panel();
    chat.addMessages(stored());
    // Each poll is a timer of the page's: it runs between the panel's slices, or not before they are all done.
    await waitFor(() => inView(chat, lastBubble(chat)) && lastBubble(chat)!.textContent === `stored ${COUNT - 1}`, 'the newest message on screen', 5_000);
    const renderedMeanwhile = bubbles(chat).length;
    expect(log(chat).getAttribute('aria-busy'), 'the log tells assistive technology it is being filled in').to.equal('true');
    await chat.updateComplete;
    expect(log(chat).hasAttribute('aria-busy'), 'and when it is done').to.equal(false);
    const rendered = bubbles(chat);
    expect(renderedMeanwhile, 'a timer of the page ran while the panel was still rendering').to.be.below(rendered.length);
    expect(rendered.at(-1)).to.equal(`stored ${COUNT - 1}`);
    expect(inView(chat, lastBubble(chat)), 'still at the newest once every slice is rendered').to.equal(true);
    expect(rendered, 'the newest, in order').to.deep.equal(Array.from({ length: rendered.length }, (_, i) => `stored ${COUNT - rendered.length + i}`));
  });

  it('keeps what the reader is looking at in place while older messages are rendered above it', async () => {
    const chat = await panel();
    chat.addMessages(stored());
    await chat.updateComplete;
    const before = bubbles(chat).length;
    log(chat).scrollTop = 0;
    const top = shadow(chat).querySelector('.message')!;
    const offset = top.getBoundingClientRect().top - log(chat).getBoundingClientRect().top;
    await waitFor(() => bubbles(chat).length > before, 'older messages rendered above');
    await chat.updateComplete;
    expect(top.isConnected, 'the same element').to.equal(true);
    expect(top.getBoundingClientRect().top - log(chat).getBoundingClientRect().top, 'where it was').to.be.closeTo(offset, 1);
    expect(log(chat).scrollTop, 'the older ones are above, out of view').to.be.above(0);
  });

  it('has every message reachable by scrolling up, in order, each once', async () => {
    const chat = await panel();
    const history = stored();
    chat.addMessages(history);
    chat.addMessages(history.slice(0, 5_000)); // loaded twice: shown once
    expect(chat.messages).to.have.length(COUNT);
    await chat.updateComplete;
    const seen = new Set<string>();
    for (;;) {
      const rendered = bubbles(chat);
      const from = history.findIndex((message) => message.data === rendered[0]);
      expect(rendered, 'a run of the history, in order').to.deep.equal(history.slice(from, from + rendered.length).map((message) => message.data));
      const keys = [...shadow(chat).querySelectorAll('.message')].map((element) => element.getAttribute('data-key'));
      expect(new Set(keys).size, 'each once').to.equal(rendered.length);
      for (const text of rendered) seen.add(text);
      if (from === 0) break;
      log(chat).scrollTop = 0;
      await waitFor(() => bubbles(chat)[0] !== rendered[0], () => `earlier than "${rendered[0]}" rendered after scrolling to the top`);
      await chat.updateComplete;
    }
    expect(seen.size, 'every message was on the way up').to.equal(COUNT);
  });

  it('brings the reader back down to the newest after they went far up, in order, and follows new messages again there', async () => {
    const chat = await panel();
    const history = stored();
    chat.addMessages(history);
    await chat.updateComplete;
    const newest = `stored ${COUNT - 1}`;
    // Far enough up that the newest are no longer rendered.
    for (let step = 0; bubbles(chat).includes(newest); step++) {
      const top = bubbles(chat)[0];
      log(chat).scrollTop = 0;
      await waitFor(() => bubbles(chat)[0] !== top, () => `earlier than "${top}" rendered (step ${step})`);
      await chat.updateComplete;
    }
    const seen: string[] = [];
    while (!bubbles(chat).includes(newest)) {
      const last = bubbles(chat).at(-1)!;
      log(chat).scrollTop = log(chat).scrollHeight;
      await waitFor(() => bubbles(chat).at(-1) !== last, () => `later than "${last}" rendered after scrolling to the bottom`);
      await chat.updateComplete;
      const rendered = bubbles(chat);
      const from = history.findIndex((message) => message.data === rendered[0]);
      expect(rendered, 'a run of the history, in order').to.deep.equal(history.slice(from, from + rendered.length).map((message) => message.data));
      seen.push(...rendered);
    }
    log(chat).scrollTop = log(chat).scrollHeight;
    await waitFor(() => log(chat).scrollHeight - log(chat).scrollTop - log(chat).clientHeight < 5, 'at the bottom');
    chat.addMessages([{ id: 'later', from: 'Eve', data: 'one more', ts: start + COUNT * 1000 }]);
    await chat.updateComplete;
    expect(bubbles(chat).at(-1)).to.equal('one more');
    expect(inView(chat, lastBubble(chat)), 'the log follows the newest again').to.equal(true);
  });

  it('updateComplete resolves while messages keep arriving: it waits for the history slices, not for the stream to stop', async () => {
    const chat = await panel();
    let streaming = true;
    let n = 0;
    // A message every frame, as a busy conversation brings them: an update is always pending again.
    const stream = () => {
      if (!streaming) return;
      chat.addMessages([{ id: `live${n}`, from: { name: 'Bob' }, data: `live ${n}`, ts: start + COUNT * 1000 + n++ }]);
      requestAnimationFrame(stream);
    };
    requestAnimationFrame(stream);
    try {
      await waitFor(() => n > 5, 'the stream to start');
      const outcome = await Promise.race([
        chat.updateComplete.then(() => 'resolved'),
        new Promise((resolve) => setTimeout(() => resolve('still waiting'), 3_000)),
      ]);
      expect(outcome, 'updateComplete while the stream goes on').to.equal('resolved');
    } finally {
      streaming = false;
    }
  });
});
