// The legacy format's client side in src/protocol: what a legacy client
// writes, and how it reads what the relay sends it (docs/PROTOCOL.md section 14).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as v from 'valibot';
import { decodeLegacyOutFrame, encodeLegacyInFrame, LEGACY_LOGIN, LEGACY_LOGOUT, LegacyInFrameSchema } from '../../src/protocol/legacy.js';

describe('legacy format, client side', () => {
  it('writes what an original client wrote, which the relay accepts', () => {
    assert.equal(encodeLegacyInFrame('ada', 'hi'), '{"userName":"ada","data":"hi"}');
    assert.equal(encodeLegacyInFrame('ada', { text: 'hi' }, ['10.0.0.7']), '{"ip":["10.0.0.7"],"userName":"ada","data":{"text":"hi"}}');
    for (const text of [encodeLegacyInFrame('', null), encodeLegacyInFrame('ada', [1, 2], ['a', 'b'])]) {
      assert.ok(v.safeParse(LegacyInFrameSchema, JSON.parse(text)).success, text);
    }
  });

  it('reads a message, with its sender and the count', () => {
    const frame = { count: 3, currUserIp: '10.0.0.7', currUserName: 'bob', data: { text: 'hi' } };
    assert.deepEqual(decodeLegacyOutFrame(JSON.stringify(frame)), { kind: 'message', count: 3, addr: '10.0.0.7', name: 'bob', data: { text: 'hi' } });
  });

  it('reads login and logout as presence notices', () => {
    assert.deepEqual(decodeLegacyOutFrame(JSON.stringify({ count: 2, currUserIp: '10.0.0.7', currUserName: 'bob', data: LEGACY_LOGIN })), {
      kind: 'join',
      count: 2,
      addr: '10.0.0.7',
      name: 'bob',
    });
    assert.equal(decodeLegacyOutFrame(JSON.stringify({ count: 1, currUserIp: '', currUserName: 'bob', data: LEGACY_LOGOUT }))?.kind, 'leave');
  });

  it('reads a message from no one carrying an error code as an error', () => {
    const error = { count: 1, currUserIp: '', currUserName: '', data: { error: 'too_large', message: 'the frame is too large' } };
    assert.deepEqual(decodeLegacyOutFrame(JSON.stringify(error)), { kind: 'error', count: 1, code: 'too_large', message: 'the frame is too large' });
    assert.deepEqual(decodeLegacyOutFrame(JSON.stringify({ ...error, data: { error: 'flood' } })), { kind: 'error', count: 1, code: 'flood', message: 'flood' });
    assert.equal(decodeLegacyOutFrame(JSON.stringify({ ...error, currUserName: 'bob' }))?.kind, 'message', 'from someone: a message');
  });

  it('skips what is not a frame of the format', () => {
    for (const text of ['not json', '[1]', 'null', '{"data":"hi"}', '{"count":"2","data":"hi"}']) {
      assert.equal(decodeLegacyOutFrame(text), undefined, text);
    }
  });
});
