import { ready, serve } from '../relay/ipc.js';
import { BenchClient, type ClientSink } from '../relay/ws-client.js';

// A load generator for bench:presence: holds idle clients that said hello
// with their rooms and from then on only count the bytes the relays send
// them. Several of these run side by side: one process may hold only so many
// sockets (`ulimit -n`).

let bytes = 0;
let closes = 0;
let errors = 0;
let firstError: string | undefined;
const sink: ClientSink = {
  message() {},
  ack() {},
  error(text) {
    errors++;
    firstError ??= text.slice(0, 300);
  },
  closed() {
    closes++;
  },
  bytes(n) {
    bytes += n;
  },
};

const clients: BenchClient[] = [];

export interface IdleClient {
  readonly port: number;
  readonly name: string;
  /** Absent: the hello names no rooms (the default room). */
  readonly rooms?: string[];
}

/** Opens every client in turn, a few handshakes at a time. */
async function connect(args: { clients: IdleClient[]; concurrency: number }): Promise<{ n: number }> {
  let next = 0;
  const worker = async () => {
    while (next < args.clients.length) {
      const { port, name, rooms } = args.clients[next++]!;
      clients.push(await BenchClient.open(port, name, sink, 'mc', 600_000, rooms ? { rooms } : {}));
    }
  };
  await Promise.all(Array.from({ length: Math.min(args.concurrency, args.clients.length) }, worker));
  return { n: clients.length };
}

serve({
  connect,
  /** Bytes received by every client so far (handshakes and framing included), and how many were cut off. */
  stats: () => ({ bytes, closes, errors, firstError }),
  cpu: () => {
    const { user, system } = process.cpuUsage();
    return user + system;
  },
  close: () => {
    for (const client of clients.splice(0)) client.close();
  },
});

ready();
