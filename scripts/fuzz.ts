// npm run fuzz: 100,000 random and mutated frames against a live relay while
// well-behaved clients chat, then a summary. `-- --frames N --seed S` to vary.
// `-- --default-limits` keeps the rate limit and flood protection on (each
// attacker's frames then wait their turn, 20 a second after a burst of 40:
// use few --frames).
import { parseArgs } from 'node:util';
import { DEFAULT_LIMITS } from '../src/server/options.js';
import { formatReport, runRelayFuzz } from '../test/fuzz/relay-fuzz.js';

const { values } = parseArgs({
  options: { frames: { type: 'string' }, seed: { type: 'string' }, attackers: { type: 'string' }, json: { type: 'boolean' }, 'default-limits': { type: 'boolean' } },
});
const { maxMessagesPerSecond, burst, floodThreshold } = DEFAULT_LIMITS;
const frames = Number(values.frames ?? 100_000);
let shown = 0;
const report = await runRelayFuzz({
  frames,
  ...(values.seed !== undefined ? { seed: Number(values.seed) } : {}),
  ...(values.attackers !== undefined ? { attackers: Number(values.attackers) } : {}),
  ...(values['default-limits'] ? { relay: { maxMessagesPerSecond, burst, floodThreshold } } : {}),
  onProgress: (sent) => {
    if (sent - shown >= frames / 10 || sent === frames) {
      shown = sent;
      process.stderr.write(`  ${sent.toLocaleString('en-US')} frames sent\n`);
    }
  },
});
process.stdout.write(`${values.json ? JSON.stringify(report, null, 2) : formatReport(report)}\n`);
const c = report.chatters;
const ok = report.relay.alive && c.received === c.expected && c.duplicates === 0 && c.outOfOrder === 0 && c.disconnects === 0 && c.refused === 0;
process.exitCode = ok ? 0 : 1;
if (!ok) process.stderr.write('fuzz: the relay went down, or a well-behaved client lost, repeated or reordered a message\n');
