/**
 * Shrinking a saved fixture the child could not minimise itself (docs/fuzzing.md): a hang, a
 * memory blow-up, a process crash. Every candidate is replayed in a fresh child under the harness.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { readFixture } from './fixtures.ts';
import { runFuzz } from './harness.ts';
import { ROOT } from './seeds.ts';

/**
 * Shrinks a saved fixture whose failure the child could not minimise itself — a hang, a memory
 * blow-up, a process crash: every candidate (chunks removed, halves first) is replayed in a fresh
 * child under the same watchdog, and kept when it still fails the same way (same kind).
 */
export async function minimizeFixture(
  path: string,
  opts: { attempts: number; timeoutMs: number; maxRssMb: number; log?: (line: string) => void },
): Promise<{ fixture: string; from: number; to: number; attempts: number }> {
  const { meta, input } = readFixture(path);
  const dir = mkdtempSync(join(tmpdir(), 'vanthu-fuzz-min-'));
  let best = input.bytes;
  let attempts = 0;
  const fails = async (bytes: Buffer): Promise<boolean> => {
    attempts++;
    writeFileSync(join(dir, 'candidate.bin'), bytes);
    writeFileSync(join(dir, 'candidate.json'), JSON.stringify({ ...meta, file: 'candidate.bin' }));
    const s = await runFuzz({
      seed: 0,
      runs: 0,
      targets: [],
      jobs: 1,
      timeoutMs: opts.timeoutMs,
      maxRssMb: opts.maxRssMb,
      minimizeMs: 0,
      saveDir: null,
      replay: [join(dir, 'candidate.json')],
    });
    return s.failures.some((f) => f.kind === meta.kind);
  };
  try {
    for (let chunk = Math.max(1, best.length >> 1); attempts < opts.attempts; chunk >>= 1) {
      for (let at = 0; at < best.length && attempts < opts.attempts; ) {
        const candidate = Buffer.concat([best.subarray(0, at), best.subarray(at + chunk)]);
        if (await fails(candidate)) {
          best = candidate;
          opts.log?.(`${relative(ROOT, path)}: ${best.length} bytes still ${meta.kind} (attempt ${attempts})`);
          writeFileSync(join(dirname(path), meta.file), best);
        } else at += chunk;
      }
      if (chunk <= 1) break;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const updated = { ...meta, bytes: best.length, minimized: best.length < input.bytes.length || meta.minimized };
  writeFileSync(path, JSON.stringify(updated, null, 2) + '\n');
  return { fixture: relative(ROOT, path), from: input.bytes.length, to: best.length, attempts };
}
