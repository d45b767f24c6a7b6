/**
 * The Document Security Store (ISO 32000-2 §12.8.4.3, ETSI EN 319 142-1 §5.4.2): the catalog's
 * /DSS holds, in streams, the certificates (/Certs), CRLs (/CRLs) and OCSP responses (/OCSPs) a
 * verifier needs to validate the file's signatures without asking anyone (PAdES B-LT). Only what
 * is in the file is read; its own signatures decide whether an entry counts (crl.ts, ocsp.ts),
 * so a forged CRL in the DSS is simply not used. /VRI entries (one per signature, keyed by the
 * SHA-1 of its /Contents) point at the same streams: the data a signature's signer gathered for
 * it, which the verifier looks at first for that signature and reports (`longTermValidation.vri`).
 */
import { createHash } from 'node:crypto';
import { PdfRef, PdfStream, type PdfFile, type PdfObj } from '../documents/sources/pdf-objects.ts';
import { certificate, type CertInfo } from './certs.ts';
import { parseCrl, type CrlInfo } from './crl.ts';
import { parseOcsp, type OcspInfo } from './ocsp.ts';

/** Entries read per kind before the rest are ignored (a hostile file could list millions). */
const MAX_ENTRIES = 512;

export interface ValidationData {
  certs: CertInfo[];
  crls: CrlInfo[];
  ocsps: OcspInfo[];
  /** Entries that could not be read (skipped). */
  notes: string[];
  /** The /VRI entries by key (upper-case hex), each with the DSS entries it points at. */
  vri: Map<string, VriEntry>;
  /** Set per signature (forSignature): its VRI entry, whose CRLs and OCSP responses come first in `crls` and `ocsps`. */
  used?: VriEntry | null;
}

/** Validation-related information of one signature (ETSI EN 319 142-1 §5.4.2.2): what its signer gathered. */
export interface VriEntry {
  key: string;
  certs: CertInfo[];
  crls: CrlInfo[];
  ocsps: OcspInfo[];
}

/** The VRI key of a signature: SHA-1 of its /Contents bytes as written (padding included), upper-case hex. */
export function vriKey(contents: Buffer): string {
  return createHash('sha1').update(contents).digest('hex').toUpperCase();
}

/** The data as one signature sees it: its VRI entry (when the file has one for it) first, then the rest. */
export function forSignature(data: ValidationData, contents: Buffer): ValidationData {
  const used = data.vri.get(vriKey(contents)) ?? null;
  if (!used) return { ...data, used: null };
  const first = <T>(mine: T[], all: T[]) => [...mine, ...all.filter((x) => !mine.includes(x))];
  return { ...data, certs: first(used.certs, data.certs), crls: first(used.crls, data.crls), ocsps: first(used.ocsps, data.ocsps), used };
}

/** The file's DSS, or null when its catalog has none. */
export function readDss(pdf: PdfFile): ValidationData | null {
  const root = pdf.dict(pdf.trailer.get('Root'));
  const dss = pdf.dict(root?.get('DSS'));
  if (!dss) return null;
  const out: ValidationData = { certs: [], crls: [], ocsps: [], notes: [], vri: new Map() };
  const each = <T>(key: string, read: (der: Buffer, where: string) => T, into: T[]): Map<number, T> => {
    const byRef = new Map<number, T>();
    const list = pdf.resolve(dss.get(key));
    (Array.isArray(list) ? list : []).slice(0, MAX_ENTRIES).forEach((item: PdfObj, i) => {
      const where = `DSS /${key} ${i + 1}`;
      try {
        const s = pdf.resolve(item);
        if (!(s instanceof PdfStream)) throw new Error('not a stream');
        const parsed = read(Buffer.from(pdf.decode(s)), where);
        into.push(parsed);
        if (item instanceof PdfRef) byRef.set(item.num, parsed);
      } catch (err) {
        out.notes.push(`${where} is unreadable (${err instanceof Error ? err.message : String(err)})`);
      }
    });
    return byRef;
  };
  const certs = each('Certs', (der) => certificate(der), out.certs);
  const crls = each('CRLs', (der, where) => parseCrl(der, where), out.crls);
  const ocsps = each('OCSPs', (der, where) => parseOcsp(der, where), out.ocsps);
  // A VRI entry points at streams of the lists above; one that points elsewhere adds nothing.
  const vri = pdf.dict(dss.get('VRI'));
  for (const [key, value] of [...(vri?.entries() ?? [])].slice(0, MAX_ENTRIES)) {
    const entry = pdf.dict(value);
    if (!entry || !/^[0-9A-Fa-f]{40}$/.test(key)) continue;
    const pick = <T>(name: string, known: Map<number, T>): T[] => {
      const list = pdf.resolve(entry.get(name));
      const refs = (Array.isArray(list) ? list : []).slice(0, MAX_ENTRIES);
      return refs.flatMap((r) => (r instanceof PdfRef && known.has(r.num) ? [known.get(r.num)!] : []));
    };
    const k = key.toUpperCase();
    out.vri.set(k, { key: k, certs: pick('Cert', certs), crls: pick('CRL', crls), ocsps: pick('OCSP', ocsps) });
  }
  return out;
}

/** Whether the catalog of `pdf` has a /DSS (a document time-stamp over it makes B-LTA). */
export function hasDss(pdf: PdfFile): boolean {
  return pdf.dict(pdf.dict(pdf.trailer.get('Root'))?.get('DSS')) !== null;
}
