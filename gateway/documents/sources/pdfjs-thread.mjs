// Starts a pdfjs thread from the TypeScript sources (pdfjs-worker.ts; the compiled gateway starts
// its build of pdfjs-thread.ts instead, bin/build.mjs). Plain JavaScript so that Node can start it
// as it is: pdfjs-thread.ts is loaded through tsx's loader when this thread cannot import .ts by
// itself (a thread of a process started under tsx inherits it; one of vitest's does not).
try {
  await import('./pdfjs-thread.ts');
} catch (err) {
  if (err?.code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw err;
  const { register } = await import('tsx/esm/api');
  register();
  // A new specifier: the failed import of './pdfjs-thread.ts' stays failed in this thread's module map.
  await import('./pdfjs-thread.ts?tsx');
}
