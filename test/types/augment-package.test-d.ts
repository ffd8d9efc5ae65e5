// Augmenting through the package name, as the README tells applications to.
import { getDefaultMessageCenter } from 'lit-message-center';

declare module 'lit-message-center' {
  interface MessageCenterEvents {
    'orders:placed': { id: number };
  }
}

const bus = getDefaultMessageCenter();
bus.emit('orders:placed', { id: 1 });
// @ts-expect-error id must be a number
bus.emit('orders:placed', { id: '1' });
