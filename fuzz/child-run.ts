/**
 * One child process of the fuzz harness (docs/fuzzing.md): forks fuzz/child.ts for a task from an
 * input index, watches it (per-input CPU/idle time limit, resident-memory bound sampled from /proc),
 * asks its stack watchdog where it is stuck before killing it, and reports every failure to the
 * run through `record`. Resolves with where the task goes on (the next input after a failure).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { faultFrame, type FailureKind } from './failure.ts';
import type { FuzzOptions, Task, TargetSummary } from './harness.ts';
import { procMemory, procStat, readStack, Tail, type ProcStat } from './proc.ts';
import { fromWire, toWire, type FromChild, type ToChild, type WireError } from './protocol.ts';
import { ROOT } from './seeds.ts';
import type { FuzzInput } from './targets/index.ts';

const CHILD = fileURLToPath(new URL('./child.ts', import.meta.url));

/** What a child run needs of the run it belongs to. */
export interface ChildContext {
  opts: Pick<FuzzOptions, 'seed' | 'timeoutMs' | 'maxRssMb' | 'minimizeMs'>;
  stats: Map<string, TargetSummary>;
  /** Signatures already found or saved (sent to the child, so it does not minimise them again). */
  known: ReadonlySet<string>;
  record(task: Task, kind: FailureKind, index: number, error: WireError, sig: string, input: FuzzInput | null): void;
  updateMinimized(sig: string, input: FuzzInput, final: boolean): void;
  /** The input `index` of a task, made again in this process (for a child that could not report it). */
  inputAt(task: Task, index: number): Promise<FuzzInput | null>;
  /** The child's module: fuzz/child.ts unless a test stands in for it. */
  childModule?: string;
}

export interface ChildResult {
  done: boolean;
  resume: number;
  output: string;
  setupFailed?: boolean;
}

export function runChild(ctx: ChildContext, task: Task, from: number, lastTry: boolean): Promise<ChildResult> {
  const { opts, stats, known, record, updateMinimized, inputAt } = ctx;
  return new Promise((resolve) => {
    const s = stats.get(task.target)!;
    const reportDir = mkdtempSync(join(tmpdir(), 'vanthu-fuzz-report-'));
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    const child: ChildProcess = fork(ctx.childModule ?? CHILD, [], {
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
          // CPU counts from here: the child's start-up (loading tsx and the target) is not an input's.
          phase = 'run';
          lastStart = Date.now();
          cpuAtStart = (child.pid ? procStat(child.pid)?.cpuMs : null) ?? 0;
          break;
        case 'start':
          // Decided to kill: the child may finish that input while it writes its stack and start
          // the next; the failure stays with the input that was running, and the run resumes after it.
          if (killedFor) break;
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
}
