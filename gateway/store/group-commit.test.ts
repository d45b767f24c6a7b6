/**
 * Group commit (gateway/store/group-commit.ts, docs/architecture.md "Group commit"): writes that
 * meet go as one statement, all or nothing; a write never resolves before its statement committed;
 * two writes for one key never share a statement; a bad write fails alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, createTestStorage, type TestStorage } from '../../tests/helpers/databases.ts';
import { openDatabase, type Database } from './db.ts';
import { GroupCommit } from './group-commit.ts';

describe.each(BACKENDS)('group commit on %s', (backend) => {
  let storage: TestStorage;
  let database: Database;
  let sent: string[] = [];
  beforeAll(async () => {
    storage = await createTestStorage(backend);
    database = await openDatabase({ url: storage.databaseUrl, dataDir: storage.dataDir });
    await database.query('create table gc (id text primary key, n int not null check (n >= 0))', []);
    await database.query('create table gc_log (seq serial primary key, id text not null, note text not null)', []);
    const query = database.query;
    database.query = <Row>(text: string, params: unknown[]) => {
      sent.push(text);
      return query.call(database, text, params) as Promise<Row[]>;
    };
  }, 60_000);
  afterAll(async () => {
    await database?.close();
    await storage?.cleanup();
  });

  const upsert = (id: string, n: number) => (p: (v: unknown) => string) => [
    `insert into gc (id, n) values (${p(id)}, ${p(n)}) on conflict (id) do update set n = excluded.n`,
    `insert into gc_log (id, note) values (${p(id)}, ${p(`wrote ${n}`)})`,
  ];

  it('sends writes made together as one statement, and each resolves after it committed', async () => {
    sent = [];
    const g = new GroupCommit(database);
    const done: string[] = [];
    await Promise.all(Array.from({ length: 10 }, (_, i) => g.write(`a${i}`, upsert(`a${i}`, i)).then(() => done.push(`a${i}`))));
    expect(sent).toHaveLength(1);
    expect(g.counts).toEqual({ writes: 10, statements: 1, largestGroup: 10 });
    expect(done).toHaveLength(10);
    const rows = await database.query<{ id: string; n: number }>("select id, n from gc where id like 'a%' order by n", []);
    expect(rows.map((r) => [r.id, r.n])).toEqual(Array.from({ length: 10 }, (_, i) => [`a${i}`, i]));
    const log = await database.query<{ id: string }>("select id from gc_log where id like 'a%'", []);
    expect(log).toHaveLength(10);
  });

  it('groups writes that arrive while a statement is in flight', async () => {
    sent = [];
    const g = new GroupCommit(database);
    const first = g.write('b0', upsert('b0', 0));
    await new Promise((r) => setImmediate(r)); // b0's statement is on its way
    const later = Array.from({ length: 5 }, (_, i) => g.write(`b${i + 1}`, upsert(`b${i + 1}`, i + 1)));
    await Promise.all([first, ...later]);
    expect(sent).toHaveLength(2);
    expect(g.counts.largestGroup).toBe(5);
  });

  it('never puts two writes for one key in one statement', async () => {
    sent = [];
    const g = new GroupCommit(database);
    await Promise.all([g.write('c', upsert('c', 1)), g.write('c', upsert('c', 2)), g.write('d', upsert('d', 3))]);
    expect(sent).toHaveLength(2);
    const [c] = await database.query<{ n: number }>("select n from gc where id = 'c'", []);
    expect(c).toEqual({ n: 2 }); // both applied, in order
    const log = await database.query<{ note: string }>("select note from gc_log where id = 'c' order by seq", []);
    expect(log.map((r) => r.note)).toEqual(['wrote 1', 'wrote 2']);
  });

  it('fails only the bad write: the group is tried again one write at a time', async () => {
    sent = [];
    const g = new GroupCommit(database);
    const results = await Promise.allSettled([g.write('e1', upsert('e1', 1)), g.write('e2', upsert('e2', -1)), g.write('e3', upsert('e3', 3))]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(sent).toHaveLength(4); // the group, then each alone
    const rows = await database.query<{ id: string }>("select id from gc where id like 'e%' order by id", []);
    expect(rows.map((r) => r.id)).toEqual(['e1', 'e3']);
  });

  it('commits a group whole or not at all', async () => {
    sent = [];
    const g = new GroupCommit(database);
    // The statement fails as a whole (the second write breaks a constraint): nothing of the first
    // write is in the table when the group's statement is answered.
    let seenAfterGroup: number | null = null;
    const query = database.query;
    database.query = async <Row>(text: string, params: unknown[]) => {
      try {
        return (await query.call(database, text, params)) as Row[];
      } finally {
        if (seenAfterGroup === null && text.includes(' as (')) {
          const [r] = await query.call(database, "select count(*)::int as n from gc where id = 'f1'", []);
          seenAfterGroup = (r as { n: number }).n;
        }
      }
    };
    try {
      await Promise.allSettled([g.write('f1', upsert('f1', 1)), g.write('f2', upsert('f2', -2))]);
    } finally {
      database.query = query;
    }
    expect(seenAfterGroup).toBe(0);
  });
});
