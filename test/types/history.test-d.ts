// Compile-time tests of addMessages(): what a page's store holds type-checks,
// so does a whole ChatMessage; a message without its sender or time does not.
import type { ChatMessage, HistoryMessage, WsChatPanel } from '../../src/index.js';

declare const panel: WsChatPanel;
declare const received: ChatMessage;

panel.addMessages([{ id: 'm1', from: { name: 'Eve' }, data: 'Hi!', ts: 1796288401000 }]);
panel.addMessages([{ id: 7, from: 'Ada', data: { text: 'Hello' }, ts: new Date(), own: true }]);
panel.addMessages([{ key: 'k1', from: { id: 'c1' }, text: 'from a text', ts: '2026-12-03T09:00:02Z' }]);
panel.addMessages([received]);
const stored: HistoryMessage[] = [received];
panel.addMessages(stored);

// @ts-expect-error who sent it is needed
panel.addMessages([{ id: 'm1', data: 'Hi!', ts: 1 }]);
// @ts-expect-error when it was sent is needed
panel.addMessages([{ id: 'm1', from: 'Eve', data: 'Hi!' }]);
// @ts-expect-error a delivery state is one of four
panel.addMessages([{ id: 'm1', from: 'Eve', data: 'Hi!', ts: 1, own: true, state: 'lost' }]);
