import { eq, sql } from 'drizzle-orm';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../gateway/config/load.ts';
import { silentLogger } from '../gateway/log.ts';
import { verifyAudit } from '../gateway/registry/audit.ts';
import { nextBookNumber, registerOutgoing } from '../gateway/registry/books/books.ts';
import { ManualClock } from '../gateway/clock.ts';
import { intakeMessage } from '../gateway/registry/intake/intake.ts';
import { createRuntime, type RegistryRuntime } from '../gateway/registry/runtime.ts';
import { documents } from '../gateway/registry/schema.ts';
import { addUser, login, logout, sessionUser } from '../gateway/registry/users/users.ts';
import { approve, assign } from '../gateway/registry/workflow/workflow.ts';
import { suggestRoute } from '../gateway/registry/workflow/routing.ts';
import { openDatabase, type Database } from '../gateway/store/db.ts';
import { inboundMessages } from '../gateway/store/schema.ts';
import { BACKENDS, createTestStorage, type TestStorage } from './helpers/databases.ts';
import { testEnv } from './helpers/gateway.ts';
import { ADMIN, classification, configureRegistry, insertInbound, VALID } from './helpers/registry-fixtures.ts';

interface LdapServer {
  bind(base: string, handler: (req: { dn: { toString(): string }; credentials: string }, res: { end(): void }, next: (err?: Error) => void) => void): void;
  listen(port: number, host: string, cb: () => void): void;
  address(): { port: number };
  close(): void;
}
// ldapjs ships no types; its server is a real LDAP endpoint on a socket.
const ldapjs = createRequire(import.meta.url)('ldapjs') as { createServer(): LdapServer; InvalidCredentialsError: new () => Error };

const WORKERS = 8;
/** The clerk's corrections that make an unclassified review item bookable (Decree 30's required fields). */
const BOOKABLE = { notation: '123/UBND-VX', issuer: 'Ủy ban nhân dân tỉnh Bến Tre', issuedDate: '2026-02-27' };
const N = 48;

describe.each(BACKENDS)('registry books and audit on %s', (backend) => {
  let storage: TestStorage;
  let database: Database;
  let config: Config;
  let rt: RegistryRuntime;
  const clock = new ManualClock('2026-03-02T02:00:00Z');
  const extra: Database[] = [];

  beforeAll(async () => {
    storage = await createTestStorage(backend);
    database = await openDatabase({ url: storage.databaseUrl, dataDir: storage.dataDir });
    await database.migrate();
    config = loadConfig(testEnv(storage));
    configureRegistry(config);
    config.registry.routing = [];
    rt = createRuntime({ database, config, log: silentLogger, clock });
  });
  afterAll(async () => {
    for (const d of extra) await d.close();
    await database?.close();
    await storage?.cleanup();
  });

  async function reviewItems(count: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const id = await insertInbound(database.db, { receivedAt: clock.now() });
      const [msg] = await database.db.select().from(inboundMessages).where(eq(inboundMessages.id, id));
      const [outcome] = await intakeMessage(rt, msg, {});
      expect(outcome.action).toBe('review');
      ids.push(outcome.documentId!);
    }
    return ids;
  }

  it(`numbers ${N} documents approved concurrently 1..${N}, no gap, no repeat, rolled-back numbers reused`, async () => {
    const docs = await reviewItems(N);
    // PostgreSQL: every worker has its own connection; PGlite: concurrent calls on its one connection.
    const runtimes: RegistryRuntime[] = [];
    for (let w = 0; w < WORKERS; w++) {
      if (backend === 'postgres') {
        const d = await openDatabase({ url: storage.databaseUrl, dataDir: storage.dataDir, poolSize: 1 });
        extra.push(d);
        runtimes.push(createRuntime({ database: d, config, log: silentLogger, clock }));
      } else runtimes.push(rt);
    }
    const aborted = async () =>
      rt.db
        .transaction(async (tx) => {
          await nextBookNumber(tx, 'stc', 2026, 'incoming');
          throw new Error('abort after taking a number');
        })
        .catch(() => 'aborted');
    const work = runtimes.map(async (r, w) => {
      for (let i = w; i < docs.length; i += WORKERS) {
        await approve(r, ADMIN, docs[i], BOOKABLE);
        if (i % 10 === 3) await aborted();
      }
    });
    await Promise.all(work);
    const rows = await database.db
      .select({ n: documents.bookNumber, y: documents.bookYear, s: documents.status })
      .from(documents)
      .where(eq(documents.unitId, 'stc'));
    const numbers = rows.map((r) => r.n!).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: N }, (_, i) => i + 1));
    expect(new Set(rows.map((r) => r.y))).toEqual(new Set([2026]));
  });

  it('starts the book again at 1 on 1 January (local time)', async () => {
    clock.set('2026-12-31T17:30:00Z'); // 00:30 on 1 January 2027 in Hà Nội
    const [doc] = await reviewItems(1);
    const row = await approve(rt, ADMIN, doc, BOOKABLE);
    expect([row.bookYear, row.bookNumber]).toEqual([2027, 1]);
    clock.set('2026-03-02T02:00:00Z');
  });

  it('numbers the outgoing book separately, with the notation', async () => {
    const made = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        registerOutgoing(
          database.db,
          { unitId: 'stc', codeSuffix: 'STC-VP', typeCode: i % 2 ? 'QĐ' : 'CV', subject: `Văn bản đi ${i}` },
          'test',
          clock,
          config.registry.timezone,
        ),
      ),
    );
    expect(made.map((m) => m.number).sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    const qd = made.find((m) => m.typeCode === 'QĐ')!;
    expect(qd.notation).toBe(`${qd.number}/QĐ-STC-VP`);
    expect(made.find((m) => m.typeCode === 'CV')!.notation).toMatch(/^\d+\/STC-VP$/);
  });

  it('logs in local users with scrypt hashes and expiring bearer sessions', async () => {
    const u = await addUser(
      database.db,
      config,
      { email: 'Clerk@STC.lamdong.gov.vn', name: 'Trần Thị Văn Thư', unitId: 'stc', role: 'clerk', password: 'mật-khẩu-dài' },
      'test',
      clock,
    );
    expect(u.email).toBe('clerk@stc.lamdong.gov.vn');
    expect(u).not.toHaveProperty('passwordHash');
    await expect(
      addUser(database.db, config, { email: 'x@y.vn', name: 'X', unitId: 'nowhere', role: 'clerk', password: '12345678' }, 'test', clock),
    ).rejects.toThrow(/unknown unit/);
    expect(await login(database.db, config, 'clerk@stc.lamdong.gov.vn', 'wrong-password', clock)).toBeNull();
    const s = (await login(database.db, config, 'clerk@stc.lamdong.gov.vn', 'mật-khẩu-dài', clock))!;
    expect((await sessionUser(database.db, s.token, clock))?.id).toBe(u.id);
    clock.advance(config.registry.sessionHours * 3600_000 + 1000);
    expect(await sessionUser(database.db, s.token, clock)).toBeNull();
    clock.set('2026-03-02T02:00:00Z');
    const s2 = (await login(database.db, config, 'clerk@stc.lamdong.gov.vn', 'mật-khẩu-dài', clock))!;
    await logout(database.db, s2.token);
    expect(await sessionUser(database.db, s2.token, clock)).toBeNull();
  });

  it('suggests a department learned from past assignments, with its confidence', async () => {
    const themes = {
      ns: ['Dự toán ngân sách năm 2027', 'Quyết toán ngân sách xã', 'Bổ sung dự toán chi thường xuyên'],
      tin: ['Triển khai chữ ký số', 'Nâng cấp phần mềm quản lý văn bản', 'An toàn thông tin mạng'],
    };
    for (const [department, subjects] of Object.entries(themes)) {
      for (const subject of subjects) {
        const id = await insertInbound(database.db, { receivedAt: clock.now() });
        const [msg] = await database.db.select().from(inboundMessages).where(eq(inboundMessages.id, id));
        const [o] = await intakeMessage(rt, msg, { classify: classification({ notation: `${subject.length}/X-${department}`, subject }), verify: VALID });
        await assign(rt, ADMIN, o.documentId!, { department });
      }
    }
    const s = await suggestRoute(database.db, [], {
      unitId: 'stc',
      recipients: [],
      issuer: null,
      typeCode: 'CV',
      subject: 'Hướng dẫn triển khai chữ ký số cho văn bản',
      text: null,
    });
    expect(s).toMatchObject({ source: 'learned', department: 'tin' });
    expect(s.confidence).toBeGreaterThan(0.5);
    expect(s.alternatives[0].department).toBe('ns');
  });

  it('logs in LDAP users by binding to the configured directory', async () => {
    const server = ldapjs.createServer();
    server.bind('ou=people,dc=test', (req, res, next) => {
      if (req.dn.toString().replace(/\s/g, '') === 'uid=ldapuser,ou=people,dc=test' && req.credentials === 'đúng mật khẩu') {
        res.end();
        return next();
      }
      return next(new ldapjs.InvalidCredentialsError());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const cfg = {
        ...config,
        registry: { ...config.registry, ldap: { url: `ldap://127.0.0.1:${server.address().port}`, userDn: 'uid={user},ou=people,dc=test', timeoutMs: 5000 } },
      };
      await addUser(
        database.db,
        cfg,
        { email: 'ldapuser@stc.lamdong.gov.vn', name: 'Người dùng LDAP', unitId: 'stc', role: 'officer', source: 'ldap' },
        'test',
        clock,
      );
      expect(await login(database.db, cfg, 'ldapuser@stc.lamdong.gov.vn', 'sai', clock)).toBeNull();
      expect((await login(database.db, cfg, 'ldapuser@stc.lamdong.gov.vn', 'đúng mật khẩu', clock))?.user.source).toBe('ldap');
      expect(await login(database.db, { ...cfg, registry: { ...cfg.registry, ldap: null } }, 'ldapuser@stc.lamdong.gov.vn', 'đúng mật khẩu', clock)).toBeNull();
    } finally {
      server.close();
    }
  });

  it('keeps a hash chain over every change and detects an edited or removed row', async () => {
    const good = await verifyAudit(database.db);
    expect(good.ok).toBe(true);
    expect(good.rows).toBeGreaterThan(N * 2);
    await database.db.execute(sql`update audit_log set data = jsonb_set(data, '{number}', '999') where seq = 5`);
    const edited = await verifyAudit(database.db);
    expect(edited.ok).toBe(false);
    expect(edited.broken?.seq).toBe(5);
    const last = good.rows;
    await database.db.execute(sql`delete from audit_log where seq >= 5`);
    const cut = await verifyAudit(database.db);
    expect(cut.ok).toBe(false);
    expect(cut.broken?.reason).toMatch(new RegExp(`head says ${last}`));
  });
});
