// Languages other than English load on demand: the ES module build imports
// the locale's module when a panel asks for it (an application's bundler
// splits it off). The page's module registry is shared by every test in this
// file, so the order matters: the first test sees the locale load; the later
// ones find it loaded.
import { expect, fixture, html } from '@open-wc/testing';
import '../../src/define.js';
import type { ChatErrorDetail } from '../../src/client/types.js';
import type { WsChatPanel } from '../../src/elements/ws-chat-panel/ws-chat-panel.js';
import { shadow, startRelay, waitForStatus, type RelayInfo } from '../support/panel.js';
import { waitFor } from '../support/wait.js';

// Every request of this page stays countable (the timeline's buffer keeps 250 by default, and the test page loads more modules than that).
performance.setResourceTimingBufferSize(100_000);

/** Requests this page made for the Chinese module (the dev server serves it from src/i18n/locales/). */
const localeRequests = () =>
  performance.getEntriesByType('resource').filter((entry) => /\/i18n\/locales\/zh-CN\.(js|ts)(\?|$)/.test(entry.name)).length;

const text = (panel: WsChatPanel, selector: string) => shadow(panel).querySelector(selector)?.textContent?.trim() ?? '';
const title = (panel: WsChatPanel) => text(panel, '.title');
/** What the status live region says (the visible status is hidden from screen readers). */
const announced = (panel: WsChatPanel) => text(panel, '[role="status"]');
const logBusy = (panel: WsChatPanel) => shadow(panel).querySelector('[role="log"]')?.getAttribute('aria-busy');

async function panel(relay: RelayInfo, name: string, lang?: string): Promise<WsChatPanel> {
  return fixture<WsChatPanel>(html`<ws-chat-panel lang=${lang ?? ''} url=${relay.url} user-name=${name}></ws-chat-panel>`);
}

describe('<ws-chat-panel> languages, ES module build', () => {
  let relay: RelayInfo;
  const errors: ChatErrorDetail[] = [];
  const onError = (event: Event) => errors.push((event as CustomEvent<ChatErrorDetail>).detail);
  before(async () => {
    relay = await startRelay();
    document.addEventListener('ws-chat-error', onError);
  });
  after(() => document.removeEventListener('ws-chat-error', onError));

  it('English asks for no file; a panel switched to zh shows English, then Chinese, announcing only the Chinese', async () => {
    const ada = await panel(relay, 'Ada', 'en');
    await waitForStatus(ada, 'online');
    expect(title(ada)).to.equal('Chat');
    expect(localeRequests(), 'an English panel loads no locale').to.equal(0);

    ada.setAttribute('lang', 'zh');
    await ada.updateComplete;
    // The render right after the change: complete English text, while the live regions hold their peace.
    expect(title(ada)).to.equal('Chat');
    expect(text(ada, '.send')).to.equal('Send');
    expect(announced(ada), 'nothing is announced in English that is about to be said again in Chinese').to.equal('');
    expect(logBusy(ada)).to.equal('true');

    await waitFor(() => title(ada) === '聊天', () => `the Chinese title (has "${title(ada)}")`);
    expect(text(ada, '.send')).to.equal('发送');
    expect(announced(ada)).to.equal('在线');
    expect(logBusy(ada)).to.equal(null);
    expect(localeRequests()).to.equal(1);
    expect(errors).to.deep.equal([]);
  });

  it('once loaded, a new zh panel is Chinese from its first render, with no second request', async () => {
    const bob = await panel(relay, 'Bob', 'zh-CN');
    expect(title(bob)).to.equal('聊天');
    expect(logBusy(bob)).to.equal(null);
    expect(localeRequests()).to.equal(1);
  });

  it('two panels on one page, zh and en, each in its own language; lang inherited from an ancestor', async () => {
    const root = await fixture<HTMLElement>(html`
      <div>
        <div lang="zh-Hans-CN"><ws-chat-panel url=${relay.url} user-name="李雷"></ws-chat-panel></div>
        <ws-chat-panel lang="en" url=${relay.url} user-name="Eve"></ws-chat-panel>
      </div>
    `);
    const [li, eve] = [...root.querySelectorAll('ws-chat-panel')] as [WsChatPanel, WsChatPanel];
    await waitForStatus(li, 'online');
    await waitForStatus(eve, 'online');
    await waitFor(() => li.roster.length >= 2 && eve.roster.length >= 2, 'both online');
    expect(text(li, '.roster-toggle')).to.match(/^\d+ 人在线$/);
    expect(text(eve, '.roster-toggle')).to.match(/^\d+ online$/);
    expect(announced(li)).to.equal('在线');
    expect(announced(eve)).to.equal('Online');
  });

  it('a panel whose lang changes at runtime follows it, both ways', async () => {
    const eve = await panel(relay, 'Eve', 'en');
    await waitForStatus(eve, 'online');
    eve.setAttribute('lang', 'zh-CN');
    await eve.updateComplete;
    expect(title(eve)).to.equal('聊天');
    eve.setAttribute('lang', 'en');
    await eve.updateComplete;
    expect(title(eve)).to.equal('Chat');
    expect(announced(eve)).to.equal('Online');
  });

  it('strings overrides apply over the loaded locale', async () => {
    const li = await panel(relay, '李雷', 'zh-CN');
    li.strings = { title: '客服', send: '发出' };
    await li.updateComplete;
    expect(title(li)).to.equal('客服');
    expect(text(li, '.send')).to.equal('发出');
    expect(text(li, '.status [aria-hidden="true"]:not(.dot)')).to.match(/^(正在连接…|在线|离线)$/);
  });
});
