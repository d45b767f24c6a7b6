/**
 * pdfjs reads PDFs on a thread of its own, kept for the next PDF and replaced when it has held on
 * long enough (docs/operations.md, "Memory"). Loaded once in the gateway, pdfjs and what it decoded
 * stayed resident for the process's life: ~70 MiB for the library and up to ~170 MiB more after a
 * flate bomb it had to decode up to the limit, which took the gateway on the embedded database past
 * 512 MiB (tests/hostile-input.test.ts). A thread's heap goes back to the system when the thread
 * ends. (Its decoding is bounded by the guard, pdfjs-guard.ts, not by an old-generation limit: a
 * thread past one took the whole process down in Node 20, docs/architecture.md "The CPU pool".)
 *
 * A thread per PDF cost ~590 ms of CPU to start and load pdfjs for a 709-byte file, ~40 % of the
 * gateway's CPU in the e2e bench where 6 % of the messages need pdfjs (bench/e2e/FINDINGS.md,
 * "Tenth round: one pdfjs thread"). So one thread reads them in turn, loading pdfjs once, and ends
 * (its memory with it) when it has been idle for PDFJS_IDLE_MS, after a read that passed a limit or
 * decoded more than PDFJS_RECYCLE_DECODED_BYTES (a bomb), when it holds more than
 * PDFJS_RECYCLE_HEAP_MB after a read, after PDFJS_MAX_READS reads, after a read that ran out of
 * its time budget (pdfjs work abandoned at the deadline may still be under way there), and when a
 * read runs RUN_GRACE_MS past its budget without an answer (a synchronous parse no timer in the
 * thread can stop): that read gets the time-budget reason. A thread that dies fails only the read
 * in hand ("PDF could not be read"). The PDFs queued behind either go to a new thread. Idle, the
 * thread keeps no process alive.
 *
 * The compiled CLI starts its build of pdfjs-thread.ts (bin/build.mjs); from the sources,
 * pdfjs-thread.mjs loads it (see PDFJS_ON_THREAD).
 */
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { LimitExceeded, type LimitName } from '../../limits.ts';
import { memoryReleased } from '../../memory-released.ts';
import type { ClassifyLimits } from '../types.ts';
import type { PdfText } from './pdf.ts';

/** Set by the compiled CLI's build (bin/build.mjs `define`): the path of its bundle of the thread; absent when run from the sources. */
declare const __vanthu_pdfjs_thread: string | undefined;

const THREAD_ENTRY: URL = typeof __vanthu_pdfjs_thread === 'string' ? pathToFileURL(__vanthu_pdfjs_thread) : new URL('./pdfjs-thread.mjs', import.meta.url);

/**
 * Whether pdfText (pdf.ts) reads through pdfjsInThread: in the compiled CLI, whose build of the
 * thread starts without a loader. From the sources (tsx, the tests, the fuzzer) each thread would
 * load tsx first (~60 MiB and ~0.5 s more, measured), so pdfjs runs in the caller's thread there;
 * the tests call pdfjsInThread and PdfjsThreads directly.
 */
export const PDFJS_ON_THREAD = typeof __vanthu_pdfjs_thread === 'string';

/** A pdfjs thread's young generation, in MiB (V8 sizes it from the machine's memory: up to 48 MiB here). */
export const PDFJS_THREAD_YOUNG_GENERATION_MB = 8;
/** An idle thread ends after this long, and its memory (pdfjs, ~80–110 MB) goes back. */
export const PDFJS_IDLE_MS = 30_000;
/** A thread ends after this many reads, whatever it holds. */
export const PDFJS_MAX_READS = 200;
/** A thread holding more than this after a read (its isolate's heap and external memory) ends. */
export const PDFJS_RECYCLE_HEAP_MB = 128;
/** A thread whose read grew pdfjs's decode buffers by more than this (pdfjs-guard.ts DecodeBudget) ends. */
export const PDFJS_RECYCLE_DECODED_BYTES = 32 * 2 ** 20;
/** Time for a new thread to start and load pdfjs, on top of the document's own time budget (which starts once loaded). */
const START_GRACE_MS = 60_000;
/** Time past the document's budget before a thread that already read is taken as stuck (the thread stops itself at the budget). */
const RUN_GRACE_MS = 10_000;

/** A PDF sent to a pdfjs thread (pdfjs-thread.ts). */
export interface PdfjsRequest {
  id: number;
  data: Uint8Array;
  limits: ClassifyLimits;
}

/** A thread's answer: the read's result or error, and what the thread holds and decoded for it. */
export type PdfjsReply = { id: number; heap: number; decoded: number } & (
  | { ok: true; value: PdfText }
  | { ok: false; error: { name: string; message: string; limit?: LimitName; max?: number; observed?: number | null; detail?: string } }
);

export interface PdfjsThreadOptions {
  /** The thread's module (default: THREAD_ENTRY). */
  entry?: URL;
  /** Threads reading at once (default 1). */
  threads?: number;
  idleMs?: number;
  maxReads?: number;
  recycleHeapMb?: number;
  recycleDecodedBytes?: number;
  /** Time past the document's budget before a thread that already read is taken as stuck (default RUN_GRACE_MS). */
  runGraceMs?: number;
}

/** Why a thread ended. */
export type PdfjsThreadEnd = 'idle' | 'limit' | 'decoded' | 'heap' | 'reads' | 'timeout' | 'crash';

interface Read {
  /** The caller's copy, transferred to the thread. */
  data: Uint8Array<ArrayBuffer>;
  limits: ClassifyLimits;
  timeBudgetReason: string;
  resolve: (r: PdfText) => void;
  reject: (e: unknown) => void;
}

interface Slot {
  worker: Worker;
  read: Read | null;
  reads: number;
  gone: boolean;
  timer?: NodeJS.Timeout;
  idle?: NodeJS.Timeout;
}

const unread = (why: string): PdfText => ({ text: '', pages: 0, reasons: [why], layout: [] });

/** pdfjs threads that read PDFs in turn (see the top of this file). */
export class PdfjsThreads {
  readonly stats = { started: 0, reads: 0, ended: {} as Partial<Record<PdfjsThreadEnd, number>> };
  private readonly queue: Read[] = [];
  private readonly slots = new Set<Slot>();
  private nextId = 0;

  constructor(private readonly opts: PdfjsThreadOptions = {}) {}

  /** Threads alive now. */
  get alive(): number {
    return this.slots.size;
  }

  /** pdfjsText (pdf.ts) on a pdfjs thread; the same result, or the same LimitExceeded. */
  read(data: Uint8Array, limits: ClassifyLimits, timeBudgetReason: string): Promise<PdfText> {
    // A copy of its own, transferred: a view into a larger buffer (the raw message) would be cloned whole.
    const copy = new Uint8Array(data);
    return new Promise((resolve, reject) => {
      this.queue.push({ data: copy, limits, timeBudgetReason, resolve, reject });
      this.pump();
    });
  }

  /** Ends every thread (tests); the reads in hand and queued get the reason a dead thread gives. */
  close(): void {
    const why = 'PDF could not be read: its reader was closed';
    for (const read of this.queue.splice(0)) read.resolve(unread(why));
    for (const slot of [...this.slots]) this.fail(slot, why, 'crash');
  }

  private pump(): void {
    while (this.queue.length > 0) {
      let slot = [...this.slots].find((s) => !s.read);
      if (!slot) {
        if (this.slots.size >= (this.opts.threads ?? 1)) return;
        slot = this.start();
      }
      this.send(slot, this.queue.shift()!);
    }
  }

  private start(): Slot {
    const worker = new Worker(this.opts.entry ?? THREAD_ENTRY, { resourceLimits: { maxYoungGenerationSizeMb: PDFJS_THREAD_YOUNG_GENERATION_MB } });
    const slot: Slot = { worker, read: null, reads: 0, gone: false };
    this.stats.started++;
    this.slots.add(slot);
    worker.on('message', (reply: PdfjsReply) => this.answered(slot, reply));
    worker.once('error', (err) => this.fail(slot, `PDF could not be read: ${err.message}`, 'crash'));
    worker.once('exit', (code) => this.fail(slot, `PDF could not be read: its reader stopped (exit code ${code})`, 'crash'));
    return slot;
  }

  private send(slot: Slot, read: Read): void {
    clearTimeout(slot.idle);
    slot.read = read;
    slot.worker.ref();
    const grace = slot.reads === 0 ? START_GRACE_MS : (this.opts.runGraceMs ?? RUN_GRACE_MS);
    slot.timer = setTimeout(() => this.fail(slot, read.timeBudgetReason, 'timeout'), read.limits.pdfTimeBudgetMs + grace);
    const request: PdfjsRequest = { id: ++this.nextId, data: read.data, limits: read.limits };
    slot.worker.postMessage(request, [read.data.buffer]);
  }

  private answered(slot: Slot, reply: PdfjsReply): void {
    const read = slot.read;
    if (slot.gone || !read) return;
    clearTimeout(slot.timer);
    slot.read = null;
    slot.reads++;
    this.stats.reads++;
    if (reply.ok) read.resolve(reply.value);
    else {
      const e = reply.error;
      if (e.name === 'LimitExceeded' && e.limit) read.reject(new LimitExceeded(e.limit, e.max ?? 0, e.observed ?? null, e.detail ?? e.message));
      else read.resolve(unread(`PDF could not be read: ${e.message}`));
    }
    const end = this.endAfter(slot, read, reply);
    if (end) this.end(slot, end);
    else {
      slot.worker.unref();
      slot.idle = setTimeout(() => this.end(slot, 'idle'), this.opts.idleMs ?? PDFJS_IDLE_MS).unref();
    }
    this.pump();
  }

  private endAfter(slot: Slot, read: Read, reply: PdfjsReply): PdfjsThreadEnd | null {
    if (!reply.ok && reply.error.limit) return 'limit';
    // pdfjs work abandoned at the deadline may still be under way in the thread: none of it reaches the next PDF.
    if (reply.ok && reply.value.reasons.includes(read.timeBudgetReason)) return 'timeout';
    if (reply.decoded > (this.opts.recycleDecodedBytes ?? PDFJS_RECYCLE_DECODED_BYTES)) return 'decoded';
    if (reply.heap > (this.opts.recycleHeapMb ?? PDFJS_RECYCLE_HEAP_MB) * 2 ** 20) return 'heap';
    if (slot.reads >= (this.opts.maxReads ?? PDFJS_MAX_READS)) return 'reads';
    return null;
  }

  /** The thread's read in hand (if any) resolves with `why`; the thread ends, and what was queued goes to a new one. */
  private fail(slot: Slot, why: string, end: PdfjsThreadEnd): void {
    if (slot.gone) return;
    const read = slot.read;
    slot.read = null;
    this.end(slot, end);
    read?.resolve(unread(why));
    this.pump();
  }

  private end(slot: Slot, why: PdfjsThreadEnd): void {
    if (slot.gone) return;
    slot.gone = true;
    clearTimeout(slot.timer);
    clearTimeout(slot.idle);
    this.slots.delete(slot);
    this.stats.ended[why] = (this.stats.ended[why] ?? 0) + 1;
    // Its C heap, freed, stays in glibc's arena until trimmed (gateway/memory-trim.ts).
    void slot.worker.terminate().then(() => memoryReleased());
  }
}

let shared: PdfjsThreads | null = null;

/** The process's pdfjs threads (one per thread that reads PDFs: the main thread, or each CPU pool thread). */
export function pdfjsThreads(): PdfjsThreads {
  shared ??= new PdfjsThreads();
  return shared;
}

/** pdfjsText (pdf.ts) on the process's pdfjs thread; the same result, or the same LimitExceeded. */
export function pdfjsInThread(data: Uint8Array, limits: ClassifyLimits, timeBudgetReason: string): Promise<PdfText> {
  return pdfjsThreads().read(data, limits, timeBudgetReason);
}
