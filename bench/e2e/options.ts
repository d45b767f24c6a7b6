/**
 * bench:e2e's command line (bench/e2e.ts's header lists the flags): parsed once, with the numbers
 * the phases use.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const HERE = path.dirname(fileURLToPath(import.meta.url));

// `--pg` may come without a URL: the local server's `test` database (the one the tests use).
const DEFAULT_PG = 'postgres://postgres@127.0.0.1:5432/test';
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) if (argv[i] === '--pg' && (i + 1 === argv.length || argv[i + 1].startsWith('--'))) argv.splice(i + 1, 0, DEFAULT_PG);

export const { values } = parseArgs({
  args: argv,
  options: {
    burst: { type: 'string', default: '600' },
    rate: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '20' },
    connections: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '20' },
    serial: { type: 'string', default: '40' },
    pg: { type: 'string' },
    big: { type: 'boolean', default: false },
    'big-count': { type: 'string', default: '100' },
    'big-mb': { type: 'string', default: '25' },
    'cpu-prof': { type: 'boolean', default: false },
    dns: { type: 'string', default: 'zone' },
    'ingest-concurrency': { type: 'string' },
    'cpu-threads': { type: 'string' },
    root: { type: 'string', default: path.resolve(HERE, '../..') },
    'poll-ms': { type: 'string', default: '1000' },
    'sql-log': { type: 'boolean', default: false },
    timeout: { type: 'string', default: '900' },
    settle: { type: 'string', default: '35' },
    keep: { type: 'boolean', default: false },
    workers: { type: 'string', default: '0' },
    // A flag for the gateway's node (V8 flags such as --trace-opt; its output goes to gateway.log, kept with --keep).
    'node-arg': { type: 'string', multiple: true, default: [] },
  },
});

export const BURST = Number(values.burst);
/** Pipeline processes beside one `--role gateway` process (docs/operations.md, "Scaling"); 0: one process, role `all`. */
export const WORKERS = Number(values.workers);
if (!Number.isInteger(WORKERS) || WORKERS < 0) throw new Error(`--workers wants a whole number ≥ 0, got ${values.workers}`);
if (WORKERS && !values.pg) throw new Error('--workers needs --pg: the roles share PostgreSQL (PGlite lives inside one process)');
export const RATE = Number(values.rate);
export const SECONDS = Number(values.seconds);
export const CONNECTIONS = Number(values.connections);
export const WARMUP = Number(values.warmup);
export const SERIAL = Number(values.serial);
export const ROOT = path.resolve(values.root!);
export const POLL_MS = Number(values['poll-ms']);
export const TIMEOUT_MS = Number(values.timeout) * 1000;
