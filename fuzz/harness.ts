/**
 * The fuzz harness: runs each target in a child process with a watchdog (per-input time limit,
 * resident-memory bound sampled from /proc), restarts a child that hung, blew up or died at the
 * next input, de-duplicates failures by signature, saves each new one (minimised when the child
 * could) as a regression fixture, and adds everything up into one summary.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { faultFrame, frames, signatureSlug, type FailureKind } from './failure.ts';
import { fromWire, toWire, type FromChild, type ToChild, type WireError } from './protocol.ts';
import { inputSeed } from './rng.ts';
import { loadCorpus, ROOT } from './seeds.ts';
import { target as targetNamed, TARGETS, type FuzzInput } from './targets/index.ts';

const CHILD = fileURLToPath(new URL('./child.ts', import.meta.url));
export const REGRESSIONS_DIR = join(ROOT, 'fuzz', 'regressions');

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

interface Task {
  target: string;
  from: number;
  to: number;
  /** Replay: fixture inputs by id (the id is the index reported by the child). */
  replay?: Map<number, { input: FuzzInput; fixture: string }>;
}

interface Fixture {
  target: string;
  mode: string;
  name?: string | null;
  splits?: number[] | null;
  close?: FuzzInput['close'] | null;
  file: string;
  kind: FailureKind;
  signature: string;
  error: string;
  function: string | null;
  stack: string;
  found: { seed: number | null; index: number; reproduce: string };
  bytes: number;
  originalBytes: number;
  minimized: boolean;
}

const FIXTURE_EXT: Record<string, string> = {
  'mime:buffer': '.eml',
  'mime:stream': '.eml',
  'classify:message': '.eml',
  'verify:message': '.eml',
  'verify:smime': '.eml',
  'verify:pdf': '.pdf',
  'verify:xml': '.xml',
  'pdf:text': '.pdf',
  'pdf:fast': '.pdf',
  'docx:docx': '.docx',
  'docx:zip': '.zip',
  'edxml:parse': '.xml',
  'smtp:session': '.smtp',
};

function fixtureExt(target: string, input: FuzzInput): string {
  if (target === 'classify' && input.mode === 'file') return /\.(pdf|docx|txt|xml)$/i.exec(input.name ?? '')?.[0].toLowerCase() ?? '.bin';
  if (target === 'cms') return '.der';
  return FIXTURE_EXT[`${target}:${input.mode}`] ?? '.bin';
}

/** Every fixture (.json) under the given files/folders. */
export function listFixtures(paths: string[]): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    if (!existsSync(p)) return;
    if (statSync(p).isDirectory()) for (const n of readdirSync(p).sort()) walk(join(p, n));
    else if (p.endsWith('.json')) out.push(p);
  };
  for (const p of paths) walk(p);
  return out;
}

function readFixture(path: string): { meta: Fixture; input: FuzzInput } {
  const meta = JSON.parse(readFileSync(path, 'utf8')) as Fixture;
  const bytes = readFileSync(join(dirname(path), meta.file));
  const input: FuzzInput = { mode: meta.mode, bytes };
  if (meta.name != null) input.name = meta.name;
  if (meta.splits?.length) input.splits = meta.splits;
  if (meta.close) input.close = meta.close;
  return { meta, input };
}

/** Resident set size and its high-water mark of a process, in bytes (Linux /proc; null elsewhere). */
function procMemory(pid: number): { rss: number; hwm: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0) * 1024;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return null;
  }
}

interface ProcStat {
  /** CPU time of all its threads, user + system. */
  cpuMs: number;
  /** State of the main thread: R running, S sleeping, D disk wait… */
  state: string;
}

const TICK_MS = 10; // USER_HZ is 100 on Linux

function procStat(pid: number): ProcStat | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0], cpuMs: (Number(fields[11]) + Number(fields[12])) * TICK_MS };
  } catch {
    return null;
  }
}

/** Output of a child kept for crash reports (the last 16 KiB). */
class Tail {
  private text = '';
  push = (chunk: Buffer) => {
    this.text = (this.text + chunk.toString('utf8')).slice(-16384);
  };
  toString() {
    return this.text;
  }
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
      if (!f.known && saveDir && input) f.fixture = saveFixture(saveDir, task, f, input);
      known.add(sig);
    }
    f.count++;
  };

  const saveFixture = (dir: string, task: Task, f: FailureRecord, input: FuzzInput): string => {
    const folder = join(dir, task.target);
    mkdirSync(folder, { recursive: true });
    const slug = signatureSlug(f.signature);
    const file = `${slug}${fixtureExt(task.target, input)}`;
    writeFileSync(join(folder, file), input.bytes);
    const meta: Fixture = {
      target: task.target,
      mode: input.mode,
      name: input.name ?? null,
      splits: input.splits ?? null,
      close: input.close ?? null,
      file,
      kind: f.kind,
      signature: f.signature,
      error: f.error,
      function: f.function,
      stack: f.stack,
      found: { seed: mode === 'fuzz' ? opts.seed : null, index: f.index, reproduce: f.reproduce },
      bytes: input.bytes.length,
      originalBytes: input.bytes.length,
      minimized: false,
    };
    const path = join(folder, `${slug}.json`);
    writeFileSync(path, JSON.stringify(meta, null, 2) + '\n');
    fixturesBySig.set(f.signature, relative(ROOT, path));
    return relative(ROOT, path);
  };

  const updateMinimized = (sig: string, input: FuzzInput, final: boolean): void => {
    const f = failures.get(sig);
    if (!f?.fixture || f.known || !saveDir) return;
    const path = join(ROOT, f.fixture);
    const meta = JSON.parse(readFileSync(path, 'utf8')) as Fixture;
    writeFileSync(join(dirname(path), meta.file), input.bytes);
    meta.bytes = input.bytes.length;
    meta.minimized = final || meta.minimized;
    meta.splits = input.splits ?? null;
    meta.mode = input.mode;
    writeFileSync(path, JSON.stringify(meta, null, 2) + '\n');
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

  const runTask = async (task: Task): Promise<void> => {
    const s = stats.get(task.target)!;
    const t0 = performance.now();
    let next = task.from;
    let fruitless = 0;
    let setupTries = 0;
    while (next < task.to) {
      const r = await runChild(task, next, setupTries >= 2);
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

  const runChild = (task: Task, from: number, lastTry: boolean): Promise<{ done: boolean; resume: number; output: string; setupFailed?: boolean }> =>
    new Promise((resolve) => {
      const s = stats.get(task.target)!;
      const reportDir = mkdtempSync(join(tmpdir(), 'vanthu-fuzz-report-'));
      const env = { ...process.env };
      delete env.NODE_OPTIONS;
      const child: ChildProcess = fork(CHILD, [], {
        cwd: ROOT,
        env,
        execArgv: ['--import', 'tsx', '--max-old-space-size=4096'],
        serialization: 'advanced',
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      });
      const tail = new Tail();
      child.stdout?.on('data', tail.push);
      child.stderr?.on('data', tail.push);
      let current = from - 1;
      let phase: 'setup' | 'gen' | 'run' | 'min' = 'setup';
      let lastStart = Date.now();
      let cpuAtStart = 0;
      /** (time, cpu ms) samples of the last seconds, to tell a busy input from one waiting on nothing. */
      const samples: Array<[number, number]> = [];
      let lastStat: ProcStat | null = null;
      /** The hang was decided on CPU time: it was running, even when no stack could be taken. */
      let busy = false;
      let finished = false;
      let killedFor: 'hang' | 'rss' | null = null;
      let killedPhase: 'setup' | 'gen' | 'run' | 'min' | null = null;
      let crashReported = false;
      const bound = opts.maxRssMb * 1024 * 1024;
      const peak = (bytes: number) => {
        s.peakRssMb = Math.max(s.peakRssMb, Math.round(bytes / 1048576));
      };
      // Ask the child's stack watchdog where it is stuck (stack-watch.ts), give it a moment, then kill.
      const kill = (why: 'hang' | 'rss') => {
        killedFor = why;
        killedPhase = phase;
        const watching = phase === 'run' || phase === 'min';
        if (watching) writeFileSync(join(reportDir, 'capture'), `${why} ${current}`);
        const until = Date.now() + (watching ? 4000 : 0);
        const wait = setInterval(() => {
          if (readdirSync(reportDir).some((n) => n.startsWith(`stack-${why}-${current}.`)) || Date.now() > until) {
            clearInterval(wait);
            child.kill('SIGKILL');
          }
        }, 20);
      };
      const watchdog = setInterval(() => {
        const mem = child.pid ? procMemory(child.pid) : null;
        if (mem) peak(mem.hwm);
        if (killedFor || finished) return;
        if (mem && mem.hwm > bound && phase !== 'setup' && phase !== 'gen') return kill('rss');
        const now = Date.now();
        const wall = now - lastStart;
        if (phase === 'setup' || phase === 'gen') {
          if (wall > (phase === 'setup' ? 180_000 : 60_000)) kill('hang');
          return;
        }
        // A hang is an input that used more than the limit of CPU time, or that has waited on
        // nothing (main thread asleep, no CPU) past the limit. CPU time rather than wall time,
        // because the machine is shared: under load a 1 s input can take 10 s of wall time.
        lastStat = child.pid ? procStat(child.pid) : null;
        if (!lastStat) {
          if (wall > opts.timeoutMs) kill('hang');
          return;
        }
        samples.push([now, lastStat.cpuMs]);
        while (samples.length > 2 && now - samples[1][0] >= 1000) samples.shift();
        const recentCpu = lastStat.cpuMs - samples[0][1];
        const idle = now - samples[0][0] >= 900 && recentCpu < 30 && lastStat.state === 'S';
        if (lastStat.cpuMs - cpuAtStart > opts.timeoutMs) busy = true;
        if (busy || (wall > opts.timeoutMs && idle) || wall > opts.timeoutMs * 10) kill('hang');
      }, 50);
      child.on('message', (m: FromChild) => {
        switch (m.t) {
          case 'ready':
            phase = 'run';
            lastStart = Date.now();
            break;
          case 'start':
            if (m.phase === 'run') s.inputs++;
            current = m.i;
            phase = m.phase;
            lastStart = Date.now();
            cpuAtStart = (child.pid ? procStat(child.pid)?.cpuMs : null) ?? 0;
            peak(m.rss);
            break;
          case 'fail': {
            if (m.kind === 'process-crash') crashReported = true;
            if (phase === 'setup' && !lastTry) break; // a start that failed is retried (runTask)
            record(task, m.kind, m.i, m.error, m.signature, m.input ? fromWire(m.input) : null);
            break;
          }
          case 'minimized':
            updateMinimized(m.signature, fromWire(m.input), m.final);
            break;
          case 'done':
            finished = true;
            break;
        }
      });
      child.on('exit', (code, sig) => {
        void (async () => {
          clearInterval(watchdog);
          const output = tail.toString();
          const report = readStack(reportDir, killedFor ?? 'hang', current);
          rmSync(reportDir, { recursive: true, force: true });
          if (finished) return resolve({ done: true, resume: task.to, output });
          if (phase === 'setup') {
            if (lastTry) {
              record(
                task,
                'process-crash',
                -1,
                { name: 'SetupError', message: `the ${task.target} target did not start (exit ${code ?? sig})`, stack: output },
                `${task.target}/process-crash/setup`,
                null,
              );
            }
            return resolve({ done: true, resume: task.to, output, setupFailed: true });
          }
          if (killedFor && killedPhase === 'min') return resolve({ done: false, resume: current + 1, output });
          if (phase === 'gen' && !killedFor && crashReported) return resolve({ done: false, resume: current + 1, output });
          if (killedPhase === 'gen' || (phase === 'gen' && !killedFor)) {
            // the harness's generator, not the target: report it as such and go on with the next input
            record(
              task,
              'process-crash',
              current,
              { name: 'HarnessError', message: `making input ${current} failed (${killedFor ?? `exit ${code ?? sig}`})`, stack: output },
              `${task.target}/process-crash/generator`,
              null,
            );
            return resolve({ done: false, resume: current + 1, output });
          }
          if (killedFor === 'hang' || killedFor === 'rss') {
            const kind: FailureKind = killedFor;
            const cpu = lastStat
              ? ` (${Math.round((lastStat.cpuMs - cpuAtStart) / 100) / 10} s of CPU, ${Math.round((Date.now() - lastStart) / 100) / 10} s of wall time)`
              : '';
            const what = kind === 'hang' ? `no answer within the ${opts.timeoutMs} ms limit${cpu}` : `resident memory over ${opts.maxRssMb} MiB`;
            const stack =
              report.stack ||
              `${kind === 'hang' ? 'Hang' : 'MemoryBound'}\n    ${busy || kind === 'rss' ? '(busy, but no JavaScript frame was reached in time: native code such as zlib or a regular expression, or a loaded machine)' : '(no JavaScript on the stack: waiting on a promise, a timer or a socket that never settled)'}`;
            const fn = faultFrame(report.stack);
            const input = await inputAt(task, current);
            const sigText = `${task.target}/${kind}/${input?.mode ?? '?'}@${fn ? `${fn.file}:${fn.fn}` : 'idle'}`;
            record(task, kind, current, { name: kind === 'hang' ? 'Hang' : 'MemoryBound', message: what, stack }, sigText, input);
          } else if (!crashReported) {
            const stack = `${output.trim().split('\n').slice(-30).join('\n')}`;
            record(
              task,
              'process-crash',
              current,
              { name: 'ProcessExit', message: `child exited with ${code ?? sig}`, stack },
              `${task.target}/process-crash/${sig ?? code}@${faultFrame(stack)?.fn ?? '?'}`,
              await inputAt(task, current),
            );
          }
          resolve({ done: false, resume: current + 1, output });
        })();
      });
      const knownList = [...known];
      const watch = { dir: reportDir };
      const msg: ToChild = task.replay
        ? {
            t: 'replay',
            target: task.target,
            known: [],
            minimizeMs: 0,
            watch,
            inputs: [...task.replay].filter(([id]) => id >= from).map(([id, r]) => ({ id, input: toWire(r.input) })),
          }
        : { t: 'job', target: task.target, seed: opts.seed, from, to: task.to, known: knownList, minimizeMs: opts.minimizeMs, watch };
      child.send(msg);
    });

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

/** The stack the child's watchdog thread wrote for input `index` (stack-watch.ts); '' when none. */
function readStack(dir: string, why: 'hang' | 'rss', index: number): { stack: string } {
  try {
    const text = readFileSync(join(dir, `stack-${why}-${index}.txt`), 'utf8');
    if (!frames(text).length) return { stack: '' };
    return { stack: `${why === 'hang' ? 'Hang' : 'MemoryBound'}\n${text.replace(/file:\/\//g, '')}` };
  } catch {
    return { stack: '' };
  }
}

export function defaultJobs(): number {
  return Math.max(1, Math.min(2, availableParallelism()));
}

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
