/**
 * "Memory was let go of": a pdfjs thread or the OCR tools' spawn helper ended
 * (documents/sources/pdfjs-worker.ts, documents/ocr/spawner.ts). The idle trim (memory-trim.ts)
 * listens and gives the freed C heap back (docs/operations.md, "Memory"). No dependencies: the
 * modules that call it also load in the CPU pool's threads, where nothing listens.
 */
const listeners = new Set<() => void>();

export function memoryReleased(): void {
  for (const fn of listeners) fn();
}

/** Calls `fn` at each release until the returned function is called. */
export function onMemoryReleased(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}
