/**
 * Every fuzz input is a pure function of (seed, target, index) (docs/fuzzing.md "Inputs"): made
 * again at another time of day, on another day, it has the same bytes — so `--seed S --target T
 * --index I` reproduces what a run found. Generated DOCX archives once carried the current time.
 */
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { inputSeed } from '../fuzz/rng.ts';
import { loadCorpus } from '../fuzz/seeds.ts';
import { target } from '../fuzz/targets/index.ts';

const SEED = 777;
const COUNT = 300;

async function digests(name: string, at: string): Promise<string[]> {
  vi.useFakeTimers({ toFake: ['Date'], now: new Date(at) });
  try {
    const corpus = await loadCorpus();
    const t = target(name);
    return Array.from({ length: COUNT }, (_, i) => {
      const input = t.generate(corpus, inputSeed(SEED, name, i), i);
      const meta = JSON.stringify({ mode: input.mode, name: input.name, splits: input.splits, close: input.close });
      return createHash('sha256').update(meta).update(input.bytes).digest('hex');
    });
  } finally {
    vi.useRealTimers();
  }
}

afterEach(() => vi.useRealTimers());

describe('fuzz inputs are reproducible', () => {
  it.each(['docx', 'classify'])(
    '%s: the same bytes for the same (seed, index) on another day',
    async (name) => {
      const a = await digests(name, '2026-11-23T01:00:00Z');
      const b = await digests(name, '2027-05-04T13:37:42Z');
      const differ = a.flatMap((d, i) => (d === b[i] ? [] : [i]));
      expect(differ, `inputs that changed with the clock: ${differ.join(', ')}`).toEqual([]);
    },
    120_000,
  );
});
