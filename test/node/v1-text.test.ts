// The relay writes its hot frames (message, ack) as text directly; a client
// must receive exactly the bytes JSON.stringify would have made of the frame
// object, whatever the entry holds.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { KeptEntry } from '../../src/server/log/memory-log.js';
import type { LogEntry } from '../../src/server/log/message-log.js';
import { ackText, messageText } from '../../src/server/v1-text.js';

const RUNS = { numRuns: 3000 };
const anyString = fc.string({ unit: 'binary', maxLength: 70 });
const peer = fc.record({ id: anyString, name: anyString, addr: anyString });
const whole = fc.oneof(fc.nat(), fc.constant(0), fc.constant(Number.MAX_SAFE_INTEGER), fc.constant(1e21));
const target = fc.record({ ids: fc.array(anyString, { maxLength: 3 }), names: fc.array(anyString, { maxLength: 3 }), addrs: fc.array(anyString, { maxLength: 3 }) }, { requiredKeys: [] });

const entry: fc.Arbitrary<LogEntry> = fc.record(
  {
    offset: whole,
    id: anyString,
    from: peer,
    to: target,
    recipients: fc.array(anyString, { maxLength: 3 }),
    data: fc.jsonValue({ maxDepth: 4 }),
    mentions: fc.array(anyString, { maxLength: 3 }),
    ts: fc.oneof(whole, fc.double({ noNaN: true, noDefaultInfinity: true })),
  },
  { requiredKeys: ['offset', 'id', 'from', 'data', 'ts'] },
);

/** A value as it comes back from JSON (plain objects, no -0). */
const asJson = (value: unknown): unknown => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));

describe('v1 text: message and ack frames written directly', () => {
  it('writes a message frame as JSON.stringify writes its object', () => {
    fc.assert(
      fc.property(entry, fc.boolean(), (e, replay) => {
        const object = { type: 'message', offset: e.offset, id: e.id, from: e.from, ...(e.to ? { to: e.to } : {}), data: e.data, ...(e.mentions ? { mentions: e.mentions } : {}), ts: e.ts, ...(replay ? { replay: true } : {}) };
        assert.equal(messageText(e, JSON.stringify(e.from), replay), JSON.stringify(object));
      }),
      RUNS,
    );
  });

  it('writes an entry the log keeps (targets and data as text) as the entry it was made from', () => {
    fc.assert(
      fc.property(entry, fc.boolean(), (e, replay) => {
        const kept = new KeptEntry(e, e.offset);
        const from = JSON.stringify(e.from);
        assert.equal(messageText(kept, from, replay), messageText(e, from, replay));
        // What the legacy dialect and the disk read back: the same values, as JSON carries them.
        assert.deepEqual(kept.to, asJson(e.to));
        assert.deepEqual(kept.data, asJson(e.data));
        assert.equal(JSON.stringify(kept), JSON.stringify(e));
      }),
      RUNS,
    );
    const noData = new KeptEntry({ id: 'a', from: { id: 'p', name: 'n', addr: '' }, to: { ids: ['q'] }, data: undefined, ts: 1 }, 1);
    assert.equal(messageText(noData, '{}', false), undefined);
    assert.deepEqual(noData.to, { ids: ['q'] });
  });

  it('leaves an entry without data to JSON.stringify', () => {
    assert.equal(messageText({ offset: 1, id: 'a', from: { id: 'p', name: 'n', addr: '' }, data: undefined, ts: 1 }, '{}', false), undefined);
  });

  it('writes an ack frame as JSON.stringify writes its object', () => {
    fc.assert(
      fc.property(anyString, whole, whole, fc.nat(), fc.boolean(), (id, offset, ts, recipients, duplicate) => {
        const object = { type: 'ack', id, offset, ts, recipients, ...(duplicate ? { duplicate: true } : {}) };
        assert.equal(ackText(id, offset, ts, recipients, duplicate), JSON.stringify(object));
      }),
      RUNS,
    );
  });
});
