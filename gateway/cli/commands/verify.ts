/**
 * `vanthu verify [--trust <pem-file-or-dir>]... [--crl <file>]... [--dns off|system|<zonefile>] [--extract-signed <dir>] <file>`
 *
 * `--extract-signed <dir>` writes the signed revision of every PDF signature that does not cover
 * its whole file (exactly the bytes that were signed) into <dir> as
 * `<pdf name>.signed-<n>.pdf` (n: the signature's number in the file, from 1), and names the
 * files on stderr; stdout stays the report.
 *
 * Prints one JSON object (docs/contracts.md) on stdout; exit 0 when the overall verdict is
 * `valid`, 1 for any other verdict, 2 when the file (or an option's file) cannot be read.
 * Trust anchors come from the configuration (`trust.anchors`), or `VANTHU_TRUST_ANCHORS`
 * (colon-separated) when set; `--trust` replaces both. `--crl` adds to `trust.crls`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Command } from '../main.ts';
import { loadConfig } from '../../config/load.ts';
import { configuredTrust } from '../../trust/configured.ts';
import { verifyFile, loadZoneFile, systemResolver, UnreadableFileError } from '../../trust/index.ts';
import type { DnsResolver, SignedRevision, TrustStore } from '../../trust/index.ts';

const USAGE =
  'usage: vanthu verify [--trust <pem-file-or-dir>]... [--crl <file>]... [--dns off|system|<zonefile>] [--extract-signed <dir>] <file.eml|file.pdf|file.xml>';

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
          'extract-signed': { type: 'string' },
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
      dns = await dnsOption(values.dns);
    } catch (err) {
      return fail(err instanceof Error ? err.message : String(err));
    }
    try {
      const revisions: SignedRevision[] = [];
      const report = await keepStdoutClean(() => verifyFile(file, { trust, dns, onSignedRevision: (r) => revisions.push(r) }));
      const dir = values['extract-signed'];
      if (dir) {
        try {
          await writeRevisions(dir, file, revisions);
        } catch (err) {
          return fail(`cannot write to ${dir}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      return report.verdict === 'valid' ? 0 : 1;
    } catch (err) {
      if (err instanceof UnreadableFileError) return fail(err.message);
      throw err;
    }
  },
};

async function writeRevisions(dir: string, file: string, revisions: SignedRevision[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  const used = new Set<string>();
  for (const r of revisions) {
    // An attachment's name comes from the sender: only its base name, without path tricks.
    const stem =
      basename(r.attachment ?? file)
        .replace(/\.pdf$/i, '')
        .replace(/[^\p{L}\p{N}._ -]/gu, '_') || 'document';
    let name = `${stem}.signed-${r.signature + 1}.pdf`;
    for (let k = 2; used.has(name); k++) name = `${stem}-${k}.signed-${r.signature + 1}.pdf`;
    used.add(name);
    const out = join(dir, name);
    await writeFile(out, r.bytes);
    process.stderr.write(
      `vanthu verify: wrote ${out} (the ${r.length} bytes signature ${r.signature + 1} of ${r.attachment ?? basename(file)} covers; changes after signing: ${r.changesAfterSigning})\n`,
    );
  }
  if (!revisions.length) process.stderr.write('vanthu verify: no signature leaves part of its file unsigned; nothing to extract\n');
}

/**
 * `--dns`: as the configuration's `trust.dns` (README "Configuration"): "off" (also the default:
 * docs/contracts.md — verify consults DNS only when asked), "system", or a zone file. "off" was
 * once read as a zone file named off (ENOENT).
 */
export async function dnsOption(value: string | undefined): Promise<DnsResolver | undefined> {
  if (value === undefined || value === 'off') return undefined;
  if (value === 'system') return systemResolver;
  return loadZoneFile(value);
}

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
