import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { LocalCoordinator, type Coordinator } from './cluster/coordinator.js';
import { RedisCoordinator } from './cluster/redis-coordinator.js';
import { FileLog } from './log/file-log.js';
import { MemoryLog } from './log/memory-log.js';
import type { ResolvedOptions } from './options.js';
import { MemoryReadPositions } from './read-positions.js';
import { Sessions } from './sessions.js';

/**
 * The coordinator for these options, which holds the relay's log and
 * sessions: in memory, in `dataDir`, or on Redis as one node of a cluster.
 */
export async function openCoordinator(options: ResolvedOptions, logger: Logger): Promise<Coordinator> {
  if (options.redis) {
    return RedisCoordinator.connect({
      url: options.redis,
      prefix: options.redisPrefix,
      window: options.logWindow,
      sessionTtl: options.sessionTtl,
      readBound: 2 * options.presenceThreshold,
      logger,
    });
  }
  const node = randomBytes(6).toString('base64url');
  const reads = new MemoryReadPositions({ bound: 2 * options.presenceThreshold, maxAge: options.logWindow.maxAge });
  if (!options.dataDir) {
    return new LocalCoordinator(node, new MemoryLog(options.logWindow), new Sessions({ ttl: options.sessionTtl }), reads);
  }
  mkdirSync(options.dataDir, { recursive: true });
  const log = FileLog.open({
    dir: join(options.dataDir, 'log'),
    window: options.logWindow,
    fsync: options.fsync,
    ...(options.bootIdFile !== undefined ? { bootIdFile: options.bootIdFile } : {}),
  });
  if (log.lostInCrash) {
    logger.warn(
      { event: 'log-recovered', epoch: log.epoch, kept: log.lostInCrash.after, skipped: log.lostInCrash.through },
      'the machine restarted since the log was last written: its unflushed tail may be lost, so offsets go on past every one that may have been handed out, and resuming clients are told of a gap',
    );
  }
  return new LocalCoordinator(
    node,
    log,
    new Sessions({ ttl: options.sessionTtl, file: join(options.dataDir, 'sessions.jsonl'), fsync: options.fsync }),
    reads,
  );
}
