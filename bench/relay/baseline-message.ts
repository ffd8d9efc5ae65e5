// What both comparison relays (baseline-relay.ts on ws, socketio-relay.ts on
// Socket.IO) put on the wire for a routed message: the same frame as ours, so
// the load generator reads the same bytes from all three.

export interface Peer {
  id: string;
  name: string;
  addr: string;
}

/** A `send` as the baselines read it: unchecked, as a naive relay would. */
export interface BaselineSend {
  id?: unknown;
  to?: { ids?: unknown };
  data?: unknown;
}

/** The message frame for `frame` from `from`, at `offset`. */
export const messageOf = (frame: BaselineSend, from: Peer, offset: number) => ({
  type: 'message',
  offset,
  id: frame.id,
  from,
  ...(frame.to ? { to: frame.to } : {}),
  data: frame.data,
  ts: Date.now(),
});

/** The peer ids a private message names (a baseline routes by id only). */
export const recipientIds = (to: NonNullable<BaselineSend['to']>): string[] => (Array.isArray(to.ids) ? (to.ids as unknown[]).map(String) : []);
