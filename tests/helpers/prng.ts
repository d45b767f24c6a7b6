/**
 * mulberry32: a small seeded generator (uniform in [0, 1)), for everything that must come out the
 * same on every run — fuzz mutations (fuzz/rng.ts), scan and OCR fixture noise, replayable
 * corruption in tests. Not for anything secret.
 */
export function prng(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
