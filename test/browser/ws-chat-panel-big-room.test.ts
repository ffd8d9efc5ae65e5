// A room of 1,000 (issue 16): 1,000 real connections join the panel's room
// from the test's Node side. The panel stays responsive throughout (no task
// of the page over 50 ms while they join and while its roster and search are
// used), shows "N online" for the room, and finds members by asking the
// relay, who can then be picked as recipients like anyone in the roster.
import { expect } from '@open-wc/testing';
import { executeServerCommand, sendKeys } from '@web/test-runner-commands';
import '../../src/define.js';
import type { WsChatPanel } from '../../src/index.js';
import { shadow, startRelay, waitForStatus } from '../support/panel.js';
import { waitFor } from '../support/wait.js';

const MEMBERS = 1000;

/** Polls the crowd until every member is in (a busy machine takes its time over 1,000 handshakes). */
async function crowdWelcomed(id: string, timeout = 90_000): Promise<void> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const { welcomed, failure } = await executeServerCommand<{ welcomed: number; failure?: string }, object>('crowd-stats', { id });
    if (failure) throw new Error(`a member could not join: ${failure}`);
    if (welcomed === MEMBERS) return;
    if (Date.now() > deadline) throw new Error(`timed out: ${welcomed} of ${MEMBERS} members in the room`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('<ws-chat-panel> in a room of 1,000', () => {
  let crowd: string | undefined;
  after(async () => {
    if (crowd) await executeServerCommand('crowd-leave', { id: crowd });
  });

  it('stays responsive while they join and while the roster is searched, and picks a member found as a recipient', async () => {
    const relay = await startRelay({ maxConnectionsPerAddress: MEMBERS + 10, maxConnections: MEMBERS + 100 });
    const ada = document.createElement('ws-chat-panel');
    ada.url = relay.url;
    ada.userName = 'Ada';
    ada.setAttribute('room', 'town-hall');
    ada.style.setProperty('--ws-chat-panel-height', '480px');
    document.body.append(ada);
    await waitForStatus(ada, 'online');

    const longTasks: number[] = [];
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) longTasks.push(Math.round(entry.duration));
    });
    observer.observe({ type: 'longtask' });
    try {
      ({ id: crowd } = await executeServerCommand<{ id: string }, object>('crowd-join', { relay: relay.id, room: 'town-hall', count: MEMBERS, prefix: 'member-' }));
      await crowdWelcomed(crowd!);
      const count = () => shadow(ada).querySelector('[part="count"]')?.textContent?.trim();
      await waitFor(() => count() === `${MEMBERS + 1} online`, () => `"${MEMBERS + 1} online" (shows "${count()}")`);

      // Beside the log in a wide panel; opened with its button in a narrow one.
      const toggle = shadow(ada).querySelector<HTMLButtonElement>('.roster-toggle')!;
      if (toggle.getAttribute('aria-expanded') === 'false') toggle.click();
      await ada.updateComplete;
      const heading = shadow(ada).querySelector('.roster-heading')!.textContent!.trim();
      expect(heading).to.equal(`${MEMBERS + 1} online`);
      const search = shadow(ada).querySelector<HTMLInputElement>('input.search');
      expect(search, 'a search field for a large room').to.exist;
      expect(search!.getAttribute('aria-label')).to.equal('Search people');
      search!.focus();
      await sendKeys({ type: 'member-99' });
      const names = () => [...shadow(ada).querySelectorAll('.peer-name')].map((name) => name.textContent!.trim());
      const wanted = ['member-99', ...Array.from({ length: 10 }, (_, i) => `member-99${i}`)].sort();
      await waitFor(() => JSON.stringify([...names()].sort()) === JSON.stringify(wanted), () => `the members found (shows ${JSON.stringify(names())})`);

      const found = [...shadow(ada).querySelectorAll<HTMLButtonElement>('.peer')].find((peer) => peer.textContent!.includes('member-995'))!;
      found.click();
      await ada.updateComplete;
      const chips = [...shadow(ada).querySelectorAll('.targets .chip')].map((chip) => chip.textContent!.replace(/\s+/g, ' ').trim());
      expect(chips, 'picked like anyone in the roster, and online').to.deep.equal(['member-995']);
    } finally {
      observer.disconnect();
    }
    expect(longTasks, 'no task of the page over 50 ms').to.deep.equal([]);
  });
});
