/** Small helpers of bench:e2e (bench/e2e.ts): the progress log, percentiles, the machine's CPU. */
import { readFileSync } from 'node:fs';
import { round } from './procstat.ts';

export const log = (line: string) => process.stderr.write(`[e2e ${new Date().toISOString().slice(11, 23)}] ${line}\n`);
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const TERMINAL = new Set(['decided', 'failed']);
export const monoUs = () => Number(process.hrtime.bigint() / 1000n);

export function percentiles(values: number[]): { n: number; p50: number; p95: number; p99: number; max: number; mean: number } | null {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
  return {
    n: s.length,
    p50: round(at(50)),
    p95: round(at(95)),
    p99: round(at(99)),
    max: round(s[s.length - 1]),
    mean: round(s.reduce((a, b) => a + b, 0) / s.length),
  };
}

/** Busy and total jiffies of the whole machine (/proc/stat), to tell others' load from ours. */
export function machineCpu(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = f[3] + (f[4] ?? 0);
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}
