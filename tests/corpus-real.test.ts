/**
 * The real-document corpus (tests/corpus/real, issue 15), document by document: every field the
 * labels give must be read as printed, through the pipeline's path (tests/corpus/real/score.ts).
 * A field the extraction cannot read is tolerated only where the label lists it in `knownMisses`
 * with its reason — and such an entry must still be a miss, so the list does not go stale.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { confidentlyWrong, IDENTITY, loadLabels, REAL_DIR, runOne, SCORED } from './corpus/real/score.ts';

const labels = loadLabels();

describe('real corpus: labels', () => {
  it('has a file for every label, one label per file, every field labelled', () => {
    const files = labels.map((l) => l.file);
    expect(new Set(files).size).toBe(files.length);
    for (const l of labels) {
      expect(existsSync(join(REAL_DIR, l.file)), l.file).toBe(true);
      for (const f of SCORED) if (f !== 'kind') expect(Object.keys(l.fields), `${l.file}: ${f}`).toContain(f);
      for (const [f, why] of Object.entries(l.knownMisses ?? {})) {
        expect(SCORED as readonly string[], `${l.file}: knownMisses.${f}`).toContain(f);
        expect(typeof why === 'string' && why.length > 10, `${l.file}: knownMisses.${f} needs a reason`).toBe(true);
      }
    }
  });

  it('keeps the list of known misses short', () => {
    const misses = labels.reduce((n, l) => n + Object.keys(l.knownMisses ?? {}).length, 0);
    expect(misses).toBeLessThanOrEqual(Math.ceil(0.02 * labels.length * (SCORED.length - 1)));
  });
});

describe('real corpus: each document read as printed', () => {
  it.each(labels.map((l) => [l.file, l] as const))('%s', async (_name, label) => {
    const run = await runOne(label, 'pipeline');
    const known = label.knownMisses ?? {};
    const wrong = run.fields.filter((f) => !f.ok && !(f.field in known));
    const report = wrong.map((f) => `${label.file} ${f.field}: expected ${JSON.stringify(f.expected)}, got ${JSON.stringify(f.actual)}`).join('\n');
    expect(report).toBe('');
    const fixed = run.fields.filter((f) => f.ok && f.field in known).map((f) => `${label.file} ${f.field} is read now: drop it from knownMisses`);
    expect(fixed.join('\n')).toBe('');
    // Whatever is missed, the identity is never wrong with confidence (it would be booked unseen).
    const vouched = run.fields.filter((f) => IDENTITY.includes(f.field) && confidentlyWrong(f));
    expect(vouched.map((f) => `${label.file} ${f.field}: ${JSON.stringify(f.actual)} at ${f.confidence}`).join('\n')).toBe('');
    // Nor is any other field: a known miss (a trích yếu with lost glyphs or stamp noise) stays under
    // the auto-register threshold (docs/extraction.md, "Damaged text").
    const anyVouched = run.fields.filter((f) => f.field !== 'kind' && confidentlyWrong(f));
    expect(anyVouched.map((f) => `${label.file} ${f.field}: ${JSON.stringify(f.actual)} at ${f.confidence}`).join('\n')).toBe('');
  });
});
