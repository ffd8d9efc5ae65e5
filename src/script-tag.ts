// The entry of the single-file script bundle (dist/message-center.min.js):
// registers every element and exposes the API on the `MessageCenter` global.
// The global is itself the page-wide bus, so the original design's
// `MessageCenter.emit('globalMessage', data)` works on a plain HTML page.
import { getDefaultMessageCenter } from './bus/default-message-center.js';
import './define.js';
import { useRelayOfScript } from './elements/ws-chat-panel/default-url.js';
import { useLocalesOfScript } from './i18n/fetch-locale.js';

export * from './index.js';

// Panels without a `url` talk to the relay this script came from, and
// languages other than English are fetched from beside it. The bundle runs in
// one go, so currentScript is still this script (null when loaded as a
// module, which keeps the page's own host, and English only).
const script = typeof document !== 'undefined' ? document.currentScript : null;
if (script instanceof HTMLScriptElement && script.src) {
  useRelayOfScript(script.src);
  useLocalesOfScript(script.src);
}

const bus = getDefaultMessageCenter();
export const on = bus.on.bind(bus);
export const once = bus.once.bind(bus);
export const off = bus.off.bind(bus);
export const emit = bus.emit.bind(bus);
export const listenerCount = bus.listenerCount.bind(bus);
