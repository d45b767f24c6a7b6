/**
 * CLI start-up benchmark (docs/cli.md, "Fast start"): prints ONE JSON object on stdout — the median
 * wall time in ms of `vanthu --version`, `vanthu help`, `vanthu messages --json` on the embedded
 * database with no gateway, and `vanthu messages --json` through a running gateway, each run as a
 * fresh process through the compiled build (dist/cli) and through tsx (VANTHU_TSX=1) in the same run,
 * interleaved so both see the same machine load; `ratio` is tsx / compiled.
 *
 *   npm run bench:cli [-- --runs 7] [-- --baseline DIR]
 *
 * `--baseline DIR`: also time the same commands with DIR/bin/vanthu.mjs (an older checkout with its
 * node_modules), reported as `baseline` — the "before" of a change.
 * Progress goes to stderr. Figures are not asserted anywhere: the machine is shared.
 */
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { build, freshBuild, ROOT } from '../bin/build.mjs';
import { freePort } from '../tests/helpers/processes.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, baseline: { type: 'string' } } });
const RUNS = Math.max(1, Number(values.runs) || 5);
const BIN = path.join(ROOT, 'bin', 'vanthu.mjs');
const note = (s: string) => process.stderr.write(`bench:cli: ${s}\n`);

/** One run's wall time; `anyExit`: an older CLI may answer with an error (its `--version` was an unknown command). */
function once(bin: string, args: string[], env: NodeJS.ProcessEnv, anyExit = false): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { env: { ...process.env, ...env }, cwd: path.dirname(path.dirname(bin)), maxBuffer: 64 << 20 },
      (err, _out, stderr) => {
        if (err && !(anyExit && typeof err.code === 'number')) reject(new Error(`vanthu ${args.join(' ')} failed: ${stderr || err.message}`));
        else resolve(performance.now() - t0);
      },
    );
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2);
};

/** A data directory with a migrated PGlite database (the tests' template when there is one). */
async function dataDir(): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'vanthu-bench-cli-'));
  const template = path.join(ROOT, 'var', 'test', 'pglite-template', 'db');
  if (existsSync(template)) cpSync(template, path.join(dir, 'db'), { recursive: true });
  else await once(BIN, ['migrate'], { VANTHU_DATA_DIR: dir });
  return dir;
}

async function startGateway(dir: string): Promise<{ url: string; stop(): Promise<void> }> {
  const [http, smtp] = [await freePort(), await freePort()];
  const env = {
    ...process.env,
    VANTHU_DATA_DIR: dir,
    VANTHU_HTTP_PORT: String(http),
    VANTHU_SMTP_PORT: String(smtp),
    VANTHU_REDIS_PREFIX: `vtbench${randomBytes(4).toString('hex')}`,
    VANTHU_DNS: 'off',
    VANTHU_LOG_FORMAT: 'json',
    VANTHU_LOG_LEVEL: 'warn',
  };
  const child = spawn(process.execPath, [BIN, 'start'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => (err = (err + d).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${http}`;
  const end = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the gateway exited: ${err}`);
    if (Date.now() > end) throw new Error(`the gateway did not answer: ${err}`);
    try {
      if ((await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) })).ok) break;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    stop: async () => {
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

const buildStart = performance.now();
if (!freshBuild()) await build();
const buildMs = Math.round(performance.now() - buildStart);
if (!freshBuild()) throw new Error('no fresh build of the CLI (another process building, or sources changing): run again');

const embedded = await dataDir();
const served = await dataDir();
note('starting a gateway');
const gateway = await startGateway(served);
const noGateway = `http://127.0.0.1:${await freePort()}`; // nothing listens there

const cases: Record<string, { args: string[]; env: NodeJS.ProcessEnv }> = {
  version: { args: ['--version'], env: {} },
  help: { args: ['help'], env: {} },
  messagesEmbedded: { args: ['messages', '--json'], env: { VANTHU_DATA_DIR: embedded, VANTHU_API_URL: noGateway } },
  messagesGateway: { args: ['messages', '--json'], env: { VANTHU_DATA_DIR: served, VANTHU_API_URL: gateway.url } },
};
const modes: Record<string, { bin: string; env: NodeJS.ProcessEnv; anyExit?: boolean }> = {
  compiled: { bin: BIN, env: { VANTHU_BUILD: '0' } },
  tsx: { bin: BIN, env: { VANTHU_TSX: '1' } },
  ...(values.baseline ? { baseline: { bin: path.resolve(values.baseline, 'bin', 'vanthu.mjs'), env: {}, anyExit: true } } : {}),
};
// Interrupted: the gateway this started goes too.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void gateway.stop().finally(() => process.exit(130)));
const times: Record<string, Record<string, number[]>> = Object.fromEntries(Object.keys(modes).map((m) => [m, {}]));
try {
  for (const [name, c] of Object.entries(cases)) {
    for (const m of Object.keys(modes)) await once(modes[m].bin, c.args, { ...c.env, ...modes[m].env }, modes[m].anyExit); // warm the file cache
    for (let i = 0; i < RUNS; i++) {
      for (const [m, mode] of Object.entries(modes)) {
        // Others may be editing the sources: rebuild outside the timing, so "compiled" is compiled.
        if (m === 'compiled' && !freshBuild()) await build();
        (times[m][name] ??= []).push(await once(mode.bin, c.args, { ...c.env, ...mode.env }, mode.anyExit));
      }
    }
    note(
      `${name}: ${Object.keys(modes)
        .map((m) => `${m} ${median(times[m][name])} ms`)
        .join(', ')}`,
    );
  }
} finally {
  await gateway.stop();
  rmSync(embedded, { recursive: true, force: true });
  rmSync(served, { recursive: true, force: true });
}

const medianMs = Object.fromEntries(
  Object.entries(times).map(([m, byCase]) => [m, Object.fromEntries(Object.entries(byCase).map(([c, xs]) => [c, median(xs)]))]),
);
const ratio = Object.fromEntries(Object.keys(cases).map((c) => [c, Math.round((medianMs.tsx[c] / medianMs.compiled[c]) * 100) / 100]));
process.stdout.write(`${JSON.stringify({ runs: RUNS, medianMs, ratio, buildMs, loadAverage: Math.round(loadavg()[0] * 10) / 10 })}\n`);
