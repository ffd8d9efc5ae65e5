// The two frames every message costs the relay in protocol v1 — its delivery
// and its sender's ack — written as JSON text directly, where building the
// frame object and serialising it was a good part of a message's CPU. Each
// function returns exactly what JSON.stringify returns for the frame object
// (same keys, same order: test/node/v1-text.test.ts holds them to it).
import { KeptEntry } from './log/memory-log.js';
import type { LogEntry } from './log/message-log.js';

/**
 * `{"type":"message",…}` for `entry`, with `from` already as JSON (the
 * sender as recipients see it, serialised once per sender). Undefined when
 * the entry holds no data to write (only JSON.stringify knows how to leave
 * the key out).
 */
export function messageText(entry: LogEntry, from: string, replay: boolean): string | undefined {
  // A logged entry keeps its targets and data as this text already.
  if (entry instanceof KeptEntry) {
    if (!entry.hasData) return undefined;
    return `{"type":"message","offset":${entry.offset},"id":${JSON.stringify(entry.id)},"from":${from},${entry.body.slice(1, -1)}${mentionsText(entry)},"ts":${entry.ts}${replay ? ',"replay":true}' : '}'}`;
  }
  if (entry.data === undefined) return undefined;
  return (
    `{"type":"message","offset":${entry.offset},"id":${JSON.stringify(entry.id)},"from":${from}` +
    (entry.to ? `,"to":${JSON.stringify(entry.to)}` : '') +
    (entry.room !== undefined ? `,"room":${JSON.stringify(entry.room)}` : '') +
    `,"data":${JSON.stringify(entry.data)}${mentionsText(entry)},"ts":${entry.ts}` +
    (replay ? ',"replay":true}' : '}')
  );
}

const mentionsText = (entry: LogEntry): string => (entry.mentions ? `,"mentions":${JSON.stringify(entry.mentions)}` : '');

/** `{"type":"ack",…}`: the message's offset and time, how many it went to, and whether it was a resend. */
export function ackText(id: string, offset: number, ts: number, recipients: number, duplicate: boolean): string {
  return `{"type":"ack","id":${JSON.stringify(id)},"offset":${offset},"ts":${ts},"recipients":${recipients}${duplicate ? ',"duplicate":true' : ''}}`;
}
