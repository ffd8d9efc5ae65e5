import { WebSocket } from 'ws';
import { ChatClient } from '../../src/client/chat-client.js';
import { memoryStore } from '../../src/client/persistence.js';
import type { ChatMessage, GapDetail, Target } from '../../src/client/types.js';
import { waitFor } from './wait.js';

/** One ChatClient in Node and everything it reported. */
export class Member {
  readonly client: ChatClient;
  readonly received: ChatMessage[] = [];
  readonly gaps: GapDetail[] = [];
  /** Own messages the server acknowledged, by id. */
  readonly acked = new Map<string, ChatMessage>();
  /** The last state each own message reached, with its error if it failed. */
  readonly states = new Map<string, string>();
  sent = 0;

  constructor(
    readonly name: string,
    url: string | (() => string),
  ) {
    this.client = new ChatClient({
      url,
      name,
      WebSocket: WebSocket as never,
      store: memoryStore(),
      minReconnectionDelay: 20,
      maxReconnectionDelay: 200,
      connectionTimeout: 1000,
      maxOutbox: 100_000,
    });
    this.client.on('message', (message) => this.received.push(message));
    this.client.on('gap', (gap) => this.gaps.push(gap));
    this.client.on('update', (message) => {
      this.states.set(message.id, message.error ? `${message.state}: ${message.error}` : message.state ?? '');
      if (message.state === 'sent' || message.state === 'delivered') this.acked.set(message.id, message);
    });
  }

  send(data: string, to?: Target): ChatMessage {
    this.sent++;
    const message = this.client.send(data, to);
    if (!message) throw new Error(`${this.name}: outbox refused a message`);
    return message;
  }

  get id(): string {
    return this.client.self!.id;
  }
}

/** Clients that chat with each other through one relay, for fault tests. */
export async function cluster(url: string | (() => string), size: number): Promise<Member[]> {
  const members = Array.from({ length: size }, (_, i) => new Member(`c${i}`, url));
  for (const member of members) member.client.connect();
  await waitFor(() => members.every((m) => m.client.status === 'online' && m.client.roster.length === size), 'everyone online', 10_000);
  return members;
}

export function closeAll(members: Member[]): void {
  for (const member of members) member.client.close();
}

/**
 * Checks that each member received exactly the messages addressed to it that
 * were sent (every one of `sent`), once, in offset order. Returns a list of
 * problems (empty when all is well).
 */
export function verify(members: Member[], sent: Sent[]): string[] {
  const problems: string[] = [];
  for (const member of members) {
    const expected = new Set(
      sent.filter((s) => s.from !== member && (s.to === undefined || s.to === member)).map((s) => `${s.from.name}:${s.message.id}`),
    );
    const seen = new Map<string, number>();
    let lastOffset = 0;
    for (const message of member.received) {
      const key = `${message.from.name}:${message.id}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
      if ((message.offset ?? 0) <= lastOffset) problems.push(`${member.name}: offset ${message.offset} after ${lastOffset}`);
      lastOffset = message.offset ?? lastOffset;
    }
    const duplicates = [...seen].filter(([, n]) => n > 1);
    const missing = [...expected].filter((key) => !seen.has(key));
    const extra = [...seen.keys()].filter((key) => !expected.has(key));
    if (duplicates.length) problems.push(`${member.name}: ${duplicates.length} duplicated, e.g. ${duplicates[0]![0]}`);
    if (missing.length) problems.push(`${member.name}: ${missing.length} missing of ${expected.size}, e.g. ${missing[0]}`);
    if (extra.length) problems.push(`${member.name}: ${extra.length} not addressed to it, e.g. ${extra[0]}`);
  }
  return problems;
}

/** One message sent, with its recipient when it was private. */
export type Sent = { from: Member; message: ChatMessage; to?: Member };

/**
 * The `i`-th message of a round-robin stream: member `i mod n` sends it, and
 * every third one is private, by name, to another member (a different one
 * each time round).
 */
export function sendNth(members: Member[], i: number): Sent {
  const from = members[i % members.length]!;
  if (i % 3 !== 0) return { from, message: from.send(`#${i}`) };
  const to = members[(i + 1 + (i % (members.length - 1))) % members.length]!;
  return { from, to, message: from.send(`#${i} for ${to.name}`, { names: [to.name] }) };
}
