/**
 * Fresh databases for tests: a copy of the migrated PGlite template, or a new PostgreSQL database
 * on the local server (created through the `postgres` superuser, which trust auth allows here).
 * A missing PostgreSQL fails the suite: .ci/run provides it.
 */
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { PGLITE_TEMPLATE } from './paths.ts';

export type Backend = 'pglite' | 'postgres';
export const BACKENDS: Backend[] = ['pglite', 'postgres'];

/** The server tests create their databases on; override with VANTHU_TEST_PG_URL. */
export const PG_ADMIN_URL = process.env.VANTHU_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestStorage {
  dataDir: string;
  databaseUrl: string | null;
  cleanup(): Promise<void>;
}

export async function createTestStorage(backend: Backend): Promise<TestStorage> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'vanthu-test-'));
  if (backend === 'pglite') {
    cpSync(path.join(PGLITE_TEMPLATE, 'db'), path.join(dataDir, 'db'), { recursive: true });
    return { dataDir, databaseUrl: null, cleanup: async () => rmSync(dataDir, { recursive: true, force: true }) };
  }
  const name = `vanthu_t_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    dataDir,
    databaseUrl: url.toString(),
    cleanup: async () => {
      rmSync(dataDir, { recursive: true, force: true });
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}
