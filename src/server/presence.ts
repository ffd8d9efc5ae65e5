import { DEFAULT_ROOM } from '../protocol/constants.js';
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

/** A peer online on another node of the cluster, and the rooms it is in there. */
export interface RemotePeer {
  readonly peer: Peer;
  readonly node: string;
  rooms: readonly string[];
}

/**
 * A room: its members on every node, by peer id, in order of activity (the
 * most recently active last: entering it, or broadcasting to it, moves a
 * member to the end), and those connected to this node, to whom this node
 * delivers the room's broadcasts and tells its presence.
 */
export class Room {
  readonly members = new Map<string, Peer>();
  readonly local = new Set<Connection>();
  /** The legacy-dialect connections among `local` (their format has no batched presence). */
  readonly legacy = new Set<Connection>();

  constructor(readonly name: string) {}

  get count(): number {
    return this.members.size;
  }

  /** Up to `limit` members, the most recently active first. */
  recent(limit: number): Peer[] {
    // A Map iterates oldest first: a ring of the last `limit` seen, no copy of the room.
    const ring: Peer[] = [];
    let at = 0;
    for (const peer of this.members.values()) {
      if (ring.length < limit) ring.push(peer);
      else ring[at] = peer;
      at = (at + 1) % limit;
    }
    if (ring.length < limit) return ring.reverse();
    return [...ring.slice(at), ...ring.slice(0, at)].reverse();
  }

  /** Up to `limit` members whose name contains `query` (lower case), the most recently active first. */
  search(query: string, limit: number): Peer[] {
    const found: Peer[] = [];
    for (const peer of this.members.values()) {
      if (query === '' || peer.name.toLowerCase().includes(query)) found.push(peer);
    }
    return found.slice(-limit).reverse();
  }
}

/** What a change of rooms did: the rooms entered and the rooms left. */
export interface RoomChange {
  readonly entered: readonly string[];
  readonly left: readonly string[];
}

/** What changed from `before` to `after` (both in order). */
export function roomChange(before: readonly string[], after: readonly string[]): RoomChange {
  return { entered: after.filter((room) => !before.includes(room)), left: before.filter((room) => !after.includes(room)) };
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
  /** Every room someone is in, on any node (an empty room is forgotten). */
  private readonly rooms = new Map<string, Room>();

  /** Everyone online, on every node. */
  get count(): number {
    return this.byId.size + this.remote.size;
  }

  /** Online on this node. */
  get localCount(): number {
    return this.byId.size;
  }

  /** The room, if anyone is in it. */
  room(name: string): Room | undefined {
    return this.rooms.get(name);
  }

  /** How many are in the room, on every node. */
  roomCount(name: string): number {
    return this.rooms.get(name)?.count ?? 0;
  }

  /** The peer was active in the room (it broadcast to it): it moves to the end of the room's activity order. */
  touch(name: string, peerId: string): void {
    const members = this.rooms.get(name)?.members;
    const peer = members?.get(peerId);
    if (!peer) return;
    members!.delete(peerId);
    members!.set(peerId, peer);
  }

  /** Puts a peer (of this node: with its connection) in a room, as its most recently active member. */
  private enterRoom(name: string, peer: Peer, connection?: Connection): void {
    let room = this.rooms.get(name);
    if (!room) this.rooms.set(name, (room = new Room(name)));
    room.members.delete(peer.id);
    room.members.set(peer.id, peer);
    if (connection) {
      room.local.add(connection);
      if (!connection.codec.greets) room.legacy.add(connection);
    }
  }

  private exitRoom(name: string, peerId: string, connection?: Connection): void {
    const room = this.rooms.get(name);
    if (!room) return;
    room.members.delete(peerId);
    if (connection) {
      room.local.delete(connection);
      room.legacy.delete(connection);
    }
    if (room.members.size === 0 && room.local.size === 0) this.rooms.delete(name);
  }

  /** An online connection of this node entered a room (it must be in `connection.rooms` already, or be added to it). */
  enter(connection: Connection, name: string): void {
    if (this.byId.get(connection.id) === connection) this.enterRoom(name, connection.peer, connection);
  }

  /** An online connection of this node left a room. */
  exit(connection: Connection, name: string): void {
    if (this.byId.get(connection.id) === connection) this.exitRoom(name, connection.id, connection);
  }

  /** Records a peer online on another node, in its rooms; false if it already was. */
  addRemote(peer: Peer, node: string, rooms: readonly string[] = [DEFAULT_ROOM]): boolean {
    const known = this.remote.get(peer.id);
    if (known) this.removeRemote(peer.id);
    this.remote.set(peer.id, { peer, node, rooms });
    indexRemote(this.remoteByName, peer.name, peer.id, true);
    indexRemote(this.remoteByAddr, peer.addr, peer.id, true);
    for (const room of rooms) this.enterRoom(room, peer);
    return known === undefined;
  }

  /** A peer of another node is in other rooms now: what changed, or undefined if the peer is not known. */
  moveRemote(peerId: string, rooms: readonly string[]): RoomChange | undefined {
    const known = this.remote.get(peerId);
    if (!known) return undefined;
    const change = roomChange(known.rooms, rooms);
    known.rooms = rooms;
    for (const room of change.left) this.exitRoom(room, peerId);
    for (const room of change.entered) this.enterRoom(room, known.peer);
    return change;
  }

  /** Forgets a peer of another node; returns it if it was known. */
  removeRemote(peerId: string): RemotePeer | undefined {
    const known = this.remote.get(peerId);
    if (!known) return undefined;
    this.remote.delete(peerId);
    indexRemote(this.remoteByName, known.peer.name, peerId, false);
    indexRemote(this.remoteByAddr, known.peer.addr, peerId, false);
    // A peer that moved here keeps its place in its rooms.
    if (!this.byId.has(peerId)) for (const room of known.rooms) this.exitRoom(room, peerId);
    return known;
  }

  clearRemote(): void {
    for (const peerId of [...this.remote.keys()]) this.removeRemote(peerId);
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

  /** A peer online on another node of the cluster, if it is. */
  remotePeer(id: string): Peer | undefined {
    return this.remote.get(id)?.peer;
  }

  /** The rooms of a peer online on another node, if it is. */
  remoteRooms(id: string): readonly string[] | undefined {
    return this.remote.get(id)?.rooms;
  }

  /** Whether this peer is online on another node of the cluster. */
  isRemote(id: string): boolean {
    return this.remote.has(id);
  }

  /** Puts a connection online here, in each of its rooms. */
  add(connection: Connection): void {
    // It was known on another node (it moved here): it is this node's now.
    if (this.remote.has(connection.id)) this.removeRemote(connection.id);
    this.byId.set(connection.id, connection);
    addTo(this.byName, connection.name, connection);
    addTo(this.byAddr, connection.addr, connection);
    for (const room of connection.rooms) this.enterRoom(room, connection.peer, connection);
  }

  remove(connection: Connection): boolean {
    if (this.byId.get(connection.id) !== connection) return false;
    for (const room of connection.rooms) this.exitRoom(room, connection.id, connection);
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
    if (!listed) return;
    addTo(this.byName, name, connection);
    // Its place in each room's activity order is kept (a Map keeps a key's place when its value changes).
    for (const room of connection.rooms) this.rooms.get(room)?.members.set(connection.id, connection.peer);
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
