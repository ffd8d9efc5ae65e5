import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeClientFrame, decodeServerFrame, encodeFrame, parseObject, type Decoded } from '../../src/protocol/codec.js';
import { FieldLimits } from '../../src/protocol/constants.js';
import type { ClientFrame, ServerFrame } from '../../src/protocol/frames.js';
import { isLegacyNotice, normalizeLegacyTargets } from '../../src/protocol/legacy.js';
import { normalizeAddress } from '../../src/server/address.js';
import { cleanName } from '../../src/server/names.js';

const json = (value: unknown): string => JSON.stringify(value);

function accepted<T>(decoded: Decoded<T>): T {
  assert.ok(decoded.ok, `refused: ${decoded.ok ? '' : `${decoded.code} ${decoded.message}`}`);
  return decoded.frame;
}

const ANY_ID = Symbol('any id');

/**
 * Asserts a refusal with this code, a message matching `message`, and exactly
 * this id (none when left out; not checked with ANY_ID).
 */
function refused<T>(decoded: Decoded<T>, code: 'bad_frame' | 'bad_field', message: RegExp, id?: string | typeof ANY_ID): void {
  assert.equal(decoded.ok, false, 'accepted, expected a refusal');
  if (decoded.ok) return;
  assert.equal(decoded.code, code, decoded.message);
  assert.match(decoded.message, message);
  if (id !== ANY_ID) assert.equal(decoded.id, id, `id of the refusal (message: ${decoded.message})`);
}

const client = (frame: unknown) => decodeClientFrame(json(frame));
const server = (frame: unknown) => decodeServerFrame(json(frame));

const ada = { id: '5UHx8DwVdOhU', name: 'Ada', addr: '203.0.113.7' };
const ids = (n: number, prefix = 'i') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe('decodeClientFrame: valid frames', () => {
  it('accepts hello bare, with a name, and with a well-formed resume', () => {
    assert.deepEqual(accepted(client({ type: 'hello' })), { type: 'hello' });
    assert.deepEqual(accepted(client({ type: 'hello', name: 'Ada' })), { type: 'hello', name: 'Ada' });
    const resume = { session: 's'.repeat(128), epoch: 'e', offset: 0 };
    assert.deepEqual(accepted(client({ type: 'hello', resume })), { type: 'hello', resume });
  });

  it('accepts send as a broadcast with any JSON data, null included', () => {
    for (const data of [null, 0, 'text', true, [1, 'two'], { text: 'hi', nested: { deep: [null] } }]) {
      assert.deepEqual(accepted(client({ type: 'send', id: 'm1', data })), { type: 'send', id: 'm1', data });
    }
  });

  it('accepts send with targets by ids, names and addrs, alone or together', () => {
    for (const to of [{ ids: ['a'] }, { names: ['Bob'] }, { addrs: ['10.0.0.1'] }, { ids: ['a'], names: ['b', 'b'], addrs: ['::1'] }]) {
      const frame = accepted(client({ type: 'send', id: 'm1', to, data: 1 }));
      assert.deepEqual(frame, { type: 'send', id: 'm1', to, data: 1 });
    }
  });

  it('accepts ping with and without t, and received', () => {
    assert.deepEqual(accepted(client({ type: 'ping' })), { type: 'ping' });
    assert.deepEqual(accepted(client({ type: 'ping', t: 1.5 })), { type: 'ping', t: 1.5 });
    assert.deepEqual(accepted(client({ type: 'received', offset: 0 })), { type: 'received', offset: 0 });
  });

  it('round-trips every client frame through encodeFrame', () => {
    const frames: ClientFrame[] = [
      { type: 'hello', name: 'Ada' },
      { type: 'send', id: 'x', to: { ids: ['a'] }, data: { n: 1 } },
      { type: 'ping', t: 3 },
      { type: 'received', offset: 9 },
    ];
    for (const frame of frames) assert.deepEqual(accepted(decodeClientFrame(encodeFrame(frame))), frame);
  });
});

describe('decodeClientFrame: bad_frame', () => {
  it('refuses text that is not JSON, saying so', () => {
    refused(decodeClientFrame('{not json'), 'bad_frame', /^not JSON: /);
    refused(decodeClientFrame(''), 'bad_frame', /^not JSON: /);
  });

  it('refuses JSON that is not an object, naming what it is', () => {
    refused(decodeClientFrame('[1,2,3]'), 'bad_frame', /must be a JSON object, got an array/);
    refused(decodeClientFrame('null'), 'bad_frame', /got null/);
    refused(decodeClientFrame('"just a string"'), 'bad_frame', /got string/);
    refused(decodeClientFrame('42'), 'bad_frame', /got number/);
  });

  it('refuses an unknown, missing or non-string type, listing the known ones and keeping the id', () => {
    refused(client({ type: 'shout', id: 's1' }), 'bad_frame', /unknown frame type "shout"; expected one of hello, send, ping, received/, 's1');
    refused(client({ id: 's2', data: 1 }), 'bad_frame', /unknown frame type undefined/, 's2');
    refused(client({ type: 7 }), 'bad_frame', /unknown frame type 7/);
    // A server frame type is not a client frame.
    refused(client({ type: 'message', id: 'm' }), 'bad_frame', /unknown frame type "message"/, 'm');
  });
});

describe('decodeClientFrame: bad_field, naming the frame type and the field path', () => {
  it('refuses a send without id or data, or with an empty id', () => {
    refused(client({ type: 'send', id: 's2' }), 'bad_field', /^send: data: /, 's2');
    refused(client({ type: 'send', data: 1 }), 'bad_field', /^send: id: /);
    refused(client({ type: 'send', id: '', data: 1 }), 'bad_field', /^send: id: .*length/);
    refused(client({ type: 'send', id: 42, data: 1 }), 'bad_field', /^send: id: .*string/);
  });

  it('refuses unknown fields from clients: a spoofed sender, an unknown target kind, an unknown resume field', () => {
    refused(client({ type: 'send', id: 'spoof', from: ada, data: 'I am Ada' }), 'bad_field', /^send: from: /, 'spoof');
    refused(client({ type: 'send', id: 's', to: { peers: ['x'] }, data: 1 }), 'bad_field', /^send: to\.peers: /, 's');
    refused(client({ type: 'hello', name: 'a', extra: true }), 'bad_field', /^hello: extra: /);
    refused(client({ type: 'hello', resume: { session: 's', epoch: 'e', offset: 1, at: 2 } }), 'bad_field', /^hello: resume\.at: /);
    refused(client({ type: 'ping', t: 1, nonce: 'x' }), 'bad_field', /^ping: nonce: /);
    refused(client({ type: 'received', offset: 1, id: 'r1' }), 'bad_field', /^received: id: /, 'r1');
  });

  it('refuses an empty to (broadcast is leaving it out), also when every list is empty', () => {
    for (const to of [{}, { ids: [] }, { ids: [], names: [], addrs: [] }]) {
      refused(client({ type: 'send', id: 's3', to, data: 1 }), 'bad_field', /^send: to: to must name at least one target/, 's3');
    }
  });

  it('refuses targets of the wrong type or length, naming the entry', () => {
    refused(client({ type: 'send', id: 's4', to: { ids: [7] }, data: 1 }), 'bad_field', /^send: to\.ids\.0: .*string/, 's4');
    refused(client({ type: 'send', id: 's5', to: { names: ['ok', ''] }, data: 1 }), 'bad_field', /^send: to\.names\.1: /, 's5');
    refused(client({ type: 'send', id: 's6', to: { ids: 'a' }, data: 1 }), 'bad_field', /^send: to\.ids: /, 's6');
    refused(client({ type: 'send', id: 's7', to: null, data: 1 }), 'bad_field', /^send: to: /, 's7');
  });

  it('refuses a bad hello.resume or received offset', () => {
    refused(client({ type: 'hello', resume: { session: 's', epoch: 'e' } }), 'bad_field', /^hello: resume\.offset: /);
    refused(client({ type: 'hello', resume: { session: 's', epoch: 'e', offset: -1 } }), 'bad_field', /^hello: resume\.offset: /);
    refused(client({ type: 'hello', resume: { session: '', epoch: 'e', offset: 0 } }), 'bad_field', /^hello: resume\.session: /);
    refused(client({ type: 'received', offset: 1.5 }), 'bad_field', /^received: offset: .*integer/);
    refused(client({ type: 'received', offset: '1' }), 'bad_field', /^received: offset: /);
    refused(client({ type: 'received' }), 'bad_field', /^received: offset: /);
  });

  it('refuses a non-number ping t and a non-string or null hello name', () => {
    refused(client({ type: 'ping', t: '42' }), 'bad_field', /^ping: t: .*number/);
    refused(client({ type: 'hello', name: 42 }), 'bad_field', /^hello: name: /);
    refused(client({ type: 'hello', name: null }), 'bad_field', /^hello: name: /);
  });
});

describe('decodeClientFrame: limits', () => {
  it('accepts ids of up to 64 code units and refuses 65', () => {
    const longest = 'a'.repeat(FieldLimits.maxIdLength);
    accepted(client({ type: 'send', id: longest, data: 1 }));
    refused(client({ type: 'send', id: `${longest}b`, data: 1 }), 'bad_field', /^send: id: .*64/, ANY_ID);
    accepted(client({ type: 'send', id: 'x', to: { ids: [longest] }, data: 1 }));
    refused(client({ type: 'send', id: 'x', to: { ids: [`${longest}b`] }, data: 1 }), 'bad_field', /^send: to\.ids\.0: /, 'x');
  });

  it('accepts target names of up to 128 code units (64 code points of any plane) and refuses 129', () => {
    const longest = 'n'.repeat(FieldLimits.maxNameLength * 2);
    accepted(client({ type: 'send', id: 'x', to: { names: [longest] }, data: 1 }));
    accepted(client({ type: 'send', id: 'x', to: { names: [cleanName('😀'.repeat(64))] }, data: 1 }));
    refused(client({ type: 'send', id: 'x', to: { names: [`${longest}n`] }, data: 1 }), 'bad_field', /^send: to\.names\.0: /, 'x');
    accepted(client({ type: 'send', id: 'x', to: { addrs: ['a'.repeat(64)] }, data: 1 }));
    refused(client({ type: 'send', id: 'x', to: { addrs: ['a'.repeat(65)] }, data: 1 }), 'bad_field', /^send: to\.addrs\.0: /, 'x');
  });

  it('accepts a hello name of up to 256 code units before cleaning and refuses 257', () => {
    accepted(client({ type: 'hello', name: 'a'.repeat(FieldLimits.maxNameLength * 4) }));
    refused(client({ type: 'hello', name: 'a'.repeat(FieldLimits.maxNameLength * 4 + 1) }), 'bad_field', /^hello: name: .*256/);
  });

  it('accepts up to 100 targets over the three lists together and refuses 101', () => {
    const max = FieldLimits.maxTargets;
    accepted(client({ type: 'send', id: 'x', to: { ids: ids(max) }, data: 1 }));
    accepted(client({ type: 'send', id: 'x', to: { ids: ids(40), names: ids(30, 'n'), addrs: ids(30, 'a') }, data: 1 }));
    refused(client({ type: 'send', id: 'x', to: { ids: ids(max + 1) }, data: 1 }), 'bad_field', /^send: to: to may name at most 100 targets/, 'x');
    refused(
      client({ type: 'send', id: 'x', to: { ids: ids(40), names: ids(30, 'n'), addrs: ids(31, 'a') }, data: 1 }),
      'bad_field',
      /at most 100 targets/,
      'x',
    );
  });
});

describe('decodeServerFrame', () => {
  const limits = { maxFrameBytes: 65536, maxMessagesPerSecond: 20, burst: 40, heartbeatInterval: 25000 };
  const welcome = {
    type: 'welcome',
    v: 1,
    self: ada,
    session: 'AjfAFPxcRLWieSkju-NM28W9',
    epoch: 'OAHTXJyu',
    offset: 0,
    roster: [ada],
    count: 1,
    limits,
    resumed: false,
  };
  const valid: ServerFrame[] = [
    welcome as ServerFrame,
    { type: 'message', offset: 1, id: 'm1', from: ada, data: { text: 'hi' }, ts: 1 },
    { type: 'message', offset: 2, id: 'm2', from: ada, to: { names: ['Bob'] }, data: null, ts: 2, replay: true },
    { type: 'ack', id: 'm1', offset: 1, ts: 1, recipients: 0 },
    { type: 'ack', id: 'm1', offset: 1, ts: 1, recipients: 0, duplicate: true },
    { type: 'delivered', id: 'm1', offset: 1, by: ada },
    { type: 'join', peer: ada, count: 2 },
    { type: 'leave', peer: { ...ada, name: '' }, count: 0 },
    { type: 'error', code: 'unknown_target', message: 'x', id: 'm1', targets: { ids: ['nobody'] } },
    { type: 'error', code: 'rate_limited', message: 'x', retryAfter: 50 },
    { type: 'pong', t: 42 },
    { type: 'pong' },
  ];

  it('accepts a valid frame of every server type', () => {
    for (const frame of valid) assert.deepEqual(accepted(decodeServerFrame(encodeFrame(frame))), frame);
  });

  it('tolerates unknown fields from the server, at the top level and in nested objects', () => {
    accepted(server({ ...welcome, motd: 'hello', limits: { ...limits, maxTargets: 100 }, self: { ...ada, avatar: 'x' } }));
    accepted(server({ type: 'ack', id: 'm1', offset: 1, ts: 1, recipients: 1, region: 'eu' }));
    accepted(server({ type: 'error', code: 'some_new_code', message: 'x', targets: { ids: ['a'], groups: ['g'] } }));
  });

  it('reports an unknown server frame type as bad_frame for the caller to skip, with its id', () => {
    refused(server({ type: 'poll', id: 't1' }), 'bad_frame', /unknown frame type "poll"; expected one of welcome, message, ack, delivered, join, leave, error, pong/, 't1');
    refused(server({ type: 'hello' }), 'bad_frame', /unknown frame type "hello"/);
    refused(decodeServerFrame('not json'), 'bad_frame', /^not JSON/);
  });

  it('refuses a server frame missing a required field or with a field of the wrong type', () => {
    const { session: _, ...noSession } = welcome;
    refused(server(noSession), 'bad_field', /^welcome: session: /);
    refused(server({ ...welcome, resumed: 'no' }), 'bad_field', /^welcome: resumed: /);
    refused(server({ type: 'message', offset: 1, id: 'm1', from: ada, ts: 1 }), 'bad_field', /^message: data: /, 'm1');
    refused(server({ type: 'message', offset: -1, id: 'm1', from: ada, data: 1, ts: 1 }), 'bad_field', /^message: offset: /, 'm1');
    refused(server({ type: 'join', peer: { id: 'a', name: 'b' }, count: 1 }), 'bad_field', /^join: peer\.addr: /);
    refused(server({ type: 'ack', id: 'm1', offset: 1, ts: 1 }), 'bad_field', /^ack: recipients: /, 'm1');
  });
});

describe('parseObject', () => {
  it('returns the object for JSON object text', () => {
    assert.deepEqual(parseObject('{"a":1,"a":2}'), { ok: true, value: { a: 2 } });
    assert.deepEqual(parseObject(' {} '), { ok: true, value: {} });
  });

  it('says why anything else is not a frame', () => {
    assert.deepEqual(parseObject('[]'), { ok: false, message: 'a frame must be a JSON object, got an array' });
    assert.deepEqual(parseObject('null'), { ok: false, message: 'a frame must be a JSON object, got null' });
    assert.deepEqual(parseObject('true'), { ok: false, message: 'a frame must be a JSON object, got boolean' });
    const notJson = parseObject('{"a":');
    assert.equal(notJson.ok, false);
    if (!notJson.ok) assert.match(notJson.message, /^not JSON: /);
  });
});

describe('legacy helpers', () => {
  it('normalizeLegacyTargets: absent, null, empty string or empty list means everyone', () => {
    const everyone = { targeted: false, addrs: [] };
    assert.deepEqual(normalizeLegacyTargets(undefined), everyone);
    assert.deepEqual(normalizeLegacyTargets(null), everyone);
    assert.deepEqual(normalizeLegacyTargets(''), everyone);
    assert.deepEqual(normalizeLegacyTargets([]), everyone);
    assert.deepEqual(normalizeLegacyTargets(['', '']), everyone);
  });

  it('normalizeLegacyTargets: a string is one address; a list keeps its order and drops empty entries', () => {
    assert.deepEqual(normalizeLegacyTargets('10.0.0.1'), { targeted: true, addrs: ['10.0.0.1'] });
    assert.deepEqual(normalizeLegacyTargets(['10.0.0.2', '', '10.0.0.1', '10.0.0.2']), {
      targeted: true,
      addrs: ['10.0.0.2', '10.0.0.1', '10.0.0.2'],
    });
  });

  it('normalizeLegacyTargets: a list of only impossible addresses is still targeted, never everyone', () => {
    assert.deepEqual(normalizeLegacyTargets(['x'.repeat(65)]), { targeted: true, addrs: [] });
  });

  it('isLegacyNotice: exactly "login" and "logout" are notices, whoever sent them', () => {
    const frame = (data: unknown) => ({ count: 1, currUserIp: '10.0.0.1', currUserName: 'Ada', data });
    assert.equal(isLegacyNotice(frame('login')), true);
    assert.equal(isLegacyNotice(frame('logout')), true);
    for (const data of ['Login', 'login ', 'hello', '', null, { error: 'bad_frame' }, ['login']]) {
      assert.equal(isLegacyNotice(frame(data)), false, JSON.stringify(data));
    }
  });
});

describe('cleanName', () => {
  it('gives "" for nothing', () => {
    assert.equal(cleanName(undefined), '');
    assert.equal(cleanName(null), '');
    assert.equal(cleanName(''), '');
    assert.equal(cleanName('   '), '');
    assert.equal(cleanName('\u200b\u202e\ufeff\u2066'), '', 'only invisible characters');
  });

  it('trims and collapses runs of whitespace, non-breaking spaces included, into one space', () => {
    assert.equal(cleanName('  Ada   Lovelace  '), 'Ada Lovelace');
    assert.equal(cleanName('Ada\u00a0\u3000\u2003Lovelace'), 'Ada Lovelace');
  });

  it('removes control, zero-width and bidi characters that could disguise a name', () => {
    assert.equal(cleanName('  Ada \u202e Lovelace '), 'Ada Lovelace');
    assert.equal(cleanName('A\u0000d\u0007a\u007f\u0085'), 'Ada');
    assert.equal(cleanName('Bo\u200bb'), 'Bob');
    assert.equal(cleanName('\u202aBob\u202c'), 'Bob');
    assert.equal(cleanName('\u2067Bob\u2069'), 'Bob');
    assert.equal(cleanName('\ufeffBob'), 'Bob');
    assert.equal(cleanName('Bob\u2028'), 'Bob');
    assert.equal(cleanName('\u061cBob\u00ad\u180e'), 'Bob', 'Arabic letter mark, soft hyphen, Mongolian vowel separator');
  });

  it('turns tabs and newlines into single spaces rather than gluing words together', () => {
    assert.equal(cleanName('Ada\tLovelace'), 'Ada Lovelace');
    assert.equal(cleanName('Ada\n\r\nLovelace'), 'Ada Lovelace');
    assert.equal(cleanName('Ada \u200b Lovelace'), 'Ada Lovelace');
  });

  it('keeps the zero-width joiner and non-joiner that emoji and scripts need', () => {
    assert.equal(cleanName('👨\u200d👩\u200d👧'), '👨\u200d👩\u200d👧');
    assert.equal(cleanName('می\u200cخواهم'), 'می\u200cخواهم');
  });

  it('keeps visible non-Latin text and emoji as they are', () => {
    assert.equal(cleanName('Zoë 李 😀'), 'Zoë 李 😀');
  });

  it('keeps at most 64 code points, never splitting a character, and trims what the cut leaves', () => {
    assert.equal(cleanName('a'.repeat(100)), 'a'.repeat(FieldLimits.maxNameLength));
    const emoji = cleanName('😀'.repeat(70));
    assert.equal([...emoji].length, 64);
    assert.equal(emoji, '😀'.repeat(64), 'no lone surrogate at the end');
    assert.equal(cleanName(`${'a'.repeat(63)} b`), 'a'.repeat(63));
  });

  it('is idempotent', () => {
    for (const raw of ['  Ada \u202e Lovelace ', 'x'.repeat(80), 'a\u00a0 b']) assert.equal(cleanName(cleanName(raw)), cleanName(raw));
  });
});

describe('normalizeAddress', () => {
  it('shows an IPv4-mapped IPv6 address as IPv4, in any letter case', () => {
    assert.equal(normalizeAddress('::ffff:10.0.0.1'), '10.0.0.1');
    assert.equal(normalizeAddress('::FFFF:127.0.0.1'), '127.0.0.1');
  });

  it('keeps IPv4 and other IPv6 addresses as they are', () => {
    assert.equal(normalizeAddress('10.0.0.1'), '10.0.0.1');
    assert.equal(normalizeAddress('::1'), '::1');
    assert.equal(normalizeAddress('2001:db8::7'), '2001:db8::7');
    assert.equal(normalizeAddress('::ffff:a00:1'), '::ffff:a00:1', 'only the dotted mapped form is rewritten');
  });

  it('says "unknown" when there is no address', () => {
    assert.equal(normalizeAddress(undefined), 'unknown');
    assert.equal(normalizeAddress(''), 'unknown');
  });
});
