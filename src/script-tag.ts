// The entry of the single-file script bundle (dist/message-center.min.js):
// registers every element and exposes the API on the `MessageCenter` global.
// The global is itself the page-wide bus, so the original design's
// `MessageCenter.emit('globalMessage', data)` works on a plain HTML page.
import { getDefaultMessageCenter } from './bus/default-message-center.js';
import './define.js';

export * from './index.js';

const bus = getDefaultMessageCenter();
export const on = bus.on.bind(bus);
export const once = bus.once.bind(bus);
export const off = bus.off.bind(bus);
export const emit = bus.emit.bind(bus);
export const listenerCount = bus.listenerCount.bind(bus);
