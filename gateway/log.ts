/**
 * Logs are JSON lines on stderr (stdout belongs to CLI results). VANTHU_LOG_LEVEL sets the level.
 * `destination` replaces stderr: `vanthu start` on a terminal passes a readable formatter there
 * (gateway/cli/pretty-log.ts, docs/cli.md); the lines it is given are still pino's JSON.
 */
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

export function createLogger(name = 'vanthu', destination?: DestinationStream): Logger {
  return pino({ name, level: process.env.VANTHU_LOG_LEVEL ?? 'info' }, destination ?? pino.destination({ fd: 2, sync: false }));
}

export const silentLogger: Logger = pino({ level: 'silent' });
