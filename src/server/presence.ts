import type { Peer, Target } from '../protocol/frames.js';
import type { Connection } from './connection.js';

export interface Resolution {
  readonly recipients: Set<Connection>;
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

/** Who is online on this relay (connections past their handshake), indexed for addressing. */
export class Presence {
  private readonly byId = new Map<string, Connection>();
  private readonly byName: Index<string> = new Map();
  private readonly byAddr: Index<string> = new Map();

  get count(): number {
    return this.byId.size;
  }

  connections(): IterableIterator<Connection> {
    return this.byId.values();
  }

  roster(): Peer[] {
    return [...this.byId.values()].map((connection) => connection.peer);
  }

  get(id: string): Connection | undefined {
    return this.byId.get(id);
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

  /** Every connection that any of the target's ids, names or addresses names. */
  resolve(to: Target): Resolution {
    const recipients = new Set<Connection>();
    const unknownIds: string[] = [];
    const unknownNames: string[] = [];
    const unknownAddrs: string[] = [];
    for (const id of to.ids ?? []) {
      const connection = this.byId.get(id);
      if (connection) recipients.add(connection);
      else unknownIds.push(id);
    }
    for (const name of to.names ?? []) {
      if (!collect(this.byName, name, recipients)) unknownNames.push(name);
    }
    for (const addr of to.addrs ?? []) {
      if (!collect(this.byAddr, addr, recipients)) unknownAddrs.push(addr);
    }
    const anyUnknown = unknownIds.length + unknownNames.length + unknownAddrs.length > 0;
    return {
      recipients,
      unknown: anyUnknown
        ? {
            ...(unknownIds.length ? { ids: unknownIds } : {}),
            ...(unknownNames.length ? { names: unknownNames } : {}),
            ...(unknownAddrs.length ? { addrs: unknownAddrs } : {}),
          }
        : undefined,
    };
  }
}
