/**
 * The mail the end-to-end bench sends, built from the project's corpus before any timing starts:
 *
 * - `pdf`: the corpus cases (tests/corpus/cases/*.eml) that carry a PDF attachment, sent as they
 *   are, and a covering mail with tests/corpus/two-page.pdf attached;
 * - `signed`: a signed copy of a corpus case's PDF with a notation number of its own, so that each
 *   one is a new document the gateway can register (signed by the bench's own CA, which the
 *   bench's gateway trusts);
 * - `text`: plain-text mail: the text-only corpus cases, and seeds pasted into the body;
 * - `other`: the remaining cases (DOCX, edXML, delivery reports, read receipts, ...).
 *
 * Every message gets a Message-ID of its own (the gateway merges copies with the same Message-ID
 * and body); its contents are otherwise the corpus file's. Copies of one corpus document are, to
 * the gateway's registry, copies: the second and later are linked to the first, as they would be.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { decodePDFRawStream, PDFArray, PDFDict, PDFDocument, PDFName, PDFRawStream, PDFRef } from 'pdf-lib';
import { simpleParser } from 'mailparser';
import { plainAddPlaceholder } from '@signpdf/placeholder-plain';
import { SignPdf } from '@signpdf/signpdf';
import type { Signer } from '@signpdf/utils';
import MailComposer from 'nodemailer/lib/mail-composer';

export type Kind = 'pdf' | 'signed' | 'text' | 'other';

export interface OutMessage {
  kind: Kind;
  /** Which corpus file it came from (for the log and the outcome breakdown). */
  source: string;
  raw: Buffer;
  from: string;
  to: string;
}

export interface Mix {
  pdf: number;
  signed: number;
  text: number;
  other: number;
}

/** Mostly a PDF attachment; some signed PDFs; some plain text; a little of everything else. */
export const DEFAULT_MIX: Mix = { pdf: 0.55, signed: 0.2, text: 0.2, other: 0.05 };

export const UNIT_ADDRESSES = ['vanthu@stc.lamdong.gov.vn', 'taichinh@lamdong.gov.vn', 'vanthu@vpubnd.lamdong.gov.vn'];

interface CaseFile {
  name: string;
  bytes: Buffer;
  from: string;
  /** The case's expected document (tests/corpus/cases/<name>.expected.json), when it has one. */
  expected: { notation?: string | null; typeName?: string | null; secrecy?: string; source?: string } | null;
}

interface Seed {
  name: string;
  text: string;
  notation: string | null;
  number: string | null;
}

export interface Corpus {
  pdfCases: CaseFile[];
  textCases: CaseFile[];
  otherCases: CaseFile[];
  twoPage: Buffer;
  seeds: Seed[];
}

/** Cases that are there to attack the gateway, not to be mail it usually gets. */
const HOSTILE = /bomb|corrupt/;

function headerBlock(raw: Buffer): string {
  const s = raw.subarray(0, 64 * 1024).toString('latin1');
  const end = s.search(/\r?\n\r?\n/);
  return end < 0 ? s : s.slice(0, end);
}

function fromAddress(raw: Buffer): string {
  const m = /^From:.*?<?([^\s<>"]+@[^\s<>"]+)>?\s*$/im.exec(headerBlock(raw));
  return m ? m[1] : 'vanthu@sender.gov.vn';
}

export function loadCorpus(root: string): Corpus {
  const casesDir = path.join(root, 'tests/corpus/cases');
  const pdfCases: CaseFile[] = [];
  const textCases: CaseFile[] = [];
  const otherCases: CaseFile[] = [];
  for (const name of readdirSync(casesDir)
    .filter((n) => n.endsWith('.eml'))
    .sort()) {
    if (HOSTILE.test(name)) continue;
    const bytes = readFileSync(path.join(casesDir, name));
    const types = [...bytes.toString('latin1').matchAll(/^content-type:\s*([\w.+/-]+)/gim)].map((m) => m[1].toLowerCase());
    let expected: CaseFile['expected'] = null;
    try {
      expected = JSON.parse(readFileSync(path.join(casesDir, name.replace(/\.eml$/, '.expected.json')), 'utf8')).document ?? null;
    } catch {
      /* no expectations */
    }
    const c = { name, bytes, from: fromAddress(bytes), expected };
    if (types.includes('application/pdf')) pdfCases.push(c);
    else if (types.every((t) => t.startsWith('text/plain') || t.startsWith('text/html') || t === 'multipart/mixed' || t === 'multipart/alternative'))
      textCases.push(c);
    else otherCases.push(c);
  }
  const seedsDir = path.join(root, 'tests/corpus/seeds');
  const seeds: Seed[] = [];
  for (const name of readdirSync(seedsDir)
    .filter((n) => n.endsWith('.txt'))
    .sort()) {
    const text = readFileSync(path.join(seedsDir, name), 'utf8');
    let notation: string | null = null;
    let number: string | null = null;
    try {
      const exp = JSON.parse(readFileSync(path.join(seedsDir, name.replace(/\.txt$/, '.expected.json')), 'utf8'));
      notation = exp?.document?.notation ?? null;
      number = exp?.document?.number ?? null;
    } catch {
      /* a seed without expectations is still text */
    }
    seeds.push({ name, text, notation, number });
  }
  const twoPage = readFileSync(path.join(root, 'tests/corpus/two-page.pdf'));
  if (!pdfCases.length) throw new Error('corpus: no case with a PDF attachment under tests/corpus/cases');
  return { pdfCases, textCases, otherCases, twoPage, seeds };
}

/** Replaces the header block's Message-ID (or adds one) and adds a trace header naming the bench message. */
export function withMessageId(raw: Buffer, messageId: string): Buffer {
  const s = raw.toString('latin1');
  const m = /\r?\n\r?\n/.exec(s);
  const headEnd = m ? m.index : s.length;
  const nl = s.includes('\r\n') ? '\r\n' : '\n';
  let head = s.slice(0, headEnd);
  if (/^Message-ID:/im.test(head)) head = head.replace(/^Message-ID:[^\r\n]*(\r?\n[ \t][^\r\n]*)*/im, `Message-ID: ${messageId}`);
  else head = `Message-ID: ${messageId}${nl}${head}`;
  return Buffer.from(head + s.slice(headEnd), 'latin1');
}

// ---------------------------------------------------------------------------------------------
// Signed PDFs: the corpus's own documents, each signed copy with a notation number of its own
//
// The corpus PDFs (pdf-lib, DejaVu Sans embedded as a subset) draw each line as one hex string of
// glyph codes. A template is one of them with its page content streams left uncompressed and the
// notation number (the part before the first "/") replaced by a placeholder of NUMBER_DIGITS
// digits; a message's own number, of the same width and made only of digits the font subset has
// (found through its ToUnicode map), is written over the placeholder's glyph codes in the
// template's bytes: same lengths, so the xref stays right. Then the copy is signed. Building a
// template takes ~100 ms; a signed copy a few ms.

const NUMBER_DIGITS = 4;

export interface PdfTemplate {
  case: string;
  /** What follows the number in the notation, e.g. "/QĐ-UBND". */
  suffix: string;
  typeName: string;
  from: string;
  filename: string;
  bytes: Buffer;
  /** Glyph codes (hex, as in the content stream) of the placeholder number, and of each usable digit. */
  placeholderHex: string;
  digits: string[];
  digitHex: Map<string, string>;
  /** Copies made so far: the next copy's number. */
  next: number;
}

/** unicode character -> glyph code (4 hex digits) from a ToUnicode CMap. */
function toUnicodeMap(cmap: string): Map<string, string> {
  const out = new Map<string, string>();
  const hexChar = (h: string) => String.fromCodePoint(...(h.match(/.{4}/g) ?? []).map((x) => parseInt(x, 16)));
  for (const block of cmap.matchAll(/beginbfchar([\s\S]*?)endbfchar/g)) {
    for (const m of block[1].matchAll(/<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>/g)) out.set(hexChar(m[2]), m[1].toUpperCase().padStart(4, '0'));
  }
  for (const block of cmap.matchAll(/beginbfrange([\s\S]*?)endbfrange/g)) {
    for (const m of block[1].matchAll(/<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>/g)) {
      const [lo, hi, u] = [parseInt(m[1], 16), parseInt(m[2], 16), parseInt(m[3], 16)];
      for (let g = lo; g <= hi; g++) out.set(String.fromCodePoint(u + g - lo), g.toString(16).toUpperCase().padStart(4, '0'));
    }
  }
  return out;
}

function decoded(stream: PDFRawStream): string {
  return Buffer.from(decodePDFRawStream(stream).decode()).toString('latin1');
}

/** The PDF attachment of a corpus case, with the case's notation and type. */
async function casePdf(c: CaseFile): Promise<{ pdf: Buffer; notation: string; typeName: string; filename: string } | null> {
  if (!c.expected?.notation || c.expected.secrecy !== 'normal' || c.expected.source !== 'attachment') return null;
  const mail = await simpleParser(c.bytes);
  const a = mail.attachments.find((x) => x.contentType === 'application/pdf');
  return a ? { pdf: a.content, notation: c.expected.notation, typeName: c.expected.typeName ?? 'Văn bản', filename: a.filename ?? 'van-ban.pdf' } : null;
}

export async function pdfTemplate(c: CaseFile): Promise<PdfTemplate | null> {
  const src = await casePdf(c);
  if (!src) return null;
  const pdf = await PDFDocument.load(src.pdf, { updateMetadata: false });
  const number = src.notation.split('/')[0];
  const suffix = src.notation.slice(number.length);
  // Each font's character -> glyph code map, by its resource name (glyph codes mean nothing across fonts).
  const fonts = new Map<string, Map<string, string>>();
  for (const page of pdf.getPages()) {
    const fontDict = page.node.Resources()?.lookupMaybe(PDFName.of('Font'), PDFDict);
    for (const [name, ref] of fontDict?.entries() ?? []) {
      const tu = pdf.context.lookup(ref, PDFDict).lookup(PDFName.of('ToUnicode'));
      if (tu instanceof PDFRawStream) fonts.set(name.asString().slice(1), toUnicodeMap(decoded(tu)));
    }
  }
  const streams: Array<{ ref: PDFRef; text: string }> = [];
  for (const page of pdf.getPages()) {
    const contents = page.node.get(PDFName.of('Contents'));
    for (const ref of contents instanceof PDFArray ? contents.asArray() : contents ? [contents] : []) {
      const stream = pdf.context.lookup(ref);
      if (stream instanceof PDFRawStream && ref instanceof PDFRef) streams.push({ ref, text: decoded(stream) });
    }
  }
  for (const [fontName, map] of fonts) {
    const digits = [...'0123456789'].filter((d) => map.has(d));
    const glyphs = (str: string) => ([...str].every((ch) => map.has(ch)) ? [...str].map((ch) => map.get(ch)!).join('') : null);
    const find = glyphs(number + '/');
    if (digits.length < 3 || !find) continue;
    for (const pd of [...digits].reverse()) {
      const placeholder = pd.repeat(NUMBER_DIGITS);
      const want = find.match(/.{4}/g)!;
      const put = glyphs(placeholder + '/')!.match(/.{4}/g)!;
      let hits = 0;
      // Operators in order: a font selection (/Name size Tf) or a hex string; only strings drawn in
      // this font are searched, at glyph-code boundaries.
      const edited = streams.map(({ ref, text }) => {
        let current = '';
        const out = text.replace(/\/([^\s/<>[\]()]+)\s+[-\d.]+\s+Tf|<([0-9A-Fa-f]+)>/g, (whole, font: string | undefined, hex: string | undefined) => {
          if (font !== undefined) {
            current = font;
            return whole;
          }
          if (current !== fontName) return whole;
          const codes = hex!.toUpperCase().match(/.{4}/g) ?? [];
          let changed = false;
          for (let i = 0; i + want.length <= codes.length; i++) {
            if (want.every((w, j) => codes[i + j] === w)) {
              codes.splice(i, want.length, ...put);
              i += put.length - 1;
              changed = true;
              hits++;
            }
          }
          return changed ? `<${codes.join('')}>` : whole;
        });
        return { ref, text: out };
      });
      if (!hits) break;
      for (const e of edited) pdf.context.assign(e.ref, pdf.context.stream(Buffer.from(e.text, 'latin1')));
      const bytes = Buffer.from(await pdf.save({ useObjectStreams: false }));
      const placeholderHex = glyphs(placeholder)!;
      // The placeholder's codes must occur only where they were put: a message's number is written over every occurrence.
      if (bytes.toString('latin1').split(placeholderHex).length - 1 !== hits) continue;
      return {
        case: c.name,
        suffix,
        typeName: src.typeName,
        from: c.from,
        filename: src.filename,
        bytes,
        placeholderHex,
        digits,
        digitHex: new Map(digits.map((d) => [d, map.get(d)!])),
        next: 0,
      };
    }
  }
  return null;
}

/** The template's k-th number: NUMBER_DIGITS digits, all of them in the font subset, first one not zero. */
function numberOf(t: PdfTemplate, k: number): string {
  const base = t.digits.length;
  const lead = t.digits.filter((d) => d !== '0');
  const span = base ** (NUMBER_DIGITS - 1);
  if (k >= lead.length * span) throw new Error(`template ${t.case}: out of ${NUMBER_DIGITS}-digit numbers`);
  let rest = k % span;
  let out = lead[Math.floor(k / span)];
  for (let i = NUMBER_DIGITS - 2; i >= 0; i--) {
    const p = base ** i;
    out += t.digits[Math.floor(rest / p)];
    rest %= p;
  }
  return out;
}

/** The next signed copy of the template: its notation and bytes. */
export async function signedCopy(t: PdfTemplate, signer: Signer): Promise<{ notation: string; pdf: Buffer }> {
  const number = numberOf(t, t.next++);
  const own = [...number].map((d) => t.digitHex.get(d)!).join('');
  const pdf = Buffer.from(t.bytes.toString('latin1').split(t.placeholderHex).join(own), 'latin1');
  const withField = plainAddPlaceholder({
    pdfBuffer: pdf,
    reason: 'Phát hành văn bản',
    contactInfo: t.from,
    name: 'Van thu',
    location: 'Viet Nam',
    signatureLength: 8192,
  });
  return { notation: number + t.suffix, pdf: await new SignPdf().sign(withField, signer) };
}

// ---------------------------------------------------------------------------------------------

function compose(opts: ConstructorParameters<typeof MailComposer>[0]): Promise<Buffer> {
  return new Promise((resolve, reject) => new MailComposer(opts).compile().build((err, msg) => (err ? reject(err) : resolve(msg))));
}

/** Deterministic choice (a small LCG), so two runs send the same sequence. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

export interface BuildOptions {
  count: number;
  mix: Mix;
  /** Distinguishes this batch's Message-IDs and notation numbers from other batches of the run. */
  tag: string;
  /** Signed documents: each copy takes the template's next number (templates are shared by all batches of a run). */
  templates: PdfTemplate[];
  signer: Signer;
  seed?: number;
}

export async function buildMessages(corpus: Corpus, opts: BuildOptions): Promise<OutMessage[]> {
  const rand = rng(opts.seed ?? 20261123);
  const total = opts.mix.pdf + opts.mix.signed + opts.mix.text + opts.mix.other;
  const out: OutMessage[] = [];
  for (let i = 0; i < opts.count; i++) {
    const r = rand() * total;
    const kind: Kind =
      r < opts.mix.pdf ? 'pdf' : r < opts.mix.pdf + opts.mix.signed ? 'signed' : r < opts.mix.pdf + opts.mix.signed + opts.mix.text ? 'text' : 'other';
    const to = UNIT_ADDRESSES[Math.floor(rand() * UNIT_ADDRESSES.length)];
    const messageId = `<e2e-${opts.tag}-${i}.${process.pid}@bench.vanthu.invalid>`;
    const pick = <T>(list: T[]): T => list[Math.floor(rand() * list.length)];
    if (kind === 'pdf' && rand() < 0.75) {
      const c = pick(corpus.pdfCases);
      out.push({ kind, source: c.name, raw: withMessageId(c.bytes, messageId), from: c.from, to });
    } else if (kind === 'pdf') {
      const raw = await compose({
        from: 'Văn thư Sở TTTT <vanthu@sotttt.binhthuan.gov.vn>',
        to,
        subject: 'Báo cáo số 215/BC-STTTT ngày 05/12/2024',
        text: 'Kính gửi: Văn thư cơ quan.\n\nSở Thông tin và Truyền thông gửi kèm báo cáo số 215/BC-STTTT.\n\nTrân trọng./.\n',
        messageId,
        attachments: [{ filename: '215_BC-STTTT.pdf', content: corpus.twoPage, contentType: 'application/pdf' }],
      });
      out.push({ kind, source: 'two-page.pdf', raw, from: 'vanthu@sotttt.binhthuan.gov.vn', to });
    } else if (kind === 'signed') {
      const t = pick(opts.templates);
      const { notation, pdf } = await signedCopy(t, opts.signer);
      const raw = await compose({
        from: `Văn thư <${t.from}>`,
        to,
        subject: `${t.typeName} số ${notation}`,
        text: `Kính gửi: Văn thư cơ quan.\n\nGửi kèm văn bản điện tử số ${notation} đã ký số.\n\nTrân trọng./.\n`,
        messageId,
        attachments: [{ filename: t.filename.replace(/\.pdf$/i, '.signed.pdf'), content: pdf, contentType: 'application/pdf' }],
      });
      out.push({ kind, source: `signed:${t.case}`, raw, from: t.from, to });
    } else if (kind === 'text' && rand() < 0.7 && corpus.textCases.length) {
      const c = pick(corpus.textCases);
      out.push({ kind, source: c.name, raw: withMessageId(c.bytes, messageId), from: c.from, to });
    } else if (kind === 'text') {
      const seed = pick(corpus.seeds);
      const raw = await compose({
        from: 'Văn thư <vanthu@bentre.gov.vn>',
        to,
        subject: seed.notation ? `Văn bản ${seed.notation}` : 'Thông tin',
        text: seed.text,
        messageId,
      });
      out.push({ kind, source: `seed:${seed.name}`, raw, from: 'vanthu@bentre.gov.vn', to });
    } else {
      const c = pick(corpus.otherCases.length ? corpus.otherCases : corpus.textCases);
      out.push({ kind: 'other', source: c.name, raw: withMessageId(c.bytes, messageId), from: c.from, to });
    }
  }
  return out;
}
