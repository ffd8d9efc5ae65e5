// The browser client checks server frames with small hand-written guards
// (src/protocol/server-frames.ts), so the script bundle carries no valibot;
// the valibot schemas (src/protocol/frames.ts) stay the one definition of the
// frames, which the relay and third-party servers use. These properties hold
// the guards to the schemas: on valid frames of every type and on mutated ones
// both accept and refuse the same frames, return the same frame, and name the
// same field when they refuse.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { build } from 'esbuild';
import fc from 'fast-check';
import * as v from 'valibot';
import { ErrorCode } from '../../src/protocol/constants.js';
import { ServerFrameSchema, type ServerFrame } from '../../src/protocol/frames.js';
import { decodeServerFrame } from '../../src/protocol/server-frames.js';

const RUNS = { numRuns: 2000 };
const SERVER_TYPES = ['welcome', 'message', 'ack', 'delivered', 'join', 'leave', 'error', 'pong', 'presence', 'joined', 'left', 'roster', 'page', 'typing', 'read', 'readers'];

/**
 * Both verdicts on one frame text: the guards' (`decodeServerFrame`) and the
 * schemas', and that they agree. Only JSON objects of a known type reach the
 * schemas; the rest is refused before either runs (codec tests pin that).
 */
function agree(text: string): void {
  const guarded = decodeServerFrame(text);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    assert.equal(!guarded.ok && guarded.code, ErrorCode.BadFrame);
    return;
  }
  const type = (value as { type?: unknown } | null)?.type;
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !SERVER_TYPES.includes(type as string)) {
    assert.equal(!guarded.ok && guarded.code, ErrorCode.BadFrame, text);
    return;
  }
  const schema = v.safeParse(ServerFrameSchema, value);
  if (schema.success) {
    assert.ok(guarded.ok, `the schemas accept, the guards refuse: ${guarded.ok ? '' : guarded.message}\n${text.slice(0, 500)}`);
    // `data` compared on its own: a message's data may nest deeper than deepEqual (or JSON.stringify) can recurse.
    const { data: guardedData, ...guardedRest } = guarded.frame as { data?: unknown };
    const { data: schemaData, ...schemaRest } = schema.output as { data?: unknown };
    assert.deepEqual(guardedRest, schemaRest, 'the same frame, without the fields neither knows');
    assert.ok(sameJson(guardedData, schemaData), 'the same data');
    return;
  }
  const path = v.getDotPath(schema.issues[0]!);
  assert.ok(!guarded.ok, `the guards accept, the schemas refuse (${path}: ${schema.issues[0]!.message})\n${text.slice(0, 500)}`);
  assert.equal(guarded.code, ErrorCode.BadField);
  assert.ok(
    guarded.message.startsWith(`${type as string}: ${path}: `),
    `the same field: the schemas name ${path}, the guards say "${guarded.message}"\n${text.slice(0, 500)}`,
  );
}

/** Deep equality of two JSON values, without recursion. */
function sameJson(a: unknown, b: unknown): boolean {
  const pairs: Array<[unknown, unknown]> = [[a, b]];
  while (pairs.length > 0) {
    const [x, y] = pairs.pop()!;
    if (x === null || y === null || typeof x !== 'object' || typeof y !== 'object') {
      if (!Object.is(x, y)) return false;
      continue;
    }
    if (Array.isArray(x) !== Array.isArray(y)) return false;
    const keys = Object.keys(x);
    if (JSON.stringify(keys) !== JSON.stringify(Object.keys(y))) return false;
    for (const key of keys) pairs.push([(x as Record<string, unknown>)[key], (y as Record<string, unknown>)[key]]);
  }
  return true;
}

// ── valid frames of every server type ──────────────────────────────────────

const str = fc.string({ unit: 'binary', maxLength: 16 });
const num = fc.double({ noNaN: true, noDefaultInfinity: true });
const offset = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const peer = fc.record({ id: str, name: str, addr: str });
const strings = fc.array(str, { maxLength: 3 });
const reportedTarget = fc.record({ ids: strings, names: strings, addrs: strings }, { requiredKeys: [] });
const limits = fc.record({ maxFrameBytes: num, maxMessagesPerSecond: num, burst: num, heartbeatInterval: num });
/** A frame with every field of `fields`, optional ones only sometimes. */
const frame = (fields: Record<string, fc.Arbitrary<unknown>>, optional: string[] = []) =>
  fc.record(fields, { requiredKeys: Object.keys(fields).filter((key) => !optional.includes(key)) });

/** A room as welcome and joined describe it. */
const roomState = {
  room: str,
  count: num,
  roster: fc.array(peer, { maxLength: 5 }),
  partial: fc.boolean(),
};

const validFrame: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  frame(
    {
      type: fc.constant('welcome'),
      v: num,
      self: peer,
      session: str,
      epoch: str,
      offset,
      roster: fc.array(peer, { maxLength: 5 }),
      count: num,
      rooms: fc.array(frame(roomState, ['partial']), { maxLength: 3 }),
      limits,
      resumed: fc.boolean(),
      gap: fc.boolean(),
    },
    ['gap', 'rooms'],
  ),
  frame(
    {
      type: fc.constant('message'),
      offset,
      id: str,
      from: peer,
      to: reportedTarget,
      room: str,
      data: fc.jsonValue({ maxDepth: 4 }),
      ts: num,
      replay: fc.boolean(),
      mentions: fc.array(str, { maxLength: 3 }),
    },
    ['to', 'room', 'replay', 'mentions'],
  ),
  frame({ type: fc.constant('ack'), id: str, offset, ts: num, recipients: num, duplicate: fc.boolean() }, ['duplicate']),
  frame({ type: fc.constant('delivered'), id: str, offset, by: peer }),
  frame({ type: fc.constantFrom('join', 'leave'), peer, count: num, room: str }, ['room']),
  frame(
    { type: fc.constant('presence'), room: str, count: num, joined: fc.array(peer, { maxLength: 4 }), left: fc.array(peer, { maxLength: 4 }), truncated: fc.boolean() },
    ['truncated'],
  ),
  frame({ type: fc.constant('joined'), ...roomState, id: str }, ['partial', 'id']),
  frame({ type: fc.constant('left'), room: str, id: str }, ['id']),
  frame({ type: fc.constant('roster'), id: str, room: str, count: num, peers: fc.array(peer, { maxLength: 5 }) }),
  frame(
    { type: fc.constant('error'), code: str, message: str, id: str, targets: reportedTarget, retryAfter: num, room: str },
    ['id', 'targets', 'retryAfter', 'room'],
  ),
  frame({ type: fc.constant('pong'), t: num }, ['t']),
  frame({ type: fc.constant('typing'), from: peer, room: str, stop: fc.boolean() }, ['room', 'stop']),
  frame({ type: fc.constant('read'), id: str, offset, by: peer }),
  frame({ type: fc.constant('readers'), id: str, room: str, offset, count: num, peers: fc.array(peer, { maxLength: 5 }) }),
);

// ── mutations ──────────────────────────────────────────────────────────────

/** Every field name of every server frame, and names an object inherits. */
const KNOWN_KEYS = [
  ...['type', 'v', 'self', 'session', 'epoch', 'offset', 'roster', 'count', 'limits', 'resumed', 'gap'],
  ...['rooms', 'room', 'partial', 'joined', 'left', 'truncated', 'peers'],
  ...['id', 'from', 'to', 'data', 'ts', 'replay', 'recipients', 'duplicate', 'by', 'peer', 'code', 'message', 'targets', 'retryAfter', 't', 'mentions', 'stop'],
  ...['name', 'addr', 'ids', 'names', 'addrs', 'maxFrameBytes', 'maxMessagesPerSecond', 'burst', 'heartbeatInterval'],
  ...['__proto__', 'constructor', 'toString', 'length', '0'],
];

/** Values of the wrong type (or the right one), out of range, fractional, negative, deep. */
const replacement: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, -0.5, 2 ** 53, -(2 ** 53), 1e300, '', 'x', 'welcome', 'join', [], {}, ['a'], [1], { id: 'x' }),
  fc.jsonValue({ maxDepth: 3 }),
  peer,
  validFrame,
  fc.integer({ min: 1, max: 200 }).map((depth) => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < depth; i++) deep = i % 2 ? [deep] : { a: deep };
    return deep;
  }),
);

type Step =
  | { readonly op: 'delete'; readonly at: number }
  | { readonly op: 'replace'; readonly at: number; readonly value: unknown }
  | { readonly op: 'extra'; readonly at: number; readonly key: string; readonly value: unknown }
  | { readonly op: 'huge'; readonly at: number; readonly size: number; readonly spoil: boolean };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ op: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('replace' as const), at: fc.nat(), value: replacement }),
  fc.record({
    op: fc.constant('extra' as const),
    at: fc.nat(),
    key: fc.oneof(fc.constantFrom(...KNOWN_KEYS), fc.string({ maxLength: 8 })),
    value: replacement,
  }),
);

/** Every place in `value` (objects and arrays, `data` included), as [container, key] pairs. */
function places(value: unknown, out: Array<[Record<string, unknown>, string]> = []): Array<[Record<string, unknown>, string]> {
  if (value === null || typeof value !== 'object') return out;
  for (const key of Object.keys(value)) {
    out.push([value as Record<string, unknown>, key]);
    if (out.length < 200) places((value as Record<string, unknown>)[key], out);
  }
  return out;
}

/** `frame` (a fresh copy) with `steps` applied; each step picks its place among those left. */
function mutate(frameValue: Record<string, unknown>, steps: readonly Step[]): Record<string, unknown> {
  const root = structuredClone(frameValue);
  for (const s of steps) {
    const all = places(root);
    const [container, key] = all[s.at % all.length] ?? [root, 'type'];
    if (s.op === 'delete') {
      if (Array.isArray(container)) container.splice(Number(key), 1);
      else delete container[key];
    } else if (s.op === 'replace') {
      own(container, key, structuredClone(s.value));
    } else if (s.op === 'extra') {
      const target = container[key];
      const into = target !== null && typeof target === 'object' && !Array.isArray(target) ? (target as Record<string, unknown>) : root;
      own(into, s.key, structuredClone(s.value));
    } else {
      // A huge array: of copies of what is there (all valid, or the last one spoilt).
      const copies = Array.from({ length: s.size }, () => container[key]);
      if (s.spoil) copies.push(42);
      own(container, key, copies);
    }
  }
  return root;
}

/** Sets an own property, even `__proto__`, as JSON.parse would. */
function own(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A few characters of a frame's text changed, inserted, removed or cut. */
const garbled = fc
  .tuple(
    validFrame.map((f) => JSON.stringify(f)),
    fc.array(
      fc.tuple(fc.constantFrom('replace', 'insert', 'delete', 'truncate'), fc.nat(), fc.constantFrom(...'{}[]":,\\0-.1e9 nulltruefalse'.split(''))),
      { minLength: 1, maxLength: 4 },
    ),
  )
  .map(([text, edits]) => {
    let out = text;
    for (const [kind, at, char] of edits) {
      const i = out.length === 0 ? 0 : at % out.length;
      if (kind === 'replace') out = out.slice(0, i) + char + out.slice(i + 1);
      else if (kind === 'insert') out = out.slice(0, i) + char + out.slice(i);
      else if (kind === 'delete') out = out.slice(0, i) + out.slice(i + 1);
      else out = out.slice(0, i);
    }
    return out;
  });

describe('server-frame guards agree with the valibot schemas (fast-check)', () => {
  it('on valid frames of every server type: both accept, with the same frame', () => {
    fc.assert(fc.property(validFrame, (f) => agree(JSON.stringify(f))), RUNS);
  });

  it('on valid frames with fields the protocol does not list, anywhere: both accept and leave them out', () => {
    const extra = fc.record({ op: fc.constant('extra' as const), at: fc.nat(), key: fc.string({ maxLength: 8 }), value: replacement });
    fc.assert(fc.property(validFrame, fc.array(extra, { minLength: 1, maxLength: 3 }), (f, steps) => agree(JSON.stringify(mutate(f, steps)))), RUNS);
  });

  it('on frames with fields missing, of the wrong type, negative or fractional, too deep, or added', () => {
    fc.assert(fc.property(validFrame, fc.array(step, { minLength: 1, maxLength: 3 }), (f, steps) => agree(JSON.stringify(mutate(f, steps)))), {
      numRuns: 5000,
    });
  });

  it('on huge arrays anywhere, valid or with their last entry spoilt', () => {
    const huge = fc.record({ op: fc.constant('huge' as const), at: fc.nat(), size: fc.integer({ min: 1000, max: 20_000 }), spoil: fc.boolean() });
    fc.assert(fc.property(validFrame, huge, (f, s) => agree(JSON.stringify(mutate(f, [s])))), { numRuns: 150 });
  });

  it('on garbled frame text, and on numbers JSON.stringify never writes (1e999, -0)', () => {
    fc.assert(fc.property(garbled, agree), { numRuns: 5000 });
    for (const value of ['1e999', '-1e999', '-0', '0.0', '1.0', '1e2', '-0.0']) {
      agree(`{"type":"ack","id":"m","offset":${value},"ts":${value},"recipients":${value}}`);
      agree(`{"type":"pong","t":${value}}`);
    }
  });

  it('on data nested thousands deep in a message, which neither looks into', () => {
    for (const depth of [64, 65, 5000]) {
      agree(`{"type":"message","offset":1,"id":"m","from":{"id":"a","name":"b","addr":"c"},"data":${'['.repeat(depth)}${']'.repeat(depth)},"ts":1}`);
    }
  });
});

describe('server-frame guards: refusals name the frame, the field and what was wrong', () => {
  const ada = { id: 'a', name: 'Ada', addr: '10.0.0.1' };
  const welcome = {
    type: 'welcome',
    v: 1,
    self: ada,
    session: 's',
    epoch: 'e',
    offset: 0,
    roster: [ada, ada, ada, ada],
    count: 4,
    limits: { maxFrameBytes: 1, maxMessagesPerSecond: 1, burst: 1, heartbeatInterval: 1 },
    resumed: false,
  } satisfies ServerFrame;
  const refusal = (value: unknown) => {
    const decoded = decodeServerFrame(JSON.stringify(value));
    assert.ok(!decoded.ok, 'accepted, expected a refusal');
    assert.equal(decoded.code, ErrorCode.BadField);
    return decoded.message;
  };

  it('says what it expected and what it got', () => {
    assert.equal(refusal({ ...welcome, roster: [ada, ada, ada, { ...ada, name: 7 }] }), 'welcome: roster.3.name: expected string, got 7');
    assert.equal(refusal({ ...welcome, resumed: 'no' }), 'welcome: resumed: expected boolean, got a string');
    assert.equal(refusal({ ...welcome, self: null }), 'welcome: self: expected object, got null');
    assert.equal(refusal({ ...welcome, roster: {} }), 'welcome: roster: expected array, got an object');
    assert.equal(refusal({ type: 'ack', id: 'm', offset: -1, ts: 1, recipients: 0 }), 'ack: offset: expected integer ≥ 0, got -1');
    assert.equal(refusal({ type: 'ack', id: 'm', offset: 1.5, ts: 1, recipients: 0 }), 'ack: offset: expected integer ≥ 0, got 1.5');
    assert.equal(refusal({ type: 'error', code: 'x', message: 'y', targets: { ids: [[]] } }), 'error: targets.ids.0: expected string, got an array');
  });

  it('says which field is missing', () => {
    const { session: _, ...noSession } = welcome;
    assert.equal(refusal(noSession), 'welcome: session: missing');
    assert.equal(refusal({ type: 'message', offset: 1, id: 'm', from: ada, ts: 1 }), 'message: data: missing');
  });
});

describe('the browser client’s import graph', () => {
  it('does not reach valibot: the script bundle and the main entry leave it to the relay', async () => {
    for (const entry of ['src/script-tag.ts', 'src/index.ts', 'src/define.ts']) {
      const { metafile } = await build({
        entryPoints: [entry],
        bundle: true,
        write: false,
        metafile: true,
        format: 'esm',
        platform: 'browser',
        logLevel: 'silent',
      });
      const reached = Object.keys(metafile.inputs).filter((input) => input.includes('node_modules/valibot/'));
      assert.deepEqual(reached, [], `${entry} imports valibot`);
    }
  });
});
