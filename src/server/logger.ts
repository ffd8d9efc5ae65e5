import { pino, type Logger } from 'pino';

function underTest(): boolean {
  return process.env.NODE_ENV === 'test' || process.env.NODE_TEST_CONTEXT !== undefined;
}

/** One JSON line per event on stdout; silent under test unless a level is asked for. */
export function createLogger(option: Logger | string | false | undefined): Logger {
  if (option === false) return pino({ level: 'silent' });
  if (typeof option === 'object') return option;
  const level = option ?? process.env.MESSAGE_CENTER_LOG_LEVEL ?? (underTest() ? 'silent' : 'info');
  return pino({ level, base: { service: 'message-center-relay' } });
}
