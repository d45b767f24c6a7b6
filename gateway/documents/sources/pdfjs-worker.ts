/**
 * pdfjs reads each PDF on a thread of its own that ends with the read (docs/operations.md,
 * "Memory"). Loaded once in the gateway, pdfjs and what it decoded stayed resident for the
 * process's life: ~70 MiB for the library and up to ~170 MiB more after a flate bomb it had to
 * decode up to the limit, which took the gateway on the embedded database past 512 MiB
 * (tests/hostile-input.test.ts). A thread's heap goes back to the system when the thread ends.
 * (Its decoding is bounded by the guard, pdfjs-guard.ts, not by an old-generation limit: a thread
 * past one took the whole process down in Node 20, docs/architecture.md "The CPU pool".)
 *
 * pdfjs is only for the PDFs the fast reader (pdf-fast.ts) hands over, so starting a thread per
 * such document (tens of milliseconds and the library's load) is paid rarely. The compiled CLI
 * starts its build of pdfjs-thread.ts (bin/build.mjs); from the sources, pdfjs-thread.mjs loads it
 * (see PDFJS_ON_THREAD).
 */
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { LimitExceeded, type LimitName } from '../../limits.ts';
import type { ClassifyLimits } from '../types.ts';
import type { PdfText } from './pdf.ts';

/** Set by the compiled CLI's build (bin/build.mjs `define`): the path of its bundle of the thread; absent when run from the sources. */
declare const __vanthu_pdfjs_thread: string | undefined;

const THREAD_ENTRY: URL = typeof __vanthu_pdfjs_thread === 'string' ? pathToFileURL(__vanthu_pdfjs_thread) : new URL('./pdfjs-thread.mjs', import.meta.url);

/**
 * Whether pdfText (pdf.ts) reads through pdfjsInThread: in the compiled CLI, whose build of the
 * thread starts without a loader. From the sources (tsx, the tests, the fuzzer) each thread would
 * load tsx first (~60 MiB and ~0.5 s more per PDF, measured), so pdfjs runs in the caller's thread
 * there; the tests call pdfjsInThread directly.
 */
export const PDFJS_ON_THREAD = typeof __vanthu_pdfjs_thread === 'string';

/** A pdfjs thread's young generation, in MiB (V8 sizes it from the machine's memory: up to 48 MiB here). */
export const PDFJS_THREAD_YOUNG_GENERATION_MB = 8;
/** Time for the thread to start and load pdfjs, on top of the document's own time budget (which starts once loaded). */
const START_GRACE_MS = 60_000;

type Reply =
  | { ok: true; value: PdfText }
  | { ok: false; error: { name: string; message: string; limit?: LimitName; max?: number; observed?: number | null; detail?: string } };

/** pdfjsText (pdf.ts) on a thread of its own; the same result, or the same LimitExceeded. */
export function pdfjsInThread(data: Uint8Array, limits: ClassifyLimits, timeBudgetReason: string): Promise<PdfText> {
  // A copy of its own, transferred: a view into a larger buffer (the raw message) would be cloned whole.
  const copy = new Uint8Array(data);
  return new Promise((resolve, reject) => {
    let done = false;
    const worker = new Worker(THREAD_ENTRY, {
      workerData: { data: copy, limits },
      transferList: [copy.buffer],
      resourceLimits: { maxYoungGenerationSizeMb: PDFJS_THREAD_YOUNG_GENERATION_MB },
    });
    const finish = (settle: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      void worker.terminate();
      settle();
    };
    const unread = (why: string) => finish(() => resolve({ text: '', pages: 0, reasons: [why], layout: [] }));
    const timer = setTimeout(() => unread(timeBudgetReason), limits.pdfTimeBudgetMs + START_GRACE_MS);
    worker.once('message', (reply: Reply) => {
      if (reply.ok) return finish(() => resolve(reply.value));
      const e = reply.error;
      if (e.name === 'LimitExceeded' && e.limit)
        return finish(() => reject(new LimitExceeded(e.limit!, e.max ?? 0, e.observed ?? null, e.detail ?? e.message)));
      unread(`PDF could not be read: ${e.message}`);
    });
    worker.once('error', (err) => unread(`PDF could not be read: ${err.message}`));
    worker.once('exit', (code) => unread(`PDF could not be read: its reader stopped (exit code ${code})`));
  });
}
