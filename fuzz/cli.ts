/**
 * npm run fuzz -- [--seed N] [--runs N] [--target a,b] [--index N] [--jobs N] [--timeout-ms N]
 *                 [--max-rss-mb N] [--minimize-ms N] [--save-dir DIR | --no-save] [--replay [PATH...]]
 *                 [--json-out FILE] [--quiet] [--list]
 *
 * Prints one JSON summary on stdout (progress and failures on stderr); exit 0 when nothing failed,
 * 1 when something did, 2 for a usage error. See docs/fuzzing.md.
 */
import { randomInt } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { listFixtures, REGRESSIONS_DIR } from './fixtures.ts';
import { defaultJobs, runFuzz } from './harness.ts';
import { minimizeFixture } from './minimize.ts';
import { TARGETS } from './targets/index.ts';

function usage(message: string): never {
  process.stderr.write(
    `fuzz: ${message}\nusage: npm run fuzz -- [--seed N] [--runs N] [--target ${TARGETS.map((t) => t.name).join(',')}] [--index N] [--jobs N] [--timeout-ms N] [--max-rss-mb N] [--replay [PATH...]] [--no-save] [--list]\n`,
  );
  process.exit(2);
}

let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: {
      seed: { type: 'string' },
      runs: { type: 'string' },
      target: { type: 'string', multiple: true },
      index: { type: 'string' },
      from: { type: 'string' },
      jobs: { type: 'string' },
      'timeout-ms': { type: 'string' },
      'max-rss-mb': { type: 'string' },
      'minimize-ms': { type: 'string' },
      'save-dir': { type: 'string' },
      'no-save': { type: 'boolean' },
      replay: { type: 'boolean' },
      'minimize-fixture': { type: 'boolean' },
      attempts: { type: 'string' },
      'json-out': { type: 'string' },
      quiet: { type: 'boolean' },
      list: { type: 'boolean' },
    },
  });
} catch (err) {
  usage((err as Error).message);
}
const { values, positionals } = parsed;

if (values.list) {
  for (const t of TARGETS) process.stdout.write(`${t.name.padEnd(9)} ${t.summary}\n`);
  process.exit(0);
}

const int = (name: string, v: string | undefined, dflt: number, min = 0): number => {
  if (v === undefined) return dflt;
  if (!/^-?\d+$/.test(v) || Number(v) < min) usage(`--${name} wants an integer ≥ ${min}, got "${v}"`);
  return Number(v);
};

if (values['minimize-fixture']) {
  // npm run fuzz -- --minimize-fixture fuzz/regressions/pdf/x.json [--attempts 40]: shrink hangs, memory kills, process crashes
  const results = [];
  const named = positionals.length > 0;
  for (const f of listFixtures(named ? positionals : [REGRESSIONS_DIR])) {
    // without names: the fixtures the fuzz run could not shrink (hangs, memory kills, process crashes)
    const meta = JSON.parse(readFileSync(f, 'utf8')) as { kind: string; minimized: boolean };
    if (!named && (meta.minimized || !['hang', 'rss', 'process-crash'].includes(meta.kind))) continue;
    results.push(
      await minimizeFixture(f, {
        attempts: int('attempts', values.attempts, 40, 1),
        timeoutMs: int('timeout-ms', values['timeout-ms'], 5000, 100),
        maxRssMb: int('max-rss-mb', values['max-rss-mb'], 1024, 64),
        log: values.quiet ? undefined : (line) => process.stderr.write(`${line}\n`),
      }),
    );
  }
  process.stdout.write(JSON.stringify(results, null, 2) + '\n');
  process.exit(0);
}

const targets = (values.target ?? [])
  .flatMap((t) => t.split(','))
  .map((t) => t.trim())
  .filter(Boolean);
for (const t of targets) if (!TARGETS.some((x) => x.name === t)) usage(`unknown target "${t}"`);
if (!values.replay && !values['minimize-fixture'] && positionals.length) usage(`unexpected argument "${positionals[0]}"`);
const index = values.index === undefined ? undefined : int('index', values.index, 0);
if (index !== undefined && targets.length !== 1) usage('--index needs exactly one --target');

const seed = int('seed', values.seed, randomInt(1, 2 ** 31 - 1), -(2 ** 31));
const summary = await runFuzz({
  seed,
  runs: index !== undefined ? 1 : int('runs', values.runs, 100_000, 1),
  from: index ?? int('from', values.from, 0),
  targets,
  jobs: int('jobs', values.jobs, defaultJobs(), 1),
  timeoutMs: int('timeout-ms', values['timeout-ms'], 5000, 100),
  maxRssMb: int('max-rss-mb', values['max-rss-mb'], 1024, 64),
  minimizeMs: int('minimize-ms', values['minimize-ms'], 20_000),
  saveDir: values['no-save'] ? null : (values['save-dir'] ?? REGRESSIONS_DIR),
  replay: values.replay ? (positionals.length ? positionals : [REGRESSIONS_DIR]) : undefined,
  log: values.quiet ? undefined : (line) => process.stderr.write(`${line}\n`),
});
const json = JSON.stringify(summary, null, 2);
if (values['json-out']) writeFileSync(values['json-out'], json + '\n');
process.stdout.write(json + '\n');
process.exit(summary.ok ? 0 : 1);
