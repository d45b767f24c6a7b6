/**
 * `vanthu verify`: exactly one JSON object on stdout in the contract's shape, exit codes 0/1/2.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureFixtures, type Fixtures } from './fixtures/trust/make-fixtures.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function vanthu(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    const childEnv = { ...process.env, VANTHU_TRUST_ANCHORS: '', VANTHU_CONFIG: '', ...env };
    execFile(process.execPath, [join(ROOT, 'bin/vanthu.mjs'), 'verify', ...args], { cwd: ROOT, env: childEnv }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const SIGNATURE_KEYS = [
  'attachment',
  'changes',
  'changesAfterSigning',
  'layer',
  'longTermValidation',
  'modifiedAfterSigning',
  'reasons',
  'signedAt',
  'signedRevision',
  'signer',
  'verdict',
];

function report(run: Run): { verdict: string; signatures: Array<Record<string, unknown>> } {
  const parsed = JSON.parse(run.stdout);
  expect(Object.keys(parsed).sort()).toEqual(['signatures', 'verdict']);
  for (const s of parsed.signatures) {
    expect(Object.keys(s).sort()).toEqual(SIGNATURE_KEYS);
    if (s.signer !== null) expect(Object.keys(s.signer).sort()).toEqual(['commonName', 'email', 'organization']);
  }
  return parsed;
}

let fx: Fixtures;
beforeAll(async () => {
  fx = await ensureFixtures();
});

describe('vanthu verify', () => {
  it('exits 0 for a valid PDF and prints the contract shape', async () => {
    const run = await vanthu(['--trust', fx.pki.root, '--crl', fx.pki.crl, fx.pdf.valid]);
    expect(run.code).toBe(0);
    const r = report(run);
    expect(r.verdict).toBe('valid');
    expect(r.signatures[0]).toMatchObject({ layer: 'pdf', verdict: 'valid', attachment: null, modifiedAfterSigning: false });
  });

  it('exits 1 for any other verdict: invalid, revoked, unsigned', async () => {
    const [invalid, revoked, unsigned] = await Promise.all([
      vanthu(['--trust', fx.pki.root, fx.pdf['changed-byte']]),
      vanthu(['--trust', fx.pki.root, '--crl', fx.pki.crl, fx.smime.revoked]),
      vanthu(['--trust', fx.pki.root, fx.xml.unsigned]),
    ]);
    expect([invalid.code, report(invalid).verdict]).toEqual([1, 'invalid']);
    expect([revoked.code, report(revoked).verdict]).toEqual([1, 'revoked']);
    expect([unsigned.code, report(unsigned)]).toEqual([1, { verdict: 'unsigned', signatures: [] }]);
  });

  it('exits 1 for a PDF changed after signing in a forbidden way, and extracts what was signed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vanthu-cli-'));
    const [forged, later] = await Promise.all([
      vanthu(['--trust', fx.pki.root, '--crl', fx.pki.crl, '--extract-signed', dir, fx.pdf['page-replaced']]),
      vanthu(['--trust', fx.pki.root, '--crl', fx.pki.crl, fx.pdf['twice-signed']]),
    ]);
    expect(forged.code).toBe(1);
    const r = report(forged);
    expect(r.verdict).toBe('invalid');
    expect(r.signatures[0]).toMatchObject({
      verdict: 'invalid',
      modifiedAfterSigning: true,
      changesAfterSigning: 'forbidden',
      changes: [{ permitted: false, vi: 'trang 2 bị thay thế', en: 'page 2 was replaced' }],
    });
    expect(readdirSync(dir)).toEqual(['page-replaced.signed-1.pdf']);
    const extracted = readFileSync(join(dir, 'page-replaced.signed-1.pdf'));
    expect(extracted.length).toBe((r.signatures[0].signedRevision as { length: number }).length);
    expect(readFileSync(fx.pdf['page-replaced']).subarray(0, extracted.length).equals(extracted)).toBe(true);
    expect(forged.stderr).toContain('page-replaced.signed-1.pdf');
    // A later signature is a permitted change: still valid, exit 0.
    expect([later.code, report(later).signatures.map((s) => s.changesAfterSigning)]).toEqual([0, ['permitted', 'none']]);
  });

  it('exits 2 with a message naming an unreadable file, and nothing on stdout', async () => {
    const missing = join(mkdtempSync(join(tmpdir(), 'vanthu-cli-')), 'không-có.eml');
    const run = await vanthu(['--trust', fx.pki.root, missing]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(missing);
  });

  it('reads anchors from the configuration, VANTHU_TRUST_ANCHORS or a folder, and --trust replaces them', async () => {
    const config = join(mkdtempSync(join(tmpdir(), 'vanthu-cli-')), 'vanthu.yaml');
    writeFileSync(config, `trust:\n  anchors: [${JSON.stringify(fx.pki.root)}]\n  crls: [${JSON.stringify(fx.pki.crl)}]\n`);
    const [fromConfig, missingAnchor, env, folder, replaced, none] = await Promise.all([
      vanthu([fx.pdf.revoked], { VANTHU_CONFIG: config }),
      vanthu([fx.xml.valid], { VANTHU_TRUST_ANCHORS: `${fx.pki.root}:/nonexistent/anchor.pem` }),
      vanthu([fx.xml.valid], { VANTHU_TRUST_ANCHORS: fx.pki.root }),
      vanthu(['--trust', dirname(fx.pki.root), fx.smime.opaque]),
      vanthu(['--trust', fx.pki.untrustedRoot, fx.xml.valid], { VANTHU_TRUST_ANCHORS: fx.pki.root }),
      vanthu([fx.xml.valid]),
    ]);
    expect(report(fromConfig).verdict).toBe('revoked'); // anchor and CRL both from the config file
    // a configured anchor that cannot be read is an error, not a silently smaller trust store
    expect(missingAnchor.code).toBe(2);
    expect(missingAnchor.stderr).toContain('/nonexistent/anchor.pem');
    expect(report(env).verdict).toBe('valid');
    expect(report(folder).verdict).toBe('valid');
    expect(report(replaced).verdict).toBe('untrusted');
    expect([none.code, report(none).verdict]).toEqual([1, 'untrusted']);
  });

  it('consults DNS only with --dns, from a zone file', async () => {
    const runs = await Promise.all([vanthu(['--trust', fx.pki.root, '--dns', fx.zone, fx.mail.full]), vanthu(['--trust', fx.pki.root, fx.mail.full])]);
    const [withDns, without] = runs.map(report);
    expect(withDns.verdict).toBe('valid');
    expect(withDns.signatures.map((s) => [s.layer, s.verdict]).slice(0, 3)).toEqual([
      ['dkim', 'valid'],
      ['spf', 'valid'],
      ['dmarc', 'valid'],
    ]);
    expect(without.signatures[0]).toMatchObject({ layer: 'dkim', verdict: 'indeterminate' });
  });

  it('rejects bad usage and a malformed zone file with exit 2', async () => {
    const zone = join(mkdtempSync(join(tmpdir(), 'vanthu-cli-')), 'zone.txt');
    writeFileSync(zone, 'this is not a record\n');
    const [noFile, bogus, run] = await Promise.all([vanthu([]), vanthu(['--bogus', fx.pdf.valid]), vanthu(['--dns', zone, fx.mail['dkim-pass']])]);
    expect([noFile.code, bogus.code, run.code]).toEqual([2, 2, 2]);
    expect(run.stderr).toContain(zone);
  });
});
