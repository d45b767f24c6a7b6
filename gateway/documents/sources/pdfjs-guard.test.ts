/**
 * Where pdfjs catches an error and reads on, the guarded copy lets the document's budget through
 * (pdfjs-guard.ts, docs/security-limits.md "How the PDF readers are bounded"). Before, parseCMap
 * caught the budget's own verdict at every token, forever: the inputs are the regression fixtures
 * of fuzz/regressions/pdf (docs/fuzzing.md, "Regressions").
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LimitExceeded } from '../../limits.ts';
import { DEFAULT_LIMITS } from '../limits.ts';
import { pdfjsText } from './pdf.ts';
import { guardedWorkerSource } from './pdfjs-guard.ts';

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`../../../fuzz/regressions/pdf/${name}`, import.meta.url)));

describe('pdfjs guard, catch sites', () => {
  it('hooks the catch of parseCMap, once', () => {
    const real = readFileSync(new URL(import.meta.resolve('pdfjs-dist/legacy/build/pdf.worker.mjs')), 'utf8');
    const guarded = guardedWorkerSource(real);
    expect(guarded.split('vanthu.pdfjs.rethrow').length).toBe(2);
    const parseCMap = guarded.slice(guarded.indexOf('async function parseCMap('), guarded.indexOf('async function extendCMap('));
    expect(parseCMap).toContain('vanthu.pdfjs.rethrow');
  });

  it('a CMap that decodes past the stream limit while pdfjs lexes it: LimitExceeded, not a loop', async () => {
    const err = await pdfjsText(fixture('pdf-hang-parseCMap-rle-bomb.pdf'), DEFAULT_LIMITS).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LimitExceeded);
    expect(err).toMatchObject({ code: 'limit:pdf-inflated-bytes' });
  });

  it('a CMap still being read when the time budget runs out: the time reason, not a loop', async () => {
    const started = process.cpuUsage();
    const r = await pdfjsText(fixture('pdf-hang-parseCMap-slow-cmap.pdf'), { ...DEFAULT_LIMITS, pdfTimeBudgetMs: 200 });
    expect(r.reasons).toEqual(['PDF text extraction exceeded its time budget']);
    const cpu = process.cpuUsage(started);
    expect((cpu.user + cpu.system) / 1000).toBeLessThan(5000);
  });
});
