import { loadConfig } from '../../config/load.ts';
import { callRegistry, runCli } from '../registry-client.ts';
import type { Command } from '../main.ts';
import { parse, UsageError } from '../args.ts';
import { type DocumentLike, documentLabel, namesFrom, printAction } from '../output.ts';

const USAGE = 'vanthu assign <document-id> [--department D] [--officer EMAIL] [--json]';

export const command: Command = {
  summary: 'assign or re-assign a registered document to a department and/or officer',
  async run(args) {
    const { values, positionals } = parse(
      args,
      { department: { type: 'string' }, officer: { type: 'string' }, json: { type: 'boolean', default: false } },
      USAGE,
    );
    const id = positionals[0];
    if (!id) throw new UsageError(`missing document id\nUsage: ${USAGE}`);
    if (!values.department && !values.officer) throw new UsageError(`give --department and/or --officer\nUsage: ${USAGE}`);
    const config = loadConfig();
    const body = { department: values.department, officer: values.officer };
    return runCli('assign', async () => {
      const doc = (await callRegistry(config, {
        method: 'POST',
        path: `/api/documents/${id}/assign`,
        body,
        direct: async (rt, p) =>
          (await import('../../registry/books/detail.ts')).present(await (await import('../../registry/workflow/workflow.ts')).assign(rt, p, id, body)),
      })) as DocumentLike;
      printAction(values, doc, () => {
        const names = namesFrom(config);
        const to = [doc.department ? names.department(doc.unitId, doc.department) : null, values.officer ? `người xử lý ${values.officer}` : null]
          .filter(Boolean)
          .join(', ');
        return `Đã giao văn bản ${documentLabel(doc)} cho ${to} (assigned${values.officer ? ` to ${values.officer}` : ''})`;
      });
      return 0;
    });
  },
};
