/**
 * The short fuzz run of CI (docs/fuzzing.md): every regression fixture under fuzz/regressions is
 * replayed, then ≈5,000 generated and mutated inputs (a fixed seed, so CI sees the same inputs
 * every time) go through every target — the MIME parser, the classifier, the signature verifier,
 * CMS, the PDF/DOCX/edXML readers and the SMTP listener on 127.0.0.1 — each target in a child
 * process under the harness's watchdog. Any crash, hang (5 s) or memory blow-up (1 GiB) fails,
 * with the input, the function at fault and the command that reproduces it.
 *
 * FUZZ_SEED and FUZZ_RUNS change the seed and the number of inputs.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listFixtures, REGRESSIONS_DIR } from '../fuzz/fixtures.ts';
import { defaultJobs, runFuzz, type Summary } from '../fuzz/harness.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20261123);
const RUNS = Number(process.env.FUZZ_RUNS ?? 5_000);
const BASE = { timeoutMs: 5000, maxRssMb: 1024, jobs: defaultJobs(), targets: [] as string[] };

function explain(s: Summary): string {
  return s.failures
    .map(
      (f) =>
        `${f.target} ${f.kind} ×${f.count} at input ${f.index}: ${f.error.split('\n')[0]}\n  in ${f.function ?? '?'}\n  reproduce: ${f.reproduce}${f.fixture ? `\n  input: ${f.fixture}` : ''}\n${f.stack.split('\n').slice(0, 12).join('\n')}`,
    )
    .join('\n\n');
}

function brief(s: Summary): string {
  const { failures, ...rest } = s;
  return JSON.stringify({ ...rest, failures: failures.length });
}

describe('fuzz, short run', () => {
  it('replays every regression fixture without a crash, a hang or a memory blow-up', async () => {
    const fixtures = listFixtures([REGRESSIONS_DIR]);
    if (fixtures.length === 0) return;
    const s = await runFuzz({ ...BASE, seed: 0, runs: 0, minimizeMs: 0, saveDir: null, replay: [REGRESSIONS_DIR] });
    process.stderr.write(`fuzz replay: ${brief(s)}\n`);
    expect(s.inputs).toBe(fixtures.length);
    expect(s.failures, explain(s)).toEqual([]);
  }, 600_000);

  it(`${RUNS} generated and mutated inputs: no crash, no hang, bounded memory`, async () => {
    // New failures are saved (minimised) here rather than in the work tree; their paths are in the message.
    const saveDir = mkdtempSync(join(tmpdir(), 'vanthu-fuzz-short-'));
    const s = await runFuzz({ ...BASE, seed: SEED, runs: RUNS, minimizeMs: 5000, saveDir });
    process.stderr.write(`fuzz: ${brief(s)}\n`);
    expect(s.failures, explain(s)).toEqual([]);
    expect(s.inputs).toBe(RUNS);
    expect(s.peakRssMb).toBeLessThanOrEqual(BASE.maxRssMb);
  }, 900_000);
});
