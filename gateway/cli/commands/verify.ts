/**
 * `vanthu verify [--trust <pem-file-or-dir>]... [--crl <file>]... [--dns <zonefile>] <file>`
 *
 * Prints one JSON object (contracts/README.md) on stdout; exit 0 when the overall verdict is
 * `valid`, 1 for any other verdict, 2 when the file (or an option's file) cannot be read.
 * Trust anchors come from the configuration (`trust.anchors`), or `VANTHU_TRUST_ANCHORS`
 * (colon-separated) when set; `--trust` replaces both. `--crl` adds to `trust.crls`.
 */
import { parseArgs } from 'node:util';
import type { Command } from '../main.ts';
import { loadConfig } from '../../config.ts';
import { configuredTrust } from '../../trust/configured.ts';
import { verifyFile, loadZoneFile, UnreadableFileError } from '../../trust/index.ts';
import type { DnsResolver, TrustStore } from '../../trust/index.ts';

const USAGE = 'usage: vanthu verify [--trust <pem-file-or-dir>]... [--crl <file>]... [--dns <zonefile>] <file.eml|file.pdf|file.xml>';

export const command: Command = {
  summary: 'check every signature of a message, PDF or edXML file (DKIM/SPF/DMARC/ARC, S/MIME, PDF, XML)',
  async run(args: string[]): Promise<number> {
    let parsed;
    try {
      parsed = parseArgs({
        args,
        allowPositionals: true,
        options: {
          trust: { type: 'string', multiple: true },
          crl: { type: 'string', multiple: true },
          dns: { type: 'string' },
          help: { type: 'boolean', short: 'h' },
        },
      });
    } catch (err) {
      return fail(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
    }
    const { values, positionals } = parsed;
    if (values.help) {
      process.stderr.write(`${USAGE}\n`);
      return 0;
    }
    if (positionals.length !== 1) return fail(USAGE);
    const [file] = positionals;

    let trust: TrustStore;
    let dns: DnsResolver | undefined;
    try {
      trust = await configuredTrust(loadConfig(), values.trust, values.crl ?? []);
      dns = values.dns ? await loadZoneFile(values.dns) : undefined;
    } catch (err) {
      return fail(err instanceof Error ? err.message : String(err));
    }
    try {
      const report = await keepStdoutClean(() => verifyFile(file, { trust, dns }));
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      return report.verdict === 'valid' ? 0 : 1;
    } catch (err) {
      if (err instanceof UnreadableFileError) return fail(err.message);
      throw err;
    }
  },
};

function fail(message: string): number {
  process.stderr.write(`vanthu verify: ${message}\n`);
  return 2;
}

/** Libraries that log with console.log (mailauth does, on DKIM l= mismatches) must not corrupt the JSON. */
async function keepStdoutClean<T>(run: () => Promise<T>): Promise<T> {
  const log = console.log;
  console.log = (...items: unknown[]) => console.error(...items);
  try {
    return await run();
  } finally {
    console.log = log;
  }
}
