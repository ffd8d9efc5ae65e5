import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { closeAll, Member } from '../support/chat-cluster.js';
import { createRelayServer } from '../../src/server/index.js';
import { relayFixture } from '../support/relay-fixture.js';
import { startRelayProcess, type RelayProcess } from '../support/relay-process.js';
import { waitFor } from '../support/wait.js';

const LOAD = ['--max-messages-per-second', '100000', '--burst', '100000'];
/** Nothing is listening there: a client pointed at it stays away. */
const NOWHERE = 'ws://127.0.0.1:9/';

/**
 * A machine crash cannot be made in a test. What it leaves behind can: the
 * process dies (SIGKILL), the segment loses the tail the page cache had not
 * written yet, and the machine has a new boot id (the relay reads it from the
 * file MESSAGE_CENTER_BOOT_ID_FILE names, /proc/sys/kernel/random/boot_id
 * by default).
 */
describe('relay with --data-dir after a machine crash', () => {
  const folders: string[] = [];
  const processes: RelayProcess[] = [];
  const members: Member[] = [];
  after(async () => {
    closeAll(members);
    await Promise.all(processes.map((p) => p.kill()));
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  });
  const folder = () => {
    const created = mkdtempSync(join(tmpdir(), 'mc-crash-'));
    folders.push(created);
    return created;
  };

  /** A relay on a data folder, on a machine whose boot a file names; Ada and Bob on it, and Bob has processed Ada's first five. */
  async function setup(flags: string[] = []) {
    const dataDir = folder();
    const bootFile = join(folder(), 'boot_id');
    writeFileSync(bootFile, `${randomUUID()}\n`);
    const env = { MESSAGE_CENTER_BOOT_ID_FILE: bootFile };
    const args = ['--data-dir', dataDir, ...flags, ...LOAD];
    const relay = await startRelayProcess(args, 0, env);
    processes.push(relay);
    const state = {
      relay,
      bobUrl: relay.url,
      /** Stops the relay (SIGKILL unless told), runs `meanwhile`, and starts it again on the same port. */
      async restart(meanwhile: () => void, signal: NodeJS.Signals = 'SIGKILL') {
        await state.relay.kill(signal);
        await waitFor(() => ada.client.status !== 'online' && bob.client.status !== 'online', 'both saw the relay go');
        meanwhile();
        state.relay = await startRelayProcess(args, relay.port, env);
        processes.push(state.relay);
      },
      dataDir,
      reboot: () => writeFileSync(bootFile, `${randomUUID()}\n`),
      segment: () => {
        const segments = join(dataDir, 'log', 'segments');
        const [first] = readdirSync(segments).sort();
        return join(segments, first!);
      },
    };
    const ada = new Member('Ada', relay.url);
    const bob = new Member('Bob', () => state.bobUrl);
    members.push(ada, bob);
    ada.client.connect();
    bob.client.connect();
    await waitFor(() => [ada, bob].every((m) => m.client.status === 'online' && m.client.roster.length === 2), 'Ada and Bob online');
    for (let i = 1; i <= 5; i++) ada.send(`before ${i}`);
    await waitFor(() => bob.received.length === 5 && ada.acked.size === 5, 'Bob has processed the first five');
    assert.deepEqual(bob.received.map((m) => m.offset), [1, 2, 3, 4, 5]);
    return { state, ada, bob, bobId: bob.id };
  }

  /** Ada sends three more once she is back; returns them once acknowledged. */
  async function adaSendsThree(ada: Member) {
    await waitFor(() => ada.client.status === 'online', 'Ada back');
    const sent = [1, 2, 3].map((i) => ada.send(`after ${i}`));
    await waitFor(() => sent.every((m) => ada.acked.has(m.id)), 'Ada has her acks');
    return sent.map((m) => ada.acked.get(m.id)!);
  }

  /** Bob shows each of `sent`, once, in order, after what he had. */
  async function bobShows(bob: Member, sent: Array<{ id: string; offset?: number }>) {
    const shown = () => bob.received.filter((m) => sent.some((s) => s.id === m.id));
    await waitFor(
      () => shown().length >= sent.length,
      `Bob shows Ada's ${sent.length} new messages (he shows ${shown().length}; his stream: ${bob.received.map((m) => `${m.data}@${m.offset}`).join(', ')})`,
      10_000,
    );
    assert.deepEqual(shown().map((m) => m.id), sent.map((s) => s.id), 'each once, in order');
    assert.deepEqual(shown().map((m) => m.offset), sent.map((s) => s.offset), 'at the offsets Ada was told');
  }

  for (const cut of ['at a line end', 'mid-line (a torn write)'] as const) {
    for (const bobBack of ['first', 'last'] as const) {
      it(`the tail cut ${cut}, Bob back ${bobBack}: no offset is given twice, Bob is told of a gap and shows every new message`, async () => {
        const { state, ada, bob, bobId } = await setup();
        if (bobBack === 'last') state.bobUrl = NOWHERE;
        await state.restart(() => {
          // The page cache had written only the first two lines (and, torn, part of the third).
          const lines = readFileSync(state.segment(), 'utf8').split('\n');
          const third = lines[2]!;
          writeFileSync(state.segment(), `${lines[0]}\n${lines[1]}\n${cut === 'at a line end' ? '' : third.slice(0, third.length >> 1)}`);
          state.reboot();
        });
        if (bobBack === 'first') await waitFor(() => bob.client.status === 'online', 'Bob back');
        const sent = await adaSendsThree(ada);
        assert.ok(
          sent.every((m) => m.offset! > 5),
          `offsets 3–5 went to the messages Bob processed; new ones must not reuse them (got ${sent.map((m) => m.offset).join(', ')})`,
        );
        state.bobUrl = state.relay.url;
        await bobShows(bob, sent);
        assert.ok(bob.gaps.length >= 1, 'Bob is told messages may be missing (offsets 3–5 are gone from the log)');
        assert.equal(bob.id, bobId, 'his session is kept');
      });
    }
  }

  it("the crash also lost Bob's session (its line was never flushed), Bob back last: he starts anew, is told of a gap, and shows every message sent since the restart", async () => {
    const { state, ada, bob, bobId } = await setup();
    state.bobUrl = NOWHERE;
    await state.restart(() => {
      const lines = readFileSync(state.segment(), 'utf8').split('\n');
      writeFileSync(state.segment(), `${lines[0]}\n${lines[1]}\n`);
      const sessions = join(state.dataDir, 'sessions.jsonl');
      const kept = readFileSync(sessions, 'utf8').split('\n').filter((line) => line !== '' && !line.includes(bobId));
      writeFileSync(sessions, kept.map((line) => `${line}\n`).join(''));
      state.reboot();
    });
    const sent = await adaSendsThree(ada);
    state.bobUrl = state.relay.url;
    await bobShows(bob, sent);
    assert.ok(bob.gaps.length >= 1, 'Bob is told messages may be missing');
    assert.notEqual(bob.id, bobId, 'a new session: the relay no longer knew his');
  });

  it('a plain SIGKILL (the machine kept its page cache): no gap, and offsets go on from 6', async () => {
    const { state, ada, bob, bobId } = await setup();
    await state.restart(() => {});
    await waitFor(() => bob.client.status === 'online', 'Bob back');
    const sent = await adaSendsThree(ada);
    assert.deepEqual(sent.map((m) => m.offset), [6, 7, 8]);
    await bobShows(bob, sent);
    assert.deepEqual([...ada.gaps, ...bob.gaps], []);
    assert.equal(bob.id, bobId);
  });

  it('a clean stop, then a reboot: no gap, and offsets go on from 6', async () => {
    const { state, ada, bob } = await setup();
    await state.restart(() => state.reboot(), 'SIGTERM');
    const sent = await adaSendsThree(ada);
    assert.deepEqual(sent.map((m) => m.offset), [6, 7, 8]);
    await bobShows(bob, sent);
    assert.deepEqual([...ada.gaps, ...bob.gaps], []);
  });

  it('with --fsync, a crash that tears a write never acknowledged: no gap, and offsets go on from 6', async () => {
    const { state, ada, bob } = await setup(['--fsync']);
    await state.restart(() => {
      appendFileSync(state.segment(), '{"id":"never-acknowledged","fr');
      state.reboot();
    });
    const sent = await adaSendsThree(ada);
    assert.deepEqual(sent.map((m) => m.offset), [6, 7, 8]);
    await bobShows(bob, sent);
    assert.deepEqual([...ada.gaps, ...bob.gaps], []);
  });
});

describe('a resume from beyond the log head', () => {
  const fixture = relayFixture();

  it('is told there is a gap: the client saw messages this log does not have', async () => {
    const relay = await fixture.relay();
    const ada = await fixture.client(relay, { name: 'ada' });
    const bob = await fixture.client(relay, { name: 'bob' });
    ada.send({ type: 'send', id: 'm1', data: 'one' });
    await bob.next((f) => f.id === 'm1');
    const welcome = bob.welcome as { session: string; epoch: string };
    bob.close();
    const back = fixture.raw(relay);
    await new Promise((resolve) => back.socket.once('open', resolve));
    back.send({ type: 'hello', name: 'bob', resume: { session: welcome.session, epoch: welcome.epoch, offset: 4 } });
    const resumed = await back.next((f) => f.type === 'welcome');
    assert.equal(resumed.resumed, true);
    assert.equal(resumed.gap, true);
    assert.equal(resumed.offset, 1, "welcome.offset is the log's head");
  });
});

describe('bootIdFile', () => {
  it('is validated up front: it needs dataDir, and a file that cannot be read stops the start with its name', async () => {
    const options = { port: 0, host: '127.0.0.1', logger: false as const };
    await assert.rejects(createRelayServer({ ...options, bootIdFile: '/proc/sys/kernel/random/boot_id' }), {
      name: 'TypeError',
      message: /`bootIdFile` needs `dataDir`/,
    });
    await assert.rejects(createRelayServer({ ...options, dataDir: '/tmp/x', bootIdFile: '' }), { name: 'TypeError', message: /bootIdFile must be a file path/ });
    const dataDir = mkdtempSync(join(tmpdir(), 'mc-crash-'));
    try {
      await assert.rejects(createRelayServer({ ...options, dataDir, bootIdFile: join(dataDir, 'missing') }), /cannot read the boot id from .*missing/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
