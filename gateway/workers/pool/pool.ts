/**
 * The CPU pool (docs/architecture.md, "The CPU pool"): worker threads that run the pipeline's
 * CPU-bound work — the MIME parse, the classifier's PDF and DOCX reading, signature verification —
 * so that the main thread keeps SMTP, HTTP, the queue and the database, and a second core works.
 *
 * A job's tasks go to one thread (its parse is kept there, tasks.ts). A thread runs a few tasks at
 * once (they wait on DNS too). What a thread does to a hostile input is that message's outcome,
 * never the pool's: a task that runs past `taskMs` gets PoolTaskFailed 'worker-timeout' and its
 * thread is stopped; a thread that dies (an uncaught error in a parser) takes the task it ran
 * alone with it as 'worker-crashed'. Tasks that shared the thread are run
 * again, each alone on a thread, so only the one that kills a thread by itself is blamed. A new
 * thread replaces each one lost; a thread that cannot even start fails the waiting tasks as
 * transient (BullMQ retries the jobs).
 */
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { PermanentError, TransientError } from '../../errors.ts';
import { LimitExceeded, type LimitName } from '../../limits.ts';
import type { Logger } from '../../log.ts';
import type { ErrorFields, PoolTask, Reply, TaskResults } from './protocol.ts';

export interface CpuPoolOptions {
  /** Threads (at least 1; a pipeline without a pool runs the work inline). */
  threads: number;
  /** A task running longer than this stops its thread: 'worker-timeout' for its message. */
  taskMs: number;
  /** Tasks one thread runs at once (default 4). */
  tasksPerThread?: number;
  log?: Logger;
  /** The thread's entry module (tests); default THREAD_ENTRY. */
  entry?: URL;
  /** A thread that holds more than this after a task (its isolate's heap and external memory) is replaced once idle (default RECYCLE_HEAP_MB). */
  recycleHeapMb?: number;
}

/**
 * A thread holding more than this after a task is replaced (CpuPoolOptions.recycleHeapMb): memory a
 * hostile file made its isolate take stays with the thread otherwise (docs/operations.md, "The CPU
 * pool's memory"), and a thread's start costs less than what it keeps.
 */
export const RECYCLE_HEAP_MB = 96;

/** Set by the compiled CLI's build (bin/build.mjs `define`): the path of its bundle of the thread; absent when run from the sources. */
declare const __vanthu_pool_thread: string | undefined;

/**
 * Where a thread starts: the compiled CLI's bundle of it (plain JavaScript, only the tasks'
 * modules) when this module is part of that build, else thread.mjs beside this file, which loads
 * the TypeScript (through tsx when the thread cannot by itself).
 */
export const THREAD_ENTRY: URL = typeof __vanthu_pool_thread === 'string' ? pathToFileURL(__vanthu_pool_thread) : new URL('./thread.mjs', import.meta.url);

/**
 * A thread's young generation, MiB (V8 sizes it from the machine's memory: 48 MiB here). 16 keeps
 * ~10 MiB per thread resident less, as for the embedded database's thread (docs/operations.md,
 * "Memory"). Only the young generation: an old-generation limit takes the whole process down (below).
 */
export const THREAD_YOUNG_GENERATION_MB = 16;

/** A task's thread was stopped past its time or died under it: the message's named outcome (`worker-timeout`, `worker-crashed`). */
export class PoolTaskFailed extends PermanentError {
  constructor(code: 'worker-timeout' | 'worker-crashed', message: string) {
    super(code, message);
    this.name = 'PoolTaskFailed';
  }
}

/** Threads by default: the cores but one (the main thread's), at least one. */
export function defaultThreads(): number {
  return Math.max(1, os.availableParallelism() - 1);
}

/**
 * A task made afresh for each attempt: its bytes are transferred, so a run again needs new copies.
 * `raw` says whether the task must carry the job's raw bytes: false when the thread it goes to
 * already got them with an earlier task of the job (one copy of the message per job, not per task).
 */
export type MakeTask<T extends PoolTask> = (o: { raw: boolean }) => { task: T; transfer?: ArrayBuffer[] };

interface Entry {
  id: number;
  kind: PoolTask['kind'];
  job: string | null;
  make: MakeTask<PoolTask>;
  /** Run with no other task on its thread (after a crash it may have caused). */
  alone: boolean;
  /** Carry the raw bytes whatever the pool believes the thread holds (it answered `rawNeeded`). */
  withRaw?: boolean;
  resolve(value: unknown): void;
  reject(err: Error): void;
  timer?: NodeJS.Timeout;
}

interface Thread {
  worker: Worker;
  ready: boolean;
  dead: boolean;
  /** Set while an `alone` task runs. */
  exclusive: boolean;
  /** Takes no new tasks; replaced once those it runs are answered (recycleHeapMb). */
  retiring: boolean;
  running: Map<number, Entry>;
  error: Error | null;
}

export interface PoolStats {
  /** Tasks answered, by the id of the thread that ran them (never 0, the main thread). */
  byThread: Map<number, number>;
  timeouts: number;
  crashes: number;
  /** Threads started, replacements included. */
  started: number;
  /** Tasks posted to a thread, and of those the ones that carried the job's raw bytes. */
  posted: number;
  rawPosted: number;
  /** Bytes of the ArrayBuffers transferred to threads (the raw copies: the only bytes a task carries). */
  bytesPosted: number;
  /** Threads replaced because a task left them holding more than recycleHeapMb. */
  recycled: number;
}

export class CpuPool {
  readonly stats: PoolStats = { byThread: new Map(), timeouts: 0, crashes: 0, started: 0, posted: 0, rawPosted: 0, bytesPosted: 0, recycled: 0 };
  private readonly threads: Thread[] = [];
  private readonly queue: Entry[] = [];
  private readonly affinity = new Map<string, Thread>();
  private readonly perThread: number;
  /** A task's time limit, read when it starts on a thread (CpuPoolOptions.taskMs). */
  taskMs: number;
  private nextId = 1;
  private closed = false;
  private startFailures = 0;

  constructor(private readonly opts: CpuPoolOptions) {
    if (!Number.isInteger(opts.threads) || opts.threads < 1) throw new Error(`a CPU pool needs at least one thread, got ${opts.threads}`);
    this.perThread = opts.tasksPerThread ?? 4;
    this.taskMs = opts.taskMs;
    for (let i = 0; i < opts.threads; i++) this.spawn();
  }

  get size(): number {
    return this.opts.threads;
  }

  /** Runs a task on a thread (the job's thread when it has one); rejects with the task's error, rebuilt. */
  run<T extends PoolTask>(job: string | null, make: MakeTask<T>): Promise<TaskResults[T['kind']]> {
    if (this.closed) return Promise.reject(new TransientError('cpu-pool-closed', 'the CPU pool is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, kind: 'ping', job, make, alone: false, resolve, reject } as Entry);
      this.pump();
    }) as Promise<TaskResults[T['kind']]>;
  }

  /** Lets go of a job's parse on its thread (the job ended before verify did it). */
  release(job: string): void {
    const t = this.affinity.get(job);
    this.affinity.delete(job);
    if (t?.ready && !t.dead) t.worker.postMessage({ id: 0, task: { kind: 'release', job } });
  }

  async close(): Promise<void> {
    this.closed = true;
    const gone = new TransientError('cpu-pool-closed', 'the CPU pool was closed');
    for (const e of this.queue.splice(0)) e.reject(gone);
    await Promise.all(
      this.threads.splice(0).map((t) => {
        t.dead = true;
        for (const e of t.running.values()) this.settle(t, e).reject(gone);
        return t.worker.terminate();
      }),
    );
  }

  private spawn(): void {
    if (this.closed) return;
    // No old-generation limit: a thread past its heap limit took the whole process down with it in
    // Node 20 (measured with a 25 MB text body, docs/architecture.md "The CPU pool").
    const worker = new Worker(this.opts.entry ?? THREAD_ENTRY, { resourceLimits: { maxYoungGenerationSizeMb: THREAD_YOUNG_GENERATION_MB } });
    const t: Thread = { worker, ready: false, dead: false, exclusive: false, retiring: false, running: new Map(), error: null };
    this.threads.push(t);
    this.stats.started++;
    worker.unref();
    worker.on('message', (r: Reply) => this.onReply(t, r));
    worker.on('error', (err) => (t.error = err));
    worker.on('exit', (code) => this.onExit(t, code));
  }

  private onReply(t: Thread, r: Reply): void {
    if ('ready' in r) {
      t.ready = true;
      this.startFailures = 0;
      this.pump();
      return;
    }
    const e = t.running.get(r.id);
    if (!e) return;
    if ('rawNeeded' in r) {
      // The thread let go of the job's bytes (the oldest of tasks.ts MAX_HELD_JOBS): again, with them, first.
      this.settle(t, e);
      this.queue.unshift({ ...e, withRaw: true, timer: undefined });
      this.pump();
      return;
    }
    this.stats.byThread.set(r.threadId, (this.stats.byThread.get(r.threadId) ?? 0) + 1);
    // Verify let go of the job's parse on the thread (tasks.ts).
    if (e.kind === 'verify' && e.job) this.affinity.delete(e.job);
    const { resolve, reject } = this.settle(t, e);
    if (r.ok) resolve(r.value);
    else reject(rebuildError(r.error));
    if (!t.retiring && r.heap > (this.opts.recycleHeapMb ?? RECYCLE_HEAP_MB) * 2 ** 20) {
      // No new tasks there; the jobs it holds send their bytes to another thread with their next task.
      t.retiring = true;
      this.stats.recycled++;
      for (const [job, bound] of this.affinity) if (bound === t) this.affinity.delete(job);
      this.opts.log?.info({ heapMb: Math.round(r.heap / 2 ** 20), task: e.kind }, 'CPU pool thread holds more than recycleHeapMb after a task; it is replaced');
    }
    if (t.retiring && !t.running.size) {
      t.dead = true; // its exit is ours: onExit ignores it
      const i = this.threads.indexOf(t);
      if (i >= 0) this.threads.splice(i, 1);
      void t.worker.terminate();
      this.spawn();
    }
    this.pump();
  }

  /** Takes the task off its thread (timer, exclusivity); the caller resolves or rejects it. */
  private settle(t: Thread, e: Entry): Entry {
    clearTimeout(e.timer);
    t.running.delete(e.id);
    if (e.alone) t.exclusive = false;
    return e;
  }

  private pump(): void {
    for (let i = 0; i < this.queue.length; ) {
      const e = this.queue[i];
      const t = this.pick(e);
      if (!t) {
        i++;
        continue;
      }
      this.queue.splice(i, 1);
      this.start(t, e);
    }
    // An idle pool does not keep the process alive; a task waiting or running does.
    for (const t of this.threads)
      if (t.running.size || this.queue.length) t.worker.ref();
      else t.worker.unref();
  }

  private pick(e: Entry): Thread | null {
    const free = (t: Thread) => t.ready && !t.dead && !t.exclusive && !t.retiring && (e.alone ? t.running.size === 0 : t.running.size < this.perThread);
    const bound = e.job && !e.alone ? this.affinity.get(e.job) : undefined;
    if (bound && !bound.dead) return free(bound) ? bound : null;
    let best: Thread | null = null;
    for (const t of this.threads) if (free(t) && (!best || t.running.size < best.running.size)) best = t;
    return best;
  }

  private start(t: Thread, e: Entry): void {
    let made: ReturnType<MakeTask<PoolTask>>;
    // The thread has the job's bytes when an earlier task of the job went to it (the affinity ends
    // when verify or a release lets go of them there, or the thread is lost).
    const holds = e.job !== null && !e.withRaw && this.affinity.get(e.job) === t;
    try {
      made = e.make({ raw: !holds });
    } catch (err) {
      e.reject(err as Error);
      return;
    }
    e.kind = made.task.kind;
    if (e.job) this.affinity.set(e.job, t);
    if (e.alone) t.exclusive = true;
    t.running.set(e.id, e);
    const ms = this.taskMs;
    e.timer = setTimeout(() => this.timedOut(t, e, ms), ms);
    const transfer = made.transfer ?? [];
    this.stats.posted++;
    if ('raw' in made.task && made.task.raw) this.stats.rawPosted++;
    for (const b of transfer) this.stats.bytesPosted += b.byteLength;
    t.worker.postMessage({ id: e.id, task: made.task }, transfer);
  }

  private timedOut(t: Thread, e: Entry, ms: number): void {
    this.stats.timeouts++;
    this.settle(t, e).reject(new PoolTaskFailed('worker-timeout', `the ${e.kind} task ran past ${ms} ms; its thread was stopped`));
    this.opts.log?.warn({ task: e.kind, job: e.job, ms }, 'CPU pool task timed out; its thread is replaced');
    this.lose(t);
    void t.worker.terminate();
  }

  private onExit(t: Thread, code: number): void {
    if (t.dead) return; // stopped on purpose (timeout, close): handled there
    const why = t.error ? `${t.error.name}: ${t.error.message}` : `exit code ${code}`;
    if (!t.ready) {
      // It never loaded its modules: no task is to blame, the pool is. The jobs are retried later.
      this.lose(t, false);
      const failed = new TransientError('cpu-pool-unavailable', `a CPU pool thread could not start: ${why}`);
      this.opts.log?.error({ err: why }, 'CPU pool thread could not start');
      for (const e of this.queue.splice(0)) e.reject(failed);
      const delay = Math.min(30_000, 500 * 2 ** this.startFailures++);
      setTimeout(() => this.spawn(), delay).unref();
      return;
    }
    this.stats.crashes++;
    const alone = t.running.size === 1 || t.exclusive;
    for (const e of [...t.running.values()]) {
      if (alone) {
        this.settle(t, e).reject(new PoolTaskFailed('worker-crashed', `the thread running the ${e.kind} task stopped (${why})`));
        this.opts.log?.warn({ task: e.kind, job: e.job, err: why }, 'CPU pool thread died under a task; its message gets the outcome');
      }
    }
    this.lose(t);
  }

  /** Takes a thread out of the pool: its tasks go back to the queue (each to run alone), a new thread replaces it. */
  private lose(t: Thread, replace = true): void {
    t.dead = true;
    const i = this.threads.indexOf(t);
    if (i >= 0) this.threads.splice(i, 1);
    for (const [job, bound] of this.affinity) if (bound === t) this.affinity.delete(job);
    for (const e of [...t.running.values()]) {
      this.settle(t, e);
      this.queue.unshift({ ...e, alone: true, timer: undefined });
    }
    if (replace) this.spawn();
    this.pump();
  }
}

/** A thread's error as the project's error class (LimitExceeded, PermanentError, TransientError), else a plain Error. */
export function rebuildError(f: ErrorFields): Error {
  if (f.limit) {
    const e = new LimitExceeded(f.limit as LimitName, f.max ?? 0, f.observed ?? null, f.detail ?? f.message);
    return f.where ? e.in(f.where) : e;
  }
  if (f.code && f.permanent === true) return new PermanentError(f.code, f.message);
  if (f.code && f.permanent === false) return new TransientError(f.code, f.message);
  const e = new Error(f.message);
  e.name = f.name;
  return e;
}

/** The pool `ingest.cpuThreads` asks for (null: the cores but one), or none for 0 (the stages then work on the main thread). */
export function configuredPool(ingest: { cpuThreads: number | null; cpuTaskMs: number }, log?: Logger): CpuPool | undefined {
  const threads = ingest.cpuThreads ?? defaultThreads();
  return threads > 0 ? new CpuPool({ threads, taskMs: ingest.cpuTaskMs, log }) : undefined;
}
