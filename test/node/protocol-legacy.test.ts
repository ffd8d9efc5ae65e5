// Both directions of the original server's format (src/protocol/legacy.ts),
// as the relay speaks it to clients without the v1 subprotocol.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CLIENT_FRAME_TYPES } from '../../src/protocol/codec.js';
import { decodeLegacyFrame, legacyFrame, toLegacyFrame } from '../../src/protocol/legacy.js';

const peer = { id: 'p1', name: 'ada', addr: '10.0.0.7' };

describe('legacy format', () => {
  it('reads what an original client sends', () => {
    assert.deepEqual(decodeLegacyFrame('{"ip":["10.0.0.7"],"userName":"ada","data":"hi"}'), {
      ok: true,
      frame: { ip: ['10.0.0.7'], userName: 'ada', data: 'hi' },
    });
    assert.deepEqual(decodeLegacyFrame('{}'), { ok: true, frame: {} });
  });

  it('refuses what is not a legacy frame, saying why', () => {
    assert.deepEqual(decodeLegacyFrame('[1]'), { ok: false, code: 'bad_frame', message: 'a frame must be a JSON object, got an array' });
    const bad = decodeLegacyFrame('{"ip":5}');
    assert.equal(bad.ok, false);
    assert.equal(!bad.ok && bad.code, 'bad_field');
    assert.match(!bad.ok ? bad.message : '', /^ip: /);
  });

  it('refuses a v1 frame, which read as legacy would turn a private message into a broadcast', () => {
    assert.deepEqual([...CLIENT_FRAME_TYPES].sort(), ['hello', 'history', 'join', 'leave', 'ping', 'read', 'readers', 'received', 'send', 'typing', 'who']);
    for (const type of CLIENT_FRAME_TYPES) {
      const decoded = decodeLegacyFrame(JSON.stringify({ type, data: 'x' }));
      assert.equal(decoded.ok, false);
      assert.equal(!decoded.ok && decoded.code, 'bad_frame');
      assert.match(!decoded.ok ? decoded.message : '', new RegExp(`offer the message-center\\.v1 subprotocol to send "${type}" frames`));
    }
  });

  it('writes the original out-frame, its keys in the original order', () => {
    assert.equal(JSON.stringify(legacyFrame(3, peer, 'hi')), '{"count":3,"currUserIp":"10.0.0.7","currUserName":"ada","data":"hi"}');
  });

  it('says messages, notices and errors of v1 as the original server did, and nothing for the rest', () => {
    assert.deepEqual(toLegacyFrame({ type: 'message', offset: 1, id: 'm', from: peer, data: { t: 1 }, ts: 5 }, 2), {
      count: 2,
      currUserIp: '10.0.0.7',
      currUserName: 'ada',
      data: { t: 1 },
    });
    assert.deepEqual(toLegacyFrame({ type: 'join', peer, count: 4 }, 4)?.data, 'login');
    assert.deepEqual(toLegacyFrame({ type: 'leave', peer, count: 3 }, 3)?.data, 'logout');
    assert.deepEqual(toLegacyFrame({ type: 'error', code: 'too_large', message: 'big', id: 'm' }, 1), {
      count: 1,
      currUserIp: '',
      currUserName: '',
      data: { error: 'too_large', message: 'big' },
    });
    assert.equal(toLegacyFrame({ type: 'pong' }, 1), undefined);
    assert.equal(toLegacyFrame({ type: 'ack', id: 'm', offset: 1, ts: 1, recipients: 0 }, 1), undefined);
  });
});
