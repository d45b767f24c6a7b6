/**
 * Named prepared statements on the embedded database's thread (gateway/store/pglite-prepared.mjs;
 * docs/architecture.md, "Prepared statements on the embedded database"): a text seen twice is
 * parsed once and run by name from then on, with the same results and errors as an unnamed
 * statement, inside and outside transactions; a schema change drops the names first; at most
 * `preparedStatements` names are kept.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedDatabase, type PreparedCounts } from './pglite-client.ts';

/** Values of every kind the gateway sends and reads: jsonb, bytea, arrays, timestamps, nulls, bigints. */
const SETUP = `create table t (id int primary key, body jsonb, raw bytea, tags text[], at timestamptz, n bigint, note text)`;
const INSERT = 'insert into t values ($1, $2, $3, $4, $5, $6, $7) returning *';
const SELECT = 'select * from t where id = $1';

function row(id: number): unknown[] {
  return [
    id,
    JSON.stringify({ số: `${id}/QĐ-UBND`, list: [1, 2] }),
    new Uint8Array([0, 1, 254, id % 256]),
    ['a', 'b c', 'đ'],
    '2026-11-23T02:00:00Z',
    9_007_199_254_740_993n,
    id % 2 ? null : 'văn thư',
  ];
}

describe('prepared statements on the embedded database', () => {
  let dirs: string[] = [];
  let on: EmbeddedDatabase;
  let off: EmbeddedDatabase;
  const counts = async (): Promise<PreparedCounts> => (await on.preparedCounts())!;

  beforeAll(async () => {
    dirs = [mkdtempSync(path.join(tmpdir(), 'vanthu-prepared-on-')), mkdtempSync(path.join(tmpdir(), 'vanthu-prepared-off-'))];
    [on, off] = await Promise.all([EmbeddedDatabase.open(dirs[0], { preparedStatements: 3 }), EmbeddedDatabase.open(dirs[1], { preparedStatements: 0 })]);
    await Promise.all([on.exec(SETUP), off.exec(SETUP)]);
  }, 180_000);
  afterAll(async () => {
    await Promise.all([on?.close(), off?.close()]);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('parses a text seen twice once, then runs it by name, with the rows an unnamed statement returns', async () => {
    expect(await off.preparedCounts()).toBeNull();
    const before = await counts();
    for (let id = 1; id <= 6; id++) {
      const [a, b] = await Promise.all([on.query(INSERT, row(id)), off.query(INSERT, row(id))]);
      expect(a).toEqual(b);
      const [c, d] = await Promise.all([on.query(SELECT, [id], { rowMode: 'array', parsers: {} }), off.query(SELECT, [id], { rowMode: 'array', parsers: {} })]);
      expect(c).toEqual(d);
    }
    const after = await counts();
    // Each text: first use unnamed, second prepares it (and runs it), the other four run by name.
    expect(after.prepared - before.prepared).toBe(2);
    expect(after.hits - before.hits).toBe(8);
    expect(after.unprepared - before.unprepared).toBe(2);
    // Columns described once per text, at its Parse: the ten runs by name ask for no Describe (the rows
    // and fields above are still those of the unnamed statement).
    expect(after.described - before.described).toBe(2);
    const [check] = (await on.query<{ body: unknown; raw: Uint8Array; n: string }>('select body, raw, n::text from t where id = 6')).rows;
    expect(check.body).toEqual({ số: '6/QĐ-UBND', list: [1, 2] });
    expect([...check.raw]).toEqual([0, 1, 254, 6]);
    expect(check.n).toBe('9007199254740993');
  });

  it('fails a prepared statement as an unnamed one fails (SQLSTATE kept), and the name still works after', async () => {
    for (let i = 0; i < 3; i++) await on.query('update t set note = $2 where id = $1', [1, `lần ${i}`]);
    const dupe = await on.query(INSERT, row(1)).catch((e: unknown) => e as { code?: string; name?: string });
    const dupeOff = await off.query(INSERT, row(1)).catch((e: unknown) => e as { code?: string; name?: string });
    expect(dupe).toMatchObject({ code: '23505', name: 'DatabaseError' });
    expect(dupeOff).toMatchObject({ code: '23505', name: 'DatabaseError' });
    const hits = (await counts()).hits;
    expect((await on.query(INSERT, row(7))).rows).toHaveLength(1);
    expect((await counts()).hits).toBe(hits + 1);
  });

  it('runs in the transaction it is given: rolled back with it, and usable after an aborted one', async () => {
    const failed = await on
      .transaction(async (tx) => {
        await tx.query(INSERT, row(20));
        expect((await tx.query(SELECT, [20])).rows).toHaveLength(1);
        await tx.query(INSERT, row(20)); // duplicate: the transaction is aborted
      })
      .catch((e: unknown) => e as { code?: string });
    expect(failed).toMatchObject({ code: '23505' });
    expect((await on.query(SELECT, [20])).rows).toEqual([]);
    await on.transaction(async (tx) => {
      await tx.query(INSERT, row(21));
    });
    expect((await on.query(SELECT, [21])).rows).toHaveLength(1);
  });

  it('drops its names when the schema changes, so a cached statement returns the new columns', async () => {
    for (let i = 0; i < 3; i++) await on.query(SELECT, [2]);
    const cleared = (await counts()).cleared;
    await on.query('alter table t add column extra text', []);
    await on.query("update t set extra = 'mới' where id = $1", [2]);
    // A name prepared before the ALTER would fail here: "cached plan must not change result type".
    const [r] = (await on.query<{ extra: string }>(SELECT, [2])).rows;
    expect(r.extra).toBe('mới');
    expect((await counts()).cleared).toBe(cleared + 1);
    await on.exec('alter table t drop column extra');
    const [s] = (await on.query<Record<string, unknown>>(SELECT, [2])).rows;
    expect(s).not.toHaveProperty('extra');
  });

  it('keeps at most the names it was told to, least recently used out, and answers right after eviction', async () => {
    const texts = [1, 2, 3, 4, 5].map((k) => `select id, $1::int * ${k} as k from t where id = $1`);
    // Five texts through three names. Round 1: all unnamed. Round 2: all five prepared, the 4th and 5th push out
    // the 1st and 2nd. Round 3: those two unnamed again (seen once since), the rest by name. Round 4: the 1st and
    // 2nd prepared again, pushing out the 3rd and 4th, which then run unnamed; the 5th by name.
    const before = await counts();
    for (let round = 0; round < 4; round++)
      for (const [i, text] of texts.entries()) expect((await on.query(text, [2])).rows).toEqual([{ id: 2, k: 2 * (i + 1) }]);
    const after = await counts();
    expect(after.cached).toBe(3);
    expect(after.prepared - before.prepared).toBe(7);
    expect(after.dropped - before.dropped).toBeGreaterThanOrEqual(4);
    expect(after.hits - before.hits).toBe(4);
  });

  it('names its thread vanthu-db (CPU per thread in top -H and bench/e2e)', () => {
    if (process.platform !== 'linux') return;
    const names = readdirSync(`/proc/${process.pid}/task`).map((t) => readFileSync(`/proc/${process.pid}/task/${t}/comm`, 'utf8').trim());
    expect(names.filter((n) => n === 'vanthu-db').length).toBeGreaterThanOrEqual(1);
  });
});
