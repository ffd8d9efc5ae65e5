import type { Duplex } from 'node:stream';

/**
 * An error listener for a raw socket nobody else listens on yet (during an
 * upgrade, or while its token is checked): it is destroyed. One function
 * shared by every socket: a closure per socket would keep its upgrade
 * request alive as long as the socket.
 */
export function destroyOnError(this: Duplex): void {
  this.destroy();
}
