/**
 * verify — gateway/trust: verifyMessage (mail authentication against the fixtures' zone file, S/MIME,
 * PDF and edXML attachments), and the layer verifiers it guards — verifyPdf, verifyXml, verifySmime —
 * called directly, so that an exception the public entry point would turn into "indeterminate:
 * verification failed" is still seen.
 * Failure: ANY throw or rejection (a verifier answers with a verdict), a report outside the contract
 * (unknown verdict, a non-valid signature without a reason, an overall verdict that is not the worst
 * document signature), or a PDF signature reported valid over bytes that no seed PDF signed (forgery).
 */
import { createHash } from 'node:crypto';
import type { SignatureReport, VerifyReport } from '../../gateway/trust/report.ts';
import { choose, makeBytes } from '../plan.ts';
import { invariant } from '../failure.ts';
import type { Format } from '../mutate/ops.ts';
import type { Corpus, SeedKind } from '../seeds.ts';
import type { Target } from './types.ts';

const NOW = new Date('2026-11-23T02:00:00Z');

const POOLS: Array<{ mode: string; kind: SeedKind; format: Format; weight: number }> = [
  { mode: 'message', kind: 'eml', format: 'mime', weight: 4 },
  { mode: 'smime', kind: 'eml', format: 'mime', weight: 2 },
  { mode: 'pdf', kind: 'pdf', format: 'pdf', weight: 3 },
  { mode: 'xml', kind: 'xml', format: 'xml', weight: 2 },
];

/** Signed messages first: the corpus mail has few signatures, the trust fixtures all have one. */
function pool(corpus: Corpus, kind: SeedKind): Buffer[] {
  const seeds = corpus[kind];
  const signed = seeds.filter((s) => /vanthu-trust-fixtures/.test(s.origin));
  return [...signed, ...signed, ...seeds].map((s) => s.bytes);
}

export const verify: Target = {
  name: 'verify',
  summary:
    'verifyMessage / verifyPdf / verifyXml / verifySmime (gateway/trust); any throw fails, so does a report outside the contract or a forged valid PDF signature',
  generate(corpus, seed, index) {
    const fixtures = POOLS.flatMap((p) => corpus[p.kind].filter((s) => /vanthu-trust-fixtures/.test(s.origin)).map((s) => ({ mode: p.mode, bytes: s.bytes })));
    if (index < fixtures.length) return fixtures[index];
    const p = choose(POOLS, seed >>> 8);
    const seeds = pool(corpus, p.kind);
    return { mode: p.mode, bytes: makeBytes(p.format, seed, seeds, seeds) };
  },
  async start(corpus) {
    const { verifyMessage, loadTrustStore, loadZoneFile } = await import('../../gateway/trust/index.ts');
    const { verifyPdf } = await import('../../gateway/trust/pdf.ts');
    const { verifyXml } = await import('../../gateway/trust/xml.ts');
    const { verifySmime } = await import('../../gateway/trust/smime.ts');
    const trust = await loadTrustStore({ anchors: [corpus.fixtures.pki.root], crls: [corpus.fixtures.pki.crl] });
    const dns = await loadZoneFile(corpus.fixtures.zone);
    const ctx = { store: trust, now: NOW };
    const signedContent = new Set(corpus.pdf.flatMap((s) => signedRanges(s.bytes)));
    return {
      async run(input) {
        switch (input.mode) {
          case 'message':
            return checkReport(await verifyMessage(input.bytes, { trust, dns, now: NOW }));
          case 'smime':
            return checkSignatures(verifySmime(input.bytes, ctx).signatures);
          case 'xml':
            return checkSignatures(verifyXml(input.bytes, ctx, 'fuzz.xml'));
          default: {
            const sigs = verifyPdf(input.bytes, ctx, 'fuzz.pdf');
            checkSignatures(sigs);
            const valid = sigs.filter((s) => s.verdict === 'valid').length;
            const known = signedRanges(input.bytes).filter((h) => signedContent.has(h)).length;
            invariant(
              valid <= known,
              `${valid} PDF signature(s) valid but only ${known} /ByteRange(s) cover bytes a seed PDF signed: forged or changed signed content accepted`,
            );
          }
        }
      },
      async close() {},
    };
  },
};

/** sha256 of the signed bytes ([0,b) + [c,c+d)) of each well-formed /ByteRange in a PDF. */
function signedRanges(pdf: Buffer): string[] {
  const out: string[] = [];
  for (const m of pdf.toString('latin1').matchAll(/\/ByteRange\s*\[\s*(\d{1,15})\s+(\d{1,15})\s+(\d{1,15})\s+(\d{1,15})\s*\]/g)) {
    const [a, b, c, d] = m.slice(1).map(Number);
    if (a !== 0 || c + d > pdf.length || b > c) continue;
    out.push(
      createHash('sha256')
        .update(pdf.subarray(0, b))
        .update(pdf.subarray(c, c + d))
        .digest('hex'),
    );
  }
  return out;
}

const VERDICTS = new Set(['valid', 'invalid', 'untrusted', 'expired', 'revoked', 'indeterminate']);
const LAYERS = new Set(['dkim', 'spf', 'dmarc', 'arc', 'smime', 'pdf', 'xml']);
const SEVERITY = ['invalid', 'revoked', 'expired', 'untrusted', 'indeterminate', 'valid'];

function checkSignatures(sigs: SignatureReport[]): void {
  invariant(Array.isArray(sigs), 'no signature list');
  for (const s of sigs) {
    invariant(LAYERS.has(s.layer), `layer ${s.layer}`);
    invariant(VERDICTS.has(s.verdict), `verdict ${s.verdict}`);
    invariant(Array.isArray(s.reasons) && s.reasons.every((r) => typeof r === 'string'), 'reasons are not strings');
    invariant(s.verdict === 'valid' || s.reasons.length > 0, `${s.layer} ${s.verdict} without a reason`);
    invariant(s.signedAt === null || s.signedAt === undefined || !Number.isNaN(Date.parse(s.signedAt)), `signedAt ${s.signedAt}`);
  }
  JSON.stringify(sigs);
}

function checkReport(r: VerifyReport): void {
  checkSignatures(r.signatures);
  const docs = r.signatures.filter((s) => s.layer === 'smime' || s.layer === 'pdf' || s.layer === 'xml').map((s) => s.verdict);
  const expected = docs.length === 0 ? 'unsigned' : SEVERITY[Math.min(...docs.map((v) => SEVERITY.indexOf(v)))];
  invariant(r.verdict === expected, `overall ${r.verdict}, worst document signature ${expected}`);
}
