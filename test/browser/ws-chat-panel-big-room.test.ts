// A room of 1,000 (issue 16): 1,000 real connections join the panel's room
// from the test's Node side. The panel shows "N online" for the room, finds
// members by asking the relay, who can then be picked as recipients like
// anyone in the roster, and does bounded work while they join: a render per
// presence frame the relay batches (not one per member) and a roster of a
// hundred entries, not a thousand. How long its tasks take is the
// benchmark's question (`npm run bench:panel -- --only=room`), not a test's:
// on a busy machine any page has long tasks.
import { expect } from '@open-wc/testing';
import { executeServerCommand, sendKeys } from '@web/test-runner-commands';
import '../../src/define.js';
import type { WsChatPanel } from '../../src/index.js';
import { shadow, startRelay, waitForStatus, type RelayInfo } from '../support/panel.js';
import { waitFor } from '../support/wait.js';

/** Members before the room is large (the relay's default `presenceThreshold` is 200) … */
const EARLY = 200;
/** … and those who join it then, whose joins the relay batches. */
const LATE = 800;
const MEMBERS = EARLY + LATE;
/**
 * Renders while the late 800 join. Batched, at most one per presence frame
 * (the relay sends one a second): 1 in each of 4 runs at load 4–6, where the
 * 800 joined within a second; this leaves room for joins spread over half a
 * minute on a busier machine. Told member by member (`presenceThreshold`
 * above 1,000, as before rooms were summarised) the same joins cost 396.
 */
const MAX_RENDERS = 30;
/** The roster keeps a large room's 100 most recently active; told member by member it held all 1,001. */
const MAX_ROSTER_ENTRIES = 101;
/** The panel's shadow DOM in the room of 1,001: 786 nodes (a roster of 1,001 took 6,191). */
const MAX_NODES = 1600;

/** Polls a crowd until all `count` of its members are in (a busy machine takes its time over the handshakes). */
async function crowdWelcomed(id: string, count: number, timeout = 90_000): Promise<void> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const { welcomed, failure } = await executeServerCommand<{ welcomed: number; failure?: string }, object>('crowd-stats', { id });
    if (failure) throw new Error(`a member could not join: ${failure}`);
    if (welcomed === count) return;
    if (Date.now() > deadline) throw new Error(`timed out: ${welcomed} of ${count} members in the room`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Counts the panel's renders from now on: a controller hears of each update its host completes. */
function countRenders(panel: WsChatPanel): { readonly renders: number } {
  const counter = { renders: 0 };
  panel.addController({ hostUpdated: () => void counter.renders++ });
  return counter;
}

describe('<ws-chat-panel> in a room of 1,000', () => {
  const crowds: string[] = [];
  afterEach(async () => {
    for (const id of crowds.splice(0)) await executeServerCommand('crowd-leave', { id });
  });

  /** Lets `count` real connections named `${prefix}N` into `room`; resolves once the relay welcomed them all. */
  async function crowdJoins(relay: RelayInfo, room: string, count: number, prefix: string): Promise<void> {
    const { id } = await executeServerCommand<{ id: string }, object>('crowd-join', { relay: relay.id, room, count, prefix });
    crowds.push(id);
    await crowdWelcomed(id, count);
  }

  it('renders once per presence batch while they join, shows the count, and picks a member found by a search as a recipient', async () => {
    const relay = await startRelay({ maxConnectionsPerAddress: MEMBERS + 10, maxConnections: MEMBERS + 100 });
    const ada = document.createElement('ws-chat-panel');
    ada.url = relay.url;
    ada.userName = 'Ada';
    ada.setAttribute('room', 'town-hall');
    ada.style.setProperty('--ws-chat-panel-height', '480px');
    document.body.append(ada);
    await waitForStatus(ada, 'online');
    const count = () => shadow(ada).querySelector('[part="count"]')?.textContent?.trim();

    await crowdJoins(relay, 'town-hall', EARLY, 'early-');
    await waitFor(() => count() === `${EARLY + 1} online`, () => `"${EARLY + 1} online" (shows "${count()}")`);
    await ada.updateComplete;
    const counter = countRenders(ada);
    await crowdJoins(relay, 'town-hall', LATE, 'member-');
    await waitFor(() => count() === `${MEMBERS + 1} online`, () => `"${MEMBERS + 1} online" (shows "${count()}")`);
    await ada.updateComplete;
    expect(counter.renders, `renders while ${LATE} joined a large room`).to.be.at.most(MAX_RENDERS);

    // Beside the log in a wide panel; opened with its button in a narrow one.
    const toggle = shadow(ada).querySelector<HTMLButtonElement>('.roster-toggle')!;
    if (toggle.getAttribute('aria-expanded') === 'false') toggle.click();
    await ada.updateComplete;
    expect(shadow(ada).querySelectorAll('.peer').length, 'roster entries').to.be.at.most(MAX_ROSTER_ENTRIES);
    expect(shadow(ada).querySelectorAll('*').length, "the panel's DOM nodes").to.be.at.most(MAX_NODES);
    const heading = shadow(ada).querySelector('.roster-heading')!.textContent!.trim();
    expect(heading).to.equal(`${MEMBERS + 1} online`);
    const search = shadow(ada).querySelector<HTMLInputElement>('input.search');
    expect(search, 'a search field for a large room').to.exist;
    expect(search!.getAttribute('aria-label')).to.equal('Search people');
    search!.focus();
    await sendKeys({ type: 'member-79' });
    const names = () => [...shadow(ada).querySelectorAll('.peer-name')].map((name) => name.textContent!.trim());
    const wanted = ['member-79', ...Array.from({ length: 10 }, (_, i) => `member-79${i}`)].sort();
    await waitFor(() => JSON.stringify([...names()].sort()) === JSON.stringify(wanted), () => `the members found (shows ${JSON.stringify(names())})`);

    const found = [...shadow(ada).querySelectorAll<HTMLButtonElement>('.peer')].find((peer) => peer.textContent!.includes('member-795'))!;
    found.click();
    await ada.updateComplete;
    const chips = [...shadow(ada).querySelectorAll('.targets .chip')].map((chip) => chip.textContent!.replace(/\s+/g, ' ').trim());
    expect(chips, 'picked like anyone in the roster, and online').to.deep.equal(['member-795']);
    ada.remove();
  });
});
