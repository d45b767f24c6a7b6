/**
 * `vanthu register <message-id>`: puts the document of a stored message in the incoming book — its
 * review items, or, for a message the policy kept as correspondence, marked not a document, or
 * never decided, an item made from what the pipeline stored (gateway/registry/workflow/register-stored.ts).
 * Required fields the classifier did not read are given with --set (422 names them otherwise).
 */
import { loadConfig } from '../../config/load.ts';
import { callRegistry, corrections, runCli } from '../registry-client.ts';
import type { Command } from '../main.ts';
import { parse, UsageError } from '../args.ts';
import { type DocumentLike, namesFrom, printAction, registeredLine } from '../output.ts';

const USAGE = 'vanthu register <message-id> [--unit U] [--set field=value]... [--json]';

export const command: Command = {
  summary: 'register the document of a stored message in the incoming book',
  async run(args) {
    const { values, positionals } = parse(
      args,
      { set: { type: 'string', multiple: true }, unit: { type: 'string' }, json: { type: 'boolean', default: false } },
      USAGE,
    );
    const id = positionals[0];
    if (!id) throw new UsageError(`missing message id\nUsage: ${USAGE}`);
    const config = loadConfig();
    return runCli('register', async () => {
      const fix = corrections(values.set);
      const result = (await callRegistry(config, {
        method: 'POST',
        path: `/api/messages/${encodeURIComponent(id)}/register`,
        body: { corrections: fix, ...(values.unit ? { unit: values.unit } : {}) },
        direct: async (rt, p) => {
          const [{ present }, { registerStoredMessage }] = await Promise.all([
            import('../../registry/books/detail.ts'),
            import('../../registry/workflow/register-stored.ts'),
          ]);
          return { items: (await registerStoredMessage(rt, p, id, fix, values.unit)).map(present) };
        },
      })) as { items: DocumentLike[] };
      // A person at a terminal reads one line per unit; scripts get the JSON (docs/cli.md, "Output").
      printAction(values, result, () => result.items.map((d) => registeredLine(d, namesFrom(config))));
      return 0;
    });
  },
};
