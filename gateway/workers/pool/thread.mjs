// A thread of the CPU pool (gateway/workers/pool/pool.ts; docs/architecture.md, "The CPU pool").
// Plain JavaScript so that Node starts it the same way whether the gateway runs from its
// TypeScript sources (tsx, the tests) or from the compiled CLI (bin/build.mjs): the task code is
// the TypeScript beside this file, loaded through tsx's loader (a dependency of the gateway) when
// this thread cannot import .ts by itself (a thread of a process started under tsx inherits it).
let serve;
try {
  ({ serve } = await import('./thread.ts'));
} catch (err) {
  if (err?.code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw err;
  const { register } = await import('tsx/esm/api');
  register();
  // A new specifier: the failed import of './thread.ts' stays failed in this thread's module map.
  ({ serve } = await import('./thread.ts?tsx'));
}
serve();
