// "Today" in the log turns into "Yesterday" at midnight without a reload
// (src/elements/ws-chat-panel/today-controller.ts), on this process's own
// mocked clock: no relay runs here.
import assert from 'node:assert/strict';
import { afterEach, describe, it, mock } from 'node:test';
import { dayLabel, dayNumber } from '../../src/elements/ws-chat-panel/days.js';
import { TodayController } from '../../src/elements/ws-chat-panel/today-controller.js';

/** The least of a Lit host a controller talks to. */
function host() {
  const updates = { count: 0 };
  const controllers: unknown[] = [];
  return {
    updates,
    addController: (controller: unknown) => controllers.push(controller),
    removeController: () => {},
    requestUpdate: () => void updates.count++,
    updateComplete: Promise.resolve(true),
  };
}

describe('TodayController', () => {
  afterEach(() => mock.timers.reset());

  it('moves on at midnight by itself, and asks for a render', () => {
    const evening = new Date(2026, 2, 28, 23, 59, 58);
    mock.timers.enable({ apis: ['setTimeout', 'Date'], now: evening });
    const panel = host();
    const today = new TodayController(panel);
    today.hostConnected();
    assert.equal(today.today, dayNumber(evening));
    const message = evening.getTime() - 60_000;
    assert.equal(dayLabel(message, dayNumber(new Date(message)), today, 'en'), 'Today');

    mock.timers.tick(3000);
    assert.equal(today.today, dayNumber(new Date(2026, 2, 29, 0, 0, 1)));
    assert.equal(today.yesterday, dayNumber(evening));
    assert.equal(panel.updates.count, 1);
    assert.equal(dayLabel(message, dayNumber(new Date(message)), today, 'en'), 'Yesterday');
    assert.equal(dayLabel(message, dayNumber(new Date(message)), today, 'zh-CN'), '昨天');
    today.hostDisconnected();
  });

  it('stops its timer when the panel leaves the page', () => {
    mock.timers.enable({ apis: ['setTimeout', 'Date'], now: new Date(2026, 11, 31, 23, 0) });
    const panel = host();
    const today = new TodayController(panel);
    today.hostConnected();
    today.hostDisconnected();
    mock.timers.tick(2 * 3600_000);
    assert.equal(panel.updates.count, 0);
  });

  it('catches up on the next render after a sleep the timer slept through', () => {
    mock.timers.enable({ apis: ['Date'], now: new Date(2026, 5, 1, 12) });
    const today = new TodayController(host());
    today.hostConnected();
    mock.timers.setTime(new Date(2026, 5, 3, 9).getTime());
    today.hostUpdate();
    assert.equal(today.today, dayNumber(new Date(2026, 5, 3)));
    assert.equal(today.yesterday, dayNumber(new Date(2026, 5, 2)));
    today.hostDisconnected();
  });
});
