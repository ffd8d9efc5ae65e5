import { expect } from '@open-wc/testing';
import '../../src/define.js';
import type { WsChatPanel } from '../../src/index.js';
import { adaAndBob, startRelay } from '../support/panel.js';
import { waitFor } from '../support/wait.js';

describe('<ws-chat-panel>: per-sender order', () => {
  it('500 sent at once with send(): the other panel shows every one once, in order; the sender is never cut off for flooding', async () => {
    const relay = await startRelay({ maxMessagesPerSecond: 200, burst: 40 });
    const [ada, bob] = await adaAndBob(relay.url);
    await waitFor(() => bob.roster.length === 2, 'Bob sees Ada');
    const errors: string[] = [];
    const statuses: string[] = [];
    ada.addEventListener('ws-chat-error', (event) => errors.push(event.detail.code));
    ada.addEventListener('ws-chat-status', (event) => statuses.push(event.detail.status));

    const texts = Array.from({ length: 500 }, (_, i) => `p${i}`);
    for (const text of texts) ada.send(text);
    await waitFor(() => new Set(bob.messages.map((m) => m.text)).size >= 500, `all 500 on Bob's screen (has ${bob.messages.length})`, 30_000);
    const shown = bob.messages.map((m) => m.text);
    let inversions = 0;
    for (let i = 1; i < shown.length; i++) if (texts.indexOf(shown[i]!) < texts.indexOf(shown[i - 1]!)) inversions++;
    expect({
      inversions,
      twice: shown.length - new Set(shown).size,
      floodCloses: errors.filter((code) => code === 'flood').length,
      rateLimitedErrors: errors.filter((code) => code === 'rate_limited').length,
    }).to.deep.equal({ inversions: 0, twice: 0, floodCloses: 0, rateLimitedErrors: 0 });
    expect(shown).to.deep.equal(texts);
    await waitFor(() => ada.messages.every((m) => m.state === 'sent'), 'every one acknowledged on Ada\'s screen', 10_000);
    expect(statuses).to.not.include('reconnecting');
  });
});
