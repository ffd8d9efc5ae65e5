// Sending works at any time while the panel is in the document, from code or
// the bus; what remains an error says what really happened; and a relay that
// cannot be reached is reported instead of retried in silence (issue 12,
// items 4 and 5).
import { expect, fixture, html } from '@open-wc/testing';
import '../../src/define.js';
import { getDefaultMessageCenter, type ChatErrorDetail, type WsChatPanel } from '../../src/index.js';
import { bubbles, shadow, startRelay, waitForStatus } from '../support/panel.js';
import { waitFor } from '../support/wait.js';

const alerts = (panel: WsChatPanel) => [...shadow(panel).querySelectorAll('[role="alert"]')].map((alert) => alert.textContent!.trim());

describe('<ws-chat-panel>: sending from the start, and saying what went wrong', () => {
  it('send() and chat:send right after the panel is added are queued and sent in order, every time', async () => {
    const relay = await startRelay();
    const root = await fixture<HTMLElement>(html`<div><ws-chat-panel url=${relay.url} user-name="Bob"></ws-chat-panel></div>`);
    const bob = root.querySelector('ws-chat-panel')!;
    await waitForStatus(bob, 'online');
    const errors: ChatErrorDetail[] = [];
    for (let i = 0; i < 6; i++) {
      const ada = document.createElement('ws-chat-panel');
      ada.url = relay.url;
      ada.userName = `Ada${i}`;
      ada.addEventListener('ws-chat-error', (event) => errors.push(event.detail));
      root.append(ada);
      getDefaultMessageCenter().emit('chat:send', { data: `${i}: first, on the bus`, panel: `Ada${i}` });
      const sent = ada.send(`${i}: second, from code`);
      expect(sent?.state).to.equal('pending', 'shown as pending at once');
      getDefaultMessageCenter().emit('chat:send', { data: `${i}: third, on the bus`, panel: `Ada${i}` });
    }
    await waitFor(() => bubbles(bob).length === 18, `all 18 on Bob's screen (has ${bubbles(bob).length})`, 15_000);
    expect(errors).to.deep.equal([]);
    for (let i = 0; i < 6; i++) {
      expect(bubbles(bob).filter((text) => text.startsWith(`${i}:`))).to.deep.equal([`${i}: first, on the bus`, `${i}: second, from code`, `${i}: third, on the bus`]);
    }
  });

  it('a panel never added to a document, or taken out of it, says so', async () => {
    const relay = await startRelay();
    const panel = document.createElement('ws-chat-panel');
    panel.url = relay.url;
    const errors: ChatErrorDetail[] = [];
    panel.addEventListener('ws-chat-error', (event) => errors.push(event.detail));
    expect(panel.send('too early')).to.equal(undefined);
    expect(errors.at(-1)!.code).to.equal('not_connected');
    expect(errors.at(-1)!.message).to.contain('has not been added to a document');

    document.body.append(panel);
    await waitForStatus(panel, 'online');
    panel.remove();
    expect(panel.send('too late')).to.equal(undefined);
    expect(errors.at(-1)!.code).to.equal('not_connected');
    expect(errors.at(-1)!.message).to.contain('was removed from the document');
  });

  it('a page without a host to default to and no url: no_url, in the event and in the panel', async () => {
    const frame = document.createElement('iframe');
    const loaded = new Promise((resolve) => frame.addEventListener('load', resolve, { once: true }));
    // A srcdoc page has no host: there is no relay to guess.
    frame.srcdoc = `<!doctype html><html lang="en"><body>
      <script type="module">
        import '/src/define.ts';
        window.__errors = [];
        const panel = document.createElement('ws-chat-panel');
        panel.addEventListener('ws-chat-error', (event) => __errors.push(event.detail.code));
        document.body.append(panel);
        window.__panel = panel;
      </script></body></html>`;
    document.body.append(frame);
    await loaded;
    try {
      const win = frame.contentWindow as Window & { __errors?: string[]; __panel?: WsChatPanel };
      await waitFor(() => (win.__errors?.length ?? 0) > 0, 'an error');
      const panel = win.__panel!;
      expect(win.__errors).to.deep.equal(['no_url']);
      expect(panel.send('hello') === undefined).to.equal(true);
      expect(win.__errors).to.deep.equal(['no_url', 'no_url']);
      await panel.updateComplete;
      expect(alerts(panel)).to.deep.equal(['no chat server to connect to: set the url attribute']);
    } finally {
      frame.remove();
    }
  });

  it('a relay that does not answer: after a few attempts the panel says it cannot reach it, and clears that once online', async () => {
    const relay = await startRelay();
    const panel = await fixture<WsChatPanel>(html`<ws-chat-panel url="ws://127.0.0.1:9/?token=s3cret" user-name="Ada"></ws-chat-panel>`);
    await waitFor(() => alerts(panel).length > 0, 'the alert', 15_000);
    expect(alerts(panel)).to.deep.equal(['Cannot reach the chat server at ws://127.0.0.1:9/; still trying.'], 'and no token in sight');
    expect(panel.status).to.equal('reconnecting', 'still trying');
    panel.url = relay.url;
    await waitForStatus(panel, 'online');
    expect(alerts(panel)).to.deep.equal([]);
    panel.send('made it');
    await waitFor(() => panel.messages.at(-1)?.state === 'sent', 'sent');
  });
});
