import { loadConfig } from '../../config/load.ts';
import { callRegistry, runCli } from '../registry-client.ts';
import type { Command } from '../main.ts';
import { parse, printJson, UsageError } from '../args.ts';

const USAGE = 'vanthu done <document-id> [--note TEXT]';

export const command: Command = {
  summary: 'mark a document done (its reminders and escalation are cancelled)',
  async run(args) {
    const { values, positionals } = parse(args, { note: { type: 'string' } }, USAGE);
    const id = positionals[0];
    if (!id) throw new UsageError(`missing document id\nUsage: ${USAGE}`);
    const config = loadConfig();
    const body = { status: 'done', ...(values.note ? { note: values.note } : {}) };
    return runCli('done', async () => {
      printJson(
        await callRegistry(config, {
          method: 'POST',
          path: `/api/documents/${id}/status`,
          body,
          direct: async (rt, p) =>
            (await import('../../registry/books/detail.ts')).present(
              await (await import('../../registry/workflow/workflow.ts')).setStatus(rt, p, id, 'done', values.note),
            ),
        }),
      );
      return 0;
    });
  },
};
