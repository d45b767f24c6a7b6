/**
 * The body of a pdfjs thread (pdfjs-worker.ts): reads the one PDF it was started with and posts
 * the result, or the error's fields (a LimitExceeded's too, so the other side can rebuild it).
 * bin/build.mjs compiles this file as an entry of its own, so the compiled gateway starts the
 * thread without a TypeScript loader; from the sources, pdfjs-thread.mjs loads it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { LimitExceeded } from '../../limits.ts';
import type { ClassifyLimits } from '../types.ts';
import { pdfjsText } from './pdf.ts';
import { CANVAS_STANDIN } from './pdfjs-guard.ts';

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

const { data, limits } = workerData as { data: Uint8Array; limits: ClassifyLimits };
try {
  parentPort!.postMessage({ ok: true, value: await pdfjsText(data, limits) });
} catch (err) {
  const e = err as Error;
  const fields: Record<string, unknown> = { name: e?.name ?? 'Error', message: e?.message ?? String(err) };
  if (err instanceof LimitExceeded) Object.assign(fields, { limit: err.limit, max: err.max, observed: err.observed, detail: err.detail });
  parentPort!.postMessage({ ok: false, error: fields });
}
