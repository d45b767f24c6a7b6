/**
 * Builds the web console with Vite into console/dist, stamped with a hash of its sources so `npm start`
 * and `npm test` rebuild only when something changed.
 *   tsx console/scripts/build.ts             build now (npm run build:console)
 *   tsx console/scripts/build.ts --if-stale  build only when dist is missing or older than the sources
 * The build goes to a temporary folder first and is swapped in whole, so a gateway serving dist
 * never sees half a build, and two builds at once cannot mix their files.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const CONSOLE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DIST = path.join(CONSOLE, 'dist');
const STAMP = '.build-stamp';
const INPUTS = ['index.html', 'vite.config.ts', 'src', '../addin/src/api.ts', '../addin/src/dom.ts', '../addin/src/i18n.ts'];

function walk(p: string, out: string[]): void {
  if (!existsSync(p)) return;
  if (!statSync(p).isDirectory()) return void out.push(p);
  for (const n of readdirSync(p).sort()) if (!n.endsWith('.test.ts')) walk(path.join(p, n), out);
}

export function sourceStamp(): string {
  const files: string[] = [];
  for (const i of INPUTS) walk(path.join(CONSOLE, i), files);
  const h = createHash('sha256');
  for (const f of files) h.update(path.relative(CONSOLE, f)).update('\0').update(readFileSync(f)).update('\0');
  return h.digest('hex');
}

export function isFresh(): boolean {
  const stamp = path.join(DIST, STAMP);
  return existsSync(stamp) && readFileSync(stamp, 'utf8') === sourceStamp();
}

export async function build(): Promise<void> {
  let vite: typeof import('vite');
  try {
    vite = await import('vite');
  } catch {
    throw new Error('Vite is not installed (it is a devDependency): run "npm install" to build the console');
  }
  const stamp = sourceStamp();
  const tmp = `${DIST}.tmp-${process.pid}`;
  await vite.build({ configFile: path.join(CONSOLE, 'vite.config.ts'), build: { outDir: tmp, emptyOutDir: true } });
  writeFileSync(path.join(tmp, STAMP), stamp);
  const old = `${DIST}.old-${process.pid}`;
  if (existsSync(DIST)) renameSync(DIST, old);
  renameSync(tmp, DIST);
  rmSync(old, { recursive: true, force: true });
}

/** For test setup: builds in a child process (Vite must not share the test runner's process). */
export function ensureBuilt(): void {
  if (isFresh()) return;
  const tsx = path.join(CONSOLE, '..', 'node_modules', '.bin', 'tsx');
  const r = spawnSync(tsx, [fileURLToPath(import.meta.url), '--if-stale'], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`building the console failed (exit ${r.status ?? r.signal}): run "npm run build:console" to see why`);
}

async function main(args: string[]): Promise<number> {
  if (args.includes('--if-stale') && isFresh()) return 0;
  try {
    await build();
  } catch (err) {
    // A production install without devDependencies can still run a build it was shipped with.
    if (args.includes('--if-stale') && existsSync(path.join(DIST, 'index.html')) && /not installed/.test((err as Error).message)) {
      process.stderr.write(`console: ${(err as Error).message}; serving the existing build in console/dist\n`);
      return 0;
    }
    process.stderr.write(`console build failed: ${(err as Error).message}\n`);
    return 1;
  }
  process.stderr.write(`console built into ${path.relative(process.cwd(), DIST) || DIST}\n`);
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
