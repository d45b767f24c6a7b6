/**
 * releaseHeaps (heap-release.ts, docs/operations.md "Memory"): V8's low-memory collection in the
 * main thread and in every worker thread, asked from the main thread. Asserted on the sizes V8
 * reports for the young generation, which such a collection shrinks to its minimum and a plain
 * idle spell does not.
 */
import { getHeapSpaceStatistics } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { releaseHeaps } from './heap-release.ts';

const MiB = 1024 * 1024;
const youngBytes = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_size;

/** A worker that churns short-lived objects (its young generation grows to 16 MiB), then answers "young" with its size. */
const CHURN = `
const { getHeapSpaceStatistics } = require('node:v8');
const { parentPort } = require('node:worker_threads');
let keep = [];
for (let i = 0; i < 400000; i++) { keep.push({ a: 'x' + i, b: [i, i + 1] }); if (keep.length > 50000) keep = []; }
keep = null;
const young = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
parentPort.on('message', () => parentPort.postMessage(young()));
parentPort.postMessage(young());
`;

function ask(w: Worker): Promise<number> {
  return new Promise((resolve) => {
    w.once('message', resolve);
    w.postMessage('young');
  });
}

describe('releaseHeaps', () => {
  it('shrinks every worker thread’s young generation and the main thread’s to their minimum', async () => {
    const w = new Worker(CHURN, { eval: true, resourceLimits: { maxYoungGenerationSizeMb: 48 } });
    try {
      const grown = await new Promise<number>((resolve) => w.once('message', resolve));
      let keep: unknown[] = [];
      for (let i = 0; i < 400_000; i++) {
        keep.push({ a: `x${i}`, b: [i] });
        if (keep.length > 50_000) keep = [];
      }
      keep = [];
      const mainGrown = youngBytes();
      expect(grown, 'the worker’s young generation grew').toBeGreaterThan(4 * MiB);
      expect(await ask(w), 'and stays so while idle').toBe(grown);

      const r = await releaseHeaps();
      expect(r).toMatchObject({ workers: 1, late: 0 });
      const after = await ask(w);
      expect(after, `worker: ${grown / MiB} → ${after / MiB} MiB`).toBeLessThanOrEqual(2 * MiB);
      expect(youngBytes(), `main: ${mainGrown / MiB} → ${youngBytes() / MiB} MiB`).toBeLessThanOrEqual(2 * MiB);
    } finally {
      await w.terminate();
    }
  }, 60_000);

  it('leaves the workers alone when asked to', async () => {
    const w = new Worker(CHURN, { eval: true, resourceLimits: { maxYoungGenerationSizeMb: 48 } });
    try {
      const grown = await new Promise<number>((resolve) => w.once('message', resolve));
      expect(await releaseHeaps({ workers: false })).toMatchObject({ workers: 0, late: 0 });
      expect(await ask(w)).toBe(grown);
    } finally {
      await w.terminate();
    }
  }, 60_000);
});
