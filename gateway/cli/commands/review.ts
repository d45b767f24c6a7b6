import { loadConfig } from '../../config.ts';
import { callRegistry, corrections, runCli } from '../../registry/cli-client.ts';
import { present } from '../../registry/detail.ts';
import { searchDocuments } from '../../registry/search.ts';
import { approve, markNotDocument, reject } from '../../registry/workflow.ts';
import type { Command } from '../main.ts';
import { parse, printJson, UsageError } from '../args.ts';

const USAGE = [
  'vanthu review [--unit U]                              the review queue (JSON)',
  '       vanthu review approve <document-id> [--set field=value]...   register, with corrections',
  '       vanthu review reject <document-id> --reason TEXT            return to the sender',
  '       vanthu review not-document <document-id>',
].join('\n');

export const command: Command = {
  summary: "the clerk's review queue: list, approve (with corrections), reject, not a document",
  async run(args) {
    const { values, positionals } = parse(args, { unit: { type: 'string' }, set: { type: 'string', multiple: true }, reason: { type: 'string' } }, USAGE);
    const config = loadConfig();
    const [sub, id] = positionals;
    return runCli('review', async () => {
      if (!sub || sub === 'list') {
        const q = values.unit ? `?unit=${encodeURIComponent(values.unit)}` : '';
        printJson(await callRegistry(config, { method: 'GET', path: `/api/review${q}`, direct: (rt, p) => searchDocuments(rt, p, { unit: values.unit, book: 'review' }) }));
        return 0;
      }
      if (!id) throw new UsageError(`missing document id\nUsage: ${USAGE}`);
      if (sub === 'approve') {
        const fix = corrections(values.set);
        printJson(await callRegistry(config, { method: 'POST', path: `/api/documents/${id}/approve`, body: { corrections: fix }, direct: async (rt, p) => present(await approve(rt, p, id, fix)) }));
      } else if (sub === 'reject') {
        if (!values.reason) throw new UsageError(`reject needs --reason\nUsage: ${USAGE}`);
        printJson(await callRegistry(config, { method: 'POST', path: `/api/documents/${id}/reject`, body: { reason: values.reason }, direct: async (rt, p) => present(await reject(rt, p, id, values.reason!)) }));
      } else if (sub === 'not-document') {
        printJson(await callRegistry(config, { method: 'POST', path: `/api/documents/${id}/not-document`, direct: async (rt, p) => present(await markNotDocument(rt, p, id)) }));
      } else throw new UsageError(`unknown action "${sub}"\nUsage: ${USAGE}`);
      return 0;
    });
  },
};
