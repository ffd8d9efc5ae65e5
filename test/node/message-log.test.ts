import assert from 'node:assert/strict';
import { appendFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { FileLog } from '../../src/server/log/file-log.js';
import { MemoryLog } from '../../src/server/log/memory-log.js';
import { DEFAULT_LOG_WINDOW, type NewLogEntry } from '../../src/server/log/message-log.js';

const from = { id: 'p1', name: 'Ada', addr: '127.0.0.1' };
const entry = (id: string, data: unknown = id, ts = Date.now()): NewLogEntry => ({ id, from, data, ts });

describe('MemoryLog', () => {
  it('numbers entries one by one, hands them to subscribers in order, and replays from any offset', async () => {
    const log = new MemoryLog(DEFAULT_LOG_WINDOW);
    const seen: number[] = [];
    log.subscribe((e) => seen.push(e.offset));
    for (const id of ['a', 'b', 'c']) await log.append(entry(id));
    assert.equal(log.head, 3);
    assert.deepEqual(seen, [1, 2, 3]);
    const { entries, complete } = await log.read(1);
    assert.deepEqual(entries.map((e) => e.id), ['b', 'c']);
    assert.equal(complete, true);
  });

  it('does not append a message twice: the same sender and id return the first entry', async () => {
    const log = new MemoryLog(DEFAULT_LOG_WINDOW);
    const first = await log.append(entry('m1', 'original'));
    const again = await log.append(entry('m1', 'resent'));
    assert.equal(again.duplicate, true);
    assert.equal(again.entry.offset, first.entry.offset);
    assert.equal(again.entry.data, 'original');
    assert.equal(log.head, 1);
    const other = await log.append({ ...entry('m1'), from: { ...from, id: 'p2' } });
    assert.equal(other.duplicate, false, 'another sender may use the same id');
  });

  it('keeps a bounded window, by count, by size and by age, and says when a read reaches past it', async () => {
    const byCount = new MemoryLog({ ...DEFAULT_LOG_WINDOW, maxEntries: 3 });
    for (let i = 1; i <= 5; i++) await byCount.append(entry(`m${i}`));
    assert.deepEqual((await byCount.read(0)).entries.map((e) => e.offset), [3, 4, 5]);
    assert.equal((await byCount.read(0)).complete, false);
    assert.equal((await byCount.read(2)).complete, true);
    assert.equal((await byCount.append(entry('m1'))).duplicate, false, 'dedupe is within the window');

    const bySize = new MemoryLog({ ...DEFAULT_LOG_WINDOW, maxBytes: 1000 });
    for (let i = 1; i <= 10; i++) await bySize.append(entry(`s${i}`, 'x'.repeat(300)));
    assert.ok((await bySize.read(0)).entries.length <= 3);

    const byAge = new MemoryLog({ ...DEFAULT_LOG_WINDOW, maxAge: 1000 });
    await byAge.append(entry('old', 'old', Date.now() - 5000));
    await byAge.append(entry('new'));
    assert.deepEqual((await byAge.read(0)).entries.map((e) => e.id), ['new']);
  });

  it('gives each new log its own epoch', () => {
    assert.notEqual(new MemoryLog(DEFAULT_LOG_WINDOW).epoch, new MemoryLog(DEFAULT_LOG_WINDOW).epoch);
  });
});

describe('FileLog', () => {
  const dirs: string[] = [];
  const dir = () => {
    const created = mkdtempSync(join(tmpdir(), 'mc-log-'));
    dirs.push(created);
    return created;
  };
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('survives a restart: same epoch, same head, entries readable, dedupe still knows them', async () => {
    const folder = dir();
    const log = FileLog.open({ dir: folder, window: DEFAULT_LOG_WINDOW });
    for (const id of ['a', 'b', 'c']) await log.append(entry(id));
    const epoch = log.epoch;
    await log.close();

    const reopened = FileLog.open({ dir: folder, window: DEFAULT_LOG_WINDOW });
    assert.equal(reopened.epoch, epoch);
    assert.equal(reopened.head, 3);
    assert.deepEqual((await reopened.read(0)).entries.map((e) => e.id), ['a', 'b', 'c']);
    assert.equal((await reopened.append(entry('b'))).duplicate, true);
    assert.equal((await reopened.append(entry('d'))).entry.offset, 4);
    await reopened.close();
  });

  it('cuts off a torn last line, as a process killed mid-write leaves it', async () => {
    const folder = dir();
    const log = FileLog.open({ dir: folder, window: DEFAULT_LOG_WINDOW });
    await log.append(entry('a'));
    await log.append(entry('b'));
    await log.close();
    const [segment] = readdirSync(join(folder, 'segments'));
    appendFileSync(join(folder, 'segments', segment!), '{"id":"torn","fr');
    const reopened = FileLog.open({ dir: folder, window: DEFAULT_LOG_WINDOW });
    assert.equal(reopened.head, 2);
    assert.equal((await reopened.append(entry('c'))).entry.offset, 3);
    await reopened.close();
    const again = FileLog.open({ dir: folder, window: DEFAULT_LOG_WINDOW });
    assert.deepEqual((await again.read(0)).entries.map((e) => e.id), ['a', 'b', 'c']);
    await again.close();
  });

  it('rolls segments and deletes those that left the window', async () => {
    const folder = dir();
    const log = FileLog.open({ dir: folder, window: { ...DEFAULT_LOG_WINDOW, maxEntries: 5 }, segmentEntries: 2 });
    for (let i = 1; i <= 12; i++) await log.append(entry(`m${i}`));
    const files = readdirSync(join(folder, 'segments')).sort();
    assert.ok(files.length <= 4, `old segments deleted (${files.join(', ')})`);
    await log.close();
    const reopened = FileLog.open({ dir: folder, window: { ...DEFAULT_LOG_WINDOW, maxEntries: 5 }, segmentEntries: 2 });
    assert.equal(reopened.head, 12);
    const { entries, complete } = await reopened.read(0);
    assert.equal(complete, false, 'offsets before the window are reported as missing');
    assert.deepEqual(entries.map((e) => e.offset), [8, 9, 10, 11, 12]);
    await reopened.close();
  });

  it('keeps its epoch across a restart before the first message, and starts a new one when its segments are gone', async () => {
    const folder = dir();
    const first = FileLog.open({ dir: folder, window: DEFAULT_LOG_WINDOW });
    const epoch = first.epoch;
    await first.close();
    const again = FileLog.open({ dir: folder, window: DEFAULT_LOG_WINDOW });
    assert.equal(again.epoch, epoch, 'nothing was lost: same epoch');
    await again.append(entry('a'));
    await again.close();
    rmSync(join(folder, 'segments'), { recursive: true });
    const wiped = FileLog.open({ dir: folder, window: DEFAULT_LOG_WINDOW });
    assert.notEqual(wiped.epoch, epoch, 'offsets restart, so the epoch must change');
    assert.equal(wiped.head, 0);
    await wiped.close();
  });

  it('with fsync, commits the messages of one turn with one flush, and hands them on only after it', async () => {
    const folder = dir();
    const log = FileLog.open({ dir: folder, window: DEFAULT_LOG_WINDOW, fsync: true, segmentEntries: 16 });
    const seen: number[] = [];
    log.subscribe((e) => seen.push(e.offset));
    const range = (first: number, last: number) => Array.from({ length: last - first + 1 }, (_, i) => first + i);

    const appends = range(1, 10).map((i) => log.append(entry(`m${i}`)));
    assert.ok(appends.every((a) => a instanceof Promise), 'not acknowledged before the flush');
    assert.deepEqual(seen, [], 'nobody gets a message before it is durable');
    assert.equal(log.head, 0);
    const resend = log.append(entry('m3', 'resent in the same turn'));
    const found = log.find(from.id, 'm5');
    const results = await Promise.all(appends);
    assert.equal(log.flushes, 1, 'one flush for the whole turn');
    assert.deepEqual(results.map((r) => r.entry.offset), range(1, 10));
    assert.deepEqual(seen, range(1, 10), 'in order, once each');
    assert.deepEqual(await resend, { entry: results[2]!.entry, duplicate: true });
    assert.equal((await found)?.offset, 5, 'find waits for the flush too');

    // Across segments: a full segment is made durable before the next one is opened.
    const more = range(11, 40).map((i) => log.append(entry(`m${i}`)));
    assert.equal(log.flushes, 3);
    assert.deepEqual(seen, range(1, 32), 'the messages of the full segments, flushed, went on');
    await Promise.all(more);
    assert.equal(log.flushes, 4);
    assert.deepEqual(seen, range(1, 40));
    await log.close();
    const reopened = FileLog.open({ dir: folder, window: DEFAULT_LOG_WINDOW, fsync: true, segmentEntries: 16 });
    assert.equal(reopened.head, 40);
    assert.deepEqual((await reopened.read(37)).entries.map((e) => e.id), ['m38', 'm39', 'm40']);
    await reopened.close();
  });

  describe('after a crash of the machine (without fsync)', () => {
    /** A log of five messages, and its folder as a crash may leave it: the segment cut to `keep` bytes, and another boot. */
    async function crashed(keep: (segment: string) => number) {
      const folder = dir();
      const bootIdFile = join(dir(), 'boot_id');
      writeFileSync(bootIdFile, 'boot-1');
      const log = FileLog.open({ dir: folder, window: DEFAULT_LOG_WINDOW, bootIdFile, reserveAhead: 100 });
      for (const id of ['a', 'b', 'c', 'd', 'e']) await log.append(entry(id));
      // The folder as the disk holds it when the machine stops (the log is never closed).
      const image = dir();
      cpSync(folder, image, { recursive: true });
      await log.close();
      const [name] = readdirSync(join(image, 'segments'));
      const segment = join(image, 'segments', name!);
      truncateSync(segment, keep(readFileSync(segment, 'utf8')));
      writeFileSync(bootIdFile, 'boot-2');
      return { folder: image, bootIdFile, epoch: log.epoch };
    }
    const twoLines = (text: string) => text.indexOf('\n', text.indexOf('\n') + 1) + 1;

    it('goes on past its reservation, keeps its epoch, and tells every reader from before the hole', async () => {
      for (const keep of [twoLines, (text: string) => twoLines(text) + 10]) {
        const { folder, bootIdFile, epoch } = await crashed(keep);
        const log = FileLog.open({ dir: folder, window: DEFAULT_LOG_WINDOW, bootIdFile, reserveAhead: 100 });
        assert.equal(log.epoch, epoch);
        assert.deepEqual(log.lostInCrash, { after: 2, through: 100 });
        assert.equal(log.head, 100);
        assert.equal((await log.append(entry('f'))).entry.offset, 101, 'offsets 3–5 were handed out before the crash');
        const fromTwo = await log.read(2);
        assert.deepEqual(fromTwo.entries.map((e) => e.id), ['f']);
        assert.equal(fromTwo.complete, false, 'a reader at 2 may have missed 3–5');
        assert.equal((await log.read(5)).complete, false, 'a reader at 5 may have missed 6–100');
        assert.equal((await log.read(100)).complete, true);
        await log.close();

        // The hole stays known after later restarts, with the offsets either side of it.
        const reopened = FileLog.open({ dir: folder, window: DEFAULT_LOG_WINDOW, bootIdFile });
        assert.deepEqual((await reopened.read(0)).entries.map((e) => `${e.id}@${e.offset}`), ['a@1', 'b@2', 'f@101']);
        assert.equal((await reopened.read(4)).complete, false);
        assert.equal(reopened.lostInCrash, undefined, 'closed cleanly since: nothing more was lost');
        await reopened.close();
      }
    });

    it('in the same boot (the process was only killed) trusts its tail: no hole, no jump', async () => {
      const { folder, bootIdFile } = await crashed((text) => text.length);
      writeFileSync(bootIdFile, 'boot-1');
      const log = FileLog.open({ dir: folder, window: DEFAULT_LOG_WINDOW, bootIdFile, reserveAhead: 100 });
      assert.equal(log.lostInCrash, undefined);
      assert.equal((await log.read(0)).complete, true);
      assert.equal((await log.append(entry('f'))).entry.offset, 6);
      await log.close();
    });

    it('starts a new epoch when nothing bounds the offsets handed out (a log from before reservations)', async () => {
      const { folder, bootIdFile, epoch } = await crashed((text) => text.length);
      rmSync(join(folder, 'reserved.json'));
      const log = FileLog.open({ dir: folder, window: DEFAULT_LOG_WINDOW, bootIdFile });
      assert.notEqual(log.epoch, epoch);
      await log.close();
    });

    it('refuses a boot id file it cannot read, when one is named', () => {
      assert.throws(() => FileLog.open({ dir: dir(), window: DEFAULT_LOG_WINDOW, bootIdFile: join(dir(), 'missing') }), /cannot read the boot id/);
    });
  });
});
