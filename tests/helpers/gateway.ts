/**
 * Starts a real vanthu in-process for a test: its own data dir and database, SMTP and HTTP on free
 * loopback ports, the machine's Redis (REDIS_URL or 127.0.0.1:6379) under a private key prefix.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { startVanthu, type ProcessRole, type Vanthu } from '../../gateway/app.ts';
import type { Clock } from '../../gateway/clock.ts';
import { loadConfig, type Config } from '../../gateway/config/load.ts';
import { createLogger, silentLogger } from '../../gateway/log.ts';
import { createTestStorage, type Backend, type TestStorage } from './databases.ts';
import { freePort, spawnVanthu, waitForHttp, type Child } from './processes.ts';

export interface TestGateway extends Vanthu {
  storage: TestStorage;
  token: string;
  api(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

export interface TestGatewayOptions {
  backend: Backend;
  role?: ProcessRole;
  /** Edits applied to the loaded config before start. */
  configure?: (cfg: Config) => void;
  env?: Record<string, string>;
  /** The app's clock (gateway/clock.ts); the system clock when absent. */
  clock?: Clock;
}

export const TEST_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const redisUrl = new URL(TEST_REDIS_URL);
/** TEST_REDIS_URL as ioredis connection options (the queues' own connections take host and port). */
export const TEST_REDIS_OPTIONS = { host: redisUrl.hostname, port: Number(redisUrl.port || 6379) };

export function testEnv(storage: TestStorage, extra: Record<string, string> = {}): Record<string, string> {
  return {
    VANTHU_DATA_DIR: storage.dataDir,
    VANTHU_SMTP_PORT: '0',
    VANTHU_HTTP_PORT: '0',
    REDIS_URL: TEST_REDIS_URL,
    VANTHU_REDIS_PREFIX: `vt${randomBytes(5).toString('hex')}`,
    VANTHU_DNS: 'off', // mail authentication is tested with zone files, not the machine's resolver
    ...(storage.databaseUrl ? { DATABASE_URL: storage.databaseUrl } : {}),
    ...extra,
  };
}

/**
 * A gateway process (`vanthu start`, the compiled CLI) on `storage`: free SMTP and HTTP ports, log
 * level warn, its config `yaml` plus a smarthost on port 9 of loopback, which refuses at once (its
 * notices never reach real MX hosts) and an outbox sweep every 200 ms. Resolves once /healthz answers.
 */
export async function startGatewayProcess(
  storage: TestStorage,
  opts: { name: string; yaml?: string; env?: Record<string, string>; timeoutMs?: number },
): Promise<{ child: Child; env: Record<string, string> }> {
  const config = path.join(storage.dataDir, `${opts.name}.yaml`);
  writeFileSync(
    config,
    `${opts.yaml ?? ''}ingest:\n  outboxSweepMs: 200\nmail:\n  transport: { kind: smarthost, host: 127.0.0.1, port: 9, secure: false, requireTls: false, user: null, pass: null }\n`,
  );
  const env = testEnv(storage, {
    VANTHU_CONFIG: config,
    VANTHU_SMTP_PORT: String(await freePort()),
    VANTHU_HTTP_PORT: String(await freePort()),
    VANTHU_LOG_LEVEL: 'warn',
    ...opts.env,
  });
  const child = spawnVanthu(['start'], env);
  await waitForHttp(`http://127.0.0.1:${env.VANTHU_HTTP_PORT}/healthz`, child, opts.timeoutMs);
  return { child, env };
}

export async function startTestGateway(opts: TestGatewayOptions): Promise<TestGateway> {
  const storage = await createTestStorage(opts.backend);
  const config = loadConfig({ ...testEnv(storage, opts.env) });
  config.ingest.outboxSweepMs = 200;
  // Receipts and notices of a test gateway must never look up real MX hosts: port 9 on loopback
  // refuses at once; tests that follow outgoing mail point this at their own server.
  config.mail.transport = { kind: 'smarthost', host: '127.0.0.1', port: 9, secure: false, requireTls: false, user: null, pass: null };
  // Most tests send throwaway unsigned PDFs; tests of the refusal (tests/outgoing-issue.test.ts) turn it on.
  config.outgoing.requireSigned = false;
  opts.configure?.(config);
  const log = process.env.VANTHU_TEST_LOG ? createLogger('test') : silentLogger;
  let app: Vanthu;
  try {
    app = await startVanthu(config, opts.role ?? 'all', log, { clock: opts.clock });
  } catch (err) {
    await storage.cleanup();
    throw err;
  }
  const token = config.http.tokens[0].token;
  return Object.assign(app, {
    storage,
    token,
    api: (p: string, init: RequestInit = {}) =>
      fetch(`http://127.0.0.1:${app.httpPort}${p}`, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers ?? {}) } }),
    close: async () => {
      await app.stop();
      await storage.cleanup();
    },
  });
}

/** Polls until fn returns a truthy value; fails with the last value seen after timeoutMs. */
export async function waitFor<T>(fn: () => Promise<T> | T, timeoutMs = 15_000, what = 'condition'): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < end) {
    last = await fn();
    if (last) return last as NonNullable<T>;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last value: ${JSON.stringify(last)}`);
}

/** The JSON body of a response that must be 2xx; otherwise an error with the status and the body. */
export async function okJson<T>(res: Response): Promise<T> {
  if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}
