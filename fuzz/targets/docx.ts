/**
 * docx — the DOCX reader (gateway/documents/sources/docx.ts) and its guarded ZIP reader (zip.ts).
 * Inputs: DOCX attachments of the corpus, mutated in their ZIP records (sizes, counts, offsets),
 * re-zipped with a mutated word/document.xml, or replaced by a compression bomb.
 * Failure: docxText throwing anything but LimitExceeded (entries, size, ratio: documented; damage
 * is a reason), listZip/readEntry throwing anything but ZipError or LimitExceeded, or readEntry
 * returning more than the size cap it was given.
 */
import { makeBytes } from '../plan.ts';
import { expected, exportedErrorClasses, invariant, projectErrors } from '../failure.ts';
import { DEFAULT_LIMITS } from '../../gateway/documents/limits.ts';
import type { Target } from './types.ts';

export const docx: Target = {
  name: 'docx',
  summary: 'docxText and listZip/readEntry (gateway/documents/sources); docxText must not throw, the ZIP reader only ZipError',
  generate(corpus, seed, index) {
    const seeds = corpus.docx.map((s) => s.bytes);
    if (index < seeds.length) return { mode: 'docx', bytes: seeds[index] };
    return { mode: (seed >>> 8) % 5 === 0 ? 'zip' : 'docx', bytes: makeBytes('zip', seed, seeds, seeds) };
  },
  async start() {
    const reader = await import('../../gateway/documents/sources/docx.ts');
    const zip = await import('../../gateway/documents/sources/zip.ts');
    const { limit } = await projectErrors();
    const typed = [...exportedErrorClasses(zip), ...limit];
    return {
      async run(input) {
        if (input.mode === 'docx') {
          let r;
          try {
            r = reader.docxText(input.bytes, DEFAULT_LIMITS);
          } catch (err) {
            if (expected(err, limit)) return;
            throw err;
          }
          invariant(typeof r.text === 'string' && Array.isArray(r.reasons), 'docxText result shape');
          return;
        }
        try {
          for (const e of zip.listZip(input.bytes).slice(0, 64)) {
            const out = zip.readEntry(input.bytes, e, 1 << 20, DEFAULT_LIMITS.maxDocxRatio);
            invariant(out.length <= 1 << 20, `readEntry returned ${out.length} bytes over a 1 MiB cap`);
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
