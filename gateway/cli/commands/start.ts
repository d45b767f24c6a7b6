import { startVanthu, type ProcessRole } from '../../app.ts';
import { loadConfig } from '../../config/load.ts';
import { createLogger } from '../../log.ts';
import type { Command } from '../main.ts';
import { parse, UsageError } from '../args.ts';
import { logFormat, prettyDestination } from '../pretty-log.ts';

const USAGE = 'vanthu start [--role all|gateway|worker] [--log-format pretty|json]';

export const command: Command = {
  summary: 'run the gateway (SMTP + HTTP) and/or the workers',
  async run(args) {
    const { values } = parse(args, { role: { type: 'string', default: 'all' }, 'log-format': { type: 'string' } }, USAGE);
    const role = values.role as ProcessRole;
    if (!['all', 'gateway', 'worker'].includes(role)) throw new UsageError(`unknown role "${role}"\nUsage: ${USAGE}`);
    const format = values['log-format'];
    if (format !== undefined && format !== 'json' && format !== 'pretty') throw new UsageError(`--log-format: pretty or json\nUsage: ${USAGE}`);
    const config = loadConfig();
    // Readable on a terminal, JSON lines off one (docs/cli.md, "Logs").
    const log = createLogger('vanthu', logFormat(format) === 'pretty' ? prettyDestination(process.stderr, { timeZone: config.registry.timezone }) : undefined);
    // A promise some library left unobserved (pdfjs does so on a few damaged PDFs, see
    // docs/fuzzing.md) must not take SMTP down with it: everything accepted is durable and the
    // message's job is retried under its lease, so log it loudly and keep serving.
    process.on('unhandledRejection', (err) => log.error({ err: (err as Error)?.stack ?? String(err) }, 'unhandled rejection (kept running)'));
    const app = await startVanthu(config, role, log);
    await new Promise<void>((resolve) => {
      const shutdown = (signal: string) => {
        log.info({ signal }, 'stopping');
        app.stop().then(resolve, resolve);
      };
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
    });
    return 0;
  },
};
