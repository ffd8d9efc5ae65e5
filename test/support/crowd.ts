import { WebSocket } from 'ws';
import { SUBPROTOCOL_V1 } from '../../src/protocol/constants.js';

/** Connections opened at once: the relay admits a wave before the next one knocks. */
const WAVE = 50;

/**
 * Many real v1 clients in one room of a relay, each on its own WebSocket:
 * a big room as the relay sees one. They say hello, wait for their welcome,
 * read what they are sent and never write again.
 */
export class Crowd {
  /** Members welcomed so far. */
  welcomed = 0;
  /** Why a member could not join, if one could not. */
  failure: string | undefined;
  readonly #sockets: WebSocket[] = [];

  /** Opens `count` connections named `${prefix}${i}` into `room`, `WAVE` at a time; resolves once each is welcomed. */
  async join(url: string, room: string, count: number, prefix: string): Promise<void> {
    try {
      for (let first = 0; first < count; first += WAVE) {
        const wave = Array.from({ length: Math.min(WAVE, count - first) }, (_, i) => this.#member(url, room, `${prefix}${first + i}`));
        await Promise.all(wave);
      }
    } catch (error) {
      this.failure = (error as Error).message;
    }
  }

  close(): void {
    for (const socket of this.#sockets.splice(0)) socket.terminate();
  }

  #member(url: string, room: string, name: string): Promise<void> {
    const socket = new WebSocket(url, [SUBPROTOCOL_V1]);
    this.#sockets.push(socket);
    return new Promise<void>((resolve, reject) => {
      socket.on('error', reject);
      socket.on('close', (code) => reject(new Error(`${name}: closed with ${code} before its welcome`)));
      socket.on('open', () => socket.send(JSON.stringify({ type: 'hello', name, rooms: [room] })));
      const onMessage = (data: unknown) => {
        if ((JSON.parse(String(data)) as { type?: string }).type !== 'welcome') return;
        socket.off('message', onMessage);
        this.welcomed++;
        resolve();
      };
      socket.on('message', onMessage);
    });
  }
}
