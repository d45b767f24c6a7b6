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
import { outputMode, printTable } from '../output.ts';

const USAGE = 'vanthu directory [query] [--json|--table]   e.g. vanthu directory "so tai chinh lam dong"';

interface Entry {
  name: string;
  address: string;
  organId: string | null;
  unitId?: string | null;
}

/** JSON off a terminal (scripts read `items` and `via`), a table on one (docs/cli.md, "Output"). */
function show(result: { items: Entry[]; via: string }, values: { json?: boolean; table?: boolean }): number {
  if (outputMode(values, 'json') === 'json') printJson(result);
  else
    printTable(
      [{ title: 'CƠ QUAN (AGENCY)', flex: true }, { title: 'ĐỊA CHỈ (ADDRESS)' }, { title: 'MÃ ĐỊNH DANH (ORGAN ID)' }],
      result.items.map((e) => [e.name, e.address, e.organId ?? '']),
      'Không tìm thấy cơ quan nào (no agency found)',
    );
  return 0;
}

export const command: Command = {
  summary: 'search the directory of agencies to send documents to',
  async run(args) {
    const { values, positionals } = parse(args, { json: { type: 'boolean', default: false }, table: { type: 'boolean', default: false } }, USAGE);
    const q = positionals.join(' ').trim();
    const config = loadConfig();
    try {
      const res = await gatewayClient(config).request('GET', `/api/directory${q ? `?q=${encodeURIComponent(q)}` : ''}`);
      if (!res.ok) {
        process.stderr.write(`vanthu directory: gateway answered ${res.status}: ${await readError(res)}\n`);
        return 1;
      }
      return show({ ...((await res.json()) as { items: Entry[] }), via: 'gateway' }, values);
    } catch (err) {
      if (!isUnreachable(err)) throw err;
    }
    const items = searchDirectory(directoryOf(config), q).map(({ name, address, organId, unitId }) => ({ name, address, organId, unitId }));
    return show({ items, via: 'config' }, values);
  },
};
