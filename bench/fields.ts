/**
 * Field-accuracy benchmark over real published documents (tests/corpus/real/, issue 15).
 *
 * For every labelled file it runs the CURRENT extraction two ways and compares the metadata with the
 * hand-made labels (tests/corpus/real/labels.json):
 *   pipeline  the file attached to a mail message, read by classifyMessage with the options the
 *             classify stage passes (gateway/workers/stages/classify.ts: onLimit 'throw', default
 *             limits). The message is built here, in memory (see buildMessage), so the corpus keeps
 *             one copy of each document; `--write-eml DIR` writes them out. A .txt document is
 *             pasted into the message body instead, as plain-text documents arrive.
 *   file      the file alone, read by classifyDocumentBytes (what `vanthu classify FILE` does).
 *
 * The comparison itself lives in tests/corpus/real/score.ts (shared with bench:classify and the tests).
 * Prints ONE JSON object on stdout. `--verbose` lists every mismatch per file on stderr;
 * `--only SUBSTRING` restricts the run to matching file names.
 *
 * Comparison (documented in tests/corpus/real/README.md):
 *   number           the label's số ký hiệu against `notation`, exactly, after removing whitespace
 *                    and NFC. A notation that is present and differs is "confidently wrong".
 *   date             ISO string, exactly.
 *   urgency/secrecy  a null label means the document prints no mark: "normal" is expected.
 *   text fields      NFC, whitespace collapsed, case-insensitive, tone-mark placement ignored
 *                    ("hoà" = "hòa"), "UBND"/"HĐND" expanded, surrounding quotes and final
 *                    punctuation dropped; the subject also drops a leading "V/v", "V.v" or "Về việc".
 *   signerAuthority  the label may list the chain ("TL. Chủ tịch", "KT. Chánh Văn phòng"): any one
 *                    of them, or the whole chain joined with ", ", counts as right.
 *   null label       the document does not print the field: only a null (or empty) value is right.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describeRuns, type FileRun, loadLabels, messageOf, REAL_DIR, runOne, summarise } from '../tests/corpus/real/score.ts';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const verbose = args.includes('--verbose') || args.includes('-v');
  const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : null;
  const emlDir = args.includes('--write-eml') ? args[args.indexOf('--write-eml') + 1] : null;

  const labels = loadLabels().filter((l) => !only || l.file.includes(only));
  if (emlDir) {
    mkdirSync(emlDir, { recursive: true });
    for (const l of labels) writeFileSync(join(emlDir, basename(l.file).replace(/\.[^.]+$/, '.eml')), messageOf(l, readFileSync(join(REAL_DIR, l.file))));
  }

  const results: Record<'pipeline' | 'file', FileRun[]> = { pipeline: [], file: [] };
  for (const mode of ['pipeline', 'file'] as const) {
    for (const l of labels) results[mode].push(await runOne(l, mode));
  }
  if (verbose) {
    for (const mode of ['pipeline', 'file'] as const) {
      const text = describeRuns(mode, results[mode]);
      if (text) process.stderr.write(`${text}\n`);
    }
  }
  const formats: Record<string, number> = {};
  for (const l of labels) formats[l.format] = (formats[l.format] ?? 0) + 1;
  const pipeline = summarise(results.pipeline);
  const file = summarise(results.file);
  process.stdout.write(
    `${JSON.stringify({
      corpus: 'tests/corpus/real',
      documents: labels.length,
      formats,
      // The pipeline's figures (message with the document attached) are the headline.
      fieldAccuracy: pipeline.fieldAccuracy,
      overallAccuracy: pipeline.overallAccuracy,
      confidentlyWrongNumbers: pipeline.confidentlyWrongNumbers,
      pipeline,
      file,
      differingFields: results.pipeline.reduce((n, r, i) => n + r.fields.filter((f, j) => f.ok !== results.file[i].fields[j].ok).length, 0),
    })}\n`,
  );
}

await main();
