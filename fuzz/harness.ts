/**
 * The fuzz harness: runs each target in a child process with a watchdog (per-input time limit,
 * resident-memory bound sampled from /proc), restarts a child that hung, blew up or died at the
 * next input, de-duplicates failures by signature, saves each new one (minimised when the child
 * could) as a regression fixture, and adds everything up into one summary.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { relative } from 'node:path';
import { runChild } from './child-run.ts';
import { faultFrame, signatureSlug, type FailureKind } from './failure.ts';
import { listFixtures, readFixture, REGRESSIONS_DIR, rewriteFixtureInput, writeFixture, type Fixture } from './fixtures.ts';
import { procMemory } from './proc.ts';
import type { WireError } from './protocol.ts';
import { inputSeed } from './rng.ts';
import { loadCorpus, ROOT } from './seeds.ts';
import { target as targetNamed, TARGETS, type FuzzInput } from './targets/index.ts';

/**
 * Share of `--runs` each target gets. The slow targets get less: an SMTP session costs at least
 * smtp-server's 100 ms early-talker delay, a damaged PDF goes through pdfjs.
 */
export const WEIGHTS: Record<string, number> = { classify: 1, pdf: 0.5, verify: 0.6, smtp: 0.3, mime: 1.5, docx: 1.5, cms: 2, edxml: 1.6 };

export interface FuzzOptions {
  seed: number;
  /** Inputs in total, split over the targets by WEIGHTS. */
  runs: number;
  targets: string[];
  /** First input index (with runs = 1: replay one input of a run). */
  from?: number;
  jobs: number;
  timeoutMs: number;
  maxRssMb: number;
  /** Time spent minimising each new failure (0: save the input as found). */
  minimizeMs: number;
  /** Where new failures are saved as regression fixtures; null: nowhere. */
  saveDir: string | null;
  /** Replay these fixture files (.json) or folders instead of generating inputs. */
  replay?: string[];
  /** Progress lines (stderr in the CLI); none when absent. */
  log?: (line: string) => void;
}

export interface TargetSummary {
  inputs: number;
  crashes: number;
  hangs: number;
  rssExceeded: number;
  peakRssMb: number;
  seconds: number;
  inputsPerSecond: number;
  restarts: number;
}

export interface FailureRecord {
  target: string;
  kind: FailureKind;
  signature: string;
  count: number;
  /** Input index in the run (or fixture number in a replay); -1 after the last input. */
  index: number;
  error: string;
  function: string | null;
  stack: string;
  /** The saved regression fixture (metadata .json), relative to the project root. */
  fixture: string | null;
  /** A fixture replayed (or a known signature found again): not new. */
  known: boolean;
  reproduce: string;
}

/** The run's totals have the fields of one target's, less restarts. */
export interface Summary extends Omit<TargetSummary, 'restarts'> {
  mode: 'fuzz' | 'replay';
  seed: number;
  timeoutMs: number;
  maxRssMb: number;
  jobs: number;
  targets: Record<string, TargetSummary>;
  failures: FailureRecord[];
  ok: boolean;
}

export interface Task {
  target: string;
  from: number;
  to: number;
  /** Replay: fixture inputs by id (the id is the index reported by the child). */
  replay?: Map<number, { input: FuzzInput; fixture: string }>;
}

export async function runFuzz(opts: FuzzOptions): Promise<Summary> {
  const started = performance.now();
  const log = opts.log ?? (() => {});
  const mode = opts.replay ? 'replay' : 'fuzz';
  const failures = new Map<string, FailureRecord>();
  const known = new Set<string>();
  const stats = new Map<string, TargetSummary>();
  const fixturesBySig = new Map<string, string>();
  // Signatures of saved fixtures are known: found again, they count as failures but are not saved twice.
  const saveDir = opts.saveDir;
  for (const f of listFixtures([saveDir ?? REGRESSIONS_DIR])) {
    try {
      const meta = JSON.parse(readFileSync(f, 'utf8')) as Fixture;
      known.add(meta.signature);
      fixturesBySig.set(meta.signature, relative(ROOT, f));
    } catch {
      /* not a fixture */
    }
  }

  const tasks: Task[] = [];
  if (opts.replay) {
    const byTarget = new Map<string, Map<number, { input: FuzzInput; fixture: string }>>();
    let id = 0;
    for (const path of listFixtures(opts.replay)) {
      const { meta, input } = readFixture(path);
      if (opts.targets.length && !opts.targets.includes(meta.target)) continue;
      const m = byTarget.get(meta.target) ?? new Map();
      m.set(id++, { input, fixture: relative(ROOT, path) });
      byTarget.set(meta.target, m);
    }
    for (const [target, replay] of byTarget) tasks.push({ target, from: Math.min(...replay.keys()), to: Math.max(...replay.keys()) + 1, replay });
  } else {
    const names = opts.targets.length ? opts.targets : TARGETS.map((t) => t.name);
    for (const n of names) targetNamed(n); // unknown names fail before anything starts
    const total = names.reduce((s, n) => s + (WEIGHTS[n] ?? 1), 0);
    let left = opts.runs;
    names.forEach((n, k) => {
      const share = k === names.length - 1 ? left : Math.round((opts.runs * (WEIGHTS[n] ?? 1)) / total);
      left -= share;
      const from = opts.from ?? 0;
      if (share > 0) tasks.push({ target: n, from, to: from + share });
    });
  }
  for (const t of tasks) {
    stats.set(t.target, { inputs: 0, crashes: 0, hangs: 0, rssExceeded: 0, peakRssMb: 0, seconds: 0, inputsPerSecond: 0, restarts: 0 });
  }

  const reproduce = (target: string, index: number, fixture: string | null) =>
    mode === 'replay' && fixture
      ? `npm run fuzz -- --replay ${fixture}`
      : index >= 0
        ? `npm run fuzz -- --target ${target} --seed ${opts.seed} --index ${index}`
        : `npm run fuzz -- --target ${target} --seed ${opts.seed} --runs ${tasks.find((t) => t.target === target)?.to ?? 0}`;

  const record = (task: Task, kind: FailureKind, index: number, error: WireError, sig: string, input: FuzzInput | null): void => {
    const s = stats.get(task.target)!;
    if (kind === 'hang') s.hangs++;
    else if (kind === 'rss') s.rssExceeded++;
    else s.crashes++;
    const replayed = task.replay?.get(index)?.fixture ?? null;
    let f = failures.get(sig);
    if (!f) {
      const frame = faultFrame(error.stack);
      f = {
        target: task.target,
        kind,
        signature: sig,
        count: 0,
        index,
        error: `${error.name}: ${error.message}`.slice(0, 600),
        function: frame ? `${frame.fn} (${frame.file}:${frame.line})` : null,
        stack: error.stack.split('\n').slice(0, 40).join('\n'),
        fixture: replayed ?? fixturesBySig.get(sig) ?? null,
        known: Boolean(replayed) || known.has(sig),
        reproduce: reproduce(task.target, index, replayed),
      };
      failures.set(sig, f);
      log(`[${task.target}] ${kind} at input ${index}: ${f.error.split('\n')[0]}${f.function ? ` — in ${f.function}` : ''}`);
      if (!f.known && saveDir && input) f.fixture = saveFixture(saveDir, f, input);
      known.add(sig);
    }
    f.count++;
  };

  const saveFixture = (dir: string, f: FailureRecord, input: FuzzInput): string => {
    const path = writeFixture(dir, f, input, mode === 'fuzz' ? opts.seed : null, signatureSlug(f.signature));
    fixturesBySig.set(f.signature, path);
    return path;
  };

  const updateMinimized = (sig: string, input: FuzzInput, final: boolean): void => {
    const f = failures.get(sig);
    if (!f?.fixture || f.known || !saveDir) return;
    rewriteFixtureInput(f.fixture, input, final);
  };

  /** The input `index` of a task, made again in this process (for a child that could not report it). */
  const inputAt = async (task: Task, index: number): Promise<FuzzInput | null> => {
    if (index < 0) return null;
    if (task.replay) return task.replay.get(index)?.input ?? null;
    try {
      const corpus = await loadCorpus();
      return targetNamed(task.target).generate(corpus, inputSeed(opts.seed, task.target, index), index);
    } catch {
      return null;
    }
  };

  const ctx = { opts, stats, known, record, updateMinimized, inputAt };
  const runTask = async (task: Task): Promise<void> => {
    const s = stats.get(task.target)!;
    const t0 = performance.now();
    let next = task.from;
    let fruitless = 0;
    let setupTries = 0;
    while (next < task.to) {
      const r = await runChild(ctx, task, next, setupTries >= 2);
      // A target that does not start is retried: in a shared work tree a module can be mid-edit.
      if (r.setupFailed && ++setupTries < 3) {
        await new Promise((ok) => setTimeout(ok, 3000));
        continue;
      }
      if (r.done) break;
      s.restarts++;
      if (r.resume <= next) {
        if (++fruitless >= 3) {
          record(
            task,
            'process-crash',
            next,
            { name: 'HarnessError', message: `the ${task.target} child died ${fruitless} times before running input ${next}`, stack: r.output },
            `${task.target}/process-crash/start`,
            null,
          );
          break;
        }
      } else fruitless = 0;
      next = Math.max(r.resume, next);
    }
    s.seconds = Math.round((performance.now() - t0) / 10) / 100;
    s.inputsPerSecond = s.seconds > 0 ? Math.round((s.inputs / s.seconds) * 10) / 10 : 0;
  };

  // A small pool: `jobs` children at a time, each taking the next target.
  const queue = [...tasks];
  let lastProgress = Date.now();
  const progress = setInterval(() => {
    if (Date.now() - lastProgress < 10_000) return;
    lastProgress = Date.now();
    log(`progress: ${[...stats].map(([n, s]) => `${n} ${s.inputs}`).join(', ')}; failures ${[...failures.values()].reduce((x, f) => x + f.count, 0)}`);
  }, 1000);
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(opts.jobs, queue.length)) }, async () => {
      for (let task = queue.shift(); task; task = queue.shift()) await runTask(task);
    }),
  );
  clearInterval(progress);

  const seconds = Math.round((performance.now() - started) / 10) / 100;
  const all = [...stats.values()];
  const sum = (f: (s: TargetSummary) => number) => all.reduce((x, s) => x + f(s), 0);
  const inputs = sum((s) => s.inputs);
  const parentPeak = procMemory(process.pid)?.hwm ?? process.memoryUsage.rss();
  const summary: Summary = {
    mode,
    seed: opts.seed,
    timeoutMs: opts.timeoutMs,
    maxRssMb: opts.maxRssMb,
    jobs: opts.jobs,
    targets: Object.fromEntries(stats),
    inputs,
    crashes: sum((s) => s.crashes),
    hangs: sum((s) => s.hangs),
    rssExceeded: sum((s) => s.rssExceeded),
    peakRssMb: Math.max(Math.round(parentPeak / 1048576), ...all.map((s) => s.peakRssMb)),
    seconds,
    inputsPerSecond: seconds > 0 ? Math.round((inputs / seconds) * 10) / 10 : 0,
    failures: [...failures.values()],
    ok: failures.size === 0,
  };
  return summary;
}

export function defaultJobs(): number {
  return Math.max(1, Math.min(2, availableParallelism()));
}
