// Model-based test (fast-check) of the file log across random kills, clean
// stops and machine crashes. A crash is simulated on a copy of the folder as
// the disk would hold it: every byte flushed survives, anything else may be
// lost (any suffix of a segment file, mid-line included), and a file whose
// name was never flushed may vanish; the machine then has a new boot id.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { FileLog } from '../../src/server/log/file-log.js';
import { DEFAULT_LOG_WINDOW } from '../../src/server/log/message-log.js';

type Command =
  | { kind: 'append'; count: number }
  /** SIGKILL: the process dies, the machine keeps its page cache. */
  | { kind: 'kill' }
  /** The machine crashes: what was not flushed may be lost, then it boots again. */
  | { kind: 'crash'; keep: number[]; vanish: boolean }
  /** close(), then perhaps a reboot. */
  | { kind: 'stop'; reboot: boolean };

const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('append' as const), count: fc.integer({ min: 1, max: 6 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('kill' as const) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('crash' as const),
      keep: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 4 }),
      vanish: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('stop' as const), reboot: fc.boolean() }) },
);

// The property is about logic, not the disk: tmpfs makes its flushes free.
const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
const window = { ...DEFAULT_LOG_WINDOW, maxEntries: 1_000_000 };

describe('file log across kills, stops and crashes (fast-check)', () => {
  const roots: string[] = [];
  after(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

  async function check(fsync: boolean, segmentEntries: number, reserveAhead: number, commands: Command[]): Promise<void> {
    const root = mkdtempSync(join(base, 'mc-crash-model-'));
    roots.push(root);
    const bootIdFile = join(root, 'boot_id');
    let boots = 0;
    const reboot = () => writeFileSync(bootIdFile, `boot-${++boots}\n`);
    reboot();
    let lives = 0;
    let dir = join(root, `life-${lives}`);
    const open = () => FileLog.open({ dir, window, fsync, segmentEntries, reserveAhead, bootIdFile });
    const segmentsOf = (folder: string) => join(folder, 'segments');
    /** What the disk holds for sure: sizes of segment files, by name, as of the last flush. */
    let durable = new Map<string, number>();
    const flushed = () => {
      durable = new Map(readdirSync(segmentsOf(dir)).map((name) => [name, statSync(join(segmentsOf(dir), name)).size]));
    };
    /** Offsets handed out, by epoch: offset → message id. */
    const assigned = new Map<string, Map<number, string>>();
    /** Epochs in which a crash may have lost something. */
    const crashed = new Set<string>();
    let log = open();
    // With fsync the log flushes what it creates (its first segment too).
    if (fsync) flushed();
    let sent = 0;
    const trail: string[] = [];

    const verify = async (how: Command['kind'], previousEpoch: string) => {
      const epoch = log.epoch;
      const mine = assigned.get(epoch) ?? new Map<number, string>();
      const context = `${trail.join(' ')} | fsync ${fsync}, segments of ${segmentEntries}, reserve ${reserveAhead}`;
      if (how !== 'crash' || fsync) assert.equal(epoch, previousEpoch, `${how}: same epoch (${context})`);
      const { entries } = await log.read(0);
      const kept = new Set<number>();
      for (const entry of entries) {
        assert.equal(mine.get(entry.offset), entry.id, `offset ${entry.offset} holds the message it was given (${context})`);
        kept.add(entry.offset);
      }
      const lost = [...mine.keys()].filter((offset) => !kept.has(offset));
      if (fsync) assert.deepEqual(lost, [], `with fsync nothing handed out is lost (${context})`);
      for (const seen of [0, ...mine.keys()]) {
        const { complete } = await log.read(seen);
        if (lost.some((offset) => offset > seen)) {
          assert.equal(complete, false, `a client that saw up to ${seen} is told of a gap: lost ${lost.join(',')} (${context})`);
        } else if (fsync || !crashed.has(epoch)) {
          assert.equal(complete, true, `a client that saw up to ${seen} has no gap: nothing was lost (${context})`);
        }
      }
      assert.equal((await log.read(log.head + 1)).complete, false, `a client from beyond the head is told of a gap (${context})`);
    };

    for (const step of commands) {
      trail.push(step.kind === 'append' ? `+${step.count}` : step.kind === 'crash' ? `crash(${step.keep.map((k) => k.toFixed(2)).join('/')}${step.vanish ? ',vanish' : ''})` : step.kind === 'stop' ? `stop${step.reboot ? '+reboot' : ''}` : 'kill');
      const epoch = log.epoch;
      if (step.kind === 'append') {
        const mine = assigned.get(epoch) ?? new Map<number, string>();
        assigned.set(epoch, mine);
        for (let i = 0; i < step.count; i++) {
          const id = `m${++sent}`;
          const { entry } = await log.append({ id, from: { id: 'p1', name: 'Ada', addr: '127.0.0.1' }, data: id, ts: Date.now() });
          assert.equal(mine.get(entry.offset), undefined, `offset ${entry.offset} given twice in epoch ${epoch}: to ${mine.get(entry.offset)} and ${id} (${trail.join(' ')})`);
          assert.ok(entry.offset > Math.max(0, ...mine.keys()), 'offsets only grow');
          mine.set(entry.offset, id);
          if (fsync) flushed();
        }
        continue;
      }
      if (step.kind === 'stop') {
        await log.close();
        flushed();
        if (step.reboot) reboot();
        log = open();
        if (fsync) flushed();
        await verify('stop', epoch);
        continue;
      }
      // The folder as the disk (kill: the page cache too) holds it at this instant.
      const image = join(root, `life-${++lives}`);
      cpSync(dir, image, { recursive: true });
      await log.close();
      dir = image;
      if (step.kind === 'crash') {
        const names = readdirSync(segmentsOf(dir)).sort();
        names.forEach((name, i) => {
          const path = join(segmentsOf(dir), name);
          const sure = durable.get(name);
          if (sure === undefined && step.vanish) return unlinkSync(path);
          const size = statSync(path).size;
          truncateSync(path, (sure ?? 0) + Math.floor(step.keep[i % step.keep.length]! * (size - (sure ?? 0))));
        });
        if (!fsync) crashed.add(epoch);
        reboot();
      }
      log = open();
      if (fsync) flushed();
      await verify(step.kind, epoch);
    }
    await log.close();
  }

  for (const fsync of [false, true]) {
    it(`${fsync ? 'with' : 'without'} fsync: no offset is given to two messages in one epoch, and whoever may have lost one is told`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 2, max: 5 }),
          fc.integer({ min: 1, max: 8 }),
          fc.array(command, { minLength: 1, maxLength: 14 }),
          (segmentEntries, reserveAhead, commands) => check(fsync, segmentEntries, reserveAhead, commands),
        ),
        { numRuns: 150 },
      );
    });
  }
});
