// Compile-time tests: `npm run test:types` fails if a line marked as an
// expected error compiles (the type check did not happen), or if any
// unmarked line does not.
import { createMessageCenter, getDefaultMessageCenter, type MessageCenter } from '../../src/index.js';

declare module '../../src/index.js' {
  interface MessageCenterEvents {
    globalMessage: { text: string; from?: string };
    refresh: undefined;
  }
}

const MessageCenter = getDefaultMessageCenter();

// The old singleton style, typed by declaration merging.
MessageCenter.emit('globalMessage', { text: 'hi' });
MessageCenter.on('globalMessage', (message) => {
  const text: string = message.text;
  // @ts-expect-error the payload has no such field
  void message.missing;
  void text;
});
MessageCenter.emit('refresh');

// @ts-expect-error wrong payload type
MessageCenter.emit('globalMessage', { text: 42 });
// @ts-expect-error payload missing a required field
MessageCenter.emit('globalMessage', {});
// @ts-expect-error payload required
MessageCenter.emit('globalMessage');
// @ts-expect-error unknown event name
MessageCenter.emit('globalMesage', { text: 'typo' });
// @ts-expect-error handler for the wrong payload
MessageCenter.on('globalMessage', (message: number) => void message);
// @ts-expect-error off needs the handler (mitt's off(type) would remove everyone's)
MessageCenter.off('globalMessage');

// on and once return an unsubscribe function.
const unsubscribe: () => void = MessageCenter.once('globalMessage', () => {});
unsubscribe();

// Wildcard handlers get the name and the payload.
MessageCenter.on('*', (type, payload) => {
  if (type === 'globalMessage') void payload;
});

// A private bus with its own map.
interface Shop {
  'cart:add': { sku: string; qty: number };
}
const shop: MessageCenter<Shop> = createMessageCenter<Shop>();
shop.emit('cart:add', { sku: 'a', qty: 1 });
// @ts-expect-error qty must be a number
shop.emit('cart:add', { sku: 'a', qty: '1' });
// @ts-expect-error the private bus does not know the global events
shop.emit('globalMessage', { text: 'x' });
