import { writeFile } from 'node:fs/promises';
import { authorizeUnit } from '../../registry/access/policy.ts';
import { loadConfig } from '../../config/load.ts';
import { bookCsv, bookTable, bookXlsx } from '../../registry/books/book-data.ts';
import { bookPdf } from '../../registry/books/book-pdf.ts';
import { callRegistry, runCli } from '../registry-client.ts';
import { localDate } from '../../clock.ts';
import type { Command } from '../main.ts';
import { parse, printJson, UsageError } from '../args.ts';

const USAGE = 'vanthu book print --unit U --year Y [--kind incoming|outgoing] [--format pdf|csv|xlsx] --out FILE';

export const command: Command = {
  summary: "print a unit's incoming or outgoing book for a year (PDF, CSV or XLSX)",
  async run(args) {
    const { values, positionals } = parse(
      args,
      {
        unit: { type: 'string' },
        year: { type: 'string' },
        kind: { type: 'string', default: 'incoming' },
        format: { type: 'string', default: 'pdf' },
        out: { type: 'string' },
      },
      USAGE,
    );
    if (positionals[0] !== 'print') throw new UsageError(`Usage: ${USAGE}`);
    const year = Number(values.year);
    if (!values.unit || !Number.isInteger(year) || year < 1900) throw new UsageError(`--unit and a four-digit --year are required\nUsage: ${USAGE}`);
    if (!['incoming', 'outgoing'].includes(values.kind!)) throw new UsageError(`--kind: incoming or outgoing\nUsage: ${USAGE}`);
    if (!['pdf', 'csv', 'xlsx'].includes(values.format!)) throw new UsageError(`--format: pdf, csv or xlsx\nUsage: ${USAGE}`);
    if (!values.out) throw new UsageError(`missing --out FILE\nUsage: ${USAGE}`);
    const config = loadConfig();
    const kind = values.kind as 'incoming' | 'outgoing';
    const format = values.format as 'pdf' | 'csv' | 'xlsx';
    return runCli('book', async () => {
      const bytes = (await callRegistry(config, {
        method: 'GET',
        path: `/api/books/${encodeURIComponent(values.unit!)}/${year}?kind=${kind}&format=${format}`,
        raw: true,
        direct: async (rt, p) => {
          authorizeUnit(p, 'books.read', values.unit!); // the operator: always
          if (!config.units.some((u) => u.id === values.unit))
            throw new UsageError(`unknown unit "${values.unit}" (known: ${config.units.map((u) => u.id).join(', ')})`);
          const t = await bookTable(rt.db, values.unit!, year, kind, config.units, config.registry.units[values.unit!]?.departments ?? [], rt.tz);
          return format === 'csv' ? bookCsv(t) : format === 'xlsx' ? bookXlsx(t) : bookPdf(t, localDate(rt.clock.now(), rt.tz).split('-').reverse().join('/'));
        },
      })) as Buffer;
      try {
        await writeFile(values.out!, bytes);
      } catch (err) {
        process.stderr.write(`vanthu book: cannot write ${values.out}: ${(err as Error).message}\n`);
        return 2;
      }
      printJson({ unit: values.unit, year, kind, format, out: values.out, bytes: bytes.length });
      return 0;
    });
  },
};
