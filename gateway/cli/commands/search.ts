/**
 * `vanthu search <text>`: documents whose notation, issuer, summary or text contain every word,
 * diacritics optional ("ngan sach" finds "ngân sách"), in the caller's scope — through the running
 * gateway's GET /api/documents?q= (permission documents.read), else the same search on storage
 * opened directly (gateway/registry/books/search.ts; docs/operations-recovery.md on `%` and `_`).
 * A table on a terminal, JSON ({ items, total }, as the API) otherwise or with --json.
 */
import { loadConfig } from '../../config/load.ts';
import type { Command } from '../main.ts';
import { parse, printJson, shownOf, UsageError } from '../args.ts';
import { namesFrom, outputMode } from '../output.ts';
import { callRegistry, runCli } from '../registry-client.ts';
import { type DocumentRow, printDocuments } from '../documents-table.ts';

const USAGE = 'vanthu search <text>... [--unit U] [--year Y] [--status S] [--limit N] [--json|--table]';

export const command: Command = {
  summary: 'search documents by text, diacritics optional',
  async run(args) {
    const { values, positionals } = parse(
      args,
      {
        unit: { type: 'string' },
        year: { type: 'string' },
        status: { type: 'string' },
        limit: { type: 'string', default: '50' },
        json: { type: 'boolean', default: false },
        table: { type: 'boolean', default: false },
      },
      USAGE,
    );
    const q = positionals.join(' ').trim();
    if (!q) throw new UsageError(`what to search for is missing (thiếu nội dung cần tìm)\nUsage: ${USAGE}`);
    const year = values.year === undefined ? undefined : Number(values.year);
    if (year !== undefined && !(Number.isInteger(year) && year >= 1900 && year <= 9999)) throw new UsageError(`--year: a four-digit year\nUsage: ${USAGE}`);
    const limit = Math.max(1, Math.min(500, Number(values.limit) || 50));
    const status = values.status
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const params = new URLSearchParams({
      q,
      limit: String(limit),
      ...(values.unit ? { unit: values.unit } : {}),
      ...(year ? { year: String(year) } : {}),
      ...(status?.length ? { status: status.join(',') } : {}),
    });
    const config = loadConfig();
    return runCli('search', async () => {
      const found = (await callRegistry(config, {
        method: 'GET',
        path: `/api/documents?${params}`,
        direct: async (rt, p) => (await import('../../registry/books/search.ts')).searchDocuments(rt, p, { q, unit: values.unit, year, status, limit }),
      })) as { items: DocumentRow[]; total: number };
      const shown = shownOf(found.items.length, found.total, 'documents (--limit up to 500)');
      if (outputMode(values, 'json') === 'json') {
        printJson(found);
        if (shown) process.stderr.write(`${shown}\n`); // stdout stays one JSON document
        return 0;
      }
      printDocuments(found.items, namesFrom(config), { empty: `Không tìm thấy văn bản nào cho "${q}" (nothing found)` });
      if (shown) process.stdout.write(`${shown}\n`);
      return 0;
    });
  },
};
