// Issue 18, one socket per browser: tabs of one user on one relay (one
// Chromium context, its pages the tabs) share one WebSocket, held by a leader
// tab; the others are its followers. The relay's side is counted on the
// relay (the browser sockets it holds); bob, the other user, is a Node client.
// Every outcome is waited for (up to 20 s), never timed.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { RelayServer } from '../../src/server/index.js';
import {
  NodeUser,
  launchChromium,
  newTabs,
  openTab,
  sendFrom,
  startTabsRelay,
  until,
  viewOf,
  uncaught,
  type BrowserSockets,
  type TabQuery,
  type TabView,
} from '../support/tabs.js';

/** Takes Web Locks and BroadcastChannel away from a page: the panel must connect on its own. */
const WITHOUT_SHARING = `delete window.BroadcastChannel; Object.defineProperty(Navigator.prototype, 'locks', { get() { return undefined; } });`;

describe('one socket per browser (shared-connection)', () => {
  let relay: RelayServer;
  let sockets: BrowserSockets;
  let base: string;
  let browser: Browser;
  const closing: Array<() => unknown> = [];

  before(async () => {
    ({ relay, sockets, base } = await startTabsRelay());
    browser = await launchChromium();
  });

  // What a test opened goes with it, and the next starts once the relay holds no browser socket.
  afterEach(async () => {
    for (const close of closing.splice(0).reverse()) await close();
    await until('the browser sockets to close after a test', () => (sockets.open === 0 ? undefined : `${sockets.open} open`));
    sockets.reset();
  });

  after(async () => {
    await browser?.close();
    await relay?.close();
  });

  /** A fresh context (tabs share nothing with other tests'), closed after the test. */
  async function tabs(initScript?: string): Promise<BrowserContext> {
    const context = await newTabs(browser, initScript);
    closing.push(() => context.close());
    return context;
  }

  function nodeUser(name: string, room: string): NodeUser {
    const user = new NodeUser(relay.url, name, room);
    closing.push(() => user.close());
    return user;
  }

  const query = (user: string, room: string, extra: Partial<TabQuery> = {}): TabQuery => ({ url: relay.url, user, room, history: 0, ...extra });

  const describeViews = (views: TabView[]) =>
    JSON.stringify(
      views.map((view) => ({
        panels: view.panels.map((panel) => ({ status: panel.status, sharing: panel.sharing, roster: panel.roster, messages: panel.messages.length })),
        errors: view.errors,
      })),
    );

  /** Waits until every panel of `pages` is online and their sharing roles are `roles` (sorted), and the relay holds `browserSockets` browser sockets. */
  async function settled(pages: Page[], roles: string[], browserSockets: number): Promise<TabView[]> {
    let views: TabView[] = [];
    await until(`every panel online, sharing ${roles.join('/')}, ${browserSockets} browser socket(s)`, async () => {
      views = await Promise.all(pages.map(viewOf));
      const panels = views.flatMap((view) => view.panels);
      const shown = panels.map((panel) => panel.sharing ?? '(none)').sort();
      if (panels.every((panel) => panel.status === 'online') && JSON.stringify(shown) === JSON.stringify([...roles].sort()) && sockets.open === browserSockets) return undefined;
      return `${describeViews(views)}; browser sockets ${sockets.open}`;
    });
    return views;
  }

  /** Bob, and three tabs of ada in a room of their own, settled: one leader, two followers, one browser socket. */
  async function threeTabs(room: string): Promise<{ bob: NodeUser; context: BrowserContext; pages: Page[]; views: TabView[] }> {
    const bob = nodeUser('bob', room);
    const context = await tabs();
    const pages: Page[] = [];
    for (let i = 0; i < 3; i++) pages.push(await openTab(context, base, query('ada', room)));
    const views = await settled(pages, ['follower', 'follower', 'leader'], 1);
    return { bob, context, pages, views };
  }

  /**
   * The leader is out of reach: one of `others` takes the lead, and then a
   * message from one of them reaches bob once while bob's reach them all,
   * both shown once in every one of them. Returns the texts.
   */
  async function takenOver(others: Page[], bob: NodeUser, label: string): Promise<{ fromAda: string[]; fromBob: string[] }> {
    await until('another tab to take the lead', async () => {
      const roles = (await Promise.all(others.map(viewOf))).map((view) => view.panels[0]!.sharing);
      return roles.includes('leader') ? undefined : `roles of the awake tabs: ${roles.join(', ')}`;
    });
    const fromBob = [`${label} 1`, `${label} 2`];
    const fromAda = [`sent ${label}`];
    for (const text of fromBob) bob.client.send(text);
    await sendFrom(others[0]!, fromAda);
    await until('the message to reach bob once and both sides’ to show in the awake tabs', async () => {
      const wrong = misreceived(bob, fromAda);
      if (wrong) return wrong;
      for (const view of await Promise.all(others.map(viewOf))) {
        const problem = misshown(view, fromAda, fromBob);
        if (problem) return problem;
      }
      return undefined;
    });
    return { fromAda, fromBob };
  }

  /** What is wrong with how `view` shows `ada` (own, all sent) and `bob` (from others): each exactly once; undefined when nothing is. */
  function misshown(view: TabView, ada: string[], bob: string[]): string | undefined {
    const problems: string[] = [];
    for (const [index, panel] of view.panels.entries()) {
      const shown = new Map<string, ShownCount>();
      for (const message of panel.messages) {
        const entry = shown.get(message.text) ?? { count: 0, own: message.own, state: message.state };
        shown.set(message.text, { ...entry, count: entry.count + 1 });
      }
      for (const text of ada) {
        const entry = shown.get(text);
        if (entry?.count !== 1 || !entry.own || entry.state !== 'sent') problems.push(`panel ${index}: ${text} ${JSON.stringify(entry ?? 'missing')}`);
      }
      for (const text of bob) {
        const entry = shown.get(text);
        if (entry?.count !== 1 || entry.own) problems.push(`panel ${index}: ${text} ${JSON.stringify(entry ?? 'missing')}`);
      }
    }
    return problems.length ? problems.slice(0, 6).join('; ') + (problems.length > 6 ? ` (+${problems.length - 6} more)` : '') : undefined;
  }
  type ShownCount = { count: number; own: boolean; state?: string };

  /** What is wrong with what `bob` received of `texts`: each exactly once. */
  function misreceived(bob: NodeUser, texts: string[]): string | undefined {
    const wrong = texts.filter((text) => bob.received.get(text) !== 1).map((text) => `${text}×${bob.received.get(text) ?? 0}`);
    return wrong.length ? `bob received ${wrong.join(', ')}` : undefined;
  }

  it('three tabs of a user hold one connection: one leader, two followers, and the others see the user once', async () => {
    const { bob, pages, views } = await threeTabs('three');
    await until('the relay to hold two connections, ada’s one and bob’s', () => (relay.connections === 2 ? undefined : `${relay.connections}`));
    await until('bob to see ada once', () => (bob.rosterCount('ada') === 1 ? undefined : `bob sees ada ${bob.rosterCount('ada')} times`));
    await until('every tab to list ada once and bob once', async () => {
      const rosters = (await Promise.all(pages.map(viewOf))).flatMap((view) => view.panels.map((panel) => panel.roster.slice().sort()));
      return rosters.every((roster) => JSON.stringify(roster) === '["ada","bob"]') ? undefined : JSON.stringify(rosters);
    });
    assert.deepEqual(views.flatMap((view) => view.errors), []);
  });

  it('a message from a follower tab reaches the other user once and shows in every tab as sent', async () => {
    const { bob, pages, views } = await threeTabs('once');
    const sender = pages[views.findIndex((view) => view.panels[0]!.sharing === 'follower')]!;
    const [id] = await sendFrom(sender, ['hello from a follower']);
    assert.ok(id, 'the panel took the message');
    bob.client.send('hello from bob');
    await until('bob to get it once, and every tab to show it and bob’s', async () => {
      const wrong = misreceived(bob, ['hello from a follower']) ?? (bob.receivedIds.get(id) === 1 ? undefined : `bob received id ${id} ${bob.receivedIds.get(id) ?? 0} times`);
      if (wrong) return wrong;
      for (const view of await Promise.all(pages.map(viewOf))) {
        const problem = misshown(view, ['hello from a follower'], ['hello from bob']);
        if (problem) return problem;
      }
      return undefined;
    });
    assert.equal(sockets.open, 1);
  });

  it('closing or crashing the leader while messages are in flight loses none and doubles none (20 rounds)', async () => {
    const room = 'takeover';
    const bob = nodeUser('bob', room);
    const context = await tabs();
    const pages: Page[] = [await openTab(context, base, query('ada', room)), await openTab(context, base, query('ada', room))];
    await settled(pages, ['follower', 'leader'], 1);
    /** The round each tab was opened in: it shows every message from then on. */
    const openedIn = new Map<Page, number>(pages.map((page) => [page, 0]));
    const ada: string[][] = [];
    const bobs: string[][] = [];
    const N = 10;
    for (let round = 0; round < 20; round++) {
      const fresh = await openTab(context, base, query('ada', room));
      pages.push(fresh);
      openedIn.set(fresh, round);
      const views = await settled(pages, ['follower', 'follower', 'leader'], 1);
      const leader = pages[views.findIndex((view) => view.panels[0]!.sharing === 'leader')]!;
      const followers = pages.filter((page) => page !== leader);
      const sender = round % 2 ? fresh : followers.find((page) => page !== fresh)!;
      const mine = Array.from({ length: N }, (_, i) => `round ${round}: ada ${i}`);
      const theirs = Array.from({ length: N }, (_, i) => `round ${round}: bob ${i}`);
      ada.push(mine);
      bobs.push(theirs);
      const ids = await sendFrom(sender, mine);
      assert.ok(ids.every(Boolean), `round ${round}: the follower took all ${N} messages`);
      for (const text of theirs) bob.client.send(text);
      // The leader goes at once, with both sides' messages in flight.
      const crash = round % 2 === 1;
      if (crash) {
        const cdp = await context.newCDPSession(leader);
        const crashed = leader.waitForEvent('crash');
        void cdp.send('Page.crash').catch(() => undefined);
        await crashed;
      }
      await leader.close();
      pages.splice(pages.indexOf(leader), 1);
      await until(`round ${round} (leader ${crash ? 'crashed' : 'closed'}): bob gets each of ada's once, every tab shows both sides' once`, async () => {
        const wrong = misreceived(bob, mine) ?? (ids.every((id) => bob.receivedIds.get(id!) === 1) ? undefined : `bob received ids ${ids.map((id) => bob.receivedIds.get(id!) ?? 0).join(',')}`);
        if (wrong) return wrong;
        for (const view of await Promise.all(pages.map(viewOf))) {
          const problem = misshown(view, mine, theirs);
          if (problem) return `${problem} — ${describeViews([view])}`;
        }
        return undefined;
      });
    }
    await settled(pages, ['follower', 'leader'], 1);
    // Nothing doubled later either: everything of every round, once, in the tabs that stayed.
    assert.equal(misreceived(bob, ada.flat()), undefined);
    for (const page of pages) {
      const from = openedIn.get(page)!;
      assert.equal(misshown(await viewOf(page), ada.slice(from).flat(), bobs.slice(from).flat()), undefined, `the tab opened in round ${from}`);
    }
    assert.equal(bob.rosterCount('ada'), 1, 'bob sees ada once after 20 takeovers');
  });

  it('a frozen follower catches up when resumed; a frozen leader is replaced and, resumed, follows and catches up', async () => {
    const { bob, context, pages, views: settledViews } = await threeTabs('frozen');
    let views = settledViews;
    // As Chromium freezes a page: the page hears `freeze` first and `resume` after, which the CDP command does not
    // dispatch itself (a page frozen without notice, like a hung one, keeps its Web Lock: no other tab can lead).
    const lifecycle = async (page: Page, state: 'frozen' | 'active') => {
      if (state === 'frozen') await page.evaluate(() => document.dispatchEvent(new Event('freeze')));
      const cdp = await context.newCDPSession(page);
      await cdp.send('Page.setWebLifecycleState', { state });
      await cdp.detach();
      if (state === 'active') await page.evaluate(() => document.dispatchEvent(new Event('resume')));
    };

    // A follower.
    const follower = pages[views.findIndex((view) => view.panels[0]!.sharing === 'follower')]!;
    await lifecycle(follower, 'frozen');
    const whileFollowerFrozen = ['to a frozen follower 1', 'to a frozen follower 2', 'to a frozen follower 3'];
    for (const text of whileFollowerFrozen) bob.client.send(text);
    const awake = pages.filter((page) => page !== follower);
    await until('the awake tabs to show bob’s messages', async () => {
      for (const view of await Promise.all(awake.map(viewOf))) {
        const problem = misshown(view, [], whileFollowerFrozen);
        if (problem) return problem;
      }
      return undefined;
    });
    await lifecycle(follower, 'active');
    await until('the resumed follower to show them', async () => misshown(await viewOf(follower), [], whileFollowerFrozen));

    // The leader.
    views = await settled(pages, ['follower', 'follower', 'leader'], 1);
    const leader = pages[views.findIndex((view) => view.panels[0]!.sharing === 'leader')]!;
    const others = pages.filter((page) => page !== leader);
    await lifecycle(leader, 'frozen');
    const { fromAda, fromBob } = await takenOver(others, bob, 'while the leader is frozen');
    await lifecycle(leader, 'active');
    await until('the old leader to follow and catch up', async () => {
      const view = await viewOf(leader);
      if (view.panels[0]!.sharing !== 'follower') return `the old leader's sharing: ${view.panels[0]!.sharing}`;
      return misshown(view, fromAda, [...whileFollowerFrozen, ...fromBob]);
    });
    await settled(pages, ['follower', 'follower', 'leader'], 1);
    assert.equal(misreceived(bob, fromAda), undefined);
    assert.equal(bob.rosterCount('ada'), 1);
  });

  it('a leader that hangs (its main thread busy, no event) is replaced; back, it follows, and nothing is lost or doubled', async () => {
    const { bob, pages, views } = await threeTabs('hung');
    const leader = pages[views.findIndex((view) => view.panels[0]!.sharing === 'leader')]!;
    const others = pages.filter((page) => page !== leader);
    // Hung for 20 s, as a page stuck in a long task: it hears nothing, says nothing, and keeps its Web Lock.
    // The others must take over meanwhile (they ask after 3 s of silence, and take the lock 3 to 6 s later).
    const hung = leader.evaluate(() => {
      const end = Date.now() + 20_000;
      while (Date.now() < end);
    });
    const { fromAda, fromBob } = await takenOver(others, bob, 'while the leader hangs');
    await hung;
    await until('the old leader to follow and show what it missed', async () => {
      const view = await viewOf(leader);
      if (view.panels[0]!.sharing !== 'follower') return `the old leader's sharing: ${view.panels[0]!.sharing}`;
      return misshown(view, fromAda, fromBob);
    });
    await settled(pages, ['follower', 'follower', 'leader'], 1);
    assert.equal(misreceived(bob, fromAda), undefined);
    assert.equal(bob.rosterCount('ada'), 1);
  });

  it('without Web Locks and BroadcastChannel each tab connects on its own, and works', async () => {
    const room = 'fallback';
    const bob = nodeUser('bob', room);
    const context = await tabs(WITHOUT_SHARING);
    const pages = [await openTab(context, base, query('ada', room)), await openTab(context, base, query('ada', room))];
    await settled(pages, ['off', 'off'], 2);
    await sendFrom(pages[0]!, ['from tab 1 without sharing']);
    await sendFrom(pages[1]!, ['from tab 2 without sharing']);
    bob.client.send('to tabs without sharing');
    await until('bob to get both once, both tabs to show bob’s', async () => {
      const wrong = misreceived(bob, ['from tab 1 without sharing', 'from tab 2 without sharing']);
      if (wrong) return wrong;
      const views = await Promise.all(pages.map(viewOf));
      return misshown(views[0]!, ['from tab 1 without sharing'], ['to tabs without sharing']) ?? misshown(views[1]!, ['from tab 2 without sharing'], ['to tabs without sharing']);
    });
    const views = await Promise.all(pages.map(viewOf));
    assert.deepEqual(views.flatMap((view) => view.errors), [], 'no ws-chat-error');
  });

  it('a sandboxed frame (an opaque origin) connects on its own, without an error', async () => {
    // Browsers send `Origin: null` from it, which the relay lets in only with allowOrigins: ['*'].
    const open = await startTabsRelay({ allowOrigins: ['*'] });
    closing.push(() => open.relay.close());
    const room = 'sandboxed';
    const bob = new NodeUser(open.relay.url, 'bob', room);
    closing.push(() => bob.close());
    const context = await tabs();
    const page = await openTab(context, open.base, { url: open.relay.url, user: 'ada', room, history: 0 }, 'frame.html');
    let frame = page.frames().find((candidate) => candidate !== page.mainFrame());
    await until('the sandboxed frame’s panel to be online on its own', async () => {
      frame = page.frames().find((candidate) => candidate !== page.mainFrame());
      if (!frame) return 'no frame yet';
      const view = await viewOf(frame).catch((error: Error): TabView => ({ panels: [], errors: [{ code: 'evaluate', message: error.message }] }));
      const panel = view.panels[0];
      return panel?.status === 'online' && panel.sharing === 'off' && open.sockets.open === 1 ? undefined : `${describeViews([view])}; browser sockets ${open.sockets.open}`;
    });
    assert.equal(await frame!.evaluate(() => origin), 'null', 'the frame’s origin is opaque');
    await sendFrom(frame!, ['from a sandboxed frame']);
    await until('bob to get it once', () => misreceived(bob, ['from a sandboxed frame']));
    assert.deepEqual((await viewOf(frame!)).errors, [], 'no ws-chat-error');
    assert.deepEqual(uncaught.get(page), [], 'nothing thrown and not caught');
  });

  it('shared-connection="off": two tabs, two connections; two users never share', async () => {
    const room = 'apart';
    const context = await tabs();
    const off = [await openTab(context, base, query('ada', room, { shared: 'off' })), await openTab(context, base, query('ada', room, { shared: 'off' }))];
    await settled(off, ['off', 'off'], 2);
    for (const page of off) await page.close();
    await until('both sockets closed', () => (sockets.open === 0 ? undefined : `browser sockets ${sockets.open}`));

    const twoUsers = [await openTab(context, base, query('ada', room)), await openTab(context, base, query('cy', room))];
    await settled(twoUsers, ['leader', 'leader'], 2);
    const views = await Promise.all(twoUsers.map(viewOf));
    assert.deepEqual(views.flatMap((view) => view.errors), []);
  });

  it('two panels of one user in one tab share one connection', async () => {
    const room = 'one-tab';
    const bob = nodeUser('bob', room);
    const context = await tabs();
    const page = await openTab(context, base, query('ada', room, { panels: 2 }));
    let view: TabView | undefined;
    await until('both panels online, one browser socket', async () => {
      view = await viewOf(page);
      return view.panels.every((panel) => panel.status === 'online') && sockets.open === 1 ? undefined : `${describeViews([view])}; browser sockets ${sockets.open}`;
    });
    assert.ok(view!.panels.every((panel) => panel.sharing !== 'off'), `the panels share: ${view!.panels.map((panel) => panel.sharing).join(', ')}`);
    await sendFrom(page, ['from one of two panels']);
    bob.client.send('to two panels');
    await until('bob to get it once and both panels to show both', async () =>
      misreceived(bob, ['from one of two panels']) ?? misshown(await viewOf(page), ['from one of two panels'], ['to two panels']),
    );
    assert.equal(bob.rosterCount('ada'), 1);
  });
});
