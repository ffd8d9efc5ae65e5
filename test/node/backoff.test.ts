import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { DEFAULT_BACKOFF, retryDelay, withBackoffDefaults } from '../../src/transport/backoff.js';

describe('retryDelay', () => {
  const options = { ...DEFAULT_BACKOFF, minReconnectionDelay: 1000, maxReconnectionDelay: 8000, reconnectionDelayGrowFactor: 2, jitter: 0.5 };

  it('does not wait before the first attempt', () => {
    assert.equal(retryDelay(0, options), 0);
  });

  it('grows the ceiling exponentially up to the maximum', () => {
    const top = () => 0; // random() = 0: the ceiling itself
    assert.deepEqual([1, 2, 3, 4, 5, 9].map((n) => retryDelay(n, options, top)), [1000, 2000, 4000, 8000, 8000, 8000]);
  });

  it('takes up to `jitter` of the ceiling off, at random', () => {
    assert.equal(retryDelay(1, options, () => 0.999999), 500);
    assert.equal(retryDelay(1, { ...options, jitter: 1 }, () => 0.5), 500);
    assert.equal(retryDelay(1, { ...options, jitter: 0 }, () => 0.7), 1000);
  });
});

describe('backoff defaults', () => {
  it('fills in what is not given, from the one set of defaults', () => {
    assert.deepEqual(withBackoffDefaults({}), DEFAULT_BACKOFF);
    assert.deepEqual(withBackoffDefaults({ jitter: 0, reconnectionDelayGrowFactor: 2 }), {
      ...DEFAULT_BACKOFF,
      jitter: 0,
      reconnectionDelayGrowFactor: 2,
    });
  });

  it('keeps an unset maximum at or above the minimum given', () => {
    assert.equal(withBackoffDefaults({ minReconnectionDelay: 60_000 }).maxReconnectionDelay, 60_000);
    assert.equal(withBackoffDefaults({ minReconnectionDelay: 50 }).maxReconnectionDelay, DEFAULT_BACKOFF.maxReconnectionDelay);
    assert.equal(withBackoffDefaults({ minReconnectionDelay: 50, maxReconnectionDelay: 20 }).maxReconnectionDelay, 20);
  });

  it('are the figures the docs give, for the chat client and ReWebSocketService alike', () => {
    const bus = readFileSync(new URL('../../docs/bus.md', import.meta.url), 'utf8');
    const { minReconnectionDelay: min, maxReconnectionDelay: max, reconnectionDelayGrowFactor: factor, jitter } = DEFAULT_BACKOFF;
    assert.ok(
      bus.includes(`\`minReconnectionDelay\` (${min} ms), \`maxReconnectionDelay\` (${max} ms), \`reconnectionDelayGrowFactor\` (${factor}), \`jitter\` (${jitter})`),
      'docs/bus.md states ReWebSocketService\'s defaults (the same set)',
    );
    const protocol = readFileSync(new URL('../../docs/PROTOCOL.md', import.meta.url), 'utf8');
    const chat = DEFAULT_BACKOFF;
    assert.equal(chat.jitter, 0.5, 'PROTOCOL.md says "up to half of it random"');
    assert.ok(
      protocol.includes(`(${chat.minReconnectionDelay / 1000} s, then ×${chat.reconnectionDelayGrowFactor} per attempt, up to ${chat.maxReconnectionDelay / 1000} s, each with up to half of it random)`),
      'docs/PROTOCOL.md section 20.6 states ChatClient\'s defaults',
    );
  });
});
