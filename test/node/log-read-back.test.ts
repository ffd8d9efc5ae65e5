// readBack, what history reads the log with: newest first back from a point,
// handed back oldest first, in the memory log and the file log (after a
// restart too). The Redis log's is exercised over sockets (history.test.ts).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { FileLog } from '../../src/server/log/file-log.js';
import { MemoryLog } from '../../src/server/log/memory-log.js';
import { DEFAULT_LOG_WINDOW, type LogEntry, type NewLogEntry } from '../../src/server/log/message-log.js';

const ada = { id: 'p-ada', name: 'Ada', addr: '127.0.0.1' };
const broadcast = (id: string, room: string): NewLogEntry => ({ id, from: ada, room, data: id, ts: Date.now() });
const isIn = (room: string) => (entry: LogEntry) => entry.room === room;

describe('readBack', () => {
  it('pages back through any visible subset in order, without duplicates, whatever the limits, scan bounds and floor', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('a', 'b', 'c'), { minLength: 0, maxLength: 60 }),
        fc.array(fc.record({ limit: fc.integer({ min: 1, max: 7 }), maxScan: fc.integer({ min: 1, max: 9 }) }), { minLength: 1, maxLength: 10 }),
        fc.integer({ min: 0, max: 30 }),
        (rooms, asks, floor) => {
          const log = new MemoryLog(DEFAULT_LOG_WINDOW);
          rooms.forEach((room, i) => log.append(broadcast(`m${i}`, room)));
          const expected = log
            .readNow(0)
            .entries.filter((e) => e.room === 'a' && e.offset >= floor)
            .map((e) => e.offset);
          const got: number[] = [];
          let before: number | undefined;
          let pages = 0;
          for (;;) {
            const ask = asks[pages++ % asks.length]!;
            const page = log.readBack(before, { visible: isIn('a'), limit: ask.limit, maxScan: ask.maxScan, floor });
            assert.ok(page.entries.length <= ask.limit);
            got.unshift(...page.entries.map((e) => e.offset));
            if (!page.more) break;
            assert.ok(page.before !== undefined && (before === undefined || page.before < before), 'each page goes further back');
            before = page.before;
          }
          assert.deepEqual(got, expected);
        },
      ),
    );
  });

  it('reads only what the window keeps, and says when nothing older is', () => {
    const log = new MemoryLog({ ...DEFAULT_LOG_WINDOW, maxEntries: 3 });
    for (let i = 1; i <= 5; i++) log.append(broadcast(`m${i}`, 'a'));
    const page = log.readBack(undefined, { visible: () => true, limit: 10, maxScan: 100 });
    assert.deepEqual(
      page.entries.map((e) => e.offset),
      [3, 4, 5],
    );
    assert.equal(page.more, false);
    assert.equal(page.before, 3);
    assert.deepEqual(log.readBack(3, { visible: () => true, limit: 10, maxScan: 100 }), { entries: [], more: false });
  });

  describe('in the file log', () => {
    const dirs: string[] = [];
    after(() => {
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    });

    it("reads back after a restart, with each entry's room and the users a private message is between", async () => {
      const dir = mkdtempSync(join(tmpdir(), 'mc-readback-'));
      dirs.push(dir);
      const open = () => FileLog.open({ dir, window: DEFAULT_LOG_WINDOW, segmentEntries: 4 });
      const first = open();
      for (let i = 0; i < 9; i++) await first.append(broadcast(`b${i}`, i % 2 ? 'design' : 'lobby'));
      await first.append({ id: 'p1', from: ada, to: { names: ['Bob'] }, recipients: ['p-bob'], users: ['u-ada', 'u-bob'], data: 'psst', ts: Date.now() });
      await first.close();

      const again = open();
      const page = again.readBack(undefined, { visible: () => true, limit: 4, maxScan: 100 });
      assert.deepEqual(
        page.entries.map((e) => [e.id, e.room, e.users]),
        [
          ['b6', 'lobby', undefined],
          ['b7', 'design', undefined],
          ['b8', 'lobby', undefined],
          ['p1', undefined, ['u-ada', 'u-bob']],
        ],
      );
      assert.deepEqual(page.entries[3]!.to, { names: ['Bob'] });
      assert.equal(page.more, true);
      const older = again.readBack(page.before, { visible: isIn('design'), limit: 10, maxScan: 100 });
      assert.deepEqual(
        older.entries.map((e) => e.id),
        ['b1', 'b3', 'b5'],
      );
      assert.equal(older.more, false);
      await again.close();
    });
  });
});
