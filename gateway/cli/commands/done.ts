import { loadConfig } from '../../config/load.ts';
import { callRegistry, runCli } from '../registry-client.ts';
import type { Command } from '../main.ts';
import { parse, UsageError } from '../args.ts';
import { type DocumentLike, documentLabel, printAction } from '../output.ts';

const USAGE = 'vanthu done <document-id> [--note TEXT] [--json]';

export const command: Command = {
  summary: 'mark a document done (its reminders and escalation are cancelled)',
  async run(args) {
    const { values, positionals } = parse(args, { note: { type: 'string' }, json: { type: 'boolean', default: false } }, USAGE);
    const id = positionals[0];
    if (!id) throw new UsageError(`missing document id\nUsage: ${USAGE}`);
    const config = loadConfig();
    const body = { status: 'done', ...(values.note ? { note: values.note } : {}) };
    return runCli('done', async () => {
      const doc = (await callRegistry(config, {
        method: 'POST',
        path: `/api/documents/${id}/status`,
        body,
        direct: async (rt, p) =>
          (
            await import('../../registry/books/detail.ts')
          ).present(await (await import('../../registry/workflow/workflow.ts')).setStatus(rt, p, id, 'done', values.note)),
      })) as DocumentLike;
      printAction(values, doc, () => `Đã xử lý xong văn bản ${documentLabel(doc)}; nhắc hạn đã hủy (done; reminders cancelled)`);
      return 0;
    });
  },
};
