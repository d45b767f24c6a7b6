/**
 * npm run bench:e2e-scale -- [--pg URL] [--workers 1,2,4] [any bench:e2e flag …]
 *
 * Runs bench:e2e (bench/e2e.ts) once per number of pipeline processes — one `--role gateway`
 * process and N `--role worker` processes sharing PostgreSQL and Redis, the layout of
 * docs/operations.md "Scaling" — on this machine, one after another, and prints one JSON object: a
 * row per N (docs/s of the burst, latency of the burst and of the paced phase, CPU per message and
 * machine busy cores) and each run's full result. Other flags are passed to every run.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
let counts = [1, 2, 4];
const rest: string[] = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--workers') counts = args[++i].split(',').map(Number);
  else rest.push(args[i]);
}
if (!counts.every((n) => Number.isInteger(n) && n >= 1)) throw new Error('--workers wants a list of whole numbers ≥ 1, e.g. 1,2,4');
if (!rest.includes('--pg')) rest.unshift('--pg');

function run(n: number): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(HERE, 'e2e.ts'), ...rest, '--workers', String(n)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`bench:e2e --workers ${n} exited ${code}`));
      try {
        resolve(JSON.parse(out));
      } catch (err) {
        reject(new Error(`bench:e2e --workers ${n} printed no JSON: ${(err as Error).message}`));
      }
    });
  });
}

type Lat = { p50: number; p99: number } | null;
const runs: Record<string, unknown>[] = [];
const table: Array<Record<string, unknown>> = [];
for (const n of counts) {
  process.stderr.write(`[e2e-scale] ${n} pipeline process(es)\n`);
  const r = (await run(n)) as {
    docs_per_s: number;
    latency_ms: { burst: Lat; paced: Lat };
    cpu_seconds: { burst: { gateway_per_message_ms: number; machine_busy_cores: number } };
    paced?: { decided_per_s?: number };
  };
  runs.push(r);
  table.push({
    pipeline_processes: n,
    burst_docs_per_s: r.docs_per_s,
    burst_latency_p50_ms: r.latency_ms.burst?.p50 ?? null,
    burst_latency_p99_ms: r.latency_ms.burst?.p99 ?? null,
    paced_latency_p50_ms: r.latency_ms.paced?.p50 ?? null,
    paced_latency_p99_ms: r.latency_ms.paced?.p99 ?? null,
    cpu_ms_per_message: r.cpu_seconds.burst.gateway_per_message_ms,
    machine_busy_cores: r.cpu_seconds.burst.machine_busy_cores,
  });
}
process.stdout.write(`${JSON.stringify({ bench: 'e2e-scale', table, runs })}\n`);
