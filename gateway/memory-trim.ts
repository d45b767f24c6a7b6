/**
 * Gives the C heap back when the gateway goes idle (docs/operations.md, "Memory"). After a burst,
 * glibc's arenas hold tens of MB of memory already freed, lying between chunks still in use: glibc
 * returns only the top of a heap on `free`, so the process keeps it. `malloc_trim(0)` returns it
 * (all arenas: the database thread's and ended threads' too), but Node has no binding; koffi (a
 * foreign-function package whose prebuilt library comes as a per-platform npm package, no build
 * step) calls it from libc.so.6.
 *
 * First the JavaScript heaps' free memory goes back (heap-release.ts: V8's low-memory collection in
 * every isolate), then malloc_trim(0) returns what that and the burst left free in the arenas.
 *
 * The rule: trim once when nothing has happened for `idleMs` (no message accepted, no ingest, OCR,
 * delivery or follow-up job started or finished), then not again until new work came and went
 * idle in turn; a pdfjs thread or the OCR tools' spawn helper that ends (memory-released.ts) asks
 * for a trim too, at once when idle. The start counts as work: the first trim comes `idleMs` after
 * it. `VANTHU_MEMORY_TRIM` sets it: `off`, or the idle time in seconds (default 10). Where it cannot
 * run (not Linux, not glibc, koffi missing) the gateway runs without it and says why once.
 */
import { createRequire } from 'node:module';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Logger } from './log.ts';
import { releaseHeaps } from './heap-release.ts';
import { onMemoryReleased } from './memory-released.ts';

export const DEFAULT_IDLE_MS = 10_000;

export type TrimBinding = { ok: true; trim: () => number; libc: string } | { ok: false; reason: string };

/** What `VANTHU_MEMORY_TRIM` asks for: the idle time, or off. */
export function trimSetting(value: string | undefined): { idleMs: number } | { off: string } {
  const v = (value ?? '').trim().toLowerCase();
  if (v === '' || v === 'on') return { idleMs: DEFAULT_IDLE_MS };
  if (v === 'off' || v === '0') return { off: 'VANTHU_MEMORY_TRIM=off' };
  const seconds = Number(v);
  if (!Number.isFinite(seconds) || seconds <= 0) return { off: `VANTHU_MEMORY_TRIM=${value}: neither "off" nor a number of seconds` };
  return { idleMs: Math.round(seconds * 1000) };
}

let binding: TrimBinding | null = null;

/** glibc's `malloc_trim` through koffi, loaded once; why not, where it cannot be. */
export function mallocTrimBinding(): TrimBinding {
  binding ??= loadBinding();
  return binding;
}

function loadBinding(): TrimBinding {
  if (process.platform !== 'linux') return { ok: false, reason: `malloc_trim is glibc's (Linux); this is ${process.platform}` };
  let koffi: typeof import('koffi');
  try {
    koffi = createRequire(import.meta.url)('koffi');
  } catch (err) {
    return { ok: false, reason: `the koffi package cannot be loaded: ${(err as Error).message.split('\n')[0]}` };
  }
  try {
    // musl and other C libraries have no libc.so.6: they do without.
    const libc = koffi.load('libc.so.6');
    const version = libc.func('const char *gnu_get_libc_version()')() as string;
    const trim = libc.func('int malloc_trim(size_t)') as (pad: number) => number;
    return { ok: true, trim: () => trim(0), libc: `glibc ${version}` };
  } catch (err) {
    return { ok: false, reason: `no glibc here (${(err as Error).message.split('\n')[0]})` };
  }
}

export interface TrimTimers {
  /** Milliseconds from any fixed start (performance.now). */
  now(): number;
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const realTimers: TrimTimers = {
  now: () => performance.now(),
  set: (fn, ms) => setTimeout(fn, ms).unref(),
  clear: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface TrimOptions {
  idleMs: number;
  /** malloc_trim(0); returns 1 when memory was released. */
  trim: () => number;
  /** Run first: the JavaScript heaps' low-memory collection (heap-release.ts), so glibc gets back what V8 frees. */
  release?: () => Promise<unknown>;
  /** The process's resident set, bytes. */
  rss?: () => number;
  timers?: TrimTimers;
  log?: Logger;
  /** Where the counters go (the gateway's /metrics). */
  registry?: Registry;
}

/** Something that emits when a job starts or ends (a BullMQ Worker). */
export interface JobEvents {
  on(event: 'active' | 'completed' | 'failed', fn: () => void): unknown;
}

export class MemoryTrimmer {
  readonly stats = { trims: 0, releasedBytes: 0, seconds: 0, heapReleases: 0 };
  private readonly timers: TrimTimers;
  private readonly rss: () => number;
  private lastWork: number;
  /** Work (or a release) happened since the last trim. */
  private due = true;
  private timer: unknown = null;
  private stopped = false;
  private readonly unlisten: () => void;
  private readonly counters: { trims: Counter; bytes: Counter; seconds: Counter } | null;

  constructor(private readonly opts: TrimOptions) {
    this.timers = opts.timers ?? realTimers;
    this.rss = opts.rss ?? (() => process.memoryUsage.rss());
    this.lastWork = this.timers.now();
    const registers = opts.registry ? [opts.registry] : null;
    this.counters = registers && {
      trims: new Counter({
        name: 'vanthu_memory_trims_total',
        help: 'malloc_trim(0) calls made when the gateway went idle (docs/operations.md, "Memory")',
        registers,
      }),
      bytes: new Counter({ name: 'vanthu_memory_trimmed_bytes_total', help: 'Resident memory given back by those calls (RSS before minus after)', registers }),
      seconds: new Counter({ name: 'vanthu_memory_trim_seconds_total', help: 'Time spent in those calls', registers }),
    };
    // A thread or a helper process ended (memory-released.ts): several gateways may run in one test process.
    this.unlisten = onMemoryReleased(() => this.released());
    this.arm();
  }

  /** Work started or ended: the idle time counts from now. */
  work(): void {
    this.lastWork = this.timers.now();
    this.due = true;
    this.arm();
  }

  /** Memory was let go of (an ended thread): trim at the next idle moment, now if idle already. */
  released(): void {
    this.due = true;
    this.arm();
  }

  /** Counts every job of `worker` as work. */
  watch(worker: JobEvents): void {
    const work = () => this.work();
    worker.on('active', work);
    worker.on('completed', work);
    worker.on('failed', work);
  }

  stop(): void {
    this.stopped = true;
    this.unlisten();
    if (this.timer !== null) this.timers.clear(this.timer);
    this.timer = null;
  }

  private arm(): void {
    if (this.stopped || this.timer !== null || !this.due) return;
    this.timer = this.timers.set(() => this.fire(), Math.max(0, this.lastWork + this.opts.idleMs - this.timers.now()));
  }

  private fire(): void {
    this.timer = null;
    if (this.stopped || !this.due) return;
    if (this.timers.now() - this.lastWork < this.opts.idleMs) return this.arm();
    this.due = false;
    void this.trimNow();
  }

  private async trimNow(): Promise<void> {
    const before = this.rss();
    const started = performance.now();
    let result: number;
    try {
      if (this.opts.release) {
        await this.opts.release();
        this.stats.heapReleases++;
      }
      if (this.stopped) return;
      result = this.opts.trim();
    } catch (err) {
      this.opts.log?.warn({ err: (err as Error).message }, 'heap release or malloc_trim failed; memory trim off');
      return this.stop();
    }
    const seconds = (performance.now() - started) / 1000;
    const released = Math.max(0, before - this.rss());
    this.stats.trims++;
    this.stats.releasedBytes += released;
    this.stats.seconds += seconds;
    this.counters?.trims.inc();
    this.counters?.bytes.inc(released);
    this.counters?.seconds.inc(seconds);
    this.opts.log?.debug({ releasedBytes: released, rssBefore: before, result, ms: Math.round(seconds * 1000) }, 'memory trimmed (malloc_trim)');
  }
}

/** The gateway's trimmer, or null (off, or not possible here: said once in the log). */
export function startMemoryTrim(
  log: Logger,
  registry: Registry,
  env: NodeJS.ProcessEnv = process.env,
  binding: () => TrimBinding = mallocTrimBinding,
): MemoryTrimmer | null {
  const setting = trimSetting(env.VANTHU_MEMORY_TRIM);
  const b: TrimBinding = 'off' in setting ? { ok: false, reason: setting.off } : binding();
  new Gauge({
    name: 'vanthu_memory_trim_enabled',
    help: 'Whether the C heap is trimmed when the gateway goes idle (1) or not (0: see the start log)',
    registers: [registry],
  }).set(b.ok ? 1 : 0);
  if (!b.ok || 'off' in setting) {
    log.info({ memoryTrim: false, reason: b.ok ? '' : b.reason }, 'memory trim off: freed C heap stays with the process');
    return null;
  }
  log.debug({ memoryTrim: true, idleMs: setting.idleMs, libc: b.libc }, 'memory trim on');
  return new MemoryTrimmer({ idleMs: setting.idleMs, trim: b.trim, release: () => releaseHeaps(), log, registry });
}
