/**
 * Creates a new embedded database directory (initdb) in a process of its own, then exits
 * (docs/operations.md, "Memory"). initdb grows PGlite's WebAssembly heap to ~250 MB and peaks at
 * ~780 MB; run on a worker thread of the gateway, ~130–160 MB of that stayed resident after the
 * thread ended, for the gateway's whole life. A process that exits gives it all back.
 *
 *   node pglite-initdb.mjs <dir>     exit 0 once <dir> holds a database; else the error on stderr, exit 1
 *
 * Plain JavaScript, loaded by path (like pglite-thread.mjs): the same from the TypeScript sources
 * and from the compiled CLI.
 */
const dir = process.argv[2];
try {
  if (!dir) throw new Error('usage: pglite-initdb.mjs <dir>');
  const { PGlite } = await import('@electric-sql/pglite');
  const db = await PGlite.create(dir);
  await db.close();
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
