/**
 * Processes started together on a fresh PostgreSQL database (a gateway and its workers,
 * docs/operations.md "Scaling") each run the migrations at start: they take turns instead of
 * failing on each other's CREATE TABLE.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openDatabase } from './db.ts';

const ADMIN = process.env.VANTHU_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

describe('migrations on a shared PostgreSQL', () => {
  it('succeed in every one of several processes starting at once on a fresh database', async () => {
    const admin = new pg.Client({ connectionString: ADMIN });
    await admin.connect();
    const name = `vanthu_migrate_${process.pid}_${Date.now().toString(36)}`;
    await admin.query(`create database ${name}`);
    const url = new URL(ADMIN);
    url.pathname = `/${name}`;
    const dbs = await Promise.all([1, 2, 3, 4].map(() => openDatabase({ url: url.toString(), dataDir: '/nonexistent' })));
    try {
      const results = await Promise.allSettled(dbs.map((d) => d.migrate()));
      expect(results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'ok'))).toEqual(['ok', 'ok', 'ok', 'ok']);
      const [row] = await dbs[0].query<{ n: number }>('select count(*)::int as n from drizzle.__drizzle_migrations', []);
      const [again] = await dbs[1].query<{ n: number }>("select count(*)::int as n from information_schema.tables where table_name = 'inbound_messages'", []);
      expect(row.n).toBeGreaterThan(5);
      expect(again.n).toBe(1);
    } finally {
      for (const d of dbs) await d.close();
      await admin.query(`drop database ${name}`);
      await admin.end();
    }
  }, 120_000);
});
