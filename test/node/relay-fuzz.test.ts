// The fuzz run of every CI run: 100,000 frames (about 10 s; FUZZ_FRAMES to change it). `npm run fuzz` prints the full report.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatReport, runRelayFuzz } from '../fuzz/relay-fuzz.js';

const FRAMES = Number(process.env.FUZZ_FRAMES ?? 100_000);

describe('the relay under random and mutated frames', () => {
  it(`stays up, answers with error codes, keeps its memory, and lets well-behaved clients chat (${FRAMES} frames)`, async (t) => {
    const report = await runRelayFuzz({ frames: FRAMES });
    t.diagnostic(formatReport(report));
    assert.equal(report.frames, FRAMES);
    assert.ok(report.relay.alive, 'the relay answers /healthz after the run');
    const errors = Object.keys(report.answers).filter((key) => key.startsWith('error '));
    for (const code of ['bad_frame', 'bad_field', 'too_large']) assert.ok(errors.includes(`error ${code}`), `answered some frames with ${code}`);
    const refused = Object.entries(report.answers).reduce((sum, [key, n]) => (key.startsWith('error ') ? sum + n : sum), 0);
    assert.ok(refused > FRAMES / 2, `most frames are malformed, and were answered with an error (${refused})`);
    assert.equal(report.answers['error internal'] ?? 0, 0, 'no frame made the relay fail');
    assert.equal(report.answers.unparseable ?? 0, 0, 'every answer was JSON');
    assert.ok(!Object.keys(report.closes).some((key) => key.startsWith('1011')), 'no connection closed for an internal error');
    assert.equal(report.relay.connectionsAtEnd, 0, 'every attacker connection was let go');
    assert.ok(report.relay.finalHeapAfterGc < report.relay.baselineHeapAfterGc + 64 * 1024 * 1024, 'the heap went back near where it started');
    assert.ok(report.relay.peakRss < 768 * 1024 * 1024, `peak RSS ${report.relay.peakRss}`);
    const chat = report.chatters;
    assert.ok(chat.sent > 0);
    assert.equal(chat.received, chat.expected, 'every chatter message was delivered');
    assert.equal(chat.duplicates + chat.outOfOrder + chat.refused + chat.disconnects, 0, 'none twice, none out of order, none refused, nobody cut off');
  });
});
