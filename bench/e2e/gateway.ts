/**
 * Starts the gateway the way a user does — `node bin/vanthu.mjs start` with an override file in
 * VANTHU_CONFIG — with every piece of state in the run's temp folder, free ports, its own Redis
 * key prefix, and optionally a scratch PostgreSQL database; and stops it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { stringify } from 'yaml';

export const TOKEN = 'vanthu-demo-token';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface GatewayOptions {
  root: string;
  dir: string;
  databaseUrl: string | null;
  trustAnchor: string;
  /** "system", "off" or a zone file. */
  dns: string;
  /** Smarthost for the registry's outgoing mail (receipts): the bench's sink. */
  smarthostPort: number;
  redisPrefix: string;
  cpuProfDir: string | null;
  /** Flags for the gateway's node before the script (--node-arg). */
  nodeArgs?: string[];
  ingestConcurrency: number | null;
  /** `ingest.cpuThreads` (docs/architecture.md, "The CPU pool"): 0 = the stages' work on the main thread; null = as configured. */
  cpuThreads?: number | null;
  /** 0: one process in role `all`; N: a `--role gateway` process and N `--role worker` processes (PostgreSQL only), under bench/e2e/roles.mjs. */
  workers?: number;
  log: (line: string) => void;
}

export interface Gateway {
  child: ChildProcess;
  pid: number;
  smtpPort: number;
  httpPort: number;
  api: string;
  dataDir: string;
  logFile: string;
  stop(timeoutMs?: number): Promise<{ code: number | null; signal: string | null; killed: boolean }>;
}

export async function startGateway(o: GatewayOptions): Promise<Gateway> {
  const smtpPort = await freePort();
  const httpPort = await freePort();
  const dataDir = path.join(o.dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  const config = {
    instance: { name: 'vanthu e2e bench', dataDir },
    smtp: { host: '127.0.0.1', port: smtpPort },
    http: { host: '127.0.0.1', port: httpPort },
    database: { url: o.databaseUrl },
    trust: { anchors: [o.trustAnchor], crls: [], dns: o.dns },
    mail: { transport: { kind: 'smarthost', host: '127.0.0.1', port: o.smarthostPort, secure: false, requireTls: false } },
    ingest: {
      ...(o.ingestConcurrency ? { concurrency: o.ingestConcurrency } : {}),
      ...(o.cpuThreads !== null && o.cpuThreads !== undefined ? { cpuThreads: o.cpuThreads } : {}),
    },
  };
  const configFile = path.join(o.dir, 'vanthu.yaml');
  writeFileSync(configFile, stringify(config));
  // Nothing from the caller's environment may point the gateway elsewhere; VANTHU_MEMORY_TRIM (A/B of the idle trim) passes.
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(VANTHU_(?!MEMORY_TRIM$)|DATABASE_URL$|NODE_OPTIONS$)/.test(k)) env[k] = v;
  Object.assign(env, { VANTHU_CONFIG: configFile, VANTHU_REDIS_PREFIX: o.redisPrefix, VANTHU_LOG_LEVEL: 'warn' });
  const nodeArgs = [...(o.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', o.cpuProfDir] : []), ...(o.nodeArgs ?? [])];
  if (o.cpuProfDir) mkdirSync(o.cpuProfDir, { recursive: true });
  const logFile = path.join(o.dir, 'gateway.log');
  const logStream = createWriteStream(logFile);
  const command = o.workers ? [path.join(o.root, 'bench/e2e/roles.mjs'), o.root, String(o.workers)] : [path.join(o.root, 'bin/vanthu.mjs'), 'start'];
  const child = spawn(process.execPath, [...nodeArgs, ...command], { cwd: o.root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.pipe(logStream, { end: false });
  child.stderr!.pipe(logStream, { end: false });
  let exited: { code: number | null; signal: string | null } | null = null;
  const exit = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      resolve(exited);
    }),
  );
  const api = `http://127.0.0.1:${httpPort}`;
  const started = Date.now();
  for (;;) {
    if (exited) throw new Error(`the gateway exited during start-up (${JSON.stringify(exited)}); its log: ${logFile}`);
    try {
      const r = await fetch(`${api}/readyz`);
      if (r.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() - started > 120_000) {
      child.kill('SIGKILL');
      throw new Error(`the gateway was not ready after 120 s; its log: ${logFile}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  o.log(`gateway pid ${child.pid} ready in ${Date.now() - started} ms: smtp 127.0.0.1:${smtpPort}, http ${api}, data ${dataDir}`);
  return {
    child,
    pid: child.pid!,
    smtpPort,
    httpPort,
    api,
    dataDir,
    logFile,
    async stop(timeoutMs = 60_000) {
      if (exited) return { ...exited, killed: false };
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<null>((r) => (timer = setTimeout(() => r(null), timeoutMs)));
      const done = await Promise.race([exit, late]);
      clearTimeout(timer);
      if (done) {
        logStream.end();
        return { ...done, killed: false };
      }
      o.log(`the gateway did not exit ${timeoutMs / 1000} s after SIGTERM: killing it (a --cpu-prof profile is lost then)`);
      child.kill('SIGKILL');
      const after = await exit;
      logStream.end();
      return { ...after, killed: true };
    },
  };
}

export function profiles(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((n) => n.endsWith('.cpuprofile'))
      .map((n) => path.join(dir, n))
      .sort((a, b) => statSync(b).size - statSync(a).size);
  } catch {
    return [];
  }
}

/** GET with the demo token; JSON. */
export async function apiGet<T>(api: string, route: string): Promise<T> {
  const r = await fetch(`${api}${route}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  if (!r.ok) throw new Error(`GET ${route}: ${r.status} ${await r.text().catch(() => '')}`);
  return (await r.json()) as T;
}
