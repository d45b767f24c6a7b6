/**
 * `vanthu book list`: the incoming book's entries (a table on a terminal, JSON otherwise);
 * `vanthu book print`: the book of a year as PDF, CSV or XLSX (landscape A4, Decree 30's columns).
 */
import { writeFile } from 'node:fs/promises';
import { authorizeUnit } from '../../registry/access/policy.ts';
import { loadConfig, type Config } from '../../config/load.ts';
import { callRegistry, runCli } from '../registry-client.ts';
import { localDate } from '../../clock.ts';
import type { Command } from '../main.ts';
import { parse, printJson, shownOf, UsageError } from '../args.ts';
import { namesFrom, outputMode, printAction, viNumber } from '../output.ts';
import { type DocumentRow, printDocuments } from '../documents-table.ts';

const USAGE = [
  'vanthu book list --unit U [--year Y] [--limit N] [--json|--table]',
  '       vanthu book print --unit U --year Y [--kind incoming|outgoing] [--format pdf|csv|xlsx] --out FILE [--json]',
].join('\n');

async function list(config: Config, values: { unit?: string; year?: string; limit?: string; json?: boolean; table?: boolean }): Promise<number> {
  const year = values.year === undefined ? undefined : Number(values.year);
  if (year !== undefined && !(Number.isInteger(year) && year >= 1900 && year <= 9999)) throw new UsageError(`--year: a four-digit year\nUsage: ${USAGE}`);
  const limit = Math.max(1, Math.min(500, Number(values.limit) || 50));
  const params = new URLSearchParams({
    book: 'incoming',
    limit: String(limit),
    ...(values.unit ? { unit: values.unit } : {}),
    ...(year ? { year: String(year) } : {}),
  });
  return runCli('book', async () => {
    const found = (await callRegistry(config, {
      method: 'GET',
      path: `/api/documents?${params}`,
      direct: async (rt, p) => (await import('../../registry/books/search.ts')).searchDocuments(rt, p, { unit: values.unit, year, book: 'incoming', limit }),
    })) as { items: DocumentRow[]; total: number };
    const shown = shownOf(found.items.length, found.total, 'book entries (newest first; --limit up to 500)');
    if (outputMode(values, 'json') === 'json') {
      printJson(found);
      if (shown) process.stderr.write(`${shown}\n`); // stdout stays one JSON document
      return 0;
    }
    printDocuments(found.items, namesFrom(config), { empty: 'Sổ chưa có văn bản nào (the book is empty)' });
    if (shown) process.stdout.write(`${shown}\n`);
    return 0;
  });
}

export const command: Command = {
  summary: "a unit's incoming book: list it, or print a year (PDF, CSV or XLSX)",
  async run(args) {
    const { values, positionals } = parse(
      args,
      {
        unit: { type: 'string' },
        year: { type: 'string' },
        kind: { type: 'string', default: 'incoming' },
        format: { type: 'string', default: 'pdf' },
        out: { type: 'string' },
        limit: { type: 'string' },
        json: { type: 'boolean', default: false },
        table: { type: 'boolean', default: false },
      },
      USAGE,
    );
    if (positionals[0] === 'list') return list(loadConfig(), values);
    if (positionals[0] !== 'print') throw new UsageError(`expected "list" or "print"\nUsage: ${USAGE}`);
    const year = Number(values.year);
    if (!values.unit || !Number.isInteger(year) || year < 1900) throw new UsageError(`--unit and a four-digit --year are required\nUsage: ${USAGE}`);
    if (!['incoming', 'outgoing'].includes(values.kind!)) throw new UsageError(`--kind: incoming or outgoing\nUsage: ${USAGE}`);
    if (!['pdf', 'csv', 'xlsx'].includes(values.format!)) throw new UsageError(`--format: pdf, csv or xlsx\nUsage: ${USAGE}`);
    if (!values.out) throw new UsageError(`missing --out FILE\nUsage: ${USAGE}`);
    const config = loadConfig();
    const kind = values.kind as 'incoming' | 'outgoing';
    const format = values.format as 'pdf' | 'csv' | 'xlsx';
    // A year's book takes a while: each step on standard error while a person watches (stdout stays the result).
    const started = performance.now();
    const step = (vi: string, en: string) => {
      if (process.stderr.isTTY) process.stderr.write(`… ${vi} (${en}) [${((performance.now() - started) / 1000).toFixed(1)} s]\n`);
    };
    return runCli('book', async () => {
      step(`đang lấy sổ năm ${year}`, `reading the ${year} book`);
      const bytes = (await callRegistry(config, {
        method: 'GET',
        path: `/api/books/${encodeURIComponent(values.unit!)}/${year}?kind=${kind}&format=${format}`,
        raw: true,
        direct: async (rt, p) => {
          authorizeUnit(p, 'books.read', values.unit!); // the operator: always
          if (!config.units.some((u) => u.id === values.unit))
            throw new UsageError(`unknown unit "${values.unit}" (known: ${config.units.map((u) => u.id).join(', ')})`);
          const { bookCsv, bookTable, bookXlsx } = await import('../../registry/books/book-data.ts');
          const t = await bookTable(rt.db, values.unit!, year, kind, config.units, config.registry.units[values.unit!]?.departments ?? [], rt.tz);
          step(
            `đã đọc ${viNumber(t.rows.length)} văn bản, đang dựng ${format.toUpperCase()}`,
            `${t.rows.length} entries read, building the ${format.toUpperCase()}`,
          );
          if (format !== 'pdf') return format === 'csv' ? bookCsv(t) : bookXlsx(t);
          return (await import('../../registry/books/book-pdf.ts')).bookPdf(t, localDate(rt.clock.now(), rt.tz).split('-').reverse().join('/'));
        },
      })) as Buffer;
      step(`đang ghi ${viNumber(bytes.length)} byte vào ${values.out}`, 'writing the file');
      try {
        await writeFile(values.out!, bytes);
      } catch (err) {
        process.stderr.write(`vanthu book: cannot write ${values.out}: ${(err as Error).message}\n`);
        return 2;
      }
      const book = kind === 'incoming' ? 'sổ văn bản đến' : 'sổ văn bản đi';
      printAction(
        values,
        { unit: values.unit, year, kind, format, out: values.out, bytes: bytes.length },
        () =>
          `Đã ghi ${book} năm ${year} của ${namesFrom(config).unit(values.unit)} vào ${values.out} (${format.toUpperCase()}, ${viNumber(bytes.length)} byte) (the ${kind} book written)`,
      );
      return 0;
    });
  },
};
