// The panel's layout does not depend on the CSS around it: whatever the
// host's `display` and whatever its parent, the composer is on screen, the
// message list scrolls inside the panel and shows the latest message, and the
// height the page asked for is the height it gets.
import { expect, fixture, html } from '@open-wc/testing';
import type { TemplateResult } from 'lit';
import '../../src/define.js';
import type { ChatMessage, WsChatPanel } from '../../src/index.js';
import { shadow } from '../support/panel.js';
import { waitFor } from '../support/wait.js';

const history: ChatMessage[] = Array.from({ length: 300 }, (_, i) => ({
  key: `history:${i}`,
  id: `m${i}`,
  from: { id: 'p1', name: 'Eve', addr: '' },
  data: `message ${i}`,
  text: `message ${i}`,
  ts: Date.UTC(2026, 11, 3, 9, 0, i),
  own: false,
}));

// No relay: the panel keeps trying to connect, which changes nothing here.
const nowhere = 'ws://127.0.0.1:9/';

interface Case {
  name: string;
  template: TemplateResult;
  /** The height the page asked for, in px (32rem by default). */
  height: number;
  /** The host has no box (display: contents): measure what it lays out instead. */
  boxless?: boolean;
  dialog?: boolean;
  /** Too low for the list to show a message: only the header and the composer must fit. */
  floor?: boolean;
}

// A name of its own: a panel takes over what an earlier one of the same name and URL left unsent.
const panel = (style = '') => html`<ws-chat-panel url=${nowhere} user-name="layout-test" style=${style}></ws-chat-panel>`;

const cases: Case[] = [
  { name: 'default display', template: html`<div>${panel()}</div>`, height: 512 },
  {
    name: 'a page rule ws-chat-panel { display: block }',
    template: html`<div><style>
        ws-chat-panel { display: block; }
      </style>${panel()}</div>`,
    height: 512,
  },
  { name: 'display: flex', template: html`<div>${panel('display:flex')}</div>`, height: 512 },
  { name: 'display: grid', template: html`<div>${panel('display:grid')}</div>`, height: 512 },
  { name: 'display: inline-block', template: html`<div>${panel('display:inline-block')}</div>`, height: 512 },
  { name: 'display: contents, parent with no height', template: html`<div>${panel('display:contents')}</div>`, height: 512, boxless: true },
  {
    name: 'display: contents, --ws-chat-panel-height: 400px',
    template: html`<div>${panel('display:contents;--ws-chat-panel-height:400px')}</div>`,
    height: 400,
    boxless: true,
  },
  {
    name: 'display: contents in a grid cell 300px high (fills the cell, as a child with height: 100% does)',
    template: html`<div style="display:grid;grid-template-rows:300px">${panel('display:contents')}</div>`,
    height: 300,
    boxless: true,
  },
  { name: 'inside a flex row', template: html`<div style="display:flex;gap:8px"><p>beside</p>${panel()}</div>`, height: 512 },
  {
    name: 'flex: 1 in a 560px flex column under a 60px header (the host is flexed)',
    template: html`<div style="display:flex;flex-direction:column;height:560px"><header style="height:60px;flex:none"></header>${panel('flex:1')}</div>`,
    height: 500,
  },
  { name: 'inside a grid', template: html`<div style="display:grid;grid-template-columns:1fr 1fr;gap:8px">${panel()}<p>beside</p></div>`, height: 512 },
  { name: 'inside a modal <dialog>', template: html`<dialog>${panel()}</dialog>`, height: 512, dialog: true },
  { name: '--ws-chat-panel-height: 100% in a parent 300px high', template: html`<div style="height:300px">${panel('--ws-chat-panel-height:100%')}</div>`, height: 300 },
  { name: 'height: 100% in a parent 300px high', template: html`<div style="height:300px">${panel('height:100%')}</div>`, height: 300 },
  {
    name: 'height: 100% in a parent with no height (falls back to --ws-chat-panel-height)',
    template: html`<div>${panel('height:100%')}</div>`,
    height: 512,
  },
  { name: 'display: block with --ws-chat-panel-height: 400px', template: html`<div>${panel('display:block;--ws-chat-panel-height:400px')}</div>`, height: 400 },
  { name: 'display: grid with height: 350px', template: html`<div>${panel('display:grid;height:350px')}</div>`, height: 350 },
  {
    name: '--ws-chat-panel-height: 100% of a parent with no height (a percentage of nothing: the 12rem floor)',
    template: html`<div>${panel('--ws-chat-panel-height:100%')}</div>`,
    height: 192,
    floor: true,
  },
];

const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));

/** What is on screen at the centre of `element` (looking into the panel's shadow root). */
function onTop(chat: WsChatPanel, element: Element): Element | null {
  const r = element.getBoundingClientRect();
  return shadow(chat).elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
}

describe('<ws-chat-panel> layout, whatever the CSS around it', () => {
  for (const layout of cases) {
    it(layout.name, async () => {
      const root = await fixture<HTMLElement>(layout.template);
      const chat = (root.matches('ws-chat-panel') ? root : root.querySelector('ws-chat-panel')) as WsChatPanel;
      if (layout.dialog) (root as HTMLDialogElement).showModal();
      chat.addMessages(history);
      await chat.updateComplete;
      await frame();
      await frame();

      const tree = shadow(chat);
      const header = tree.querySelector<HTMLElement>('[part~="header"]')!;
      const stream = tree.querySelector<HTMLElement>('[part~="stream"]')!;
      const composer = tree.querySelector<HTMLElement>('[part~="composer"]')!;
      const input = tree.querySelector<HTMLTextAreaElement>('textarea')!;
      const last = [...tree.querySelectorAll<HTMLElement>('.bubble')].at(-1)!;

      // The list scrolls inside the panel and is kept at the latest message.
      if (!layout.floor) await waitFor(() => onTop(chat, last) === last, `the latest message is on screen (${layout.name})`);
      expect(stream.scrollHeight > stream.clientHeight + 100, `the list scrolls: ${stream.scrollHeight} px of messages in ${stream.clientHeight} px`).to.equal(true);

      // The height asked for is the height it has, and the list stays inside it.
      const top = header.getBoundingClientRect().top;
      const bottom = composer.getBoundingClientRect().bottom;
      const box = layout.boxless ? { top, bottom, height: bottom - top } : chat.getBoundingClientRect();
      if (layout.boxless) expect(chat.getBoundingClientRect().height, 'display: contents leaves the host without a box').to.equal(0);
      expect(Math.abs(box.height - layout.height) <= 2, `the panel is ${Math.round(box.height)} px high, asked for ${layout.height}`).to.equal(true);
      const streamBox = stream.getBoundingClientRect();
      expect(streamBox.top >= box.top - 1 && streamBox.bottom <= composer.getBoundingClientRect().top + 1, 'the list ends above the composer').to.equal(true);

      // The composer is inside the panel, on screen, and nothing covers it.
      const composerBox = composer.getBoundingClientRect();
      expect(composerBox.height > 0 && composerBox.top >= box.top - 1 && composerBox.bottom <= box.bottom + 2, 'the composer is inside the panel').to.equal(true);
      expect(composerBox.bottom <= window.innerHeight, 'the composer is within the window').to.equal(true);
      expect(onTop(chat, input), 'the textbox is visible, not clipped or covered').to.equal(input);
      if (layout.dialog) (root as HTMLDialogElement).close();
    });
  }
});

describe('<ws-chat-panel> roster at the breakpoint, whatever the root font size', () => {
  // The script folds the roster away on a narrow panel; the styles lay it over
  // the log there. Both must change at the same width, 34rem of the root's
  // font size: a roster left open over the log would hide the messages, and
  // one folded away beside a log with room for it would hide the people.
  const roots = [
    { rootPx: 16, widthPx: 400, narrow: true },
    { rootPx: 16, widthPx: 700, narrow: false },
    { rootPx: 20, widthPx: 600, narrow: true },
    { rootPx: 12, widthPx: 500, narrow: false },
  ];
  const rootStyle = document.documentElement.style;
  afterEach(() => rootStyle.removeProperty('font-size'));

  for (const { rootPx, widthPx, narrow } of roots) {
    it(`${widthPx}px wide with a ${rootPx}px root font: the roster ${narrow ? 'folded away, opening over the log' : 'shown beside the log'}`, async () => {
      rootStyle.fontSize = `${rootPx}px`;
      const root = await fixture<HTMLElement>(html`<div style="width:${widthPx}px">${panel()}</div>`);
      const chat = root.querySelector('ws-chat-panel') as WsChatPanel;
      await chat.updateComplete;
      const tree = shadow(chat);
      const aside = () => tree.querySelector<HTMLElement>('aside')!;
      const stream = tree.querySelector<HTMLElement>('.stream')!;

      // The panel's width is known once its ResizeObserver has reported (in a frame after the first render) and the panel has rendered again.
      await waitFor(() => aside().hidden === narrow, `the roster ${narrow ? 'folded away' : 'shown'}`);
      await frame();
      await frame();
      await chat.updateComplete;
      expect(aside().hidden, `the roster is still ${narrow ? 'folded away' : 'shown'} once the panel has measured itself`).to.equal(narrow);

      if (!narrow) {
        expect(getComputedStyle(aside()).position, 'the roster is laid out beside the log').to.not.equal('absolute');
        expect(stream.getBoundingClientRect().right <= aside().getBoundingClientRect().left + 1, 'the roster does not cover the log').to.equal(true);
      } else {
        tree.querySelector<HTMLButtonElement>('.roster-toggle')!.click();
        await waitFor(() => !aside().hidden, 'the roster opens when asked');
        expect(getComputedStyle(aside()).position, 'the roster opens over the log').to.equal('absolute');
      }
    });
  }
});
