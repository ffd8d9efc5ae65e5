// Languages other than English in the single-file script bundle: it cannot
// split code, so it fetches the locale's JSON from where the script itself
// came from (not from the page), checked against the hash the bundle was
// built with. Needs the build (npm test builds first): dist/message-center.min.js.
import { expect } from '@open-wc/testing';
import { openReportingFrame, putPage, startPageServer, startRelay, type RelayInfo } from '../support/panel.js';
import { waitFor } from '../support/wait.js';

const httpOf = (relay: RelayInfo) => relay.url.replace(/^ws:/, 'http:').replace(/\/$/, '');

interface Report {
  kind: 'first' | 'chinese' | 'error' | 'rejection' | 'settled';
  panel?: string;
  title?: string;
  code?: string;
  message?: string;
  requests?: string[];
}

/**
 * A page with zh panels (one per name) that tells this test what it sees,
 * since it may be on another origin: each panel's title at its first render,
 * when it turns Chinese (with the locale files the page requested), its
 * errors, and any unhandled rejection.
 */
const zhPage = (scriptSrc: string, relayUrl: string, names: string[]) => `<!doctype html>
  <html lang="zh-CN">
    <head><meta charset="utf-8" /></head>
    <body>
      <script>
        const report = (what) => parent.postMessage({ from: 'the zh page', ...what }, '*');
        addEventListener('unhandledrejection', (event) => report({ kind: 'rejection', message: String(event.reason) }));
      </script>
      <script src="${scriptSrc}"></script>
      ${names.map((name) => `<ws-chat-panel url="${relayUrl}" user-name="${name}"></ws-chat-panel>`).join('\n')}
      <script>
        const localeRequests = () => performance.getEntriesByType('resource').map((entry) => entry.name).filter((name) => name.includes('/locales/'));
        for (const panel of document.querySelectorAll('ws-chat-panel')) {
          const title = () => panel.shadowRoot.querySelector('.title').textContent.trim();
          const me = { panel: panel.userName };
          panel.addEventListener('ws-chat-error', ({ detail }) =>
            panel.updateComplete.then(() => report({ ...me, kind: 'error', code: detail.code, message: detail.message, title: title() })),
          );
          panel.updateComplete.then(() => report({ ...me, kind: 'first', title: title() }));
          const poll = setInterval(() => {
            if (title() !== '聊天') return;
            clearInterval(poll);
            report({ ...me, kind: 'chinese', requests: localeRequests() });
          }, 10);
        }
      </script>
    </body>
  </html>`;

const open = (url: string) => openReportingFrame<Report>(url, 'the zh page');

describe('the script bundle in another language than English', () => {
  it('an English page fetches no language', async () => {
    const page = await startPageServer();
    const relay = await startRelay({ allowOrigins: [location.origin, page.origin] });
    await putPage(
      page.id,
      '/',
      zhPage(`${httpOf(relay)}/message-center.min.js`, relay.url, ['Ada']).replace('lang="zh-CN"', 'lang="en"') +
        `<script>
          const panel = document.querySelector('ws-chat-panel');
          const online = setInterval(() => {
            if (panel.status !== 'online') return;
            clearInterval(online);
            panel.updateComplete.then(() => report({ kind: 'settled', title: panel.shadowRoot.querySelector('.title').textContent.trim(), requests: localeRequests() }));
          }, 10);
        </script>`,
    );
    const other = open(`${page.origin}/`);
    try {
      await waitFor(() => other.of('settled').length === 1, 'the panel online');
      expect(other.of('settled')[0]).to.deep.include({ title: 'Chat', requests: [] });
      expect(other.of('error')).to.deep.equal([]);
    } finally {
      other.close();
    }
  });

  it('a page on another origin, the bundle from the relay: English first, then Chinese fetched from the relay, not from the page', async () => {
    const page = await startPageServer();
    const relay = await startRelay({ allowOrigins: [location.origin, page.origin] });
    await putPage(page.id, '/', zhPage(`${httpOf(relay)}/message-center.min.js`, relay.url, ['Ada', 'Bob']));
    const other = open(`${page.origin}/`);
    try {
      await waitFor(() => other.of('chinese').length === 2 || other.of('error').length > 0, 'both panels in Chinese');
      expect(other.of('error')).to.deep.equal([]);
      expect(other.of('first').map((report) => report.title)).to.deep.equal(['Chat', 'Chat']);
      // One request for both panels, to the bundle's own origin and folder.
      expect(other.of('chinese').map((report) => report.requests)).to.deep.equal([
        [`${httpOf(relay)}/locales/zh-CN.json`],
        [`${httpOf(relay)}/locales/zh-CN.json`],
      ]);
      expect(other.of('rejection')).to.deep.equal([]);
    } finally {
      other.close();
    }
  });

  it('the pinned bundle (message-center@VERSION.min.js) fetches the pinned locale file', async () => {
    const page = await startPageServer();
    const relay = await startRelay({ allowOrigins: [location.origin, page.origin] });
    const { version } = (await (await fetch('/package.json')).json()) as { version: string };
    await putPage(page.id, '/', zhPage(`${httpOf(relay)}/message-center@${version}.min.js`, relay.url, ['Ada']));
    const other = open(`${page.origin}/`);
    try {
      await waitFor(() => other.of('chinese').length === 1 || other.of('error').length > 0, 'the panel in Chinese');
      expect(other.of('error')).to.deep.equal([]);
      expect(other.of('chinese')[0]!.requests).to.deep.equal([`${httpOf(relay)}/locales/zh-CN@${version}.json`]);
    } finally {
      other.close();
    }
  });

  /** The bundle copied next to a page, as a site that hosts it itself does: /js/message-center.min.js. */
  async function selfHosted(locale?: string) {
    const page = await startPageServer();
    const relay = await startRelay({ allowOrigins: [location.origin, page.origin] });
    const bundle = await (await fetch(`${httpOf(relay)}/message-center.min.js`)).text();
    await putPage(page.id, '/js/message-center.min.js', bundle, 'text/javascript; charset=utf-8');
    if (locale !== undefined) await putPage(page.id, '/js/locales/zh-CN.json', locale, 'application/json');
    await putPage(page.id, '/', zhPage('/js/message-center.min.js', relay.url, ['Ada', 'Bob']));
    return { page, other: open(`${page.origin}/`) };
  }

  it('self-hosted without the locale file (404): English stays, each panel reports it once, nothing is left unhandled', async () => {
    const { page, other } = await selfHosted();
    try {
      await waitFor(() => other.of('error').length >= 2, 'both panels to report the missing locale');
      // Nothing more comes: wait past another round of renders and reports.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(other.of('error').map(({ panel, code, title }) => ({ panel, code, title }))).to.deep.equal([
        { panel: 'Ada', code: 'locale_unavailable', title: 'Chat' },
        { panel: 'Bob', code: 'locale_unavailable', title: 'Chat' },
      ]);
      expect(other.of('error')[0]!.message).to.contain(`${page.origin}/js/locales/zh-CN.json`);
      expect(other.of('chinese')).to.deep.equal([]);
      expect(other.of('rejection')).to.deep.equal([]);
    } finally {
      other.close();
    }
  });

  it('self-hosted with a locale file that is not the one built with the bundle: refused (integrity), English stays', async () => {
    const { other } = await selfHosted(JSON.stringify({ title: '篡改' }));
    try {
      await waitFor(() => other.of('error').length >= 2, 'both panels to report the refused locale');
      expect(other.of('error').map(({ code, title }) => ({ code, title }))).to.deep.equal([
        { code: 'locale_unavailable', title: 'Chat' },
        { code: 'locale_unavailable', title: 'Chat' },
      ]);
      expect(other.of('chinese')).to.deep.equal([]);
      expect(other.of('rejection')).to.deep.equal([]);
    } finally {
      other.close();
    }
  });
});
