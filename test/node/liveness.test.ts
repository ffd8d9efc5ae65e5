// The liveness monitor on its own, with mocked time: the heartbeat's pings,
// a link declared dead after its silence, and the probe checkLink() uses.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { LivenessMonitor, type LivenessOptions } from '../../src/client/liveness.js';

function harness(options: LivenessOptions = {}) {
  const pings: number[] = [];
  const deaths: string[] = [];
  const monitor = new LivenessMonitor(options, (t) => pings.push(t), (why) => deaths.push(why));
  return { monitor, pings, deaths };
}

describe('LivenessMonitor', () => {
  const start = 1_000_000;
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'], now: start }));
  afterEach(() => mock.timers.reset());

  it('pings at the heartbeat interval while frames keep coming', () => {
    const { monitor, pings, deaths } = harness();
    monitor.heard();
    monitor.start(5000);
    for (let i = 0; i < 30; i++) {
      mock.timers.tick(1000);
      monitor.heard();
    }
    assert.deepEqual(pings, [5000, 10_000, 15_000, 20_000, 25_000, 30_000].map((ms) => start + ms));
    assert.deepEqual(deaths, []);
  });

  it('declares the link dead after the heartbeat interval + 10 s without a frame', () => {
    const { monitor, deaths } = harness();
    monitor.heard();
    monitor.start(5000);
    mock.timers.tick(15_000);
    assert.deepEqual(deaths, [], 'not before the timeout has passed');
    mock.timers.tick(1000);
    assert.deepEqual(deaths, ['no word from the server for 15000 ms; reconnecting']);
  });

  it('takes deadLinkTimeout when given, and pings often enough for it', () => {
    const { monitor, pings, deaths } = harness({ deadLinkTimeout: 2000 });
    monitor.heard();
    monitor.start(25_000);
    mock.timers.tick(1000);
    assert.deepEqual(pings, [start + 1000], 'every half of the timeout');
    mock.timers.tick(1000);
    assert.deepEqual(deaths, []);
    mock.timers.tick(1000);
    assert.deepEqual(deaths, ['no word from the server for 2000 ms; reconnecting']);
  });

  it('probes: pings at once, and declares the link dead when nothing comes within probeTimeout', () => {
    const { monitor, pings, deaths } = harness({ probeTimeout: 300 });
    monitor.heard();
    monitor.start(25_000);
    mock.timers.tick(1);
    monitor.probe();
    monitor.probe();
    assert.deepEqual(pings, [start + 1], 'one probe at a time');
    mock.timers.tick(300);
    assert.deepEqual(deaths, ['no answer to a ping; replacing the link']);
  });

  it('a probe answered in time changes nothing; the default wait is 3 s', () => {
    const { monitor, deaths } = harness();
    monitor.heard();
    monitor.start(25_000);
    mock.timers.tick(1);
    monitor.probe();
    mock.timers.tick(2999);
    monitor.heard();
    mock.timers.tick(1);
    assert.deepEqual(deaths, []);
  });

  it('neither probes nor pings when not started, nor after stop()', () => {
    const { monitor, pings, deaths } = harness({ probeTimeout: 100 });
    monitor.probe();
    assert.deepEqual(pings, []);
    monitor.start(1000);
    monitor.probe();
    monitor.stop();
    mock.timers.tick(60_000);
    monitor.probe();
    assert.deepEqual(pings, [start], 'only the probe before stop()');
    assert.deepEqual(deaths, []);
  });
});
