/**
 * Gives the JavaScript heaps' free memory back when the gateway goes idle (docs/operations.md,
 * "Memory"). V8 keeps what a heap grew to: the young generation at its largest (the main thread's
 * reached 27–28 MiB idle after start, 16 MiB in the database thread), and old-generation pages
 * whose objects have died until a collection that gives memory back runs. Its own memory reducer
 * does part of it after a while (new space 28 → 1 MiB 90 s after start), not the rest: measured on
 * an idle gateway on PGlite, 15 s after start 250–281 MiB, after this 221–227; 90 s after start
 * 249, after this 225 (bench/e2e/FINDINGS.md, "Eleventh round: the idle heap").
 *
 * How: V8's low-memory collection (every isolate's `HeapProfiler.collectGarbage`), asked through
 * this process's own inspector session — no port is opened, nothing is exposed — in the main thread
 * and, through the inspector's NodeWorker domain, in every worker thread (the embedded database's,
 * pdfjs's, the CPU pool's). A session opened inside a worker thread to collect itself hung there
 * (Node 20.20), so only the main thread asks. Call it when idle: the collection pauses each thread
 * (tens of ms for the main thread's ~60 MiB).
 */
import { Session } from 'node:inspector';

export interface HeapRelease {
  /** Worker threads that collected (the main thread always does). */
  workers: number;
  /** Worker threads that did not answer within the time allowed. */
  late: number;
  ms: number;
}

/** A worker that does not answer within this (a long synchronous task) is left alone. */
const WORKER_REPLY_MS = 5_000;

type Post = (method: string, params?: object) => Promise<unknown>;

export async function releaseHeaps(opts: { workers?: boolean } = {}): Promise<HeapRelease> {
  const started = performance.now();
  const session = new Session();
  session.connect();
  const post: Post = (method, params) => new Promise((resolve, reject) => session.post(method, params ?? {}, (err, r) => (err ? reject(err) : resolve(r))));
  const out = { workers: 0, late: 0 };
  try {
    if (opts.workers !== false) Object.assign(out, await collectWorkers(session, post));
    await post('HeapProfiler.collectGarbage');
  } finally {
    session.disconnect();
  }
  return { ...out, ms: performance.now() - started };
}

async function collectWorkers(session: Session, post: Post): Promise<{ workers: number; late: number }> {
  const attached: string[] = [];
  const waiting = new Map<string, () => void>();
  session.on('NodeWorker.attachedToWorker', (m) => attached.push(m.params.sessionId));
  session.on('NodeWorker.receivedMessageFromWorker', (m) => {
    if ((JSON.parse(m.params.message) as { id?: number }).id === 1) waiting.get(m.params.sessionId)?.();
  });
  await post('NodeWorker.enable', { waitForDebuggerOnStart: false });
  await new Promise((r) => setImmediate(r)); // the workers already running are announced after enable answers
  let workers = 0;
  let late = 0;
  try {
    const replies = attached.map((sessionId) => {
      let timer: NodeJS.Timeout | undefined;
      const answered = new Promise<boolean>((resolve) => {
        waiting.set(sessionId, () => resolve(true));
        timer = setTimeout(() => resolve(false), WORKER_REPLY_MS);
      });
      const message = JSON.stringify({ id: 1, method: 'HeapProfiler.collectGarbage', params: {} });
      post('NodeWorker.sendMessageToWorker', { sessionId, message }).catch(() => waiting.get(sessionId)?.());
      return answered.finally(() => clearTimeout(timer));
    });
    for (const ok of await Promise.all(replies)) ok ? workers++ : late++;
  } finally {
    await post('NodeWorker.disable').catch(() => undefined);
  }
  return { workers, late };
}
