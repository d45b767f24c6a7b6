#!/usr/bin/env node
// The `vanthu` command (docs/cli.md, "Fast start"). It runs the compiled CLI in dist/cli/ when that
// build is up to date with the sources (bin/build.mjs: a manifest of their mtimes), builds it when
// it is missing or stale, and runs the TypeScript through tsx when no build can be had (esbuild
// failed, another process is building, or VANTHU_TSX=1). `--version` needs neither.
// libuv's threadpool (file operations, fsyncs) keeps its default four threads unless the
// environment that starts Node sets UV_THREADPOOL_SIZE: setting it here is too late, Node's ES
// module loader has already started the pool to read this file (docs/operations.md "Threads").
const argv = process.argv.slice(2);

if (argv.length === 1 && ['--version', '-V', 'version'].includes(argv[0])) {
  const { readFileSync } = await import('node:fs');
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(`vanthu ${pkg.version}\n`);
} else {
  const { freshBuild } = await import('./build.mjs');
  let entry = null;
  if (process.env.VANTHU_TSX !== '1') {
    entry = freshBuild();
    if (!entry && process.env.VANTHU_BUILD !== '0') {
      // Built by a process of its own: esbuild's module, its service process and the build's
      // metafile would otherwise stay in this one for its life (~45 MB of a gateway's footprint,
      // docs/operations.md "Memory"). A source esbuild cannot read is said on standard error (tsx
      // will then name it too); a read-only installation simply runs through tsx.
      const { spawnSync } = await import('node:child_process');
      const { fileURLToPath } = await import('node:url');
      const r = spawnSync(process.execPath, [fileURLToPath(new URL('./build.mjs', import.meta.url)), '--entry'], {
        stdio: ['ignore', 'pipe', 'inherit'],
        env: { ...process.env, NODE_OPTIONS: '' },
      });
      entry = r.status === 0 && r.stdout.length ? r.stdout.toString('utf8') : null;
    }
  }
  let main;
  if (entry) {
    // Stack traces name the .ts sources (the build writes source maps) only when asked
    // (VANTHU_SOURCE_MAPS=1): Node then reads every loaded module's map, dependencies' maps with
    // their whole sources included, and keeps them for the process's life — ~9 MiB of the
    // gateway's heap (docs/operations.md, "Memory"), and a noticeable share of a short command's run.
    if (process.env.VANTHU_SOURCE_MAPS === '1') process.setSourceMapsEnabled(true);
    ({ main } = await import((await import('node:url')).pathToFileURL(entry).href));
  } else {
    const { register } = await import('tsx/esm/api');
    register();
    ({ main } = await import('../gateway/cli/main.ts'));
  }
  process.exitCode = await main(argv);
}
