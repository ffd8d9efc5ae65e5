import { createMessageCenter, type MessageCenter } from './message-center.js';

const DEFAULT_BUS_KEY = Symbol.for('message-center.default-bus');

type WithDefaultBus = typeof globalThis & { [DEFAULT_BUS_KEY]?: MessageCenter };

/**
 * The page-wide bus for code that wants the singleton style of the original
 * design (`MessageCenter.emit('globalMessage', data)`), and the bus that
 * elements fall back to when no `<message-center-provider>` encloses them.
 *
 * It is created on first use and kept on `globalThis` under a registered
 * symbol, so a script-tag copy and a bundled copy of this package on the same
 * page share one bus.
 */
export function getDefaultMessageCenter(): MessageCenter {
  const scope = globalThis as WithDefaultBus;
  return (scope[DEFAULT_BUS_KEY] ??= createMessageCenter());
}
