/**
 * `vanthu signed-revision <document-id> [--n N] --out FILE`: saves what was signed — the revision
 * of a PDF changed after signing that its signature covers (GET /api/documents/:id/signed-revision)
 * — so a clerk can open exactly what the signer signed. Prints { document, out, bytes, sha256 }.
 */
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { loadConfig } from '../../config/load.ts';
import { callRegistry, runCli } from '../registry-client.ts';
import type { Command } from '../main.ts';
import { parse, printJson, UsageError } from '../args.ts';

const USAGE = 'vanthu signed-revision <document-id> [--n N] --out FILE';

export const command: Command = {
  summary: "save the signed revision of a document's PDF changed after signing (what the signer signed)",
  async run(args) {
    const { values, positionals } = parse(args, { n: { type: 'string', default: '0' }, out: { type: 'string' } }, USAGE);
    const id = positionals[0];
    const n = Number(values.n);
    if (!id) throw new UsageError(`missing document id\nUsage: ${USAGE}`);
    if (!Number.isInteger(n) || n < 0) throw new UsageError(`--n: a revision index (0, 1, …)\nUsage: ${USAGE}`);
    if (!values.out) throw new UsageError(`missing --out FILE\nUsage: ${USAGE}`);
    const config = loadConfig();
    return runCli('signed-revision', async () => {
      const bytes = (await callRegistry(config, {
        method: 'GET',
        path: `/api/documents/${encodeURIComponent(id)}/signed-revision?n=${n}`,
        raw: true,
        direct: async (rt, p) => (await (await import('../../registry/intake/integrity.ts')).signedRevision(rt, p, id, n)).bytes,
      })) as Buffer;
      try {
        await writeFile(values.out!, bytes);
      } catch (err) {
        process.stderr.write(`vanthu signed-revision: cannot write ${values.out}: ${(err as Error).message}\n`);
        return 2;
      }
      printJson({ document: id, n, out: values.out, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
      return 0;
    });
  },
};
