/**
 * Derived documents of the real corpus (README.md "Derived files"), written once and committed:
 *
 *   eml/   a real document (byte for byte) mailed the ways agencies send one — a cover note with the
 *          file attached, a forwarded chain, a webmail message with an HTML body (derived-mail.ts);
 *   made/  "real text, made layout": the text of a real document (its labelled header fields and
 *          the body as pdftotext gives it) set into the Decree 30 layout by the corpus generator
 *          (tests/corpus/fixtures/layout.ts → PDF or DOCX; the spec from derived-made.ts).
 *
 * Each derived label copies the source document's fields (read by a person on the source) and
 * names the source in `derivedFrom`. Run: npx tsx tests/corpus/real/make-derived.ts
 * (needs pdftotext, poppler-utils), or with `--mail-only` to add the mail of new MAILED_TOO
 * documents alone. Output is deterministic.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rowsToDocx } from '../fixtures/docx.ts';
import { rows } from '../fixtures/layout.ts';
import { rowsToPdf } from '../fixtures/pdf.ts';
import { specOf } from './derived-made.ts';
import { cover, forward, stem, webmail } from './derived-mail.ts';
import type { Label } from './score.ts';

const here = dirname(fileURLToPath(import.meta.url));
const labelsPath = join(here, 'labels.json');

/** How many of each to make. */
const EML = 21;
const MADE = 40;
/**
 * Mailed as well, after the EML smallest (so adding them leaves those as they were): documents of
 * types the smallest do not cover, with the day to date the mail when the document prints none.
 */
const MAILED_TOO: Array<{ file: string; sent: string }> = [
  { file: 'docs/kh-sct-laocai-2242.docx', sent: '2026-04-23' },
  { file: 'docs/kh-sct-laocai-3898.docx', sent: '2026-06-30' },
];

// ---------------------------------------------------------------------------------------------

/** Writes the .eml of a real document, the k-th mailed (the way of sending goes round), and returns its label. */
function mail(l: Label, k: number, sent: string): Label {
  const data = readFileSync(join(here, l.file));
  const how = (['cover', 'forward', 'webmail'] as const)[k % 3];
  const eml = how === 'cover' ? cover(l, data, l.file, k, sent) : how === 'forward' ? forward(l, data, l.file, k, sent) : webmail(l, data, l.file, k, sent);
  const file = `eml/${stem(l.file)}-${how}.eml`;
  writeFileSync(join(here, file), eml);
  const way = how === 'cover' ? 'a cover note with the file attached' : how === 'forward' ? 'a forwarded chain' : 'a webmail (Zimbra) message with an HTML body';
  return { file, kind: 'document', format: `eml-${how}`, derivedFrom: l.file, note: `the real file ${basename(l.file)} mailed as ${way}`, fields: l.fields };
}

function extraMail(all: Label[]): Array<{ l: Label; sent: string }> {
  return MAILED_TOO.map((m) => ({ l: all.find((x) => x.file === m.file), sent: m.sent })).filter((m): m is { l: Label; sent: string } => !!m.l);
}

/**
 * `--mail-only`: mails the MAILED_TOO documents not mailed yet and adds their labels, leaving every
 * other derived file as it is (a full run rewrites them all).
 */
function mailOnly(all: Label[]): void {
  const mailed = new Set(all.filter((l) => l.derivedFrom && l.format.startsWith('eml-')).map((l) => l.derivedFrom));
  const out = [...all];
  extraMail(all).forEach(({ l, sent }, i) => {
    if (!mailed.has(l.file)) out.push(mail(l, EML + i, sent));
  });
  out.sort((a, b) => a.file.localeCompare(b.file));
  writeFileSync(labelsPath, `${JSON.stringify(out, null, 2)}\n`);
  process.stdout.write(`${out.length} labels: ${out.length - all.length} .eml added\n`);
}

async function main(): Promise<void> {
  const all = JSON.parse(readFileSync(labelsPath, 'utf8')) as Label[];
  if (process.argv.includes('--mail-only')) return mailOnly(all);
  const sources = all.filter((l) => !l.derivedFrom && (l.format === 'pdf-text' || l.format === 'docx'));
  for (const dir of ['eml', 'made']) {
    rmSync(join(here, dir), { recursive: true, force: true });
    mkdirSync(join(here, dir), { recursive: true });
  }
  const out: Label[] = all.filter((l) => !l.derivedFrom);

  // .eml: the smallest sources (the corpus stays small), three ways of sending in turn.
  const mailedToo = new Set(MAILED_TOO.map((m) => m.file));
  const bySize = [...sources.filter((l) => !mailedToo.has(l.file))].sort((a, b) => readFileSync(join(here, a.file)).length - readFileSync(join(here, b.file)).length || a.file.localeCompare(b.file));
  [...bySize.slice(0, EML).map((l) => ({ l, sent: l.fields.date ?? '2025-01-01' })), ...extraMail(all)].forEach(({ l, sent }, k) => out.push(mail(l, k, sent)));

  // Made layout: PDF sources with a simple signature block, every fourth one as DOCX.
  let made = 0;
  // Round-robin over the types, so every kind of document is set into made layout.
  const byType = new Map<string, Label[]>();
  for (const s of sources.filter((x) => x.format === 'pdf-text')) byType.set(s.fields.docType ?? '', [...(byType.get(s.fields.docType ?? '') ?? []), s]);
  const queues = [...byType.values()];
  const order: Label[] = [];
  for (let k = 0; order.length < sources.length && queues.some((q) => q.length > k); k++) for (const q of queues) if (q[k]) order.push(q[k]);
  for (const l of order) {
    if (made >= MADE) break;
    const spec = specOf(l, join(here, l.file));
    if (!spec) continue;
    const asDocx = made % 4 === 3;
    const file = `made/${stem(l.file)}-made.${asDocx ? 'docx' : 'pdf'}`;
    const r = rows(spec);
    writeFileSync(join(here, file), asDocx ? rowsToDocx(r) : await rowsToPdf(r));
    out.push({
      file,
      kind: 'document',
      format: asDocx ? 'made-layout-docx' : 'made-layout-pdf',
      derivedFrom: l.file,
      note: 'real text, made layout: the header fields and body text of the source set into Decree 30 layout by tests/corpus/fixtures',
      fields: l.fields,
    });
    made++;
  }
  out.sort((a, b) => a.file.localeCompare(b.file));
  writeFileSync(labelsPath, `${JSON.stringify(out, null, 2)}\n`);
  process.stdout.write(`${out.length} labels: ${out.filter((l) => l.format.startsWith('eml-')).length} .eml, ${made} made layout\n`);
}

await main();
