/**
 * The compiled CLI (docs/cli.md, "Fast start"): gateway/cli/main.ts and everything it reaches,
 * bundled once by esbuild into dist/cli/<build>/ (ES modules, one chunk per command, source maps
 * beside them), so `vanthu` starts as plain JavaScript instead of compiling TypeScript through tsx
 * at every run. dist/cli/manifest.json lists every source file of the build with its mtime and
 * size: bin/vanthu.mjs runs the build only while no listed file has changed (a few hundred stat
 * calls), and builds again — or falls back to tsx — otherwise.
 *
 *   node bin/build.mjs            build now (npm run build:cli; `npm install` runs it as `prepare`)
 *   node bin/build.mjs --soft     the same, but a failure only warns (exit 0: the CLI then uses tsx)
 *
 * Modules find files next to their source (config/default.yaml, store/migrations, node_modules
 * through createRequire): `import.meta.url` keeps naming the .ts file it was written in.
 */
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const OUT = path.join(ROOT, 'dist', 'cli');
/** Bumped when this recipe changes, so builds made by an older recipe count as stale. */
const FORMAT = 3;
const ENTRY = 'gateway/cli/main.ts';
/** The CPU pool's thread, a second entry: its threads load this bundle, not TypeScript (gateway/workers/pool/pool.ts). */
const POOL_THREAD = 'gateway/workers/pool/thread-entry.ts';
/** The thread pdfjs reads PDFs on, a third entry (gateway/documents/sources/pdfjs-worker.ts). */
const PDFJS_THREAD = 'gateway/documents/sources/pdfjs-thread.ts';
/** Old builds are kept this long: a process started from one may still load a command's chunk. */
const KEEP_OLD_MS = 24 * 3600_000;

export class BuildError extends Error {
  code = 'cli-build';
}

/** The entry module of the current build when every source it was made from is unchanged; else null. */
export function freshBuild(out = OUT) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8'));
  } catch {
    return null;
  }
  if (manifest.format !== FORMAT || !Array.isArray(manifest.inputs)) return null;
  for (const [file, mtimeMs, size] of manifest.inputs) {
    try {
      const s = statSync(path.join(ROOT, file));
      if (s.mtimeMs !== mtimeMs || s.size !== size) return null;
    } catch {
      return null;
    }
  }
  const entry = path.join(out, manifest.build, 'main.mjs');
  return existsSync(entry) ? entry : null;
}

/** Loads esbuild: the copy tsx runs on (tsx is a dependency, esbuild is tsx's), else any hoisted one. */
function loadEsbuild() {
  const fromRoot = createRequire(path.join(ROOT, 'package.json'));
  try {
    return createRequire(fromRoot.resolve('tsx/package.json'))('esbuild');
  } catch {
    return fromRoot('esbuild');
  }
}

const META = { 'import.meta.url': '__vanthu_meta_url', 'import.meta.dirname': '__vanthu_meta_dirname', 'import.meta.filename': '__vanthu_meta_filename' };

/**
 * Gives each project module its own `import.meta.url` (and dirname, filename): the .ts source's.
 * esbuild's `define` swaps the expressions in the syntax tree (never inside strings, which
 * pdfjs-guard.ts relies on) for names this plugin declares at the start of the module's first line,
 * so line numbers and source maps stay as they were.
 */
const sourceMeta = {
  name: 'vanthu-source-meta',
  setup(build) {
    build.onLoad({ filter: /\.[cm]?ts$/ }, (args) => {
      if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes('import.meta')) return { contents: source, loader: 'ts' };
      const decl =
        `var __vanthu_meta_url = ${JSON.stringify(pathToFileURL(args.path).href)}, ` +
        `__vanthu_meta_dirname = ${JSON.stringify(path.dirname(args.path))}, __vanthu_meta_filename = ${JSON.stringify(args.path)}; `;
      return { contents: decl + source, loader: 'ts' };
    });
  },
};

/** One builder at a time; a builder that died leaves a lock older than a minute, which is taken over. */
function takeLock(lock) {
  mkdirSync(path.dirname(lock), { recursive: true });
  try {
    closeSync(openSync(lock, 'wx'));
    return true;
  } catch {
    try {
      if (Date.now() - statSync(lock).mtimeMs > 60_000) {
        unlinkSync(lock);
        closeSync(openSync(lock, 'wx'));
        return true;
      }
    } catch {
      /* another process took it */
    }
    return false;
  }
}

/**
 * Builds dist/cli/<build>/ and points the manifest at it (written to a temp file, then renamed:
 * a reader sees the old build or the new one). Returns the entry, or null when another process is
 * building right now. Throws BuildError when esbuild fails (a syntax error in a source).
 */
export async function build({ log = () => undefined, out = OUT } = {}) {
  const lock = path.join(out, 'build.lock');
  if (!takeLock(lock)) return null;
  const started = Date.now();
  const name = `b${started.toString(36)}-${process.pid}`;
  const dir = path.join(out, name);
  const manifest = path.join(out, 'manifest.json');
  let esbuild = null;
  try {
    esbuild = loadEsbuild();
    let result;
    try {
      result = await esbuild.build({
        absWorkingDir: ROOT,
        entryPoints: { main: ENTRY, 'pool-thread': POOL_THREAD, 'pdfjs-thread': PDFJS_THREAD },
        bundle: true,
        splitting: true,
        format: 'esm',
        platform: 'node',
        target: 'node20',
        packages: 'external',
        outdir: dir,
        outExtension: { '.js': '.mjs' },
        chunkNames: 'chunks/[name]-[hash]',
        sourcemap: 'linked',
        sourcesContent: false,
        metafile: true,
        define: {
          ...META,
          __vanthu_pool_thread: JSON.stringify(path.join(dir, 'pool-thread.mjs')),
          __vanthu_pdfjs_thread: JSON.stringify(path.join(dir, 'pdfjs-thread.mjs')),
        },
        plugins: [sourceMeta],
        logLevel: 'silent',
        tsconfig: path.join(ROOT, 'tsconfig.json'),
      });
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      const first = err?.errors?.[0];
      const where = first?.location ? `${first.location.file}:${first.location.line}: ` : '';
      throw new BuildError(`esbuild: ${where}${first?.text ?? err?.message ?? err}`);
    }
    // A file changed while it was being read must not pass for built: its recorded mtime then never matches.
    const inputs = Object.keys(result.metafile.inputs)
      .filter((f) => !f.includes('node_modules/'))
      .sort()
      .map((f) => {
        const s = statSync(path.join(ROOT, f));
        return [f, s.mtimeMs >= started - 1 ? -1 : s.mtimeMs, s.size];
      });
    inputs.push(...['package.json', 'tsconfig.json'].map((f) => [f, statSync(path.join(ROOT, f)).mtimeMs, statSync(path.join(ROOT, f)).size]));
    const tmp = `${manifest}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ format: FORMAT, build: name, builtAt: new Date().toISOString(), ms: Date.now() - started, inputs }));
    renameSync(tmp, manifest);
    prune(out, name);
    log(`vanthu: built the CLI into ${path.relative(ROOT, dir)} (${inputs.length} sources, ${Date.now() - started} ms)`);
    return path.join(dir, 'main.mjs');
  } finally {
    rmSync(lock, { force: true });
    // esbuild's service is a child process of ~80 MB that would otherwise live as long as the
    // gateway that built itself on start (docs/operations.md, "Memory").
    await esbuild?.stop?.();
  }
}

/**
 * Removes old builds: any a day old, and beyond the ten newest any an hour old (a tree being edited
 * builds often). A process started from a build loads a command's chunks when the command starts,
 * so a build can go once nobody has just started from it.
 */
function prune(out, current) {
  const builds = readdirSync(out, { withFileTypes: true })
    .filter((e) => e.isDirectory() && e.name !== current && /^b[0-9a-z]+-\d+$/.test(e.name))
    .map((e) => {
      const p = path.join(out, e.name);
      try {
        return { p, age: Date.now() - statSync(p).mtimeMs };
      } catch {
        return null; // removed by another builder
      }
    })
    .filter(Boolean)
    .sort((a, b) => a.age - b.age);
  builds.forEach(({ p, age }, i) => {
    if (age > KEEP_OLD_MS || (i >= 10 && age > 3600_000)) rmSync(p, { recursive: true, force: true });
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const soft = process.argv.includes('--soft');
  // --entry: as bin/vanthu.mjs runs it, quiet, the built entry's path on standard output.
  const forBin = process.argv.includes('--entry');
  try {
    const entry = await build({ log: forBin ? () => undefined : (m) => process.stderr.write(`${m}\n`) });
    if (forBin) process.stdout.write(entry ?? '');
    else if (!entry) process.stderr.write('vanthu: another process is building the CLI; it will be used when done\n');
  } catch (err) {
    process.stderr.write(`vanthu: could not build the CLI (${err.message}); it runs through tsx until a build succeeds\n`);
    process.exitCode = soft ? 0 : 1;
  }
}
