import { createStore, del, get, set, type UseStore } from 'idb-keyval';
import type { ChatMessage } from './types.js';

/** What a client needs to resume its session after a reconnect or a reload. */
export interface ResumeState {
  readonly session: string;
  readonly epoch: string;
  /** The newest offset this client has processed. */
  readonly offset: number;
}

/** The offsets of your latest private messages that were delivered, and read, in one epoch (see `DeliveryMemory`). */
export interface StoredReceipts {
  readonly epoch: string;
  readonly delivered: readonly number[];
  readonly read: readonly number[];
}

/**
 * Where a client keeps what must outlive its connection (and, in a browser,
 * the page): the outbox of unacknowledged messages, the resume state and,
 * optionally, the receipts your latest messages got (without them, history
 * shows your messages as only sent after a reload).
 */
export interface ClientStore {
  loadOutbox(): Promise<ChatMessage[]>;
  saveOutbox(messages: readonly ChatMessage[]): Promise<void>;
  loadResume(): ResumeState | undefined;
  saveResume(state: ResumeState | undefined): void;
  loadReceipts?(): StoredReceipts | undefined;
  saveReceipts?(receipts: StoredReceipts | undefined): void;
  /** The client that used this store is gone for good: another may take its place (see `browserStore`). */
  release?(): void;
}

/** Keeps everything in memory: survives reconnects, not reloads. The default outside browsers. */
export function memoryStore(): ClientStore {
  let outbox: ChatMessage[] = [];
  let resume: ResumeState | undefined;
  let receipts: StoredReceipts | undefined;
  return {
    loadOutbox: async () => [...outbox],
    saveOutbox: async (messages) => {
      outbox = [...messages];
    },
    loadResume: () => resume,
    saveResume: (state) => {
      resume = state;
    },
    loadReceipts: () => receipts,
    saveReceipts: (kept) => {
      receipts = kept;
    },
  };
}

const TAB_KEY = 'message-center:tab';
let idbStore: UseStore | undefined;
let thisTab: Promise<string> | undefined;

/**
 * This tab's id: kept in sessionStorage, so it survives a reload of the tab
 * but is not shared with other tabs. A duplicated tab (which copies
 * sessionStorage) is told apart with a Web Lock and takes a new id.
 */
async function tabId(): Promise<string> {
  let id: string | null;
  try {
    id = sessionStorage.getItem(TAB_KEY);
  } catch {
    // No storage here (a sandboxed frame, an opaque origin): nothing outlives the page, so any id will do.
    return randomId();
  }
  const locks = (navigator as Navigator & { locks?: LockManager }).locks;
  if (id && locks) {
    const taken = await new Promise<boolean>((resolve) => {
      void locks.request(`${TAB_KEY}:${id}`, { ifAvailable: true }, (lock) => {
        if (!lock) {
          resolve(true);
          return undefined;
        }
        resolve(false);
        // Held for the life of the page.
        return new Promise<void>(() => {});
      });
    });
    if (taken) id = null;
  }
  if (!id) {
    id = randomId();
    try {
      sessionStorage.setItem(TAB_KEY, id);
    } catch {
      // Storage full: a reload gets a new id, and with it an outbox of its own.
    }
    void locks?.request(`${TAB_KEY}:${id}`, () => new Promise<void>(() => {}));
  }
  return id;
}

/**
 * The scopes the page's live stores hold, shared by every copy of this
 * module on the page (the script bundle beside an npm build, say).
 */
const claimed: Set<string> = ((globalThis as { [key: symbol]: Set<string> })[Symbol.for('message-center:stores')] ??= new Set());

/**
 * Claims the first free one of `scope`, `scope#2`, `scope#3`…: two panels
 * of one user on one relay in one page each get their own session and
 * outbox, and after a reload, mounted in the same order, each gets its own
 * back. The first keeps the plain scope, as stored before there were two.
 */
function claim(scope: string): string {
  let key = scope;
  for (let n = 2; claimed.has(key); n++) key = `${scope}#${n}`;
  claimed.add(key);
  return key;
}

/**
 * The browser store: the outbox in IndexedDB (it survives a reload and is
 * bounded only by the client's maxOutbox), the resume state and the
 * receipts in sessionStorage. Both are per tab and per `scope` (relay URL, protocol and
 * user name), so two tabs never send each other's messages, and per client
 * within the page: `release()` it when its client is closed for good.
 */
export function browserStore(scope: string): ClientStore {
  const own = claim(scope);
  let released = false;
  return {
    ...outboxIn((thisTab ??= tabId()).then((id) => `${id}|${own}`)),
    ...sessionKept(own),
    release() {
      if (released) return;
      released = true;
      claimed.delete(own);
    },
  };
}

/**
 * The store of a connection shared by the tabs of a site (see
 * `SharedChatClient`), used by the tab that holds it: the outbox in
 * IndexedDB under `scope` alone, so whichever tab holds the connection next
 * sends what this one could not; the resume state and receipts in this tab's
 * sessionStorage (a reload resumes) unless `handedOver()` gives a newer one,
 * as the tab that held the connection before last told the others. Not
 * claimed: one tab at a time holds a shared connection, and a second panel
 * of it shares it too.
 */
export function sharedStore(scope: string, handedOver: () => ResumeState | undefined): ClientStore {
  const session = sessionKept(scope);
  return {
    ...outboxIn(`*|${scope}`),
    ...session,
    loadResume() {
      const own = session.loadResume();
      const handed = handedOver();
      // The conversation the other tabs are in, unless this tab's is the same one, further on.
      return handed && !(own && own.session === handed.session && own.epoch === handed.epoch && own.offset > handed.offset) ? handed : own;
    },
  };
}

/** The last write queued for each outbox key, from any store of this page (see `outboxIn`). */
const outboxWrites = new Map<string, Promise<unknown>>();

/**
 * An outbox kept in IndexedDB under `key`. Writes to a key are queued, across
 * every store of the page that writes it (a closed client's last write and
 * the next client's first), so an older outbox never overwrites a newer one.
 */
function outboxIn(key: string | Promise<string>): Pick<ClientStore, 'loadOutbox' | 'saveOutbox'> {
  idbStore ??= createStore('message-center', 'outbox');
  return {
    async loadOutbox() {
      try {
        const stored = await get<ChatMessage[]>(await key, idbStore);
        return Array.isArray(stored) ? stored : [];
      } catch {
        return []; // IndexedDB unavailable (private mode in some browsers): memory only.
      }
    },
    async saveOutbox(messages) {
      const snapshot = messages.map(toStorable);
      const resolved = await key;
      const done = (outboxWrites.get(resolved) ?? Promise.resolve())
        .then(() => (snapshot.length ? set(resolved, snapshot, idbStore) : del(resolved, idbStore)))
        .catch(() => undefined);
      outboxWrites.set(resolved, done);
      await done;
      if (outboxWrites.get(resolved) === done) outboxWrites.delete(resolved);
    },
  };
}

/** The resume state and receipts kept in this tab's sessionStorage under `own`. */
function sessionKept(own: string): Pick<ClientStore, 'loadResume' | 'saveResume' | 'loadReceipts' | 'saveReceipts'> {
  const resumeKey = `message-center:resume:${own}`;
  const receiptsKey = `message-center:receipts:${own}`;
  return {
    loadResume() {
      const state = read<ResumeState>(resumeKey);
      return state && typeof state.session === 'string' && typeof state.epoch === 'string' && Number.isInteger(state.offset) ? state : undefined;
    },
    // Storage full or disabled: resuming after a reload is lost, nothing else.
    saveResume: (state) => write(resumeKey, state),
    loadReceipts() {
      const kept = read<StoredReceipts>(receiptsKey);
      return kept && typeof kept.epoch === 'string' && Array.isArray(kept.delivered) && Array.isArray(kept.read) ? kept : undefined;
    },
    // Lost: after a reload your messages show as only sent, nothing else.
    saveReceipts: (kept) => write(receiptsKey, kept),
  };
}

/** A value kept as JSON in sessionStorage; undefined when absent, unreadable or storage is disabled. */
function read<T>(key: string): T | undefined {
  try {
    return (JSON.parse(sessionStorage.getItem(key)!) as T | null) ?? undefined;
  } catch {
    return undefined;
  }
}

/** Keeps `value` as JSON in sessionStorage (undefined removes it); storage full or disabled loses it, quietly. */
function write(key: string, value: unknown): void {
  try {
    if (value) sessionStorage.setItem(key, JSON.stringify(value));
    else sessionStorage.removeItem(key);
  } catch {
    // Nothing else to do: the caller said what is lost.
  }
}

/** Messages are structured-cloned into IndexedDB: keep them to plain data. */
function toStorable(message: ChatMessage): ChatMessage {
  return JSON.parse(JSON.stringify(message)) as ChatMessage;
}

/** 128 random bits, URL-safe. (crypto.randomUUID needs a secure context; getRandomValues does not.) */
export function randomId(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  let id = '';
  for (const byte of bytes) id += byte.toString(16).padStart(2, '0');
  return id;
}
