import { readFileSync } from 'node:fs';

// What the benches need to know about the machine they share with others,
// and the one statistic every table of theirs uses.

/** Busy CPU ms of the whole machine since boot, to tell how much else ran during a window. */
export function machineBusyMs(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
  const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
  return (user! + nice! + system! + irq! + softirq! + steal!) * 10; // USER_HZ = 100
}

/** The median of the finite values; NaN when there is none. */
export function median(values: number[]): number {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
