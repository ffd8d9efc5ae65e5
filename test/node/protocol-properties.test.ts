// Property-based tests (fast-check) of the protocol decoder: whatever a
// client sends, decoding never throws, answers with one of two codes, echoes
// only a usable id, and accepts exactly the frames the protocol allows.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import * as v from 'valibot';
import { decodeClientFrame, decodeServerFrame } from '../../src/protocol/codec.js';
import { ErrorCode, FieldLimits } from '../../src/protocol/constants.js';
import { withinDepth } from '../../src/protocol/depth.js';
import { LegacyInFrameSchema, normalizeLegacyTargets } from '../../src/protocol/legacy.js';
import { cleanName } from '../../src/server/names.js';

const RUNS = { numRuns: 2000 };
const CLIENT_TYPES = ['hello', 'send', 'ping', 'received'];

/** Text within `min`–`max` UTF-16 code units, any Unicode. */
const text = (min: number, max: number) =>
  fc.string({ unit: 'binary', minLength: min, maxLength: max }).filter((s) => s.length >= min && s.length <= max);

const offset = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const jsonData = fc.jsonValue({ maxDepth: 6 });

const target = fc
  .record(
    {
      ids: fc.array(text(1, FieldLimits.maxIdLength), { maxLength: 4 }),
      names: fc.array(text(1, FieldLimits.maxNameLength * 2), { maxLength: 4 }),
      addrs: fc.array(text(1, 64), { maxLength: 4 }),
    },
    { requiredKeys: [] },
  )
  .filter((to) => (to.ids?.length ?? 0) + (to.names?.length ?? 0) + (to.addrs?.length ?? 0) > 0);

/** Every frame protocol v1 lets a client send. */
const validFrame = fc.oneof(
  fc.record(
    {
      type: fc.constant('hello'),
      name: text(0, FieldLimits.maxNameLength * 4),
      resume: fc.record({ session: text(1, 128), epoch: text(1, 128), offset }),
    },
    { requiredKeys: ['type'] },
  ),
  fc.record({ type: fc.constant('send'), id: text(1, FieldLimits.maxIdLength), to: target, data: jsonData }, { requiredKeys: ['type', 'id', 'data'] }),
  fc.record({ type: fc.constant('ping'), t: fc.double({ noNaN: true, noDefaultInfinity: true }) }, { requiredKeys: ['type'] }),
  fc.record({ type: fc.constant('received'), offset }),
);

/** The decoder's contract for any input: no throw; ok with a known type, or one of two codes and an id only if usable. */
function checkOutcome(input: string): void {
  const decoded = decodeClientFrame(input);
  if (decoded.ok) {
    assert.ok(CLIENT_TYPES.includes(decoded.frame.type));
    // A frame the decoder accepted is accepted again once re-encoded, as the relay re-encodes it: nothing
    // half-valid gets through. (Re-encoding is not the identity: a number beyond a double, 1e999, becomes null.)
    const reencoded = JSON.stringify(decoded.frame);
    const again = decodeClientFrame(reencoded);
    assert.ok(again.ok);
    assert.deepEqual(again.frame, JSON.parse(reencoded));
    // And the relay can always serialise what it accepted.
    assert.doesNotThrow(() => JSON.stringify(decoded.frame));
    return;
  }
  assert.ok(decoded.code === ErrorCode.BadFrame || decoded.code === ErrorCode.BadField, decoded.code);
  assert.equal(typeof decoded.message, 'string');
  if (decoded.id !== undefined) {
    assert.ok(decoded.id.length >= 1 && decoded.id.length <= FieldLimits.maxIdLength);
    assert.equal((JSON.parse(input) as { id: unknown }).id, decoded.id, 'the id echoed is the frame’s own');
  }
}

/** A few bytes of a frame changed, inserted, removed or cut: the mutations a fuzzer makes. */
const mutated = (base: fc.Arbitrary<string>) =>
  fc
    .tuple(
      base,
      fc.array(
        fc.tuple(fc.constantFrom('replace', 'insert', 'delete', 'truncate', 'duplicate'), fc.nat(), fc.constantFrom(...'{}[]":,\\0-1e9 nulltruefalse\u0000\ud800\u202e'.split(''))),
        { minLength: 1, maxLength: 4 },
      ),
    )
    .map(([textValue, edits]) => {
      let out = textValue;
      for (const [kind, at, char] of edits) {
        const i = out.length === 0 ? 0 : at % out.length;
        if (kind === 'replace') out = out.slice(0, i) + char + out.slice(i + 1);
        else if (kind === 'insert') out = out.slice(0, i) + char + out.slice(i);
        else if (kind === 'delete') out = out.slice(0, i) + out.slice(i + 1);
        else if (kind === 'truncate') out = out.slice(0, i);
        else out = out.slice(0, i) + out.slice(i, i + 8) + out.slice(i);
      }
      return out;
    });

describe('protocol decoder properties (fast-check)', () => {
  it('never throws, and answers any string with a frame, bad_frame or bad_field', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), checkOutcome), RUNS);
  });

  it('answers any JSON value the same way', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 5 }), (value) => checkOutcome(JSON.stringify(value))), RUNS);
  });

  it('accepts every valid frame, exactly as sent', () => {
    fc.assert(
      fc.property(validFrame, (frame) => {
        const decoded = decodeClientFrame(JSON.stringify(frame));
        assert.ok(decoded.ok, decoded.ok ? '' : decoded.message);
        assert.deepEqual(decoded.frame, JSON.parse(JSON.stringify(frame)));
      }),
      RUNS,
    );
  });

  it('refuses any field the protocol does not list (bad_field), echoing a usable id', () => {
    const extra = fc.string({ minLength: 1, maxLength: 12 }).filter((key) => !['type', 'id', 'name', 'resume', 'to', 'data', 't', 'offset', '__proto__'].includes(key));
    fc.assert(
      fc.property(validFrame, extra, jsonData, (frame, key, value) => {
        const decoded = decodeClientFrame(JSON.stringify({ ...frame, [key]: value }));
        assert.equal(decoded.ok, false);
        assert.equal(!decoded.ok && decoded.code, ErrorCode.BadField);
        if (frame.type === 'send') assert.equal(!decoded.ok && decoded.id, frame.id);
      }),
      RUNS,
    );
  });

  it('refuses any unknown frame type (bad_frame)', () => {
    fc.assert(
      fc.property(validFrame, fc.jsonValue().filter((t) => !CLIENT_TYPES.includes(t as string)), (frame, type) => {
        const decoded = decodeClientFrame(JSON.stringify({ ...frame, type }));
        assert.equal(!decoded.ok && decoded.code, ErrorCode.BadFrame);
      }),
      RUNS,
    );
  });

  it('survives mutated frames (bytes replaced, inserted, removed, cut)', () => {
    fc.assert(fc.property(mutated(validFrame.map((f) => JSON.stringify(f))), checkOutcome), { numRuns: 5000 });
  });

  it('takes data nested up to maxDataDepth and refuses deeper, so what it accepts can be serialised again', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5000 }), fc.boolean(), (depth, objects) => {
        let data: unknown = 1;
        for (let i = 0; i < depth; i++) data = objects ? { a: data } : [data];
        const text = objects ? `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}` : `${'['.repeat(depth)}1${']'.repeat(depth)}`;
        const decoded = decodeClientFrame(`{"type":"send","id":"d","data":${text}}`);
        assert.equal(decoded.ok, depth <= FieldLimits.maxDataDepth, `depth ${depth}`);
        if (decoded.ok) assert.deepEqual(decoded.frame, { type: 'send', id: 'd', data });
        const legacy = v.safeParse(LegacyInFrameSchema, { data: JSON.parse(text) });
        assert.equal(legacy.success, depth <= FieldLimits.maxDataDepth);
      }),
      { numRuns: 300 },
    );
  });

  it('withinDepth agrees with the recursive definition', () => {
    const depthOf = (value: unknown): number =>
      value === null || typeof value !== 'object' ? 0 : 1 + Math.max(0, ...Object.values(value as object).map(depthOf));
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 10 }), fc.integer({ min: 0, max: 12 }), (value, max) => {
        assert.equal(withinDepth(value, max), depthOf(value) <= max);
      }),
      RUNS,
    );
  });

  it('the client’s decoder of server frames never throws either', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.jsonValue().map((j) => JSON.stringify(j))), (input) => {
        const decoded = decodeServerFrame(input);
        if (!decoded.ok) assert.ok(decoded.code === ErrorCode.BadFrame || decoded.code === ErrorCode.BadField);
      }),
      RUNS,
    );
  });

  it('cleans any name to visible text of at most 64 code points, and cleaning again changes nothing', () => {
    const invisible = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/;
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (raw) => {
        const name = cleanName(raw);
        assert.ok([...name].length <= FieldLimits.maxNameLength);
        assert.equal(invisible.test(name), false);
        assert.equal(name, name.trim());
        assert.equal(/ {2}/.test(name), false);
        assert.equal(cleanName(name), name);
      }),
      RUNS,
    );
  });

  it('normalises any legacy ip list to at most 100 addresses of at most 64 characters', () => {
    fc.assert(
      fc.property(fc.oneof(fc.constant(undefined), fc.constant(null), fc.string(), fc.array(fc.string({ maxLength: 80 }), { maxLength: 200 })), (ip) => {
        const { targeted, addrs } = normalizeLegacyTargets(ip);
        assert.ok(addrs.length <= FieldLimits.maxTargets);
        assert.ok(addrs.every((a) => a.length >= 1 && a.length <= 64));
        if (!targeted) assert.equal(addrs.length, 0);
      }),
      RUNS,
    );
  });
});
