/**
 * pdf — the classifier's PDF text reader (gateway/documents/sources): pdfText (the fast reader of
 * pdf-fast.ts/pdf-objects.ts, falling back to pdfjs-dist) with a 1 s budget, and the fast reader alone.
 * Failure: pdfText throwing anything but LimitExceeded (a decoded-bytes or page limit: documented),
 * the fast reader throwing a programming error (TypeError, RangeError, ReferenceError: anything
 * else — Unsupported, OverBudget, a zlib error — is how it hands a damaged file to pdfjs), or text
 * that is not a string.
 */
import { makeBytes } from '../plan.ts';
import { expected, exportedErrorClasses, invariant, projectErrors, wrapsBug } from '../failure.ts';
import { DEFAULT_LIMITS } from '../../gateway/documents/limits.ts';
import { FUZZ_LIMITS } from './classify.ts';
import type { Target } from './types.ts';

export const pdf: Target = {
  name: 'pdf',
  summary: 'pdfText and the fast PDF reader (gateway/documents/sources/pdf*.ts); pdfText must not throw, the fast reader only its exported errors',
  generate(corpus, seed, index) {
    const seeds = corpus.pdf.map((s) => s.bytes);
    const mode = (seed >>> 8) % 10 < 7 ? 'text' : 'fast';
    if (index < seeds.length) return { mode: 'text', bytes: seeds[index] };
    return { mode, bytes: makeBytes('pdf', seed, seeds, seeds) };
  },
  async start() {
    const text = await import('../../gateway/documents/sources/pdf.ts');
    const fast = await import('../../gateway/documents/sources/pdf-fast.ts');
    const objects = await import('../../gateway/documents/sources/pdf-objects.ts');
    const { limit } = await projectErrors();
    const typed = [...exportedErrorClasses(fast, objects), ...limit];
    const limits = { ...DEFAULT_LIMITS, ...FUZZ_LIMITS };
    return {
      async run(input) {
        if (input.mode === 'text') {
          let r;
          try {
            r = await text.pdfText(new Uint8Array(input.bytes), limits);
          } catch (err) {
            if (expected(err, limit)) return;
            throw err;
          }
          invariant(typeof r.text === 'string' && Array.isArray(r.reasons), 'pdfText result shape');
          return;
        }
        try {
          const doc = fast.openFastPdf(new Uint8Array(input.bytes));
          const budget = new fast.PageBudget(5_000_000, Date.now() + limits.pdfTimeBudgetMs);
          for (let i = 0; i < Math.min(doc.pages, limits.maxPdfPages); i++) doc.pageItems(i, budget);
        } catch (err) {
          // fastPdfText hands any other error to pdfjs as damage: only a programming error is a failure here
          if (expected(err, typed) || !wrapsBug(err)) return;
          throw err;
        }
      },
      async close() {},
    };
  },
};
