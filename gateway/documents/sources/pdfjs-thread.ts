/**
 * The body of a pdfjs thread (pdfjs-worker.ts): reads the PDFs it is sent, one at a time, and
 * answers each with the result, or the error's fields (a LimitExceeded's too, so the other side can
 * rebuild it), and with what the read left behind — the isolate's heap and the bytes pdfjs decoded —
 * for the other side to decide whether the thread reads on or is replaced. pdfjs is loaded at the
 * first read and kept for the next ones (pdf.ts).
 * bin/build.mjs compiles this file as an entry of its own, so the compiled gateway starts the
 * thread without a TypeScript loader; from the sources, pdfjs-thread.mjs loads it.
 */
import v8 from 'node:v8';
import { parentPort } from 'node:worker_threads';
import { LimitExceeded } from '../../limits.ts';
import { pdfjsText } from './pdf.ts';
import { CANVAS_STANDIN, decodedBytes } from './pdfjs-guard.ts';
import type { PdfjsReply, PdfjsRequest } from './pdfjs-worker.ts';

/** What pdf.mjs takes from @napi-rs/canvas, for a thread that only reads text (pdfjs-guard.ts, CANVAS_STANDIN). */
class DOMMatrix {
  a = 1;
  b = 0;
  c = 0;
  d = 1;
  e = 0;
  f = 0;
  constructor(init?: number[]) {
    if (init) [this.a, this.b, this.c, this.d, this.e, this.f] = init;
  }
}
(globalThis as Record<symbol, unknown>)[Symbol.for(CANVAS_STANDIN)] = { DOMMatrix, ImageData: class ImageData {}, Path2D: class Path2D {} };

/** What this isolate holds now: V8's heap, resident, and external memory (ArrayBuffers). */
function heldBytes(): number {
  const h = v8.getHeapStatistics();
  return h.total_physical_size + h.external_memory;
}

async function read({ id, data, limits }: PdfjsRequest): Promise<PdfjsReply> {
  const before = decodedBytes();
  const left = () => ({ id, heap: heldBytes(), decoded: decodedBytes() - before });
  try {
    const value = await pdfjsText(data, limits);
    return { ok: true, value, ...left() };
  } catch (err) {
    const e = err as Error;
    const error: Extract<PdfjsReply, { ok: false }>['error'] = { name: e?.name ?? 'Error', message: e?.message ?? String(err) };
    if (err instanceof LimitExceeded) Object.assign(error, { limit: err.limit, max: err.max, observed: err.observed, detail: err.detail });
    return { ok: false, error, ...left() };
  }
}

// The other side sends the next PDF only once this one is answered.
parentPort!.on('message', (request: PdfjsRequest) => {
  void read(request).then((reply) => parentPort!.postMessage(reply));
});
