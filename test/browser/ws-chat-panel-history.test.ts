// addMessages(): history from the page's own store, in the shapes a store
// naturally holds. What it can complete it completes; what it cannot it
// refuses with a TypeError naming the field, and adds nothing.
import { expect, fixture, html } from '@open-wc/testing';
import fc from 'fast-check';
import '../../src/define.js';
import type { WsChatPanel } from '../../src/index.js';
import { payloadText } from '../../src/client/types.js';
import { bubbles, shadow, startRelay, waitForBubble, waitForStatus } from '../support/panel.js';

const nowhere = 'ws://127.0.0.1:9/';
const at = (second: number) => Date.UTC(2026, 11, 3, 9, 0, second);

async function panel(url = nowhere) {
  // A name of its own: a panel takes over what an earlier one of the same name and URL left unsent.
  const name = `Ada-${Math.random().toString(36).slice(2)}`;
  const chat = await fixture<WsChatPanel>(html`<ws-chat-panel url=${url} user-name=${name} max-messages="1000"></ws-chat-panel>`);
  await chat.updateComplete;
  return chat;
}

/** A panel reading from a relay, and Eve's panel writing to it, both online. */
async function readerAndWriter() {
  const relay = await startRelay();
  const reader = await panel(relay.url);
  const writer = await fixture<WsChatPanel>(html`<ws-chat-panel url=${relay.url} user-name="Eve"></ws-chat-panel>`);
  await waitForStatus(reader, 'online');
  await waitForStatus(writer, 'online');
  return { reader, writer };
}

async function shown(chat: WsChatPanel): Promise<string[]> {
  await chat.updateComplete;
  return bubbles(chat);
}

/** The message from `addMessages` call `thunk` must be refused with a TypeError whose message matches `field`. */
function expectRefused(chat: WsChatPanel, thunk: () => void, field: RegExp) {
  const before = chat.messages.length;
  let error: unknown;
  try {
    thunk();
  } catch (caught) {
    error = caught;
  }
  expect(error, 'refused').to.be.instanceOf(TypeError);
  expect((error as TypeError).message).to.match(field);
  expect(chat.messages.length, 'nothing was added').to.equal(before);
}

describe('<ws-chat-panel>.addMessages()', () => {
  it('takes { id, from, data, ts } as a store holds it: 300 messages become 300 bubbles with their text', async () => {
    const chat = await panel();
    const stored = Array.from({ length: 300 }, (_, i) => ({ id: `m${i}`, from: { id: 'c7', name: 'Eve', addr: '10.0.0.7' }, data: `stored ${i}`, ts: at(i) }));
    chat.addMessages(stored);
    expect(chat.messages).to.have.length(300);
    expect(chat.messages.map((m) => m.text)).to.deep.equal(stored.map((m) => m.data));
    expect(new Set(chat.messages.map((m) => m.key)).size, 'every message has its own key').to.equal(300);
    const rendered = await shown(chat);
    expect(rendered.length, 'the newest 150 are rendered, "show earlier" has the rest').to.equal(150);
    expect(rendered.at(-1)).to.equal('stored 299');
    expect(rendered.every((text) => text.trim() !== ''), 'no empty bubble').to.equal(true);
    const sender = shadow(chat).querySelector('.message .sender')!.textContent;
    expect(sender).to.equal('Eve');
  });

  it('derives the text from data as it does for live messages: { text } objects, other JSON, numbers', async () => {
    const chat = await panel();
    chat.addMessages([
      { id: 'a', from: { name: 'Eve' }, data: { text: 'from a text field', mood: 'happy' }, ts: at(1) },
      { id: 'b', from: { name: 'Eve' }, data: { score: 3 }, ts: at(2) },
      { id: 'c', from: { name: 'Eve' }, data: 42, ts: at(3) },
      { id: 'd', from: 'Bob', data: 'a sender given by name', ts: at(4) },
      { id: 7, from: { id: 'c9' }, data: 'numeric id, sender known only by id', ts: at(5) },
    ]);
    expect(await shown(chat)).to.deep.equal(['from a text field', '{"score":3}', '42', 'a sender given by name', 'numeric id, sender known only by id']);
    expect(chat.messages.map((m) => m.from.name)).to.deep.equal(['Eve', 'Eve', 'Eve', 'Bob', '']);
  });

  it('takes ts as a Date or an ISO string, and own messages without a state as sent', async () => {
    const chat = await panel();
    chat.addMessages([
      { id: 'a', from: { name: 'Eve' }, data: 'dated', ts: new Date(at(1)) },
      { id: 'b', from: { name: 'Ada' }, data: 'mine, from last week', ts: new Date(at(2)).toISOString(), own: true },
    ]);
    expect(chat.messages.map((m) => m.ts)).to.deep.equal([at(1), at(2)]);
    await chat.updateComplete;
    const delivery = shadow(chat).querySelector('.message.own .delivery')!;
    expect(delivery.getAttribute('data-state'), 'not "Sending…" forever').to.equal('sent');
  });

  it('still takes whole ChatMessages (the ws-chat-message detail), and skips what it already shows', async () => {
    const { reader, writer } = await readerAndWriter();
    writer.send('live one');
    await waitForBubble(reader, 'live one');
    const live = reader.messages[0]!;
    // Saved from the event, loaded again later: the same key, so shown once.
    reader.addMessages([JSON.parse(JSON.stringify(live))]);
    expect(await shown(reader)).to.deep.equal(['live one']);
    // The same stored message twice (same sender and id): once.
    const stored = { id: 'x1', from: { name: 'Eve' }, data: 'stored once', ts: at(1) };
    reader.addMessages([stored]);
    reader.addMessages([{ ...stored }]);
    expect(await shown(reader), 'yesterday\'s message goes before today\'s').to.deep.equal(['stored once', 'live one']);
    // Distinct messages that share an id but not a sender are both kept.
    reader.addMessages([{ ...stored, from: { name: 'Bob' }, data: 'same id, other sender' }]);
    expect(await shown(reader)).to.deep.equal(['stored once', 'same id, other sender', 'live one']);
  });

  it('places history by its time: loaded after live messages (the usual order on a page), it goes before them', async () => {
    const { reader, writer } = await readerAndWriter();
    writer.send('live, just now');
    await waitForBubble(reader, 'live, just now');
    // The page's store answers after the socket: newest first, as a "latest 3" query returns them.
    reader.addMessages([
      { id: 's3', from: 'Eve', data: 'stored third', ts: at(3) },
      { id: 's2', from: 'Eve', data: 'stored second', ts: at(2) },
      { id: 's1', from: 'Eve', data: 'stored first', ts: at(1) },
    ]);
    expect(await shown(reader)).to.deep.equal(['stored first', 'stored second', 'stored third', 'live, just now']);
    // A later page of older history goes before all of it.
    reader.addMessages([{ id: 's0', from: 'Eve', data: 'stored earlier still', ts: at(0) }]);
    expect(await shown(reader)).to.deep.equal(['stored earlier still', 'stored first', 'stored second', 'stored third', 'live, just now']);
    writer.send('live again');
    await waitForBubble(reader, 'live again');
    expect((await shown(reader)).at(-1), 'live messages still go at the end').to.equal('live again');
  });

  it('keeps the newest max-messages when history overflows it: the oldest stored messages go, not the live ones', async () => {
    const chat = await fixture<WsChatPanel>(html`<ws-chat-panel url=${nowhere} user-name=${`Ada-${Math.random()}`} max-messages="3"></ws-chat-panel>`);
    chat.addMessages([{ id: 'new', from: 'Eve', data: 'newest', ts: at(50) }]);
    chat.addMessages(Array.from({ length: 5 }, (_, i) => ({ id: `o${i}`, from: 'Eve', data: `old ${i}`, ts: at(i) })));
    expect(await shown(chat)).to.deep.equal(['old 3', 'old 4', 'newest']);
  });

  it('ends in time order whatever order the batches come in, equal times in the order they were added (property)', async () => {
    const chat = await panel();
    const batch = fc.array(fc.record({ id: fc.uuid(), ts: fc.integer({ min: 0, max: 20 }) }), { maxLength: 12 });
    await fc.assert(
      fc.asyncProperty(fc.array(batch, { maxLength: 5 }), async (batches) => {
        chat.clear();
        const added: { id: string; ts: number }[] = [];
        for (const list of batches) {
          chat.addMessages(list.map(({ id, ts }) => ({ id, from: 'Eve', data: id, ts: at(ts) })));
          added.push(...list);
        }
        // Each message once (uuids may repeat across batches only by chance: keep the first).
        const seen = new Set<string>();
        const unique = added.filter(({ id }) => !seen.has(id) && seen.add(id));
        // Expected: by time; equal times by when they were added (a stable sort of the arrival order).
        const expected = unique.map((entry, order) => ({ ...entry, order })).sort((a, b) => a.ts - b.ts || a.order - b.order);
        expect(chat.messages.map((m) => m.text)).to.deep.equal(expected.map((m) => m.id));
      }),
      { numRuns: 80 },
    );
  });

  it('refuses, naming the field, what it cannot complete; and adds nothing from a refused batch', async () => {
    const chat = await panel();
    const good = { id: 'ok', from: { name: 'Eve' }, data: 'fine', ts: at(1) };
    const refuse = (message: unknown, field: RegExp) => expectRefused(chat, () => chat.addMessages([good, message] as never), field);

    expectRefused(chat, () => chat.addMessages('not a list' as never), /addMessages: messages must be an array/);
    refuse(null, /messages\[1\] must be an object/);
    refuse('hello', /messages\[1\] must be an object/);
    refuse({ from: { name: 'Eve' }, data: 'x', ts: at(1) }, /messages\[1\]\.id/);
    refuse({ id: '', from: { name: 'Eve' }, data: 'x', ts: at(1) }, /messages\[1\]\.id/);
    refuse({ id: {}, from: { name: 'Eve' }, data: 'x', ts: at(1) }, /messages\[1\]\.id/);
    refuse({ id: 'a', data: 'x', ts: at(1) }, /messages\[1\]\.from/);
    refuse({ id: 'a', from: {}, data: 'x', ts: at(1) }, /messages\[1\]\.from/);
    refuse({ id: 'a', from: { name: 5 }, data: 'x', ts: at(1) }, /messages\[1\]\.from\.name/);
    refuse({ id: 'a', from: { name: 'Eve' }, ts: at(1) }, /messages\[1\]\.data/);
    refuse({ id: 'a', from: { name: 'Eve' }, data: '', ts: at(1) }, /messages\[1\]\.data/);
    refuse({ id: 'a', from: { name: 'Eve' }, data: '   ', ts: at(1) }, /messages\[1\]\.data/);
    refuse({ id: 'a', from: { name: 'Eve' }, data: 'x', text: 7, ts: at(1) }, /messages\[1\]\.text/);
    refuse({ id: 'a', from: { name: 'Eve' }, data: 'x', text: '', ts: at(1) }, /messages\[1\]\.text/);
    refuse({ id: 'a', from: { name: 'Eve' }, data: 'x' }, /messages\[1\]\.ts/);
    refuse({ id: 'a', from: { name: 'Eve' }, data: 'x', ts: 'yesterday' }, /messages\[1\]\.ts/);
    refuse({ id: 'a', from: { name: 'Eve' }, data: 'x', ts: Number.NaN }, /messages\[1\]\.ts/);
    refuse({ key: '', id: 'a', from: { name: 'Eve' }, data: 'x', ts: at(1) }, /messages\[1\]\.key/);
    refuse({ id: 'a', from: { name: 'Eve' }, data: 'x', ts: at(1), to: 'Bob' }, /messages\[1\]\.to/);
    refuse({ id: 'a', from: { name: 'Eve' }, data: 'x', ts: at(1), to: { ids: 'b1' } }, /messages\[1\]\.to\.ids/);
    refuse({ id: 'a', from: { name: 'Eve' }, data: 'x', ts: at(1), own: 'yes' }, /messages\[1\]\.own/);
    refuse({ id: 'a', from: { name: 'Eve' }, data: 'x', ts: at(1), own: true, state: 'lost' }, /messages\[1\]\.state/);

    expect(await shown(chat), 'the panel still works: nothing was half-added').to.deep.equal([]);
    chat.addMessages([good]);
    expect(await shown(chat)).to.deep.equal(['fine']);
  });

  it('keeps one message per sender and id, never an empty bubble, or refuses the whole batch (property)', async () => {
    const chat = await panel();
    const senders = fc.oneof(
      fc.constantFrom('Eve', 'Bob', '李雷'),
      fc.record({ name: fc.constantFrom('Eve', 'Bob') }),
      fc.record({ id: fc.constantFrom('Eve', 'c2') }, { requiredKeys: ['id'] }),
      fc.record({ id: fc.constantFrom('c1', 'c2'), name: fc.constantFrom('Eve', '李雷'), addr: fc.constant('10.0.0.1') }),
    );
    const stored = fc.record({
      id: fc.oneof(fc.constantFrom('a', 'b', 'c'), fc.integer({ min: 0, max: 3 })),
      from: senders,
      data: fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom('', '  ', 'hello')),
      ts: fc.integer({ min: 0, max: 4e12 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(stored, { maxLength: 30 }), async (batch) => {
        chat.clear();
        const blank = batch.some((message) => payloadText(message.data).trim() === '');
        let refused: unknown;
        try {
          chat.addMessages(batch);
        } catch (error) {
          refused = error;
        }
        if (blank) {
          expect(refused, 'a message with nothing to show refuses the batch').to.be.instanceOf(TypeError);
          expect(chat.messages).to.have.length(0);
          return;
        }
        expect(refused).to.equal(undefined);
        const identity = (message: (typeof batch)[number]) => {
          const from: { name?: string; id?: string } = typeof message.from === 'string' ? { name: message.from } : message.from;
          return JSON.stringify([from.name ?? '', from.name ? '' : from.id, String(message.id)]);
        };
        expect(chat.messages.length, 'one message per sender and id').to.equal(new Set(batch.map(identity)).size);
        const rendered = await shown(chat);
        expect(rendered.length).to.equal(chat.messages.length);
        expect(rendered.filter((text) => text.trim() === ''), 'no empty bubble').to.deep.equal([]);
      }),
      { numRuns: 60 },
    );
  });
});
