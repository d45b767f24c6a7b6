/**
 * Finds the Redis that holds the queues: REDIS_URL when configured; else one answering on
 * 127.0.0.1:6379; else a private redis-server child (data in <dataDir>/redis, AOF on) on a unix
 * socket, so `npm start` works on a machine that only has the redis-server binary.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../log.ts';

export interface RedisTarget {
  /** ioredis options for this server (url or unix socket). */
  options: RedisOptions;
  describe: string;
  /** The private child, when we started one. */
  child?: ChildProcess;
  stop(): Promise<void>;
}

export class RedisUnavailableError extends Error {}

export function redisOptionsFromUrl(url: string): RedisOptions {
  const u = new URL(url);
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new Error(`REDIS_URL must start with redis:// or rediss://, got ${url}`);
  return {
    host: u.hostname || '127.0.0.1',
    port: Number(u.port || 6379),
    username: u.username || undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : undefined,
    tls: u.protocol === 'rediss:' ? {} : undefined,
  };
}

async function answers(options: RedisOptions, timeoutMs = 1500): Promise<boolean> {
  const client = new Redis({ ...options, lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

export async function resolveRedis(url: string | null, dataDir: string, log: Logger): Promise<RedisTarget> {
  const noop = async () => undefined;
  if (url) return { options: redisOptionsFromUrl(url), describe: url, stop: noop };
  const local: RedisOptions = { host: '127.0.0.1', port: 6379 };
  if (await answers(local)) return { options: local, describe: 'redis://127.0.0.1:6379', stop: noop };
  return startPrivateRedis(path.join(dataDir, 'redis'), log);
}

async function startPrivateRedis(dir: string, log: Logger): Promise<RedisTarget> {
  mkdirSync(dir, { recursive: true });
  const socket = path.join(dir, 'redis.sock');
  rmSync(socket, { force: true });
  const args = [
    '--port',
    '0',
    '--unixsocket',
    socket,
    '--unixsocketperm',
    '700',
    '--dir',
    dir,
    '--appendonly',
    'yes',
    '--appendfsync',
    'everysec',
    '--save',
    '',
    '--daemonize',
    'no',
  ];
  const child = spawn('redis-server', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const spawned = await new Promise<Error | null>((resolve) => {
    child.once('spawn', () => resolve(null));
    child.once('error', (err) => resolve(err));
  });
  if (spawned) {
    const hint =
      (spawned as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'redis-server is not installed (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis)'
        : spawned.message;
    throw new RedisUnavailableError(`No Redis answers on 127.0.0.1:6379 and REDIS_URL is not set; starting a private one failed: ${hint}.`);
  }
  const options: RedisOptions = { path: socket };
  for (let i = 0; i < 100 && !(existsSync(socket) && (await answers(options, 500))); i++) await new Promise((r) => setTimeout(r, 50));
  if (!(await answers(options))) {
    child.kill('SIGKILL');
    throw new RedisUnavailableError(`the private redis-server in ${dir} did not start`);
  }
  log.info({ socket }, 'started a private redis-server');
  return {
    options,
    describe: `unix:${socket}`,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
