/**
 * cms — the DER/CMS layer of gateway/trust on its own: parseSignedData + checkSigners + assessSigner
 * (signatures out of PDFs and S/MIME), checkTimestamp (RFC 3161 tokens), certificate + the chain
 * check, parseCrl + crlSignedBy, parseDer + encode. Inputs are DER blobs, mutated with DER-aware
 * operations (lengths, tags, nesting) as well as the generic ones.
 * Failure: a throw that is not one of the trust modules' exported error classes (CmsError, DerError,
 * CertificateError, CrlError… — the documented "malformed" answers), or a report outside the contract.
 */
import { choose, makeBytes } from '../plan.ts';
import { expected, exportedErrorClasses, invariant } from '../failure.ts';
import type { SeedKind } from '../seeds.ts';
import type { Target } from './types.ts';

const NOW = new Date('2026-11-23T02:00:00Z');
const POOLS: Array<{ mode: string; kind: SeedKind; weight: number }> = [
  { mode: 'signed-data', kind: 'cms', weight: 5 },
  { mode: 'timestamp', kind: 'cms', weight: 1 },
  { mode: 'cert', kind: 'cert', weight: 2 },
  { mode: 'crl', kind: 'crl', weight: 1 },
  { mode: 'der', kind: 'cms', weight: 1 },
];
const VERDICTS = new Set(['valid', 'invalid', 'untrusted', 'expired', 'revoked', 'indeterminate']);

export const cms: Target = {
  name: 'cms',
  summary: 'parseSignedData/checkSigners/assessSigner, checkTimestamp, certificate/assessCertificate, parseCrl, parseDer (gateway/trust); untyped throws fail',
  generate(corpus, seed, index) {
    const originals = POOLS.flatMap((p) => corpus[p.kind].map((s) => ({ mode: p.mode, bytes: s.bytes })));
    if (index < originals.length) return originals[index];
    const p = choose(POOLS, seed >>> 8);
    const seeds = corpus[p.kind].map((s) => s.bytes);
    const others = [...corpus.cms, ...corpus.cert].map((s) => s.bytes);
    return { mode: p.mode, bytes: makeBytes('der', seed, seeds, others) };
  },
  async start(corpus) {
    const modules = {
      cms: await import('../../gateway/trust/cms.ts'),
      der: await import('../../gateway/trust/der.ts'),
      certs: await import('../../gateway/trust/certs.ts'),
      crl: await import('../../gateway/trust/crl.ts'),
      timestamp: await import('../../gateway/trust/timestamp.ts'),
      chain: await import('../../gateway/trust/chain.ts'),
      assess: await import('../../gateway/trust/assess.ts'),
      store: await import('../../gateway/trust/store.ts'),
    };
    const typed = exportedErrorClasses(...Object.values(modules));
    const store = await modules.store.loadTrustStore({ anchors: [corpus.fixtures.pki.root], crls: [corpus.fixtures.pki.crl] });
    const issuer = modules.certs.certificate(corpus.cert[1]?.bytes ?? corpus.cert[0].bytes);
    const content = [Buffer.from('Kính gửi: Ủy ban nhân dân tỉnh Lâm Đồng\r\n', 'utf8')];
    return {
      async run(input) {
        const trailing = input.bytes.length % 2 === 0;
        try {
          switch (input.mode) {
            case 'signed-data': {
              const sd = modules.cms.parseSignedData(input.bytes, trailing);
              for (const check of modules.cms.checkSigners(sd, trailing ? content : null)) {
                const report = modules.assess.assessSigner(check, { store, now: NOW }, { layer: 'pdf', attachment: null });
                invariant(
                  VERDICTS.has(report.verdict) && (report.verdict === 'valid' || report.reasons.length > 0),
                  `signer ${report.verdict} without a reason`,
                );
              }
              break;
            }
            case 'timestamp': {
              const ts = modules.timestamp.checkTimestamp(input.bytes, content, store, NOW, trailing);
              invariant(VERDICTS.has(ts.verdict) && (ts.verdict === 'valid' || ts.reasons.length > 0), `time-stamp ${ts.verdict} without a reason`);
              break;
            }
            case 'cert': {
              const cert = modules.certs.certificate(input.bytes);
              modules.chain.assessCertificate(cert, [issuer], { store, at: NOW, timeIsTrusted: false, now: NOW });
              break;
            }
            case 'crl': {
              const crl = modules.crl.parseCrl(input.bytes, 'fuzz');
              modules.crl.crlSignedBy(crl, issuer);
              break;
            }
            default:
              modules.der.encode(modules.der.parseDer(input.bytes, trailing));
          }
        } catch (err) {
          if (expected(err, typed)) return;
          throw err;
        }
      },
      async close() {},
    };
  },
};
