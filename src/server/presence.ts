import type { Peer, Target } from '../protocol/frames.js';
import type { Connection } from './connection.js';

export interface Resolution {
  readonly recipients: Set<Connection>;
  /** Peer ids of recipients online on other nodes of the cluster. */
  readonly remote: Set<string>;
  /** The targets that matched no one; undefined when all matched. */
  readonly unknown: Target | undefined;
}

/**
 * An index from a name or an address to its connections. A key with one
 * connection (most names) maps to it directly; a Set is made only for a
 * second one: a Set per connected user would be a good part of an idle
 * connection's memory.
 */
type Index<K> = Map<K, Connection | Set<Connection>>;

/** The lists that are not empty, as a target; undefined when all are. */
export function targetOf(ids: string[], names: string[], addrs: string[]): Target | undefined {
  if (ids.length + names.length + addrs.length === 0) return undefined;
  return {
    ...(ids.length ? { ids } : {}),
    ...(names.length ? { names } : {}),
    ...(addrs.length ? { addrs } : {}),
  };
}

function addTo<K>(index: Index<K>, key: K, connection: Connection): void {
  const entry = index.get(key);
  if (entry === undefined) index.set(key, connection);
  else if (entry instanceof Set) entry.add(connection);
  else if (entry !== connection) index.set(key, new Set([entry, connection]));
}

function removeFrom<K>(index: Index<K>, key: K, connection: Connection): void {
  const entry = index.get(key);
  if (entry === connection) {
    index.delete(key);
  } else if (entry instanceof Set) {
    entry.delete(connection);
    if (entry.size === 1) index.set(key, entry.values().next().value!);
  }
}

/** Adds every connection under `key` to `into`; false if there is none. */
function collect<K>(index: Index<K>, key: K, into: Set<Connection>): boolean {
  const entry = index.get(key);
  if (entry === undefined) return false;
  if (entry instanceof Set) for (const connection of entry) into.add(connection);
  else into.add(entry);
  return true;
}

/** A peer online on another node of the cluster. */
interface RemotePeer {
  readonly peer: Peer;
  readonly node: string;
}

function indexRemote(index: Map<string, Set<string>>, key: string, id: string, add: boolean): void {
  let set = index.get(key);
  if (add) {
    if (!set) index.set(key, (set = new Set()));
    set.add(id);
  } else if (set) {
    set.delete(id);
    if (set.size === 0) index.delete(key);
  }
}

/**
 * Who is online: this relay's connections past their handshake, and (in a
 * cluster) the peers online on the other nodes, indexed for addressing.
 */
export class Presence {
  private readonly byId = new Map<string, Connection>();
  private readonly byName: Index<string> = new Map();
  private readonly byAddr: Index<string> = new Map();
  private readonly remote = new Map<string, RemotePeer>();
  private readonly remoteByName = new Map<string, Set<string>>();
  private readonly remoteByAddr = new Map<string, Set<string>>();

  /** Everyone online, on every node. */
  get count(): number {
    return this.byId.size + this.remote.size;
  }

  /** Online on this node. */
  get localCount(): number {
    return this.byId.size;
  }

  /** Records a peer online on another node; false if it already was. */
  addRemote(peer: Peer, node: string): boolean {
    const known = this.remote.get(peer.id);
    if (known) this.removeRemote(peer.id);
    this.remote.set(peer.id, { peer, node });
    indexRemote(this.remoteByName, peer.name, peer.id, true);
    indexRemote(this.remoteByAddr, peer.addr, peer.id, true);
    return known === undefined;
  }

  /** Forgets a peer of another node; returns it if it was known. */
  removeRemote(peerId: string): RemotePeer | undefined {
    const known = this.remote.get(peerId);
    if (!known) return undefined;
    this.remote.delete(peerId);
    indexRemote(this.remoteByName, known.peer.name, peerId, false);
    indexRemote(this.remoteByAddr, known.peer.addr, peerId, false);
    return known;
  }

  clearRemote(): void {
    this.remote.clear();
    this.remoteByName.clear();
    this.remoteByAddr.clear();
  }

  connections(): IterableIterator<Connection> {
    return this.byId.values();
  }

  roster(): Peer[] {
    const peers: Peer[] = [];
    for (const connection of this.byId.values()) peers.push(connection.peer);
    for (const remote of this.remote.values()) peers.push(remote.peer);
    return peers;
  }

  get(id: string): Connection | undefined {
    return this.byId.get(id);
  }

  /** Whether this peer is online on another node of the cluster. */
  isRemote(id: string): boolean {
    return this.remote.has(id);
  }

  add(connection: Connection): void {
    this.byId.set(connection.id, connection);
    addTo(this.byName, connection.name, connection);
    addTo(this.byAddr, connection.addr, connection);
  }

  remove(connection: Connection): boolean {
    if (this.byId.get(connection.id) !== connection) return false;
    this.byId.delete(connection.id);
    removeFrom(this.byName, connection.name, connection);
    removeFrom(this.byAddr, connection.addr, connection);
    return true;
  }

  rename(connection: Connection, name: string): void {
    if (connection.name === name) return;
    const listed = this.byId.get(connection.id) === connection;
    if (listed) removeFrom(this.byName, connection.name, connection);
    connection.name = name;
    if (listed) addTo(this.byName, name, connection);
  }

  /** Every connection (here) and peer (on other nodes) that any of the target's ids, names or addresses names. */
  resolve(to: Target): Resolution {
    const recipients = new Set<Connection>();
    const remote = new Set<string>();
    const unknownIds: string[] = [];
    const unknownNames: string[] = [];
    const unknownAddrs: string[] = [];
    const collectRemote = (index: Map<string, Set<string>>, key: string): boolean => {
      const ids = index.get(key);
      if (!ids) return false;
      for (const id of ids) remote.add(id);
      return true;
    };
    for (const id of to.ids ?? []) {
      const connection = this.byId.get(id);
      if (connection) recipients.add(connection);
      else if (this.remote.has(id)) remote.add(id);
      else unknownIds.push(id);
    }
    for (const name of to.names ?? []) {
      const here = collect(this.byName, name, recipients);
      if (!collectRemote(this.remoteByName, name) && !here) unknownNames.push(name);
    }
    for (const addr of to.addrs ?? []) {
      const here = collect(this.byAddr, addr, recipients);
      if (!collectRemote(this.remoteByAddr, addr) && !here) unknownAddrs.push(addr);
    }
    return { recipients, remote, unknown: targetOf(unknownIds, unknownNames, unknownAddrs) };
  }
}
