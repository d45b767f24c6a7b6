/**
 * `vanthu outgoing files <id>`: the PDFs an issuance produced and their versions — a new one each
 * time the scheduled renewal added an archive time-stamp (docs/issuance.md, "The issued files");
 * with `--out DIR` it writes them there (the newest version, or `--version N`). Through the running
 * gateway's API (GET /api/outgoing/{id}/files[/{idx}]), else on storage directly.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { loadConfig } from '../../config/load.ts';
import type { IssuedFileView } from '../../outgoing/issued-files.ts';
import { parse, printJson, UsageError } from '../args.ts';
import type { Command } from '../main.ts';
import { localTime, outputMode, printAction, printTable } from '../output.ts';
import { callRegistry, CliFailure, runCli } from '../registry-client.ts';

const USAGE = 'vanthu outgoing files <outgoing-id> [--out DIR] [--file IDX] [--version N] [--json|--table]';

interface Listing {
  id: string;
  notation: string;
  unitId: string;
  files: IssuedFileView[];
}

const files = () => import('../../outgoing/issued-files.ts');

function positiveInt(v: string | undefined, name: string, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${name}: a whole number ≥ ${min} (số nguyên ≥ ${min})\nUsage: ${USAGE}`);
  return n;
}

/** "cong-van.pdf" as version 1 of 2 → "cong-van.v1.pdf"; the newest keeps its name. */
function nameOf(f: IssuedFileView, version: number): string {
  const name = basename(f.filename) || `file-${f.idx}.pdf`;
  if (version === f.versions.length) return name;
  const ext = extname(name);
  return `${name.slice(0, name.length - ext.length)}.v${version}${ext}`;
}

export const command: Command = {
  summary: 'the issued PDFs of an outgoing document and their renewed versions; --out writes them',
  async run(args) {
    const { values, positionals } = parse(
      args,
      {
        out: { type: 'string' },
        file: { type: 'string' },
        version: { type: 'string' },
        json: { type: 'boolean', default: false },
        table: { type: 'boolean', default: false },
      },
      USAGE,
    );
    const [sub, id] = positionals;
    if (sub !== 'files') throw new UsageError(`${sub ? `unknown sub-command "${sub}"` : 'missing sub-command'}\nUsage: ${USAGE}`);
    if (!id) throw new UsageError(`missing outgoing document id (mã văn bản đi)\nUsage: ${USAGE}`);
    const only = positiveInt(values.file, '--file', 0);
    const version = positiveInt(values.version, '--version', 1);
    if (version !== undefined && !values.out) throw new UsageError(`--version goes with --out (ghi phiên bản nào)\nUsage: ${USAGE}`);
    const config = loadConfig();
    return runCli('outgoing', async () => {
      const list = (await callRegistry(config, {
        method: 'GET',
        path: `/api/outgoing/${encodeURIComponent(id)}/files`,
        direct: async (rt, p) => ({ id, ...(await (await files()).issuedFilesFor(rt.db, p, id)) }),
      })) as Listing;
      const chosen = only === undefined ? list.files : list.files.filter((f) => f.idx === only);
      if (only !== undefined && !chosen.length) throw new CliFailure(404, `không có tệp ${only} (no issued file ${only})`);
      if (!values.out) {
        if (outputMode(values, 'json') === 'json') return (printJson({ ...list, files: chosen }), 0);
        printTable(
          [{ title: 'tệp (idx)' }, { title: 'tên (file)', flex: true }, { title: 'phiên bản (versions)' }, { title: 'gia hạn trước (renew before)' }],
          chosen.map((f) => [
            String(f.idx),
            f.filename,
            f.versions.map((v) => `${v.version}: ${localTime(v.at)}, ${v.size} B`).join('; '),
            f.renewBefore ? localTime(f.renewBefore) : '—',
          ]),
          `Văn bản ${list.notation} không có tệp ban hành lưu riêng (no issued files kept)`,
        );
        return 0;
      }
      mkdirSync(values.out, { recursive: true });
      const written: Array<{ idx: number; version: number; path: string; sha256: string; size: number }> = [];
      for (const f of chosen) {
        const n = version ?? f.versions.length;
        const v = f.versions[n - 1];
        if (!v) throw new CliFailure(404, `${f.filename}: có ${f.versions.length} phiên bản (has ${f.versions.length} versions)`);
        const bytes = (await callRegistry(config, {
          method: 'GET',
          path: `/api/outgoing/${encodeURIComponent(id)}/files/${f.idx}?version=${n}`,
          raw: true,
          direct: async (rt) => {
            if (!rt.blobs) throw new CliFailure(500, 'no blob store (kho tệp) in this runtime');
            return rt.blobs.read(v.sha256);
          },
        })) as Buffer;
        // What was written is what the list names, byte for byte.
        if (createHash('sha256').update(bytes).digest('hex') !== v.sha256) throw new CliFailure(500, `${f.filename} v${n}: sha256 does not match the list`);
        const path = join(values.out, nameOf(f, n));
        writeFileSync(path, bytes);
        written.push({ idx: f.idx, version: n, path, sha256: v.sha256, size: bytes.length });
      }
      printAction(values, { id, notation: list.notation, written }, () =>
        written.length
          ? written.map((w) => `Đã ghi ${w.path} (phiên bản ${w.version}, ${w.size} B) (written)`)
          : `Văn bản ${list.notation} không có tệp ban hành lưu riêng (no issued files kept)`,
      );
      return 0;
    });
  },
};
