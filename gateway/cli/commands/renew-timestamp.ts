/**
 * `vanthu renew-timestamp <file.pdf> [--unit U] [--out FILE]`: renews the archive time-stamp of an
 * issued PDF (PAdES B-LTA, docs/issuance.md "Renewing the archive time-stamp"): the validation data
 * of its last time-stamp goes into the DSS, then a new document time-stamp covers everything, both
 * as incremental updates. The TSA and the revocation sources are the unit's
 * (`outgoing.units.<U>.issue.tsa` and `.ltv`), the same issuance used. Without --out the file is
 * replaced (the update only appends; the new file is written beside it and renamed over it).
 * Prints one JSON object: { file, out, unit, tsa, field, previous, renewBefore, validation, before, after }.
 * Exit 0; 1 when the renewal fails (TSA unreachable, no signature, …); 2 for usage or an unreadable file.
 */
import { createHash } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { loadConfig } from '../../config/load.ts';
import { httpCrlFetcher } from '../../outgoing/issue/crl-dp.ts';
import { renewArchiveTimestamp } from '../../outgoing/issue/renew.ts';
import { parse, printJson, UsageError } from '../args.ts';
import type { Command } from '../main.ts';

const USAGE = 'vanthu renew-timestamp <file.pdf> [--unit U] [--out FILE]';

export const command: Command = {
  summary: 'renew the archive time-stamp of an issued PDF (PAdES B-LTA): validation data for the last time-stamp, then a new one',
  async run(args) {
    const { values, positionals } = parse(args, { unit: { type: 'string' }, out: { type: 'string' } }, USAGE);
    const file = positionals[0];
    if (!file || positionals.length > 1) throw new UsageError(`one PDF file expected\nUsage: ${USAGE}`);
    const units = loadConfig().outgoing.units;
    const withTsa = Object.keys(units).filter((id) => units[id]?.issue?.tsa);
    const unit = values.unit ?? (withTsa.length === 1 ? withTsa[0] : undefined);
    if (!unit) {
      throw new UsageError(
        `--unit: ${withTsa.length ? `one of ${withTsa.join(', ')}` : 'no unit has outgoing.units.<id>.issue.tsa configured'}\nUsage: ${USAGE}`,
      );
    }
    const issue = units[unit]?.issue;
    if (!issue?.tsa) throw new UsageError(`unit ${unit} has no outgoing.units.${unit}.issue.tsa (a TSA is needed)`);
    let pdf: Buffer;
    try {
      pdf = await readFile(file);
    } catch (err) {
      process.stderr.write(`vanthu renew-timestamp: cannot read ${file}: ${(err as Error).message}\n`);
      return 2;
    }
    const ltv = issue.ltv;
    const sources = {
      crls: ltv?.crls ?? [],
      certificates: ltv?.certificates ?? [],
      ocsp: ltv?.ocsp ?? null,
      fetchCrl: (ltv?.crlDistributionPoints ?? true) ? httpCrlFetcher() : null,
    };
    let result;
    try {
      result = await renewArchiveTimestamp(pdf, { tsa: issue.tsa, sources });
    } catch (err) {
      process.stderr.write(`vanthu renew-timestamp: ${(err as Error).message}\n`);
      return 1;
    }
    const out = values.out ?? file;
    try {
      const tmp = `${out}.renew-${process.pid}.tmp`;
      await writeFile(tmp, result.pdf);
      await rename(tmp, out);
    } catch (err) {
      process.stderr.write(`vanthu renew-timestamp: cannot write ${out}: ${(err as Error).message}\n`);
      return 2;
    }
    printJson({
      file,
      out,
      unit,
      tsa: issue.tsa,
      field: result.field,
      previous: result.previous,
      renewBefore: result.renewBefore,
      validation: result.validation,
      before: result.before,
      after: { length: result.pdf.length, sha256: createHash('sha256').update(result.pdf).digest('hex') },
    });
    return 0;
  },
};
