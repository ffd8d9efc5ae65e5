// ChatClient and the relay's history (issue 16): the first page after the
// first welcome, older pages with loadOlder(), the seam with the replay of a
// resumed session, and requests that get no answer.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { ChatClient } from '../../src/client/chat-client.js';
import { memoryStore } from '../../src/client/persistence.js';
import { ChatRequestError } from '../../src/client/requests.js';
import type { ChatMessage, HistoryDetail } from '../../src/client/types.js';
import { BlackholeProxy } from '../support/blackhole-proxy.js';
import { chatClients } from '../support/chat-clients.js';
import { relayFixture } from '../support/relay-fixture.js';
import { waitFor } from '../support/wait.js';

describe('ChatClient: history', () => {
  const client = chatClients();
  const fixture = relayFixture();
  const proxies: BlackholeProxy[] = [];
  after(async () => {
    await Promise.all(proxies.map((proxy) => proxy.stop()));
  });

  const relay = () => fixture.relay({ maxMessagesPerSecond: 1000, burst: 1000 });
  /** `count` broadcasts from `name`, each acknowledged; their texts in order. */
  const write = async (url: string, name: string, count: number, prefix = name): Promise<string[]> => {
    const writer = client(url, { name, history: 0 });
    const texts = Array.from({ length: count }, (_, i) => `${prefix} ${i}`);
    const sent = texts.map((text) => writer.send(text)!.id);
    const acked = new Set<string>();
    writer.on('update', (message) => message.state === 'sent' && acked.add(message.id));
    await waitFor(() => sent.every((id) => acked.has(id)), 'every message acknowledged');
    writer.close();
    return texts;
  };
  const firstPage = (created: ChatClient) =>
    new Promise<HistoryDetail>((resolve) => {
      const stop = created.on('history', (detail) => {
        stop();
        resolve(detail);
      });
    });
  const assertInOrder = (messages: readonly ChatMessage[]) => {
    const offsets = messages.map((message) => message.offset!);
    assert.deepEqual(offsets, [...offsets].sort((a, b) => a - b), 'oldest first');
    assert.equal(new Set(offsets).size, offsets.length, 'none twice');
  };

  it('loads the latest page after the first welcome, then every older page once, in order, to the beginning', async () => {
    const server = await relay();
    const texts = await write(server.url, 'eve', 120);
    const ada = client(server.url, { name: 'ada', history: 50 });
    const first = await firstPage(ada);
    assert.deepEqual(first.messages.map((message) => message.text), texts.slice(-50));
    assert.equal(first.more, true);
    assert.ok(first.messages.every((message) => message.room === 'lobby' && !message.own && message.key.endsWith(`:${message.offset}`)));
    const pages = [first];
    while (pages.at(-1)!.more) pages.push(await ada.loadOlder());
    const all = pages.reverse().flatMap((page) => page.messages);
    assertInOrder(all);
    assert.deepEqual(all.map((message) => message.text), texts);
    assert.deepEqual(await ada.loadOlder(), { messages: [], more: false }, 'nothing older, and nothing asked');
  });

  it('a resumed session gets what it had before its replay, and the replay what came while it was away: together everything once', async () => {
    const server = await relay();
    const before = await write(server.url, 'eve', 10, 'before');
    const store = memoryStore();
    const ada = client(server.url, { name: 'ada', history: 50, store });
    await firstPage(ada);
    const mine = ada.send('mine')!;
    await waitFor(() => ada.pending.length === 0, 'mine acknowledged');
    ada.close();
    const away = await write(server.url, 'eve', 3, 'away');
    // A new client on the same store: its first welcome resumes the session.
    const again = client(server.url, { name: 'ada', history: 50, store });
    const live: ChatMessage[] = [];
    again.on('message', (message) => live.push(message));
    const page = await firstPage(again);
    await waitFor(() => live.length === away.length, 'the replay');
    assert.equal(again.self?.id, ada.self?.id, 'resumed');
    const all = [...page.messages, ...live];
    assertInOrder(all);
    assert.deepEqual(all.map((message) => message.text), [...before, 'mine', ...away]);
    const own = page.messages.find((message) => message.text === 'mine')!;
    assert.equal(own.own, true);
    assert.equal(own.state, 'sent');
    assert.equal(own.id, mine.id);
  });

  it('loads nothing with history: 0, and loadOlder() then starts from the welcome', async () => {
    const server = await relay();
    const texts = await write(server.url, 'eve', 5);
    const ada = client(server.url, { name: 'ada', history: 0 });
    let pages = 0;
    ada.on('history', () => pages++);
    await waitFor(() => ada.status === 'online', 'online');
    const page = await ada.loadOlder();
    assert.deepEqual(page.messages.map((message) => message.text), texts);
    assert.equal(pages, 0);
  });

  it('a request without an answer fails after 10 s with timeout; offline, at once', async () => {
    const server = await relay();
    const proxy = new BlackholeProxy(server.port!);
    proxies.push(proxy);
    const port = await proxy.start();
    const ada = client(`ws://127.0.0.1:${port}/`, { name: 'ada', history: 0, deadLinkTimeout: 60_000 });
    await waitFor(() => ada.status === 'online', 'online');
    proxy.freeze();
    const started = Date.now();
    await assert.rejects(ada.search('lobby', 'x'), (error: unknown) => error instanceof ChatRequestError && error.code === 'timeout');
    assert.ok(Date.now() - started >= 9_000, 'not before its time');
    ada.close();
    await assert.rejects(ada.join('dev'), (error: unknown) => error instanceof ChatRequestError && error.code === 'offline');
  });
});
