// The relay under fuzzing, in a process of its own so its memory is its own:
// started by relay-fuzz.ts over IPC, it reports its port, then its memory
// every 100 ms, and on request its heap after a full GC.
import { createRelayServer, type RelayServerOptions } from '../../src/server/index.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc || !process.send) throw new Error('run the fuzz relay host with --expose-gc and an IPC channel');
const send = process.send.bind(process);

const options = JSON.parse(process.argv[2] ?? '{}') as RelayServerOptions;
const relay = await createRelayServer({ port: 0, host: '127.0.0.1', logger: false, ...options });

const memory = () => {
  const usage = process.memoryUsage();
  return { rss: usage.rss, heapUsed: usage.heapUsed, external: usage.external + usage.arrayBuffers };
};
const sampler = setInterval(() => send({ type: 'sample', ...memory(), connections: relay.connections, online: relay.online }), 100);

process.on('message', (message: { type: string }) => {
  if (message.type === 'gc') {
    gc();
    gc();
    send({ type: 'gc', ...memory(), connections: relay.connections, online: relay.online });
  } else if (message.type === 'stop') {
    clearInterval(sampler);
    void relay.close().then(() => process.exit(0));
  }
});
process.on('disconnect', () => process.exit(0));
gc();
send({ type: 'ready', port: relay.port, ...memory() });
