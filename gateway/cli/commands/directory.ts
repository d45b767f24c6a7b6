/**
 * `vanthu directory [query]`: the agencies documents can be sent to (name, address, organ id),
 * searched without diacritics — from the running gateway (GET /api/directory), else from the
 * configuration, which is where the directory lives.
 */
import { loadConfig } from '../../config/load.ts';
import { directoryOf, searchDirectory } from '../../outgoing/directory.ts';
import type { Command } from '../main.ts';
import { parse, printJson } from '../args.ts';
import { gatewayClient, isUnreachable, readError } from '../gateway-client.ts';

const USAGE = 'vanthu directory [query]   e.g. vanthu directory "so tai chinh lam dong"';

export const command: Command = {
  summary: 'search the directory of agencies to send documents to',
  async run(args) {
    const { positionals } = parse(args, {}, USAGE);
    const q = positionals.join(' ').trim();
    const config = loadConfig();
    try {
      const res = await gatewayClient(config).request('GET', `/api/directory${q ? `?q=${encodeURIComponent(q)}` : ''}`);
      if (!res.ok) {
        process.stderr.write(`vanthu directory: gateway answered ${res.status}: ${await readError(res)}\n`);
        return 1;
      }
      printJson({ ...((await res.json()) as object), via: 'gateway' });
      return 0;
    } catch (err) {
      if (!isUnreachable(err)) throw err;
    }
    const items = searchDirectory(directoryOf(config), q).map(({ name, address, organId, unitId }) => ({ name, address, organId, unitId }));
    printJson({ items, via: 'config' });
    return 0;
  },
};
