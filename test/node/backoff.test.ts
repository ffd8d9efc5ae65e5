import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_BACKOFF, retryDelay } from '../../src/transport/backoff.js';

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
