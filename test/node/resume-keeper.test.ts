// The resume state on its own, with mocked time: what is kept, and when it is written.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { memoryStore, type ResumeState } from '../../src/client/persistence.js';
import { ResumeKeeper } from '../../src/client/resume.js';

function harness(stored?: ResumeState) {
  const store = memoryStore();
  store.saveResume(stored);
  const writes: Array<ResumeState | undefined> = [];
  const save = store.saveResume.bind(store);
  store.saveResume = (state) => {
    writes.push(state);
    save(state);
  };
  return { keeper: new ResumeKeeper(store), writes, store };
}

describe('ResumeKeeper', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout'] }));
  afterEach(() => mock.timers.reset());

  it('loads what the store kept, and writes a new session at once', () => {
    const { keeper, writes } = harness({ session: 's0', epoch: 'e', offset: 4 });
    assert.equal(keeper.state, undefined, 'nothing before load()');
    keeper.load();
    assert.deepEqual(keeper.state, { session: 's0', epoch: 'e', offset: 4 });
    keeper.replace({ session: 's1', epoch: 'e', offset: 9 });
    assert.deepEqual(writes, [{ session: 's1', epoch: 'e', offset: 9 }]);
  });

  it('writes processed offsets once for a burst, 250 ms after the first, and never moves back within an epoch', () => {
    const { keeper, writes } = harness();
    keeper.replace({ session: 's', epoch: 'e', offset: 0 });
    writes.length = 0;
    keeper.processed('e', 1);
    keeper.processed('e', 2);
    keeper.processed('e', 1);
    mock.timers.tick(249);
    assert.deepEqual(writes, []);
    mock.timers.tick(1);
    assert.deepEqual(writes, [{ session: 's', epoch: 'e', offset: 2 }]);
    keeper.processed('f', 1);
    assert.deepEqual(keeper.state, { session: 's', epoch: 'f', offset: 1 }, 'a new epoch starts over');
  });

  it('flush() writes a pending change now, and nothing when there is none', () => {
    const { keeper, writes } = harness();
    keeper.flush();
    assert.deepEqual(writes, []);
    keeper.processed('e', 3);
    keeper.flush();
    assert.deepEqual(writes, [{ session: '', epoch: 'e', offset: 3 }]);
    mock.timers.tick(1000);
    assert.equal(writes.length, 1, 'the timer went with the flush');
  });

  it('forgets a session taken over, in the store too', () => {
    const { keeper, store } = harness();
    keeper.replace({ session: 's', epoch: 'e', offset: 1 });
    keeper.forget();
    assert.equal(keeper.state, undefined);
    assert.equal(store.loadResume(), undefined);
  });
});
