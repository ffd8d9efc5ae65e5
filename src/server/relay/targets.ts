// Target resolution: who a message's ids, names and addresses mean, online
// (here or on other nodes) and away (sessions whose messages wait in the log).
import type { Target } from '../../protocol/frames.js';
import { targetOf, type Presence } from '../presence.js';
import type { Sessions } from '../sessions.js';

export interface Resolved {
  /** Peer ids of every recipient, online or away. */
  readonly ids: string[];
  /** How many of them are online (on any node). */
  readonly online: number;
  /** The parts of the target that match no one at all. */
  readonly unknown: Target | undefined;
}

/**
 * Targets → peer ids: online connections, and sessions that are away (the
 * messages wait for them in the log); what matched no one at all. While
 * addresses are hidden (`exposeAddresses` false) no address matches anyone:
 * if addressing by one worked, its ack or error would tell who is there.
 */
export function resolveTargets(to: Target, presence: Presence, sessions: Sessions, exposeAddresses: boolean): Resolved {
  if (exposeAddresses || !to.addrs?.length) return resolve(to, presence, sessions);
  const { addrs, ...others } = to;
  const resolution = others.ids?.length || others.names?.length ? resolve(others, presence, sessions) : { ids: [], online: 0, unknown: undefined };
  return { ...resolution, unknown: { ...resolution.unknown, addrs: [...addrs] } };
}

function resolve(to: Target, presence: Presence, sessions: Sessions): Resolved {
  if (to.ids?.length === 1 && !to.names && !to.addrs) return resolveOne(to.ids[0]!, presence, sessions);
  const online = presence.resolve(to);
  const ids = new Set([...online.recipients].map((connection) => connection.id));
  for (const id of online.remote) ids.add(id);
  const count = ids.size;
  const unknownIds: string[] = [];
  const unknownNames: string[] = [];
  const unknownAddrs: string[] = [];
  for (const id of online.unknown?.ids ?? []) {
    const session = sessions.byPeerId(id);
    if (session) ids.add(session.peerId);
    else unknownIds.push(id);
  }
  for (const name of to.names ?? []) {
    const away = sessions.away({ name });
    for (const session of away) ids.add(session.peerId);
    if (away.length === 0 && online.unknown?.names?.includes(name)) unknownNames.push(name);
  }
  for (const addr of to.addrs ?? []) {
    const away = sessions.away({ addr });
    for (const session of away) ids.add(session.peerId);
    if (away.length === 0 && online.unknown?.addrs?.includes(addr)) unknownAddrs.push(addr);
  }
  return { ids: [...ids], online: count, unknown: targetOf(unknownIds, unknownNames, unknownAddrs) };
}

/**
 * A private message to one id, the commonest target: what `resolve` answers
 * for it, without the sets and lists a target of many parts needs.
 */
function resolveOne(id: string, presence: Presence, sessions: Sessions): Resolved {
  if (presence.get(id) || presence.isRemote(id)) return { ids: [id], online: 1, unknown: undefined };
  if (sessions.byPeerId(id)) return { ids: [id], online: 0, unknown: undefined };
  return { ids: [], online: 0, unknown: { ids: [id] } };
}
