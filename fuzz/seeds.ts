/**
 * The seeds list: the real inputs every target mutates. Folders are read at start (so a case added
 * to the corpus becomes a seed without touching this file); the trust fixtures are built by
 * tests/fixtures/trust (openssl, cached in the temp folder) exactly as the trust suites build them.
 *
 * | seed kind | from |
 * | --- | --- |
 * | eml  | tests/corpus/cases/*.eml, tests/corpus/handwritten/*.eml, trust fixtures smime/*.eml and mail/*.eml |
 * | txt  | tests/corpus/seeds/*.txt, tests/corpus/handwritten/*.txt, text/plain attachments of the emls |
 * | pdf  | tests/corpus/two-page.pdf, trust fixtures pdf/*.pdf, PDF attachments of the emls |
 * | docx | DOCX attachments of the emls (incl. the zip-bomb case) |
 * | xml  | trust fixtures xml/*.xml, edXML attachments of the emls, envelopes/status built by gateway/documents/edxml/build.ts |
 * | cms  | signatures (DER) out of the PDFs' /Contents and the S/MIME messages' pkcs7 parts, RFC 3161 tokens |
 * | cert | every certificate of the test PKI (DER) |
 * | crl  | the test PKI's CRL (DER) |
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { simpleParser } from 'mailparser';
import { buildEnvelope, buildStatus } from '../gateway/documents/edxml/build.ts';
import { pemBlocks } from '../gateway/trust/der.ts';
import { ensureFixtures, type Fixtures } from '../tests/fixtures/trust/make-fixtures.ts';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

export type SeedKind = 'eml' | 'txt' | 'pdf' | 'docx' | 'xml' | 'cms' | 'cert' | 'crl';

export interface Seed {
  kind: SeedKind;
  /** Where it came from (a path, or path#attachment-name). */
  origin: string;
  bytes: Buffer;
}

export const SEED_FOLDERS: Array<{ dir: string; ext: string; kind: SeedKind }> = [
  { dir: 'tests/corpus/cases', ext: '.eml', kind: 'eml' },
  { dir: 'tests/corpus/handwritten', ext: '.eml', kind: 'eml' },
  { dir: 'tests/corpus/handwritten', ext: '.txt', kind: 'txt' },
  { dir: 'tests/corpus/seeds', ext: '.txt', kind: 'txt' },
  { dir: 'tests/corpus', ext: '.pdf', kind: 'pdf' },
];

export type Corpus = Record<SeedKind, Seed[]> & { fixtures: Fixtures };

let cached: Promise<Corpus> | null = null;

export function loadCorpus(): Promise<Corpus> {
  cached ??= build();
  return cached;
}

function files(dir: string, ext: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => n.endsWith(ext))
    .sort()
    .map((n) => join(dir, n));
}

/** Exact length of a DER TLV at the start of `buf` (signatures are padded with zeros in PDFs). */
export function derExtent(buf: Buffer): Buffer {
  if (buf.length < 2) return buf;
  const first = buf[1];
  if (first < 0x80) return buf.subarray(0, 2 + first);
  const n = first & 0x7f;
  if (n === 0 || n > 4 || buf.length < 2 + n) return buf;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + buf[2 + i];
  return buf.subarray(0, Math.min(buf.length, 2 + n + len));
}

async function build(): Promise<Corpus> {
  const fixtures = await ensureFixtures();
  const corpus: Corpus = { eml: [], txt: [], pdf: [], docx: [], xml: [], cms: [], cert: [], crl: [], fixtures };
  const add = (kind: SeedKind, origin: string, bytes: Buffer) => {
    if (bytes.length) corpus[kind].push({ kind, origin, bytes });
  };
  for (const f of SEED_FOLDERS) for (const path of files(join(ROOT, f.dir), f.ext)) add(f.kind, path.slice(ROOT.length), readFileSync(path));
  for (const path of [...Object.values(fixtures.smime), ...Object.values(fixtures.mail)]) add('eml', path, readFileSync(path));
  for (const path of Object.values(fixtures.pdf)) add('pdf', path, readFileSync(path));
  for (const path of Object.values(fixtures.xml)) add('xml', path, readFileSync(path));

  // Attachments of every message: PDFs, DOCX, edXML, text, and the S/MIME signatures.
  for (const seed of [...corpus.eml]) {
    let mail;
    try {
      mail = await simpleParser(seed.bytes, { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true });
    } catch {
      continue;
    }
    for (const a of mail.attachments) {
      const name = (a.filename ?? a.contentType).toLowerCase();
      const type = a.contentType.toLowerCase();
      const origin = `${seed.origin}#${a.filename ?? a.contentType}`;
      if (type === 'application/pdf' || name.endsWith('.pdf')) add('pdf', origin, a.content);
      else if (type.includes('wordprocessingml') || name.endsWith('.docx')) add('docx', origin, a.content);
      else if (type.endsWith('/xml') || name.endsWith('.xml') || name.endsWith('.edxml')) add('xml', origin, a.content);
      else if (type.includes('pkcs7')) add('cms', origin, a.content);
      else if (type === 'text/plain') add('txt', origin, a.content);
    }
  }

  // Signatures inside the PDFs (the /Contents hex of each /ByteRange dictionary).
  for (const seed of corpus.pdf) {
    const text = seed.bytes.toString('latin1');
    for (const m of text.matchAll(/\/Contents\s*<([0-9A-Fa-f\s]{64,})>/g)) {
      const der = derExtent(Buffer.from(m[1].replace(/\s+/g, ''), 'hex'));
      if (der[0] === 0x30) add('cms', `${seed.origin}#/Contents@${m.index}`, der);
    }
  }

  // The test PKI: certificates and the CRL, as DER.
  const pem = (path: string, label: string) => (existsSync(path) ? pemBlocks(readFileSync(path), label) : []);
  const pki = fixtures.pki;
  const certPaths = [
    pki.root,
    pki.intermediate,
    pki.untrustedRoot,
    ...['signer', 'ecdsa', 'pss', 'expired', 'revoked', 'badUsage', 'untrusted', 'tsa'].map(
      (k) => (pki as unknown as Record<string, { cert: string }>)[k].cert,
    ),
  ];
  for (const path of certPaths) for (const der of pem(path, 'CERTIFICATE')) add('cert', path, der);
  for (const der of pem(pki.crl, 'X509 CRL')) add('crl', pki.crl, der);

  // edXML made by the project's own builder: the strict shape the readers must accept.
  const document = {
    typeCode: 'QĐ',
    typeName: 'Quyết định',
    number: '12',
    notation: '12/QĐ-UBND',
    issuer: 'Ủy ban nhân dân tỉnh Lâm Đồng',
    place: 'Đà Lạt',
    issuedDate: '2026-11-23',
    subject: 'Về việc kiểm tra quyết toán',
    signer: { name: 'Nguyễn Văn An', title: 'Chủ tịch', authority: 'TM.' },
    recipients: ['Sở Tài chính', 'Lưu: VT'],
    urgency: 'khan' as const,
    secrecy: 'normal' as const,
    dueDate: '2026-12-31',
  };
  add(
    'xml',
    'edxml/build.ts#envelope',
    Buffer.from(
      buildEnvelope({
        from: { id: '000.00.00.H41', name: 'Ủy ban nhân dân tỉnh Lâm Đồng', email: 'vanthu@ubnd.lamdong.gov.vn' },
        to: [{ id: '000.00.20.H41', name: 'Sở Tài chính' }],
        documentId: '000.00.00.H41,2026/11/23,12/QĐ-UBND',
        document,
        attachments: [{ contentId: 'doc1', name: 'qd.pdf', contentType: 'application/pdf' }],
      }),
      'utf8',
    ),
  );
  add(
    'xml',
    'edxml/build.ts#status',
    Buffer.from(
      buildStatus({
        from: { id: '000.00.20.H41', name: 'Sở Tài chính' },
        to: { id: '000.00.00.H41', name: 'UBND tỉnh' },
        responseFor: { organId: '000.00.00.H41', code: '12/QĐ-UBND', documentId: 'x', promulgationDate: '2026/11/23' },
        status: 'received',
        description: 'Đã nhận',
        timestamp: '2026/11/23 09:00:00',
        staff: { department: 'Văn phòng', name: 'Trần B' },
      }),
      'utf8',
    ),
  );
  return corpus;
}

export function describeCorpus(c: Corpus): Record<SeedKind, number> {
  return Object.fromEntries((['eml', 'txt', 'pdf', 'docx', 'xml', 'cms', 'cert', 'crl'] as const).map((k) => [k, c[k].length])) as Record<SeedKind, number>;
}

export const seedName = (s: Seed) => basename(s.origin);
