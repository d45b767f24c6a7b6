/**
 * The fuzz harness's watchdog (fuzz/child-run.ts, docs/fuzzing.md "Hang") blames a hang on the
 * input that used the CPU time. Before it kills, it gives the child up to 4 s to write its stack;
 * a child that finished the slow input meanwhile and went on to the next one had that next input
 * blamed (with a negative CPU time), and the next input was skipped on restart. A stand-in child
 * here spins on input 0 until the watchdog asks for its stack, then starts input 1 and waits.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runChild, type ChildContext } from '../fuzz/child-run.ts';
import type { Task, TargetSummary } from '../fuzz/harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'vanthu-fuzz-watchdog-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Busy on input 0 until the watchdog asks for its stack (the "capture" file), then on to input 1.
const STAND_IN = `
import { existsSync } from 'node:fs';
import { join } from 'node:path';
const send = (m) => new Promise((resolve) => process.send(m, undefined, {}, () => resolve()));
process.once('message', async (job) => {
  await send({ t: 'ready', seeds: {} });
  await send({ t: 'start', i: 0, phase: 'gen', rss: 0 });
  await send({ t: 'start', i: 0, phase: 'run', rss: 0 });
  while (!existsSync(join(job.watch.dir, 'capture')));
  await send({ t: 'start', i: 1, phase: 'gen', rss: 0 });
  await send({ t: 'start', i: 1, phase: 'run', rss: 0 });
  setInterval(() => {}, 1000);
});
`;

// Set up, then idle a moment before the first input (a loaded machine delivers the messages apart).
const SLOW_FIRST = `
const send = (m) => new Promise((resolve) => process.send(m, undefined, {}, () => resolve()));
process.once('message', async (job) => {
  await send({ t: 'ready', seeds: {} });
  await new Promise((r) => setTimeout(r, 600));
  for (let i = job.from; i < job.to; i++) {
    await send({ t: 'start', i, phase: 'gen', rss: 0 });
    await send({ t: 'start', i, phase: 'run', rss: 0 });
  }
  await send({ t: 'done' });
  process.exit(0);
});
`;

describe('fuzz watchdog', () => {
  it("does not count the child's start-up CPU against the time before its first input", async () => {
    const module = join(dir, 'slow-first.mjs');
    writeFileSync(module, SLOW_FIRST);
    const task: Task = { target: 'cms', from: 0, to: 3 };
    const summary: TargetSummary = { inputs: 0, crashes: 0, hangs: 0, rssExceeded: 0, peakRssMb: 0, seconds: 0, inputsPerSecond: 0, restarts: 0 };
    const recorded: number[] = [];
    const ctx: ChildContext = {
      opts: { seed: 1, timeoutMs: 200, maxRssMb: 4096, minimizeMs: 0 },
      stats: new Map([['cms', summary]]),
      known: new Set(),
      record: (_task, _kind, index) => recorded.push(index),
      updateMinimized: () => {},
      inputAt: async () => null,
      childModule: module,
    };
    const r = await runChild(ctx, task, 0, false);
    expect(recorded).toEqual([]);
    expect(r).toMatchObject({ done: true, resume: 3 });
    expect(summary.inputs).toBe(3);
  }, 60_000);

  it('blames a hang on the input that was running when it decided, and resumes at the one after it', async () => {
    const module = join(dir, 'stand-in.mjs');
    writeFileSync(module, STAND_IN);
    const task: Task = { target: 'cms', from: 0, to: 3 };
    const summary: TargetSummary = { inputs: 0, crashes: 0, hangs: 0, rssExceeded: 0, peakRssMb: 0, seconds: 0, inputsPerSecond: 0, restarts: 0 };
    const recorded: Array<{ kind: string; index: number; message: string }> = [];
    const ctx: ChildContext = {
      opts: { seed: 1, timeoutMs: 200, maxRssMb: 4096, minimizeMs: 0 },
      stats: new Map([['cms', summary]]),
      known: new Set(),
      record: (_task, kind, index, error) => recorded.push({ kind, index, message: error.message }),
      updateMinimized: () => {},
      inputAt: async () => null,
      childModule: module,
    };
    const r = await runChild(ctx, task, 0, false);
    expect(recorded.map(({ kind, index }) => ({ kind, index }))).toEqual([{ kind: 'hang', index: 0 }]);
    expect(recorded[0].message).not.toMatch(/\(-/); // a CPU time that is not negative
    expect(r).toMatchObject({ done: false, resume: 1 });
    expect(summary.inputs).toBe(1);
  }, 60_000);
});
