// Days in the log, with messages over several days the way a page has them:
// live ones through a real relay, older ones from the page's own store
// (addMessages, the API a page loads its history with). Separators name the
// days in the panel's language and the user's time zone, are no messages,
// stay one per day however the log grows, and each time tells its full date
// and time on hover and to screen readers.
import { expect } from '@open-wc/testing';
import '../../src/define.js';
import type { WsChatPanel } from '../../src/index.js';
import { axeFindings } from '../support/axe.js';
import { conversation, shadow } from '../support/panel.js';
import { waitFor } from '../support/wait.js';

/** Noon `daysAgo` calendar days before today, in the user's time zone. */
function noon(daysAgo: number, hour = 12): number {
  const now = new Date();
  return new Date(now.getFullYear(), now.getMonth(), now.getDate() - daysAgo, hour).getTime();
}

const dateLabel = (ts: number, locale: string, year = false) =>
  new Intl.DateTimeFormat(locale, { weekday: 'long', day: 'numeric', month: 'long', ...(year ? { year: 'numeric' } : {}) }).format(ts);

const separators = (panel: WsChatPanel) => [...shadow(panel).querySelectorAll<HTMLElement>('.stream .day')];
const labels = (panel: WsChatPanel) => separators(panel).map((day) => day.getAttribute('aria-label'));
/** The log's entries in order: a day's label, or a message's text. */
const entries = (panel: WsChatPanel) =>
  [...shadow(panel).querySelectorAll<HTMLElement>('.stream .day, .stream .message')].map((entry) =>
    entry.classList.contains('day') ? `[${entry.getAttribute('aria-label')}]` : entry.querySelector('.bubble')!.textContent,
  );


/** Three days in Ada's log: two stored messages, then one live from Bob. */
async function threeDays(ada: WsChatPanel, bob: WsChatPanel) {
  ada.addMessages([
    { id: 'm1', from: 'Eve', data: 'three days ago', ts: noon(3) },
    { id: 'm2', from: 'Eve', data: 'yesterday', ts: noon(1) },
  ]);
  bob.send('today');
  await waitFor(() => ada.messages.some((m) => m.text === 'today'), 'Ada has the live message');
  await ada.updateComplete;
}

describe('<ws-chat-panel> days in the log', () => {
  it('separates three days by the date, "Yesterday" and "Today", and counts no separator as a message', async () => {
    const { ada, bob } = await conversation({ adaLang: 'en', adaHistory: 0 });
    await threeDays(ada, bob);
    expect(entries(ada)).to.deep.equal([`[${dateLabel(noon(3), 'en')}]`, 'three days ago', '[Yesterday]', 'yesterday', '[Today]', 'today']);
    expect(ada.messages.map((m) => m.text)).to.deep.equal(['three days ago', 'yesterday', 'today']);
    for (const day of separators(ada)) {
      expect(day.getAttribute('role')).to.equal('separator');
      expect(day.textContent!.trim()).to.equal(day.getAttribute('aria-label'));
      expect(day.tabIndex).to.equal(-1);
    }
    expect(await axeFindings(ada, 'a log over three days')).to.deep.equal([]);
  });

  it('names the days in Chinese for a Chinese panel', async () => {
    const { ada, bob } = await conversation({ adaLang: 'zh-CN', adaHistory: 0 });
    await threeDays(ada, bob);
    expect(labels(ada)).to.deep.equal([dateLabel(noon(3), 'zh-CN'), '昨天', '今天']);
    expect(await axeFindings(ada, 'a Chinese log over three days')).to.deep.equal([]);
  });

  it('shows the time short, and the full date and time on hover and to screen readers', async () => {
    const { ada, bob } = await conversation({ adaLang: 'en', adaHistory: 0 });
    await threeDays(ada, bob);
    const ts = noon(3);
    const time = shadow(ada).querySelector<HTMLTimeElement>('.message time')!;
    const full = new Intl.DateTimeFormat('en', { dateStyle: 'full', timeStyle: 'short' }).format(ts);
    expect(time.dateTime).to.equal(new Date(ts).toISOString());
    expect(time.title).to.equal(full);
    const shown = time.querySelector('[aria-hidden="true"]')!;
    expect(shown.textContent).to.equal(new Intl.DateTimeFormat('en', { hour: '2-digit', minute: '2-digit' }).format(ts));
    expect(time.querySelector('.visually-hidden')!.textContent).to.equal(full);
  });

  it('adds the year to a day of another year', async () => {
    const { ada } = await conversation({ adaLang: 'en', adaHistory: 0 });
    const ts = new Date(new Date().getFullYear() - 1, 0, 1, 12).getTime();
    ada.addMessages([{ id: 'old', from: 'Eve', data: 'happy new year', ts }]);
    await waitFor(() => entries(ada).includes('happy new year'), 'the message shown');
    // Then today's, with the notice that Bob joined.
    expect(labels(ada)).to.deep.equal([dateLabel(ts, 'en', true), 'Today']);
    expect(labels(ada)[0]).to.contain(String(new Date(ts).getFullYear()));
  });

  it('keeps one separator per day, the same element, when older messages load above', async () => {
    const { ada, bob } = await conversation({ adaLang: 'en', adaHistory: 0 });
    await threeDays(ada, bob);
    const [threeDaysAgo, yesterday] = separators(ada);
    // Earlier the same day, and a day before any shown: as an older page of history arrives.
    ada.addMessages([
      { id: 'm0', from: 'Eve', data: 'that morning', ts: noon(3, 8) },
      { id: 'm-1', from: 'Eve', data: 'five days ago', ts: noon(5) },
    ]);
    await waitFor(() => ada.messages.length === 5, 'the older messages added');
    await ada.updateComplete;
    expect(entries(ada)).to.deep.equal([
      `[${dateLabel(noon(5), 'en')}]`,
      'five days ago',
      `[${dateLabel(noon(3), 'en')}]`,
      'that morning',
      'three days ago',
      '[Yesterday]',
      'yesterday',
      '[Today]',
      'today',
    ]);
    expect(separators(ada)[1]).to.equal(threeDaysAgo);
    expect(separators(ada)[2]).to.equal(yesterday);
  });

  it('names the day at the top of the window of a long log, and each day once as earlier entries render', async () => {
    const { ada } = await conversation({ adaLang: 'en', adaHistory: 0 });
    const start = noon(0, 0);
    ada.addMessages([
      ...Array.from({ length: 100 }, (_, i) => ({ id: `a${i}`, from: 'Eve', data: `old ${i}`, ts: noon(4) + i * 1000 })),
      ...Array.from({ length: 200 }, (_, i) => ({ id: `b${i}`, from: 'Eve', data: `new ${i}`, ts: start + i * 1000 })),
    ]);
    // The latest page only: today's messages, under one "Today".
    await waitFor(() => !shadow(ada).querySelector('.stream')!.hasAttribute('aria-busy') && shadow(ada).querySelector('.earlier') !== null, 'the latest page rendered');
    await ada.updateComplete;
    expect(labels(ada)).to.deep.equal(['Today']);
    expect(entries(ada)[0]).to.equal('[Today]');
    // A page more at a time (the notice that Bob joined is an entry too: 301 of them).
    const earlier = () => shadow(ada).querySelector<HTMLButtonElement>('.earlier');
    for (let pages = 0; earlier() && pages < 3; pages++) {
      earlier()!.click();
      await waitFor(() => !shadow(ada).querySelector('.stream')!.hasAttribute('aria-busy'), 'the page rendered');
      await ada.updateComplete;
    }
    await waitFor(() => shadow(ada).querySelectorAll('.stream .message').length === 300, () => `every message rendered (${shadow(ada).querySelectorAll('.stream .message').length}, ${labels(ada)})`);
    await ada.updateComplete;
    expect(labels(ada)).to.deep.equal([dateLabel(noon(4), 'en'), 'Today']);
    expect(entries(ada).indexOf('[Today]')).to.equal(101);
    expect(ada.messages.length).to.equal(300);
  });
});
