import type { Peer, Target } from '../protocol/frames.js';
import type { Connection } from './connection.js';

export interface Resolution {
  readonly recipients: Set<Connection>;
  /** The targets that matched no one; undefined when all matched. */
  readonly unknown: Target | undefined;
}

function addTo<K>(index: Map<K, Set<Connection>>, key: K, connection: Connection): void {
  let set = index.get(key);
  if (!set) index.set(key, (set = new Set()));
  set.add(connection);
}

function removeFrom<K>(index: Map<K, Set<Connection>>, key: K, connection: Connection): void {
  const set = index.get(key);
  if (!set) return;
  set.delete(connection);
  if (set.size === 0) index.delete(key);
}

/** Who is online on this relay (connections past their handshake), indexed for addressing. */
export class Presence {
  private readonly byId = new Map<string, Connection>();
  private readonly byName = new Map<string, Set<Connection>>();
  private readonly byAddr = new Map<string, Set<Connection>>();

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
      const set = this.byName.get(name);
      if (set) for (const connection of set) recipients.add(connection);
      else unknownNames.push(name);
    }
    for (const addr of to.addrs ?? []) {
      const set = this.byAddr.get(addr);
      if (set) for (const connection of set) recipients.add(connection);
      else unknownAddrs.push(addr);
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
