/**
 * Building a browser app of the gateway (the Outlook add-in, the web console) with Vite, stamped
 * with a hash of its sources so `npm start` and `npm test` rebuild only when something changed.
 * The build goes to a temporary folder first and is swapped in whole, so a gateway serving dist
 * never sees half a build, and two builds at once cannot mix their files.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const STAMP = '.build-stamp';

/** Vite is a devDependency: a production install may lack it, and may still serve a shipped build. */
export class ViteMissing extends Error {
  readonly code = 'vite-missing';
}

export interface ViteApp {
  /** e.g. "add-in", "console": names the app in messages. */
  name: string;
  /** The app's folder (its vite.config.ts lives there); dist/ is built inside it. */
  root: string;
  /** Files and folders (relative to root) whose content the build depends on. */
  inputs: string[];
  /** A file the built app must contain (checked before serving an old build). */
  entry: string;
  /** The npm script that builds it, for error messages. */
  script: string;
  /** The build script itself (run in a child process by ensureBuilt). */
  scriptFile: string;
}

function walk(p: string, out: string[]): void {
  if (!existsSync(p)) return;
  if (!statSync(p).isDirectory()) return void out.push(p);
  for (const n of readdirSync(p).sort()) if (!n.endsWith('.test.ts')) walk(path.join(p, n), out);
}

export const distOf = (app: ViteApp) => path.join(app.root, 'dist');

export function sourceStamp(app: ViteApp): string {
  const files: string[] = [];
  for (const i of app.inputs) walk(path.join(app.root, i), files);
  const h = createHash('sha256');
  for (const f of files) h.update(path.relative(app.root, f)).update('\0').update(readFileSync(f)).update('\0');
  return h.digest('hex');
}

export function isFresh(app: ViteApp): boolean {
  const stamp = path.join(distOf(app), STAMP);
  return existsSync(stamp) && readFileSync(stamp, 'utf8') === sourceStamp(app);
}

export async function build(app: ViteApp): Promise<void> {
  let vite: typeof import('vite');
  try {
    vite = await import('vite');
  } catch {
    throw new ViteMissing(`Vite is not installed (it is a devDependency): run "npm install" to build the ${app.name}`);
  }
  const dist = distOf(app);
  const stamp = sourceStamp(app);
  const tmp = `${dist}.tmp-${process.pid}`;
  await vite.build({ configFile: path.join(app.root, 'vite.config.ts'), build: { outDir: tmp, emptyOutDir: true } });
  writeFileSync(path.join(tmp, STAMP), stamp);
  const old = `${dist}.old-${process.pid}`;
  if (existsSync(dist)) renameSync(dist, old);
  renameSync(tmp, dist);
  rmSync(old, { recursive: true, force: true });
}

/** For test setup: builds in a child process (Vite must not share the test runner's process). */
export function ensureBuilt(app: ViteApp): void {
  if (isFresh(app)) return;
  const tsx = path.join(app.root, '..', 'node_modules', '.bin', 'tsx');
  const r = spawnSync(tsx, [app.scriptFile, '--if-stale'], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`building the ${app.name} failed (exit ${r.status ?? r.signal}): run "npm run ${app.script}" to see why`);
}

/** The build scripts' command line: `--if-stale` builds only when dist is missing or older than the sources. */
export async function main(app: ViteApp, args: string[]): Promise<number> {
  const dist = distOf(app);
  if (args.includes('--if-stale') && isFresh(app)) return 0;
  try {
    await build(app);
  } catch (err) {
    // A production install without devDependencies can still run a build it was shipped with.
    if (args.includes('--if-stale') && err instanceof ViteMissing && existsSync(path.join(dist, app.entry))) {
      process.stderr.write(`${app.name}: ${err.message}; serving the existing build in ${path.relative(process.cwd(), dist)}\n`);
      return 0;
    }
    process.stderr.write(`${app.name} build failed: ${(err as Error).message}\n`);
    return 1;
  }
  process.stderr.write(`${app.name} built into ${path.relative(process.cwd(), dist) || dist}\n`);
  return 0;
}
