// The single-file script bundle, served by the relay as a page would load it,
// and the bundle next to the ES module build on one page. Needs the build
// (npm test builds first): dist/message-center.min.js and dist/*.js.
import { expect } from '@open-wc/testing';
// Bob, on this page, chats with the pages in frames: the ES build on this page, the bundle in each frame.
import '../../src/define.js';
import type { MessageCenter } from '../../src/bus/message-center.js';
import type { MessageCenterProvider } from '../../src/elements/message-center-provider/message-center-provider.js';
import type { WsChatPanel } from '../../src/elements/ws-chat-panel/ws-chat-panel.js';
import { addPanel, bubbles, openReportingFrame, putPage, startPageServer, startRelay, typeAndSend, waitForBubble, waitForStatus, type RelayInfo } from '../support/panel.js';
import { waitFor } from '../support/wait.js';

/** What the script bundle puts on `window.MessageCenter`: the package's exports and the page-wide bus. */
type ScriptGlobal = MessageCenter & {
  WsChatPanel: typeof WsChatPanel;
  MessageCenterProvider: typeof MessageCenterProvider;
  messageCenterContext: unknown;
};
type FrameWindow = Window &
  typeof globalThis & { MessageCenter?: ScriptGlobal; __errors?: string[]; __esm?: EsmCopy; __ready?: boolean };
/** What the test page's module script takes from the ES module build (dist/). */
interface EsmCopy {
  WsChatPanel: typeof WsChatPanel;
  MessageCenterProvider: typeof MessageCenterProvider;
  getDefaultMessageCenter: () => MessageCenter;
}

// The relay serves the bundle itself, in every mode, from another origin than the test page's.
const startRelayWithBundle = (options: object = {}) => startRelay(options);
const bundleUrl = (relay: RelayInfo, file = 'message-center.min.js') => `${relay.url.replace(/^ws:/, 'http:').replace(/\/$/, '')}/${file}`;

/** Loads `html` into a same-origin iframe and resolves with its window once loaded. */
async function framePage(html: string): Promise<{ frame: HTMLIFrameElement; win: FrameWindow }> {
  const frame = document.createElement('iframe');
  frame.style.cssText = 'width: 1000px; height: 700px';
  const loaded = new Promise((resolve) => frame.addEventListener('load', resolve, { once: true }));
  frame.srcdoc = html;
  document.body.append(frame);
  await loaded;
  return { frame, win: frame.contentWindow as FrameWindow };
}

describe('the script bundle (dist/message-center.min.js)', () => {
  it('a plain HTML page with only the script tag from the relay: two panels chat over the page-wide bus', async () => {
    const relay = await startRelayWithBundle();
    const { frame, win } = await framePage(`<!doctype html>
      <html lang="en">
        <head><script src="${bundleUrl(relay)}"></script></head>
        <body>
          <ws-chat-panel id="ada" url="${relay.url}" user-name="Ada"></ws-chat-panel>
          <ws-chat-panel id="bob" url="${relay.url}" user-name="Bob"></ws-chat-panel>
        </body>
      </html>`);
    try {
      // Only booleans and plain values go into assertions here: a failing
      // assertion on an object from the frame (the module-like global, an
      // element) takes the test runner minutes to serialize.
      const global = win.MessageCenter!;
      expect(typeof global, 'the bundle defines window.MessageCenter').to.equal('object');
      for (const name of ['on', 'once', 'off', 'emit', 'listenerCount', 'createMessageCenter', 'getDefaultMessageCenter']) {
        expect(typeof global[name as keyof ScriptGlobal], `MessageCenter.${name}`).to.equal('function');
      }
      expect(win.customElements.get('ws-chat-panel') === global.WsChatPanel, 'the bundle registered the panel').to.equal(true);
      expect(win.customElements.get('message-center-provider') === global.MessageCenterProvider).to.equal(true);

      const ada = win.document.getElementById('ada') as WsChatPanel;
      const bob = win.document.getElementById('bob') as WsChatPanel;
      await waitForStatus(ada, 'online');
      await waitForStatus(bob, 'online');
      await waitFor(() => ada.roster.length === 2 && bob.roster.length === 2, 'both in both rosters');

      // Outside any provider the panels are on the page-wide bus, which is the global.
      const heard: Array<{ panel: string; text: string }> = [];
      const stop = global.on('chat:message', ({ panel, text }) => heard.push({ panel, text }));
      global.emit('chat:send', { data: 'hello from the page', panel: 'ada' });
      await waitForBubble(bob, 'hello from the page');
      await waitFor(() => heard.length === 1, 'the global bus to hear Bob receive it');
      expect(heard).to.deep.equal([{ panel: 'bob', text: 'hello from the page' }]);

      await typeAndSend(bob, 'hello Ada');
      await waitForBubble(ada, 'hello Ada');
      expect(bubbles(ada)).to.deep.equal(['hello from the page', 'hello Ada']);
      stop();
    } finally {
      frame.remove();
    }
  });

  for (const order of ['script tag first', 'ES module build first'] as const) {
    it(`loads with the ES module build on one page (${order}): no errors, one definition per tag, one context, one page-wide bus`, async () => {
      const relay = await startRelayWithBundle();
      const scriptTag = `<script src="${bundleUrl(relay)}"></script>`;
      // The module script runs after the page is parsed (it is deferred); with
      // the ES build first, the bundle is injected once the module has run.
      const esModule = `<script type="module">
        import { WsChatPanel, MessageCenterProvider, getDefaultMessageCenter } from '/dist/index.js';
        import '/dist/define.js';
        window.__esm = { WsChatPanel, MessageCenterProvider, getDefaultMessageCenter };
        ${
          order === 'ES module build first'
            ? `const bundle = document.createElement('script');
               bundle.src = ${JSON.stringify(bundleUrl(relay))};
               bundle.onload = () => (window.__ready = true);
               document.head.append(bundle);`
            : 'window.__ready = true;'
        }
      </script>`;
      const { frame, win } = await framePage(`<!doctype html>
        <html>
          <head>
            <script>
              window.__errors = [];
              addEventListener('error', (event) => __errors.push(String(event.message)));
              addEventListener('unhandledrejection', (event) => __errors.push(String(event.reason)));
            </script>
            ${order === 'script tag first' ? scriptTag + esModule : esModule}
          </head>
          <body></body>
        </html>`);
      try {
        await waitFor(() => win.__ready === true, 'both copies to load');
        const global = win.MessageCenter!;
        const esm = win.__esm!;
        expect(typeof global, 'the bundle ran').to.equal('object');
        expect(esm.WsChatPanel !== global.WsChatPanel, 'two copies of the classes').to.equal(true);

        // Whichever came first defined the tags; the other skipped them without throwing.
        const first = order === 'script tag first' ? global : esm;
        const second = order === 'script tag first' ? esm : global;
        expect(win.customElements.get('ws-chat-panel') === first.WsChatPanel).to.equal(true);
        expect(win.customElements.get('message-center-provider') === first.MessageCenterProvider).to.equal(true);

        // One page-wide bus: what one copy emits, the other hears.
        const heard: unknown[] = [];
        const stop = global.on('chat:send', (request) => heard.push(request.data));
        esm.getDefaultMessageCenter().emit('chat:send', { data: 'across copies', panel: 'nobody' });
        stop();
        expect(heard).to.deep.equal(['across copies']);

        // One context: a provider of one copy serves a panel of the other, both ways.
        win.customElements.define('second-copy-provider', second.MessageCenterProvider);
        win.customElements.define('second-copy-panel', second.WsChatPanel);
        win.document.body.innerHTML = `
          <second-copy-provider id="p2"><ws-chat-panel user-name="A" url="${relay.url}"></ws-chat-panel></second-copy-provider>
          <message-center-provider id="p1"><second-copy-panel user-name="B" url="${relay.url}"></second-copy-panel></message-center-provider>`;
        const p1 = win.document.getElementById('p1') as MessageCenterProvider;
        const p2 = win.document.getElementById('p2') as MessageCenterProvider;
        await waitFor(() => p1.bus.listenerCount('chat:send') === 1, 'the first copy’s provider to serve the second copy’s panel');
        await waitFor(() => p2.bus.listenerCount('chat:send') === 1, 'the second copy’s provider to serve the first copy’s panel');
        expect(global.listenerCount('chat:send'), 'neither panel fell back to the page-wide bus').to.equal(0);

        expect(win.__errors).to.deep.equal([]);
      } finally {
        frame.remove();
      }
    });
  }

  it('a page on another origin pins this version with integrity= and crossorigin: it loads and defines the elements', async () => {
    const relay = await startRelayWithBundle();
    const { version } = (await (await fetch('/package.json')).json()) as { version: string };
    const pinned = bundleUrl(relay, `message-center@${version}.min.js`);
    // Reading it from another origin (as an SRI hash generator or a crossorigin script does) needs CORS.
    const bytes = await (await fetch(pinned)).arrayBuffer();
    const digest = btoa(String.fromCharCode(...new Uint8Array(await crypto.subtle.digest('SHA-384', bytes))));
    const { frame, win } = await framePage(`<!doctype html>
      <html><head><script src="${pinned}" integrity="sha384-${digest}" crossorigin="anonymous"></script></head><body></body></html>`);
    try {
      expect(typeof win.MessageCenter, 'the pinned bundle ran').to.equal('object');
      expect(win.customElements.get('ws-chat-panel') === win.MessageCenter!.WsChatPanel).to.equal(true);
    } finally {
      frame.remove();
    }
  });

  it('the README snippet: MessageCenter.emit right after the panel is in the page is sent, on every load (issue 12, item 4)', async () => {
    const relay = await startRelayWithBundle();
    const bob = addPanel(document.body, relay.url, 'Bob');
    try {
      await waitForStatus(bob, 'online');
      for (let load = 1; load <= 6; load++) {
        const { frame, win } = await framePage(`<!doctype html>
          <html lang="en">
            <head><script src="${bundleUrl(relay)}"></script></head>
            <body>
              <ws-chat-panel url="${relay.url}" user-name="Ada"></ws-chat-panel>
              <script>
                window.__errors = [];
                MessageCenter.on('chat:error', ({ code, message }) => __errors.push(code + ': ' + message));
                MessageCenter.emit('chat:send', { data: 'Hello from the page, load ${load}' });
                MessageCenter.emit('chat:send', { data: 'and again, load ${load}' });
              </script>
            </body>
          </html>`);
        try {
          await waitForBubble(bob, `and again, load ${load}`);
          expect(win.__errors).to.deep.equal([]);
        } finally {
          frame.remove();
        }
      }
      expect(bubbles(bob)).to.deep.equal(
        Array.from({ length: 6 }, (_, i) => [`Hello from the page, load ${i + 1}`, `and again, load ${i + 1}`]).flat(),
      );
    } finally {
      bob.remove();
    }
  });

  describe('on a page from another origin, with no url (issue 12, item 5)', () => {
    /** The README's snippet, with a line that tells this test what the page sees (it cannot look into another origin). */
    const snippet = (relay: RelayInfo) => `<!doctype html>
      <html lang="en">
        <head><meta charset="utf-8" /></head>
        <body>
          <script src="${bundleUrl(relay)}"></script>
          <ws-chat-panel user-name="Ada"></ws-chat-panel>
          <script>
            const report = (what) => parent.postMessage({ from: 'the other page', ...what }, '*');
            const panel = document.querySelector('ws-chat-panel');
            const alerts = () => [...panel.shadowRoot.querySelectorAll('[role="alert"]')].map((alert) => alert.textContent.trim());
            MessageCenter.on('chat:message', ({ text }) => report({ kind: 'message', text }));
            MessageCenter.on('chat:error', ({ code }) => panel.updateComplete.then(() => report({ kind: 'error', code, alerts: alerts() })));
            MessageCenter.emit('chat:send', { data: 'Hello from the page' });
          </script>
        </body>
      </html>`;

    const open = (url: string) =>
      openReportingFrame<{ kind: string; text?: string; code?: string; alerts?: string[] }>(url, 'the other page');

    it('the panel talks to the relay that served the script', async () => {
      const page = await startPageServer();
      const relay = await startRelayWithBundle({ allowOrigins: [location.origin, page.origin] });
      await putPage(page.id, '/', snippet(relay));
      const bob = addPanel(document.body, relay.url, 'Bob');
      const other = open(`${page.origin}/`);
      try {
        await waitForBubble(bob, 'Hello from the page', 10_000);
        expect(bob.messages[0]!.from.name).to.equal('Ada');
        bob.send('Hello Ada');
        await waitFor(() => other.reports.some((r) => r.kind === 'message' && r.text === 'Hello Ada'), 'Ada’s page to get the answer');
        expect(other.reports.filter((r) => r.kind === 'error')).to.deep.equal([]);
      } finally {
        other.close();
        bob.remove();
      }
    });

    it('a relay that does not let that origin in: the panel says so', async () => {
      const page = await startPageServer();
      const relay = await startRelayWithBundle({ allowOrigins: [location.origin] });
      await putPage(page.id, '/', snippet(relay));
      const other = open(`${page.origin}/`);
      try {
        await waitFor(() => other.reports.some((r) => r.kind === 'error'), 'a refusal');
        const refusal = other.reports.find((r) => r.kind === 'error')!;
        expect(refusal.code).to.equal('origin_not_allowed');
        expect(refusal.alerts).to.include('this page may not connect to the chat server');
      } finally {
        other.close();
      }
    });
  });
});
