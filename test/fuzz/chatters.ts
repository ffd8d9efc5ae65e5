// Well-behaved clients for the fuzz run, in a process of their own so the
// fuzzer's own load cannot slow their reading: each sends a message every
// `interval` ms (private to the next one, every fifth to everyone) and checks
// that everything sent to it arrives, once, in order, and how fast.
import { WebSocket } from 'ws';

if (!process.send) throw new Error('run the chatters over an IPC channel');
const send = process.send.bind(process);
const [port, count, interval] = process.argv.slice(2).map(Number) as [number, number, number];

interface Chatter {
  socket: WebSocket;
  id: string;
  /** Newest seq seen from each sender. */
  last: Map<number, number>;
  closed?: number;
}

const chatters: Chatter[] = [];
const latencies: number[] = [];
let sent = 0;
let expected = 0;
let received = 0;
let duplicates = 0;
let outOfOrder = 0;
let refused = 0;
let noise = 0;

function connect(index: number): Promise<Chatter> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/`, ['message-center.v1'], { headers: { 'x-forwarded-for': `192.0.2.${index + 1}` } });
    const chatter: Chatter = { socket, id: '', last: new Map() };
    socket.on('open', () => socket.send(JSON.stringify({ type: 'hello', name: `chatter-${index}` })));
    socket.on('error', reject);
    socket.on('close', (code) => (chatter.closed = code));
    socket.on('message', (raw) => {
      const frame = JSON.parse(raw.toString()) as { type: string; self?: { id: string }; data?: { from?: number; seq?: number; t?: number }; code?: string };
      if (frame.type === 'welcome') {
        chatter.id = frame.self!.id;
        resolve(chatter);
      } else if (frame.type === 'message') {
        const data = frame.data;
        if (!data || typeof data !== 'object' || typeof data.from !== 'number' || typeof data.t !== 'number') {
          noise++;
          return;
        }
        received++;
        latencies.push(Date.now() - data.t);
        const previous = chatter.last.get(data.from) ?? 0;
        if (data.seq! === previous) duplicates++;
        else if (data.seq! < previous) outOfOrder++;
        chatter.last.set(data.from, Math.max(previous, data.seq!));
      } else if (frame.type === 'error') {
        refused++;
      }
    });
  });
}

for (let i = 0; i < count; i++) chatters.push(await connect(i));
send({ type: 'ready' });

let seq = 0;
const timer = setInterval(() => {
  seq++;
  chatters.forEach((chatter, i) => {
    if (chatter.socket.readyState !== WebSocket.OPEN) return;
    const broadcast = seq % 5 === 0;
    const next = chatters[(i + 1) % chatters.length]!;
    chatter.socket.send(
      JSON.stringify({
        type: 'send',
        id: `c${i}-${seq}`,
        ...(broadcast ? {} : { to: { ids: [next.id] } }),
        data: { from: i, seq, t: Date.now(), text: `message ${seq} from chatter ${i}` },
      }),
    );
    sent++;
    expected += broadcast ? chatters.length - 1 : 1;
  });
}, interval);

process.on('message', async (message: { type: string }) => {
  if (message.type !== 'stop') return;
  clearInterval(timer);
  const deadline = Date.now() + 5000;
  while (received < expected && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  send({
    type: 'report',
    sent,
    expected,
    received,
    duplicates,
    outOfOrder,
    refused,
    noise,
    disconnects: chatters.filter((c) => c.closed !== undefined).length,
    latency: { p50: at(0.5), p99: at(0.99), max: latencies.at(-1) ?? 0 },
  });
  for (const chatter of chatters) chatter.socket.terminate();
  process.exit(0);
});
process.on('disconnect', () => process.exit(0));
