/** bench:e2e (bench/e2e.ts), the run's surroundings: a scratch PostgreSQL database and its statement log, the tree measured, Redis keys to clean. */
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Redis } from 'ioredis';
import pg from 'pg';
import { log } from './common.ts';
import { round } from './procstat.ts';

/** The newest PostgreSQL server log (Debian: /var/log/postgresql/postgresql-<ver>-main.log). */
export function serverLog(): string | null {
  const dir = '/var/log/postgresql';
  try {
    const logs = readdirSync(dir)
      .filter((n) => n.endsWith('.log'))
      .map((n) => path.join(dir, n));
    return logs.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0] ?? null;
  } catch {
    return null;
  }
}

export function logSize(file: string | null): number {
  try {
    return file ? statSync(file).size : 0;
  } catch {
    return 0;
  }
}

/**
 * Statements the gateway sent to its database (log_statement = all, set on the scratch database
 * only), between two offsets of the server log, counted by shape: parameters, numbers and quoted
 * strings folded, so `update inbound_messages set ... where id = $1` counts once per execution.
 */
export function sqlShapes(file: string, from: number, to: number, db: string, messages: number) {
  const fd = openSync(file, 'r');
  const buf = Buffer.alloc(Math.max(0, to - from));
  readSync(fd, buf, 0, buf.length, from);
  closeSync(fd);
  const counts = new Map<string, number>();
  let total = 0;
  let current: string | null = null;
  const flush = () => {
    if (current === null) return;
    const shape = current
      .replace(/\s+/g, ' ')
      .replace(/'(?:[^']|'')*'/g, "'?'")
      .replace(/\$\d+(\s*,\s*\$\d+)*/g, '$n')
      .replace(/\b\d+\b/g, 'N')
      .trim()
      .slice(0, 220);
    counts.set(shape, (counts.get(shape) ?? 0) + 1);
    total++;
    current = null;
  };
  const marker = `@${db} `;
  for (const line of buf.toString('utf8').split('\n')) {
    if (/^\d{4}-\d\d-\d\d /.test(line)) {
      flush();
      if (!line.includes(marker)) continue;
      const m = /LOG:\s+(?:execute [^:]*|statement):\s(.*)$/.exec(line);
      if (m) current = m[1];
    } else if (current !== null && /^\s/.test(line)) current += ` ${line.trim()}`;
  }
  flush();
  const rows = [...counts.entries()].sort((a, b) => b[1] - a[1]);
  return {
    statements: total,
    per_message: round(total / Math.max(1, messages), 1),
    by_shape: rows.slice(0, 40).map(([shape, n]) => ({ per_message: round(n / Math.max(1, messages), 2), count: n, shape })),
  };
}

export async function scratchDatabase(url: string): Promise<{ url: string; name: string; admin: pg.Client; drop(): Promise<void> }> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  const name = `vanthu_e2e_${process.pid}_${Date.now().toString(36)}`;
  await admin.query(`create database ${name}`);
  const u = new URL(url);
  u.pathname = `/${name}`;
  const watch = new pg.Client({ connectionString: u.toString() });
  await watch.connect();
  return {
    url: u.toString(),
    name,
    admin: watch,
    async drop() {
      await watch.end().catch(() => undefined);
      await admin.query(`drop database if exists ${name} with (force)`).catch((err) => log(`could not drop ${name}: ${(err as Error).message}`));
      await admin.end();
    },
  };
}

/** What was measured: the commit, how many files differ from it, and the compiled CLI build if any (git read-only). */
export function treeState(root: string): { head: string | null; changed_files: number | null; cli_build: string | null } {
  const git = (args: string[]) => {
    try {
      return execFileSync('git', ['-C', root, ...args], { stdio: ['ignore', 'pipe', 'ignore'] })
        .toString()
        .trim();
    } catch {
      return null;
    }
  };
  const status = git(['status', '--porcelain']);
  let build: string | null = null;
  try {
    build = (JSON.parse(readFileSync(path.join(root, 'dist/cli/manifest.json'), 'utf8')) as { build?: string }).build ?? null;
  } catch {
    /* no compiled CLI: the gateway runs through tsx */
  }
  return { head: git(['rev-parse', '--short', 'HEAD']), changed_files: status === null ? null : status.split('\n').filter(Boolean).length, cli_build: build };
}

export async function deleteKeys(redis: Redis, pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== '0');
}
