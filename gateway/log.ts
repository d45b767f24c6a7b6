/** Logs are JSON lines on stderr (stdout belongs to CLI results). VANTHU_LOG_LEVEL sets the level. */
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(name = 'vanthu'): Logger {
  return pino({ name, level: process.env.VANTHU_LOG_LEVEL ?? 'info' }, pino.destination({ fd: 2, sync: false }));
}

export const silentLogger: Logger = pino({ level: 'silent' });
