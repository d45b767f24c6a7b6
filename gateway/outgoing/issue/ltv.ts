/**
 * Long-term validation data for an issued document (PAdES B-LT and B-LTA, ETSI EN 319 142-1 §5.4;
 * docs/issuance.md). After the unit has signed, one more incremental update adds the Document
 * Security Store: the certificates of every signature's path (the leader's, the unit's, the TSAs'
 * of their time-stamps) and, for each certificate below a root, a CRL its issuer signed (from the
 * configured files, else from the certificate's CRL distribution points through the fetcher given,
 * crl-dp.ts) and/or an OCSP response (the configured responder, else the one the certificate names). With `archive`, a document time-stamp then covers it all (B-LTA). Adding a DSS or a
 * document time-stamp is a permitted change after any signature (gateway/trust/pdf-changes.ts), so
 * the earlier signatures stay valid. Document time-stamps are signature fields too: a later round
 * (renew.ts) adds their TSA's validation data, and only what the existing DSS does not hold yet.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { PDFArray, PDFDict, PDFHexString, PDFName, PDFRawStream, PDFRef, decodePDFRawStream, type PDFContext, type PDFObject } from 'pdf-lib';
import { PROJECT_ROOT } from '../../config/load.ts';
import { checkSigners, parseSignedData } from '../../trust/cms.ts';
import { crlSignedBy, type CrlInfo } from '../../trust/crl.ts';
import type { CertInfo } from '../../trust/certs.ts';
import { loadTrustStore } from '../../trust/store.ts';
import { IncrementalUpdate, IssueError, addAnnot, addField } from './incremental.ts';
import { crlFromDistributionPoints, type CrlFetcher } from './crl-dp.ts';
import { fetchOcsp, ocspUrlOf } from './ocsp.ts';
import { documentTimestampDict, fillPlaceholder } from './pades.ts';
import { fetchTimestamp } from './tsa.ts';

export interface LtvSources {
  /** CRL files or folders (PEM/DER), relative to the project root. */
  crls: string[];
  /** CA certificates (files or folders) that complete the paths, e.g. the root. */
  certificates: string[];
  /** OCSP responder URL; without it, the one each certificate names (if any). */
  ocsp?: string | null;
  /** Fetches CRLs from the certificates' distribution points when no configured file has one; null: none fetched. */
  fetchCrl?: CrlFetcher | null;
}

export interface LtvSummary {
  certificates: number;
  crls: number;
  ocsps: number;
  /** Certificates (label: why) for which no revocation data was found: the file is not fully B-LT. */
  missing: string[];
}

interface Sig {
  /** The /Contents bytes as written (with padding): SHA-1 of them names the VRI entry. */
  contents: Buffer;
  /** End-entity certificates: the signer's, and the TSA's of its time-stamp. */
  leaves: CertInfo[];
  pool: CertInfo[];
}

const MAX_PATH = 8;

/** Adds the DSS; the document and what went into it. */
export async function addValidationData(pdf: Buffer, sources: LtvSources): Promise<{ pdf: Buffer; summary: LtvSummary }> {
  const fromRoot = (list: string[]) => list.map((p) => path.resolve(PROJECT_ROOT, p));
  const store = await loadTrustStore({ anchors: fromRoot(sources.certificates), crls: fromRoot(sources.crls) });
  const u = await IncrementalUpdate.load(pdf);
  const sigs = signatures(u);
  if (!sigs.length) throw new IssueError('outgoing.issue.ltv', 'the document has no signature to add validation data for');

  // Every path once: the certificates, and revocation data for each certificate below a root.
  const certs = new Map<string, CertInfo>();
  const crls = new Map<string, CrlInfo>();
  const ocsps = new Map<string, Buffer>();
  /** Per certificate fingerprint: the keys of the CRLs and OCSP responses about it. */
  const about = new Map<string, { crls: string[]; ocsps: string[] }>();
  const missing: string[] = [];
  const chains = sigs.map((sig) => sig.leaves.map((leaf) => pathOf(leaf, [...sig.pool, ...store.anchors])));
  for (const chain of chains.flat()) {
    for (const [i, cert] of chain.entries()) {
      certs.set(cert.fingerprint, cert);
      const issuer = chain[i + 1];
      if (!issuer || about.has(cert.fingerprint)) continue;
      const known = { crls: [] as string[], ocsps: [] as string[] };
      about.set(cert.fingerprint, known);
      const keep = (crl: CrlInfo) => {
        const key = sha1(crl.der);
        crls.set(key, crl);
        known.crls.push(key);
      };
      for (const crl of store.crls) if (crl.issuerName === cert.issuerName && crlSignedBy(crl, issuer)) keep(crl);
      const whys: string[] = [];
      if (!known.crls.length && sources.fetchCrl) {
        try {
          keep((await crlFromDistributionPoints(cert, issuer, sources.fetchCrl)).crl);
        } catch (err) {
          whys.push((err as Error).message);
        }
      }
      const url = sources.ocsp ?? ocspUrlOf(cert);
      let why = url ? '' : [...whys, 'no CRL, no OCSP responder'].join('; ');
      if (url) {
        try {
          const { der } = await fetchOcsp(url, cert, issuer);
          const key = sha1(der);
          ocsps.set(key, der);
          known.ocsps.push(key);
        } catch (err) {
          why = [...whys, (err as Error).message].join('; ');
        }
      }
      if (!known.crls.length && !known.ocsps.length) missing.push(`${cert.label}: ${why}`);
    }
  }
  // One VRI entry per signature (ETSI EN 319 142-1 §5.4.2.2): what validates it.
  const vri = sigs.map((sig, i) => {
    const path = chains[i].flat();
    const known = path.map((c) => about.get(c.fingerprint));
    return {
      key: sha1(sig.contents),
      certs: [...new Set(path.map((c) => c.fingerprint))],
      crls: [...new Set(known.flatMap((k) => k?.crls ?? []))],
      ocsps: [...new Set(known.flatMap((k) => k?.ocsps ?? []))],
    };
  });

  const ctx = u.doc.context;
  const catalog = u.doc.catalog;
  const old = catalog.lookupMaybe(PDFName.of('DSS'), PDFDict);
  // A later round (renew.ts) points at what an earlier DSS already holds instead of adding it twice.
  const existing = streamsOf(old);
  const streams = new Map<string, PDFRef>();
  const put = (key: string, der: Buffer, added: PDFRef[]) => {
    if (!streams.has(key)) {
      const have = existing.get(sha1(der));
      const ref = have ?? ctx.register(ctx.flateStream(new Uint8Array(der)));
      if (!have) added.push(ref);
      streams.set(key, ref);
    }
    return streams.get(key)!;
  };
  const certRefs: PDFRef[] = [];
  const crlRefs: PDFRef[] = [];
  const ocspRefs: PDFRef[] = [];
  for (const c of certs.values()) put(c.fingerprint, c.der, certRefs);
  for (const [k, c] of crls) put(k, c.der, crlRefs);
  for (const [k, der] of ocsps) put(k, der, ocspRefs);
  const vriDict = ctx.obj({});
  for (const v of vri) {
    const entry = ctx.obj({});
    const list = (keys: string[]) =>
      refs(
        ctx,
        keys.map((k) => streams.get(k)!),
      );
    if (v.certs.length) entry.set(PDFName.of('Cert'), list(v.certs));
    if (v.crls.length) entry.set(PDFName.of('CRL'), list(v.crls));
    if (v.ocsps.length) entry.set(PDFName.of('OCSP'), list(v.ocsps));
    vriDict.set(PDFName.of(v.key), ctx.register(entry));
  }
  const merged = (key: string, added: PDFRef[]) => {
    const before = old?.lookupMaybe(PDFName.of(key), PDFArray)?.asArray() ?? [];
    return refs(ctx, [...before, ...added]);
  };
  const dss = ctx.obj({});
  dss.set(PDFName.of('Certs'), merged('Certs', certRefs));
  if (crlRefs.length || old?.has(PDFName.of('CRLs'))) dss.set(PDFName.of('CRLs'), merged('CRLs', crlRefs));
  if (ocspRefs.length || old?.has(PDFName.of('OCSPs'))) dss.set(PDFName.of('OCSPs'), merged('OCSPs', ocspRefs));
  const oldVri = old?.lookupMaybe(PDFName.of('VRI'), PDFDict);
  for (const [k, v] of oldVri?.entries() ?? []) if (!vriDict.has(k)) vriDict.set(k, v);
  dss.set(PDFName.of('VRI'), ctx.register(vriDict));
  catalog.set(PDFName.of('DSS'), ctx.register(dss));
  u.touch(u.catalogRef);
  return {
    pdf: await u.bytes(),
    summary: { certificates: certRefs.length, crls: crlRefs.length, ocsps: ocspRefs.length, missing: [...new Set(missing)] },
  };
}

/** How issuance's long-term validation is configured (the unit's `issue.ltv`). */
export type LtvOptions = LtvSources & { archive: boolean };

/**
 * What issuance adds after the unit has signed a file (the document or an appendix): the DSS (B-LT)
 * and, with `archive`, a document time-stamp from `tsa` over it (B-LTA). The bytes of each update.
 */
export async function addLongTermValidation(
  pdf: Buffer,
  ltv: LtvOptions,
  tsa: string | null | undefined,
): Promise<{ pdf: Buffer; summary: LtvSummary; revisions: number[] }> {
  if (ltv.archive && !tsa) throw new IssueError('outgoing.issue.ltv', 'a document time-stamp (ltv.archive) needs a TSA (issue.tsa)');
  const added = await addValidationData(pdf, ltv);
  const revisions = [added.pdf.length - pdf.length];
  if (!ltv.archive || !tsa) return { pdf: added.pdf, summary: added.summary, revisions };
  const stamped = await addDocumentTimestamp(added.pdf, tsa);
  revisions.push(stamped.length - added.pdf.length);
  return { pdf: stamped, summary: added.summary, revisions };
}

/** A document time-stamp from `tsa` over the whole file, in a hidden signature field of the first page (B-LTA). */
export async function addDocumentTimestamp(pdf: Buffer, tsa: string, name = 'VanThu-DocTimeStamp'): Promise<Buffer> {
  const u = await IncrementalUpdate.load(pdf);
  const ctx = u.doc.context;
  const page = u.doc.getPages()[0];
  if (!page) throw new IssueError('outgoing.issue.unreadable', 'the PDF has no page');
  const widget = ctx.register(
    ctx.obj({
      Type: 'Annot',
      Subtype: 'Widget',
      FT: 'Sig',
      T: PDFHexString.fromText(name),
      Rect: [0, 0, 0, 0],
      F: 2 + 128, // Hidden, Locked
      P: page.ref,
      V: ctx.register(documentTimestampDict(ctx)),
    }),
  );
  addAnnot(u, page.node, page.ref, widget);
  addField(u, widget);
  return fillPlaceholder(await u.bytes(), (covered) => fetchTimestamp(tsa, covered));
}

function refs(ctx: PDFContext, list: PDFObject[]): PDFArray {
  const arr = PDFArray.withContext(ctx);
  for (const r of list) arr.push(r);
  return arr;
}

/** The streams of an earlier DSS's /Certs, /CRLs and /OCSPs by the SHA-1 of their decoded bytes. */
function streamsOf(dss: PDFDict | undefined): Map<string, PDFRef> {
  const out = new Map<string, PDFRef>();
  for (const key of ['Certs', 'CRLs', 'OCSPs']) {
    const list = dss?.lookupMaybe(PDFName.of(key), PDFArray);
    for (let i = 0; i < (list?.size() ?? 0); i++) {
      const ref = list!.get(i);
      const stream = list!.lookupMaybe(i, PDFRawStream);
      if (!(ref instanceof PDFRef) || !stream) continue;
      try {
        out.set(sha1(Buffer.from(decodePDFRawStream(stream).decode())), ref);
      } catch {
        // an undecodable entry: whatever it held is added again
      }
    }
  }
  return out;
}

function sha1(b: Buffer): string {
  return createHash('sha1').update(b).digest('hex').toUpperCase();
}

/** Every signature of the form with its certificates: signed fields' /V /Contents. */
function signatures(u: IncrementalUpdate): Sig[] {
  const out: Sig[] = [];
  const acro = u.doc.catalog.lookupMaybe(PDFName.of('AcroForm'), PDFDict);
  const seen = new Set<PDFDict>();
  const walk = (list: PDFArray | undefined, depth: number) => {
    if (!list || depth > 16) return;
    for (let i = 0; i < list.size(); i++) {
      const field = list.lookupMaybe(i, PDFDict);
      if (!field || seen.has(field)) continue;
      seen.add(field);
      const v = field.lookupMaybe(PDFName.of('V'), PDFDict);
      const contents = v?.lookupMaybe(PDFName.of('Contents'), PDFHexString);
      if (contents) {
        const sig = signatureOf(Buffer.from(contents.asBytes()));
        if (sig) out.push(sig);
      }
      walk(field.lookupMaybe(PDFName.of('Kids'), PDFArray), depth + 1);
    }
  };
  walk(acro?.lookupMaybe(PDFName.of('Fields'), PDFArray), 0);
  return out;
}

/** The signer and time-stamp certificates of one /Contents (a CMS signature, or a time-stamp token). */
function signatureOf(contents: Buffer): Sig | null {
  let sd;
  try {
    sd = parseSignedData(contents, true);
  } catch {
    return null; // an unsigned placeholder or a format issuance does not read: nothing to add for it
  }
  const leaves: CertInfo[] = [];
  const pool = [...sd.certificates];
  for (const check of checkSigners(sd, null)) {
    if (check.certificate) leaves.push(check.certificate);
    if (!check.timestampToken) continue;
    try {
      const token = parseSignedData(check.timestampToken);
      pool.push(...token.certificates);
      for (const t of checkSigners(token, null)) if (t.certificate) leaves.push(t.certificate);
    } catch {
      // an unreadable time-stamp: the verifier reports it
    }
  }
  return { contents, leaves, pool };
}

/** The certificate path from `leaf` up to a self-issued certificate, as far as `pool` allows. */
function pathOf(leaf: CertInfo, pool: readonly CertInfo[]): CertInfo[] {
  const chain = [leaf];
  for (let cur = leaf; !cur.selfIssued && chain.length < MAX_PATH; ) {
    const issuer = pool.find((c) => c.subjectName === cur.issuerName && !chain.includes(c) && issuedBy(cur, c));
    if (!issuer) break;
    chain.push(issuer);
    cur = issuer;
  }
  return chain;
}

function issuedBy(cert: CertInfo, issuer: CertInfo): boolean {
  try {
    return cert.x509.verify(issuer.publicKey);
  } catch {
    return false;
  }
}
