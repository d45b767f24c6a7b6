/**
 * `vanthu review`: the clerk's review queue and what to do with an item. The list is JSON off a
 * terminal (scripts read it: docs/operations-recovery.md) and a table on one (docs/cli.md).
 * The registry's code is loaded only when no gateway answers and storage is opened here.
 */
import { loadConfig } from '../../config/load.ts';
import { callRegistry, corrections, runCli } from '../registry-client.ts';
import type { Command } from '../main.ts';
import { parse, printJson, shownOf, UsageError } from '../args.ts';
import { type DocumentLike, documentLabel, namesFrom, outputMode, printAction, registeredLine } from '../output.ts';
import { type DocumentRow, printDocuments } from '../documents-table.ts';

const detail = () => import('../../registry/books/detail.ts');
const workflow = () => import('../../registry/workflow/workflow.ts');

const USAGE = [
  'vanthu review [--unit U] [--limit N] [--json|--table]  the review queue (up to N items, default 50, at most 500)',
  '       vanthu review approve <document-id> [--set field=value]... [--json]   register, with corrections',
  '       vanthu review reject <document-id> --reason TEXT [--json]            return to the sender',
  '       vanthu review not-document <document-id> [--json]',
].join('\n');

export const command: Command = {
  summary: "the clerk's review queue: list, approve (with corrections), reject, not a document",
  async run(args) {
    const { values, positionals } = parse(
      args,
      {
        unit: { type: 'string' },
        limit: { type: 'string' },
        set: { type: 'string', multiple: true },
        reason: { type: 'string' },
        json: { type: 'boolean', default: false },
        table: { type: 'boolean', default: false },
      },
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
          direct: async (rt, p) => (await import('../../registry/books/search.ts')).searchDocuments(rt, p, { unit: values.unit, book: 'review', limit }),
        })) as { items: DocumentRow[]; total?: number };
        const shown = shownOf(list.items.length, list.total, 'review items (--limit up to 500)');
        if (outputMode(values, 'json') === 'json') {
          printJson(list);
          if (shown) process.stderr.write(`${shown}\n`); // stdout stays one JSON document
          return 0;
        }
        printDocuments(list.items, namesFrom(config), { reasons: true, empty: 'Không có văn bản chờ duyệt (the review queue is empty)' });
        if (shown) process.stdout.write(`${shown}\n`);
        return 0;
      }
      if (!id) throw new UsageError(`missing document id\nUsage: ${USAGE}`);
      // Actions: a line on a terminal, the API's JSON with --json or off one (docs/cli.md, "Output").
      if (sub === 'approve') {
        const fix = corrections(values.set);
        const doc = (await callRegistry(config, {
          method: 'POST',
          path: `/api/documents/${id}/approve`,
          body: { corrections: fix },
          direct: async (rt, p) => (await detail()).present(await (await workflow()).approve(rt, p, id, fix)),
        })) as DocumentLike;
        printAction(values, doc, () => registeredLine(doc, namesFrom(config)));
      } else if (sub === 'reject') {
        if (!values.reason) throw new UsageError(`reject needs --reason\nUsage: ${USAGE}`);
        const doc = (await callRegistry(config, {
          method: 'POST',
          path: `/api/documents/${id}/reject`,
          body: { reason: values.reason },
          direct: async (rt, p) => (await detail()).present(await (await workflow()).reject(rt, p, id, values.reason!)),
        })) as DocumentLike;
        printAction(values, doc, () => `Đã trả lại văn bản ${documentLabel(doc)}: ${values.reason} (returned to the sender)`);
      } else if (sub === 'not-document') {
        const doc = (await callRegistry(config, {
          method: 'POST',
          path: `/api/documents/${id}/not-document`,
          direct: async (rt, p) => (await detail()).present(await (await workflow()).markNotDocument(rt, p, id)),
        })) as DocumentLike;
        printAction(values, doc, () => `Đã đánh dấu không phải văn bản: ${documentLabel(doc)} (marked not a document)`);
      } else throw new UsageError(`unknown action "${sub}"\nUsage: ${USAGE}`);
      return 0;
    });
  },
};
