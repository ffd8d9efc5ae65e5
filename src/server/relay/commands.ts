// What each kind of frame asks of the relay, once it is decoded (in either
// dialect) and its turn has come.
import { ErrorCode } from '../../protocol/constants.js';
import type { SendFrame } from '../../protocol/frames.js';
import type { Connection } from '../connection.js';
import type { Command } from '../dialect.js';
import type { Presence } from '../presence.js';
import type { Delivery } from './delivery.js';
import type { Greeter } from './greeter.js';
import type { History } from './history.js';
import type { Output } from './output.js';
import type { Receipts } from './receipts.js';
import type { Rooms } from './rooms.js';
import type { Router } from './router.js';
import type { Signals } from './signals.js';
import type { TypingRelay } from './typing.js';

export class Commands {
  constructor(
    private readonly presence: Presence,
    private readonly greeter: Greeter,
    private readonly router: Router,
    private readonly delivery: Delivery,
    private readonly output: Output,
    private readonly rooms: Rooms,
    private readonly history: History,
    /** Typing and read receipts go out through it (issue 17). */
    readonly signals: Signals,
    private readonly typing: TypingRelay,
    private readonly receipts: Receipts,
  ) {}

  /** `size`: the frame's length, which the log counts towards its byte bound (cheaper than serialising it again). */
  handle(connection: Connection, command: Command, size: number): void {
    switch (command.type) {
      case 'ping':
        this.output.writeFrame(connection, { type: 'pong', ...(command.t !== undefined ? { t: command.t } : {}) });
        return;
      case 'hello':
        if (connection.state !== 'awaiting-hello') {
          this.output.reject(connection, ErrorCode.AlreadyHello, 'hello was already received on this connection');
          return;
        }
        this.greeter.hello(connection, command);
        return;
      case 'send':
        if (connection.state === 'awaiting-hello') {
          this.output.reject(connection, ErrorCode.HelloRequired, 'send hello first', { id: command.id });
          return;
        }
        this.routeAndAck(connection, command, size);
        return;
      case 'received':
        if (connection.state === 'awaiting-hello') this.output.reject(connection, ErrorCode.HelloRequired, 'send hello first');
        else this.delivery.received(connection, command);
        return;
      case 'read':
        this.receipts.read(connection, command);
        return;
      case 'readers':
        this.receipts.readers(connection, command);
        return;
      case 'history':
        this.history.handle(connection, command);
        return;
      case 'join':
      case 'leave':
      case 'who':
        if (connection.state === 'awaiting-hello') {
          this.output.reject(connection, ErrorCode.HelloRequired, 'send hello first', { id: command.id });
          return;
        }
        if (command.type === 'join') this.rooms.join(connection, command);
        else if (command.type === 'leave') this.rooms.leave(connection, command);
        else this.rooms.who(connection, command);
        return;
      case 'typing':
        this.typing.handle(connection, command);
        return;
      case 'post':
        if (command.name && !connection.identity) this.presence.rename(connection, command.name);
        if (command.message) this.router.route(connection, command.message, size, () => undefined);
        return;
    }
  }

  /** Routes a v1 `send`; its client learns the message's offset (or why it was refused). */
  private routeAndAck(connection: Connection, frame: SendFrame, size: number): void {
    if (frame.to && frame.room !== undefined) {
      this.output.reject(connection, ErrorCode.BadField, 'room: a message goes to a room (broadcast) or to targets (`to`), not both', { id: frame.id });
      return;
    }
    const room = frame.to ? undefined : this.rooms.broadcastRoom(connection, frame.room, frame.id);
    if (!frame.to && room === undefined) return;
    this.router.route(connection, { id: frame.id, to: frame.to, room, data: frame.data, mentions: frame.mentions }, size, (result) => {
      if (!result) return;
      const hot = connection.codec.hot;
      if (hot) {
        this.output.writeText(connection, hot.ack(frame.id, result.entry.offset, result.entry.ts, result.recipients, result.duplicate));
        return;
      }
      this.output.writeFrame(connection, {
        type: 'ack',
        id: frame.id,
        offset: result.entry.offset,
        ts: result.entry.ts,
        recipients: result.recipients,
        ...(result.duplicate ? { duplicate: true } : {}),
      });
    });
  }
}
