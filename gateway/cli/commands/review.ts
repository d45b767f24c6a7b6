import { loadConfig } from '../../config/load.ts';
import { callRegistry, corrections, runCli } from '../registry-client.ts';
import { present } from '../../registry/books/detail.ts';
import { searchDocuments } from '../../registry/books/search.ts';
import { approve, markNotDocument, reject } from '../../registry/workflow/workflow.ts';
import type { Command } from '../main.ts';
import { parse, printJson, shownOf, UsageError } from '../args.ts';

const USAGE = [
  'vanthu review [--unit U] [--limit N]                  the review queue (JSON; up to N items, default 50, at most 500)',
  '       vanthu review approve <document-id> [--set field=value]...   register, with corrections',
  '       vanthu review reject <document-id> --reason TEXT            return to the sender',
  '       vanthu review not-document <document-id>',
].join('\n');

export const command: Command = {
  summary: "the clerk's review queue: list, approve (with corrections), reject, not a document",
  async run(args) {
    const { values, positionals } = parse(
      args,
      { unit: { type: 'string' }, limit: { type: 'string' }, set: { type: 'string', multiple: true }, reason: { type: 'string' } },
      USAGE,
    );
    const config = loadConfig();
    const [sub, id] = positionals;
    return runCli('review', async () => {
      if (!sub || sub === 'list') {
        const limit = values.limit === undefined ? undefined : Math.max(1, Math.min(500, Number(values.limit) || 50));
        const params = new URLSearchParams({ ...(values.unit ? { unit: values.unit } : {}), ...(limit ? { limit: String(limit) } : {}) }).toString();
        const list = (await callRegistry(config, {
          method: 'GET',
          path: `/api/review${params ? `?${params}` : ''}`,
          direct: (rt, p) => searchDocuments(rt, p, { unit: values.unit, book: 'review', limit }),
        })) as { items: unknown[]; total?: number };
        printJson(list);
        const shown = shownOf(list.items.length, list.total, 'review items (--limit up to 500)');
        if (shown) process.stderr.write(`${shown}\n`); // stdout stays one JSON document
        return 0;
      }
      if (!id) throw new UsageError(`missing document id\nUsage: ${USAGE}`);
      if (sub === 'approve') {
        const fix = corrections(values.set);
        printJson(
          await callRegistry(config, {
            method: 'POST',
            path: `/api/documents/${id}/approve`,
            body: { corrections: fix },
            direct: async (rt, p) => present(await approve(rt, p, id, fix)),
          }),
        );
      } else if (sub === 'reject') {
        if (!values.reason) throw new UsageError(`reject needs --reason\nUsage: ${USAGE}`);
        printJson(
          await callRegistry(config, {
            method: 'POST',
            path: `/api/documents/${id}/reject`,
            body: { reason: values.reason },
            direct: async (rt, p) => present(await reject(rt, p, id, values.reason!)),
          }),
        );
      } else if (sub === 'not-document') {
        printJson(
          await callRegistry(config, {
            method: 'POST',
            path: `/api/documents/${id}/not-document`,
            direct: async (rt, p) => present(await markNotDocument(rt, p, id)),
          }),
        );
      } else throw new UsageError(`unknown action "${sub}"\nUsage: ${USAGE}`);
      return 0;
    });
  },
};
