/**
 * npm run bench:verify — single-core throughput of signature verification, printed as ONE JSON
 * object on stdout. Fixtures come from tests/fixtures/trust (built on first use). Peers are the
 * command-line tools, one process per file (that is how they are used), so their numbers include
 * process start-up; vanthu's "cold" numbers re-parse certificates and re-check the chain every time.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { cpus } from 'node:os';
import { ensureFixtures } from '../tests/fixtures/trust/make-fixtures.ts';
import { loadTrustStore, verifyDocument, verifyMessage } from '../gateway/trust/index.ts';
import { verifySmime } from '../gateway/trust/smime.ts';
import { clearCertificateCache } from '../gateway/trust/certs.ts';
import { clearPathCache } from '../gateway/trust/chain.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);

function perSecond(run: () => void, seconds = SECONDS): number {
  for (let i = 0; i < 50; i++) run();
  const start = performance.now();
  let n = 0;
  while (performance.now() - start < seconds * 1000) {
    run();
    n++;
  }
  return round(n / ((performance.now() - start) / 1000));
}

async function perSecondAsync(run: () => Promise<unknown>, seconds = SECONDS): Promise<number> {
  for (let i = 0; i < 20; i++) await run();
  const start = performance.now();
  let n = 0;
  while (performance.now() - start < seconds * 1000) {
    await run();
    n++;
  }
  return round(n / ((performance.now() - start) / 1000));
}

/** A command-line peer, one process per verification; null when the tool fails or is missing. */
function peerPerSecond(cmd: string, args: string[], runs = 40): number | null {
  const first = spawnSync(cmd, args, { stdio: 'ignore' });
  if (first.error || first.status !== 0) return null;
  const start = performance.now();
  for (let i = 0; i < runs; i++) spawnSync(cmd, args, { stdio: 'ignore' });
  return round(runs / ((performance.now() - start) / 1000));
}

/** The raw RSA-2048 verify rate of OpenSSL on this core: the floor under any of the above. */
function opensslRsaVerifyPerSecond(): number | null {
  const out = spawnSync('openssl', ['speed', '-seconds', '1', '-elapsed', 'rsa2048'], { encoding: 'utf8' });
  const m = /^rsa\s+2048 bits\s+\S+\s+\S+\s+(\S+)\s+(\S+)/m.exec(out.stdout ?? '');
  return m ? round(Number(m[2])) : null;
}

const round = (x: number) => Math.round(x * 10) / 10;
const ratio = (ours: number, peer: number | null) => (peer ? round(ours / peer) : null);
const cold = (run: () => void) => () => {
  clearCertificateCache();
  clearPathCache();
  run();
};

const log = (m: string) => process.stderr.write(`bench:verify: ${m}\n`);
log('preparing fixtures');
const fx = await ensureFixtures();
const trust = await loadTrustStore({ anchors: [fx.pki.root], crls: [fx.pki.crl] });
const ctx = { store: trust, now: new Date() };
const pdf = readFileSync(fx.pdf.valid);
const eml = readFileSync(fx.smime.detached);
const xml = readFileSync(fx.xml.valid);

const checks = [verifyDocument(pdf, 'pdf', { trust }).verdict, verifySmime(eml, ctx).signatures[0]?.verdict, verifyDocument(xml, 'xml', { trust }).verdict];
if (checks.some((v) => v !== 'valid')) throw new Error(`fixtures do not verify as valid: ${checks.join(', ')}`);

log('PDF');
const pdfWarm = perSecond(() => verifyDocument(pdf, 'pdf', { trust }));
const pdfCold = perSecond(cold(() => verifyDocument(pdf, 'pdf', { trust })));
const pdfsig = peerPerSecond('pdfsig', ['-nocert', fx.pdf.valid]);
log('S/MIME');
const smimeWarm = perSecond(() => verifySmime(eml, ctx));
const smimeCold = perSecond(cold(() => verifySmime(eml, ctx)));
const messages = await perSecondAsync(() => verifyMessage(eml, { trust }));
const opensslCms = peerPerSecond('openssl', ['cms', '-verify', '-in', fx.smime.detached, '-CAfile', fx.pki.root, '-out', '/dev/null']);
log('edXML');
const xmlWarm = perSecond(() => verifyDocument(xml, 'xml', { trust }));
log('openssl speed rsa2048');
const rsaVerify = opensslRsaVerifyPerSecond();

process.stdout.write(
  `${JSON.stringify({
    benchmark: 'verify',
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    singleCore: true,
    opensslRsa2048VerifyPerSecond: rsaVerify,
    secondsPerMeasurement: SECONDS,
    pdf: {
      file: `valid.pdf, ${statSync(fx.pdf.valid).size} bytes, RSA-2048 PKCS#1 v1.5 / SHA-256, chain of 3 + CRL`,
      verificationsPerSecond: pdfWarm,
      coldVerificationsPerSecond: pdfCold,
      target: 500,
      meetsTarget: pdfWarm >= 500 && pdfCold >= 500,
      peer: { tool: 'pdfsig -nocert (poppler, one process per file, integrity only)', verificationsPerSecond: pdfsig },
      ratioToPeer: ratio(pdfWarm, pdfsig),
    },
    smime: {
      file: `detached multipart/signed, ${eml.length} bytes, RSA-2048 / SHA-256`,
      verificationsPerSecond: smimeWarm,
      coldVerificationsPerSecond: smimeCold,
      wholeMessagesPerSecond: messages,
      peer: { tool: 'openssl cms -verify -CAfile (one process per message)', verificationsPerSecond: opensslCms },
      ratioToPeer: ratio(smimeWarm, opensslCms),
    },
    xml: { file: 'edXML envelope, enveloped XMLDSig RSA-SHA256', verificationsPerSecond: xmlWarm },
  })}\n`,
);
