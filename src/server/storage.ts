import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { FileLog } from './log/file-log.js';
import { MemoryLog } from './log/memory-log.js';
import type { MessageLog } from './log/message-log.js';
import type { ResolvedOptions } from './options.js';
import { Sessions } from './sessions.js';

/** The log and the sessions: in memory, or in `dataDir` when one is given. */
export function openStorage(options: ResolvedOptions): { log: MessageLog; sessions: Sessions } {
  if (!options.dataDir) {
    return { log: new MemoryLog(options.logWindow), sessions: new Sessions({ ttl: options.sessionTtl }) };
  }
  mkdirSync(options.dataDir, { recursive: true });
  return {
    log: FileLog.open({ dir: join(options.dataDir, 'log'), window: options.logWindow, fsync: options.fsync }),
    sessions: new Sessions({ ttl: options.sessionTtl, file: join(options.dataDir, 'sessions.jsonl'), fsync: options.fsync }),
  };
}
