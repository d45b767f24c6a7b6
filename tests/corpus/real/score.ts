/**
 * Scoring of the real-document corpus (tests/corpus/real/README.md "How the benchmark compares"),
 * shared by bench/fields.ts, bench/classify.ts and tests/corpus-real.test.ts so the three measure
 * the same thing. A document is read the way it arrives: a file attached to a neutral message
 * (buildMessage), a .txt pasted as the body, a .eml as it was sent.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { policySchema } from '../../../gateway/config/registry.ts';
import { classifyDocumentBytes, classifyMessage } from '../../../gateway/documents/index.ts';
import type { Classification, DocumentMetadata, FieldConfidence } from '../../../gateway/documents/types.ts';

const here = dirname(fileURLToPath(import.meta.url));
export const REAL_DIR = here;
/** The same pinned "today" as the made corpus (tests/corpus/run.ts), so results do not drift. */
export const NOW = new Date('2026-11-23T00:00:00Z');
/** The registry's default auto-register threshold (gateway/config/registry.ts): a value at or above it may be booked unseen. */
export const AUTO_REGISTER_THRESHOLD: number = policySchema.parse({}).confidenceThreshold;

export interface LabelFields {
  number: string | null;
  docType: string | null;
  issuer: string | null;
  issuerPrinted?: string[];
  place: string | null;
  date: string | null;
  subject: string | null;
  signerName: string | null;
  signerTitle: string | null;
  signerAuthority: string | string[] | null;
  urgency: string | null;
  secrecy: string | null;
}

export interface Label {
  file: string;
  kind: 'document';
  format: string;
  note?: string;
  /** For a derived file (.eml, made layout): the corpus document whose text it carries. */
  derivedFrom?: string;
  /** Fields the extraction is known to miss on this document, each with the reason (keep it short). */
  knownMisses?: Partial<Record<Scored, string>>;
  fields: LabelFields;
}

export const SCORED = [
  'kind',
  'number',
  'docType',
  'issuer',
  'place',
  'date',
  'subject',
  'signerName',
  'signerTitle',
  'signerAuthority',
  'urgency',
  'secrecy',
] as const;
export type Scored = (typeof SCORED)[number];

/** The identity of a document (number + issuer + date): never to be booked wrong. */
export const IDENTITY: Scored[] = ['number', 'issuer', 'date'];

export function loadLabels(): Label[] {
  return JSON.parse(readFileSync(join(here, 'labels.json'), 'utf8')) as Label[];
}

// ---------------------------------------------------------------------------------------------
// Normalisation
// ---------------------------------------------------------------------------------------------

const TONES = /[\u0300\u0301\u0303\u0309\u0323]/gu;

/** Tone-mark placement does not matter: each word's tone mark is moved to the word's end. */
function toneKey(word: string): string {
  const nfd = word.normalize('NFD');
  const tones = nfd.match(TONES) ?? [];
  return (nfd.replace(TONES, '') + tones.join('')).normalize('NFC');
}

export function normText(s: string | null | undefined): string {
  if (s === null || s === undefined) return '';
  let t = s
    .normalize('NFC')
    .replace(/\u00D0/g, 'Đ')
    .replace(/\u00F0/g, 'đ');
  t = t
    .replace(/[\u00A0\u2000-\u200B\u202F\u3000]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
  t = t.replace(/\bubnd\b/gu, 'ủy ban nhân dân').replace(/(^|\s)hđnd(?=\s|$)/gu, '$1hội đồng nhân dân');
  t = t.replace(/(^|\s)tp\.\s*/gu, '$1thành phố ');
  t = t.replace(/^["'“”‘’«»(\s]+|["'“”‘’«»)\s.;,:]+$/gu, '');
  t = t
    .replace(/\s*([,;:])\s*/g, '$1 ')
    .replace(/\.\s*/g, '. ')
    .replace(/\s+/g, ' ')
    .trim();
  return t.split(' ').map(toneKey).join(' ');
}

function normSubject(s: string | null | undefined): string {
  const t = (s ?? '')
    .normalize('NFC')
    .trim()
    .replace(/^["“”'‘’«»\s]+/u, '');
  return normText(t.replace(/^(v\s*[/.]\s*v|về\s+việc|về)\s*[:.,]?\s+/iu, ''));
}

function normNumber(s: string | null | undefined): string {
  return (s ?? '').normalize('NFC').replace(/\s+/g, '');
}

// ---------------------------------------------------------------------------------------------
// The message a document arrives in
// ---------------------------------------------------------------------------------------------

function contentTypeOf(file: string): string {
  switch (extname(file).toLowerCase()) {
    case '.pdf':
      return 'application/pdf';
    case '.docx':
      return 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
    default:
      return 'text/plain; charset=utf-8';
  }
}

function base64Lines(data: Buffer): string {
  return (data.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
}

/**
 * A message as an agency's mail system sends a document: neutral subject and body (so that only
 * the document can supply the metadata), the file attached. A .txt document is the body itself.
 */
export function buildMessage(file: string, data: Buffer): Buffer {
  const name = basename(file);
  const id = name.replace(/[^A-Za-z0-9.-]/g, '_');
  const head = [
    'From: =?UTF-8?Q?V=C4=83n_th=C6=B0?= <vanthu@example.gov.vn>',
    'To: <vanthu@receiver.example.gov.vn>',
    `Subject: =?UTF-8?B?${Buffer.from('Gửi văn bản').toString('base64')}?=`,
    `Message-ID: <${id}@bench.example.gov.vn>`,
    'Date: Mon, 23 Nov 2026 09:00:00 +0700',
    'MIME-Version: 1.0',
  ];
  if (extname(file).toLowerCase() === '.txt') {
    return Buffer.from([...head, 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: base64', '', base64Lines(data), ''].join('\r\n'));
  }
  const boundary = `=_bench_${id}`;
  const note = Buffer.from('Kính gửi: Bộ phận văn thư.\r\nXin gửi văn bản đính kèm.\r\n');
  return Buffer.from(
    [
      ...head,
      `Content-Type: multipart/mixed; boundary="${boundary}"`,
      '',
      `--${boundary}`,
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: base64',
      '',
      base64Lines(note),
      `--${boundary}`,
      `Content-Type: ${contentTypeOf(file)}; name="${name}"`,
      `Content-Disposition: attachment; filename="${name}"`,
      'Content-Transfer-Encoding: base64',
      '',
      base64Lines(data),
      `--${boundary}--`,
      '',
    ].join('\r\n'),
  );
}

// ---------------------------------------------------------------------------------------------
// Comparison
// ---------------------------------------------------------------------------------------------

export interface FieldResult {
  field: Scored;
  ok: boolean;
  expected: unknown;
  actual: unknown;
  /** How far the classifier said the value could be relied on (0 when absent). */
  confidence: number;
}

function authorityOk(expected: string | string[] | null, actual: string | null | undefined): boolean {
  if (expected === null) return !actual;
  if (!actual) return false;
  const list = Array.isArray(expected) ? expected : [expected];
  const want = [...list, list.join(', ')].map(normText);
  return want.includes(normText(actual));
}

/** The confidence of the value a scored field comes from (urgency and secrecy: the document's). */
function confidenceOf(field: Scored, c: Classification): number {
  const fc: Partial<FieldConfidence> = c.fieldConfidence ?? {};
  switch (field) {
    case 'number':
      return fc.notation ?? 0;
    case 'docType':
      return fc.typeCode ?? 0;
    case 'issuer':
      return fc.issuer ?? 0;
    case 'place':
      return fc.place ?? 0;
    case 'date':
      return fc.issuedDate ?? 0;
    case 'subject':
      return fc.subject ?? 0;
    case 'signerName':
    case 'signerTitle':
    case 'signerAuthority':
      return fc.signer ?? 0;
    default:
      return c.confidence;
  }
}

export function compare(label: Label, result: Classification | { error: string }): FieldResult[] {
  const f = label.fields;
  const doc: Partial<DocumentMetadata> = 'error' in result ? {} : (result.document ?? {});
  const kind = 'error' in result ? result.error : result.kind;
  const conf = (field: Scored) => ('error' in result ? 0 : confidenceOf(field, result));
  const text = (field: Scored, expected: string | null, actual: string | null | undefined, norm = normText): FieldResult => ({
    field,
    ok: expected === null ? !actual : norm(expected) === norm(actual) && !!actual,
    expected,
    actual: actual ?? null,
    confidence: actual ? conf(field) : 0,
  });
  const mark = (field: Scored, expected: string | null, actual: string | undefined): FieldResult => ({
    field,
    ok: (expected ?? 'normal') === (actual ?? 'normal'),
    expected: expected ?? 'normal',
    actual: actual ?? null,
    confidence: conf(field),
  });
  return [
    { field: 'kind', ok: kind === label.kind, expected: label.kind, actual: kind, confidence: 'error' in result ? 0 : result.confidence },
    text('number', f.number, doc.notation, normNumber),
    text('docType', f.docType, doc.typeName),
    text('issuer', f.issuer, doc.issuer),
    text('place', f.place, doc.place),
    {
      field: 'date',
      ok: f.date === (doc.issuedDate ?? null),
      expected: f.date,
      actual: doc.issuedDate ?? null,
      confidence: doc.issuedDate ? conf('date') : 0,
    },
    text('subject', f.subject, doc.subject, normSubject),
    text('signerName', f.signerName, doc.signer?.name),
    text('signerTitle', f.signerTitle, doc.signer?.title),
    {
      field: 'signerAuthority',
      ok: authorityOk(f.signerAuthority, doc.signer?.authority),
      expected: f.signerAuthority,
      actual: doc.signer?.authority ?? null,
      confidence: doc.signer?.authority ? conf('signerAuthority') : 0,
    },
    mark('urgency', f.urgency, doc.urgency),
    mark('secrecy', f.secrecy, doc.secrecy),
  ];
}

/** A wrong value the classifier vouched for: at or above the auto-register threshold. */
export function confidentlyWrong(f: FieldResult, threshold = AUTO_REGISTER_THRESHOLD): boolean {
  return !f.ok && f.actual !== null && f.actual !== '' && f.confidence >= threshold;
}

// ---------------------------------------------------------------------------------------------
// Run
// ---------------------------------------------------------------------------------------------

export interface FileRun {
  label: Label;
  fields: FieldResult[];
  confidence: number | null;
  ms: number;
}

export type Mode = 'pipeline' | 'file';

/** The bytes the pipeline receives for a label: a .eml as it is, anything else in buildMessage. */
export function messageOf(label: Label, data = readFileSync(join(here, label.file))): Buffer {
  return extname(label.file).toLowerCase() === '.eml' ? data : buildMessage(label.file, data);
}

export async function runOne(label: Label, mode: Mode): Promise<FileRun> {
  const data = readFileSync(join(here, label.file));
  const t0 = performance.now();
  let result: Classification | { error: string };
  try {
    // A .eml has no "file alone": both modes read the message as it was sent.
    result =
      mode === 'pipeline' || extname(label.file).toLowerCase() === '.eml'
        ? await classifyMessage(messageOf(label, data), { now: NOW, onLimit: 'throw' })
        : await classifyDocumentBytes(basename(label.file), data, { now: NOW });
  } catch (err) {
    // The pipeline sends a message over a limit to review: nothing is extracted.
    const e = err as { code?: string; message?: string };
    result = { error: e.code ? `limit:${e.code}` : `error:${e.message ?? String(err)}` };
  }
  const ms = performance.now() - t0;
  return { label, fields: compare(label, result), confidence: 'error' in result ? null : result.confidence, ms };
}

export function round4(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}

export function summarise(runs: FileRun[]) {
  const perField: Record<string, { correct: number; total: number }> = {};
  for (const r of runs) {
    for (const f of r.fields) {
      perField[f.field] ??= { correct: 0, total: 0 };
      const slot = perField[f.field];
      slot.total++;
      if (f.ok) slot.correct++;
    }
  }
  const metadataFields = Object.entries(perField).filter(([k]) => k !== 'kind');
  const correct = metadataFields.reduce((s, [, v]) => s + v.correct, 0);
  const total = metadataFields.reduce((s, [, v]) => s + v.total, 0);
  const numbers = runs.map((r) => r.fields.find((f) => f.field === 'number') as FieldResult);
  const byFormat: Record<string, { files: number; accuracy: number }> = {};
  for (const fmt of [...new Set(runs.map((r) => r.label.format))].sort()) {
    const rs = runs.filter((r) => r.label.format === fmt);
    const fs = rs.flatMap((r) => r.fields.filter((f) => f.field !== 'kind'));
    byFormat[fmt] = { files: rs.length, accuracy: round4(fs.filter((f) => f.ok).length / fs.length) };
  }
  const perfect = runs.filter((r) => r.fields.every((f) => f.ok)).length;
  const wrong = runs.flatMap((r) => r.fields.filter((f) => f.field !== 'kind' && confidentlyWrong(f)));
  const confidentlyWrongByField: Record<string, number> = {};
  for (const f of wrong) confidentlyWrongByField[f.field] = (confidentlyWrongByField[f.field] ?? 0) + 1;
  return {
    fieldAccuracy: Object.fromEntries(Object.entries(perField).map(([k, v]) => [k, round4(v.correct / v.total)])),
    overallAccuracy: round4(correct / total),
    fieldsCorrect: correct,
    fieldsTotal: total,
    recognisedAsDocument: runs.filter((r) => r.fields[0].ok).length,
    filesAllFieldsRight: perfect,
    // A notation was extracted and it is not the printed one (or none is printed).
    confidentlyWrongNumbers: numbers.filter((n) => n.actual !== null && !n.ok).length,
    missedNumbers: numbers.filter((n) => n.actual === null && n.expected !== null).length,
    // (added) wrong values at or above the auto-register threshold, and those of the identity.
    confidentlyWrongFields: wrong.length,
    confidentlyWrongIdentity: wrong.filter((f) => IDENTITY.includes(f.field)).length,
    confidentlyWrongByField,
    byFormat,
    msPerFile: round4(runs.reduce((s, r) => s + r.ms, 0) / runs.length),
  };
}

export function describeRuns(mode: Mode, runs: FileRun[]): string {
  const out: string[] = [];
  for (const r of runs) {
    const bad = r.fields.filter((f) => !f.ok);
    if (bad.length === 0) continue;
    out.push(`[${mode}] ${r.label.file} (${r.label.format}, confidence ${r.confidence ?? '-'}):`);
    for (const b of bad)
      out.push(`  ${b.field}: expected ${JSON.stringify(b.expected)}, got ${JSON.stringify(b.actual)} (${b.confidence}${confidentlyWrong(b) ? ', CONFIDENTLY WRONG' : ''})`);
  }
  return out.join('\n');
}
