// The relay's hand-written check of `send` and `received` frames must agree
// with the protocol's schema on every input: accept what decodeClientFrame
// accepts, with the same frame, and refuse (with decodeClientFrame's own
// answer) what it refuses. fast-check generates frames close to the edges:
// strings at and past each length limit, target counts around maxTargets,
// data nested around maxDataDepth, wrong types, missing and extra keys.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decodeClientFrame } from '../../src/protocol/codec.js';
import { FieldLimits } from '../../src/protocol/constants.js';
import { decodeV1Frame, readHotFrame } from '../../src/server/v1-frames.js';

const RUNS = { numRuns: 4000 };

/** Strings around a limit: empty, short, at `max`, just past it; any Unicode. */
const textNear = (max: number) =>
  fc.oneof(
    fc.string({ unit: 'binary', maxLength: 8 }),
    fc.integer({ min: max - 1, max: max + 1 }).map((n) => 'x'.repeat(Math.max(0, n))),
    fc.string({ unit: 'binary', minLength: max - 2, maxLength: max + 2 }),
  );

/** Any JSON value, as the wrong thing in a field. */
const anyJson = fc.jsonValue({ maxDepth: 2 });

const withExtra = <T extends Record<string, unknown>>(record: fc.Arbitrary<T>) =>
  fc.tuple(record, fc.option(fc.dictionary(fc.constantFrom('extra', '__proto__', 'Type', 'data', 'to', 'id', 'offset', 'ids'), anyJson), { freq: 5 })).map(
    ([base, extra]) => (extra ? { ...extra, ...base } : base),
  );

const list = (max: number) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.array(textNear(max), { maxLength: 4 }) },
    { weight: 2, arbitrary: fc.integer({ min: 0, max: 60 }).map((n) => Array.from({ length: n }, (_, i) => `t${i}`)) },
    { weight: 1, arbitrary: anyJson },
  );

const target = fc.oneof(
  { weight: 8, arbitrary: withExtra(fc.record({ ids: list(FieldLimits.maxIdLength), names: list(FieldLimits.maxNameLength * 2), addrs: list(64) }, { requiredKeys: [] })) },
  { weight: 1, arbitrary: anyJson },
  { weight: 1, arbitrary: fc.array(fc.string(), { maxLength: 2 }) },
);

/** Arrays nested `depth` deep around a value: around maxDataDepth, the limit. */
const nested = fc
  .tuple(fc.integer({ min: FieldLimits.maxDataDepth - 2, max: FieldLimits.maxDataDepth + 1 }), anyJson, fc.boolean())
  .map(([depth, inner, asObject]) => {
    let value: unknown = inner;
    for (let i = 0; i < depth; i++) value = asObject ? { v: value } : [value];
    return value;
  });

const send = withExtra(
  fc.record(
    {
      type: fc.oneof({ weight: 9, arbitrary: fc.constant('send') }, { weight: 1, arbitrary: anyJson }),
      id: fc.oneof({ weight: 8, arbitrary: textNear(FieldLimits.maxIdLength) }, { weight: 1, arbitrary: anyJson }),
      to: target,
      // Room names near their limits, with control characters now and then (refused), or not a string at all.
      room: fc.oneof(
        { weight: 6, arbitrary: textNear(FieldLimits.maxRoomLength) },
        { weight: 1, arbitrary: fc.constantFrom('a\u0000b', '\u007f', 'ok\n', 'lobby') },
        { weight: 1, arbitrary: anyJson },
      ),
      data: fc.oneof(fc.jsonValue({ maxDepth: 4 }), nested),
      // Near the count limit, with a repeated id now and then (refused), or not a list of ids at all.
      mentions: fc.oneof(
        { weight: 4, arbitrary: list(FieldLimits.maxIdLength) },
        { weight: 2, arbitrary: fc.integer({ min: FieldLimits.maxMentions - 1, max: FieldLimits.maxMentions + 1 }).map((n) => Array.from({ length: n }, (_, i) => `p${i}`)) },
        { weight: 1, arbitrary: fc.constantFrom(['p1', 'p1'], ['a', 'b', 'a']) },
      ),
    },
    { requiredKeys: ['type'] },
  ),
);

const received = withExtra(
  fc.record(
    {
      type: fc.constant('received'),
      offset: fc.oneof(fc.integer({ min: -3, max: Number.MAX_SAFE_INTEGER }), fc.double(), fc.constant(1e999), fc.constant(-0), anyJson),
    },
    { requiredKeys: ['type'] },
  ),
);

/** JSON text as a client would send it; JSON.stringify writes `-0` as `0` and `1e999` as null, so those come in as raw text too. */
const asText = (frame: unknown) => JSON.stringify(frame);

/** Same answer as the schema's decoder; and the fast check itself takes every valid send and received (none left to the slow path). */
function agrees(textFrame: string): void {
  const expected = decodeClientFrame(textFrame);
  assert.deepStrictEqual(decodeV1Frame(textFrame), expected, textFrame.slice(0, 300));
  const hot = expected.ok && (expected.frame.type === 'send' || expected.frame.type === 'received');
  assert.deepStrictEqual(readHotFrame(textFrame), hot ? expected.frame : undefined, textFrame.slice(0, 300));
}

describe('v1 frames: the fast check of send and received', () => {
  it('agrees with the schema on send frames near every limit', () => {
    fc.assert(fc.property(send, (frame) => agrees(asText(frame))), RUNS);
  });

  it('agrees with the schema on received frames', () => {
    fc.assert(fc.property(received, (frame) => agrees(asText(frame))), RUNS);
    for (const raw of ['{"type":"received","offset":-0}', '{"type":"received","offset":1e999}', '{"type":"received","offset":1.0}', '{"type":"received","offset":2.5}']) {
      agrees(raw);
    }
  });

  it('agrees on the edges written out', () => {
    const id = (n: number) => 'i'.repeat(n);
    const ids = (n: number) => Array.from({ length: n }, (_, i) => `p${i}`);
    const cases: unknown[] = [
      { type: 'send', id: id(FieldLimits.maxIdLength), data: null },
      { type: 'send', id: id(FieldLimits.maxIdLength + 1), data: null },
      { type: 'send', id: '', data: 1 },
      { type: 'send', id: 'a' },
      { type: 'send', id: 'a', data: 1, to: { ids: ids(FieldLimits.maxTargets) } },
      { type: 'send', id: 'a', data: 1, to: { ids: ids(FieldLimits.maxTargets - 1), names: ['n'] } },
      { type: 'send', id: 'a', data: 1, to: { ids: ids(FieldLimits.maxTargets), addrs: ['1.2.3.4'] } },
      { type: 'send', id: 'a', data: 1, to: {} },
      { type: 'send', id: 'a', data: 1, to: [] },
      { type: 'send', id: 'a', data: 1, to: null },
      { type: 'send', id: 'a', data: 1, to: { ids: [] , names: ['x'] } },
      { type: 'send', id: 'a', data: 1, to: { ids: [''] } },
      { type: 'send', id: 'a', data: 1, to: { names: ['n'.repeat(FieldLimits.maxNameLength * 2)] } },
      { type: 'send', id: 'a', data: 1, to: { names: ['n'.repeat(FieldLimits.maxNameLength * 2 + 1)] } },
      { type: 'send', id: 'a', data: 1, to: { addrs: ['a'.repeat(64)] } },
      { type: 'send', id: 'a', data: 1, to: { addrs: ['a'.repeat(65)] } },
      { type: 'send', id: 'a', data: 1, extra: true },
      { type: 'send', id: 'a', data: 1, to: { ids: ['x'], extra: [] } },
      { type: 'received', offset: 0 },
      { type: 'received', offset: 3, extra: 1 },
      { type: 'received' },
    ];
    for (const frame of cases) agrees(asText(frame));
    agrees('{"type":"send","id":"a","data":1,"__proto__":{"x":1}}');
    agrees('{"type":"send","id":"a","data":1,"to":{"ids":["b"],"__proto__":[]}}');
    agrees('{"type":"send","id":"a","data":1,"id":"b"}');
    agrees('[{"type":"send","id":"a","data":1}]');
    agrees('{"type":"send","id":"a","data":');
  });

  it('returns frames in the schema key order, as valibot does', () => {
    const decoded = decodeV1Frame('{"data":{"k":1},"to":{"addrs":["a"],"ids":["b"]},"id":"m1","type":"send"}');
    assert.ok(decoded.ok);
    assert.equal(JSON.stringify(decoded.frame), '{"type":"send","id":"m1","to":{"ids":["b"],"addrs":["a"]},"data":{"k":1}}');
  });
});
