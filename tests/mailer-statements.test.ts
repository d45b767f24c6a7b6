/**
 * What one notice or receipt costs the database (bench/e2e/FINDINGS.md, "Ninth round": a receipt
 * per registered document): the mailer's key row is made and its sending recorded in two
 * statements; a key seen before is read before anything is sent, and a mail already sent is not
 * sent again. Real embedded database, real SMTP sink; statements counted on the ORM's session.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../gateway/clock.ts';
import { loadConfig } from '../gateway/config/load.ts';
import { createMailer } from '../gateway/notify/mailer.ts';
import type { Mailer } from '../gateway/registry/ports.ts';
import { openDatabase, type Database } from '../gateway/store/db.ts';
import { createTestStorage, type TestStorage } from './helpers/databases.ts';
import { testEnv } from './helpers/gateway.ts';
import { type MailSink, startMailSink } from './helpers/mail-sink.ts';

describe('the mailer in the database', () => {
  let storage: TestStorage;
  let database: Database;
  let sink: MailSink;
  let mailer: Mailer;
  const statements: string[] = [];
  let restore: () => void = () => undefined;

  beforeAll(async () => {
    storage = await createTestStorage('pglite');
    database = await openDatabase({ url: storage.databaseUrl, dataDir: storage.dataDir });
    await database.migrate();
    sink = await startMailSink();
    const config = loadConfig(testEnv(storage));
    config.mail.transport = { kind: 'smarthost', host: '127.0.0.1', port: sink.port, secure: false, requireTls: false, user: null, pass: null };
    mailer = createMailer(database.db, config, new ManualClock('2026-11-23T02:00:00Z'));
    // Every statement the ORM prepares (one per execution).
    const proto = Object.getPrototypeOf((database.db as unknown as { session: object }).session) as Record<string, (...a: unknown[]) => unknown>;
    const prepareQuery = proto.prepareQuery;
    proto.prepareQuery = function (this: unknown, ...args: unknown[]) {
      statements.push((args[0] as { sql: string }).sql.slice(0, 60));
      return prepareQuery.apply(this, args);
    };
    restore = () => void (proto.prepareQuery = prepareQuery);
  }, 60_000);
  afterAll(async () => {
    restore();
    mailer?.close();
    await sink?.close();
    await database?.close();
    await storage?.cleanup();
  });

  const receipt = { key: 'receipt:01TEST', to: ['vanthu@ubnd.bentre.gov.vn'], subject: 'Xác nhận đã nhận văn bản', text: 'Đã nhận.' };

  it('sends a new mail in two statements, and a mail already sent in one read without sending it', async () => {
    statements.length = 0;
    expect(await mailer.send(receipt)).toBe('sent');
    expect(statements.map((s) => s.split(' ')[0])).toEqual(['insert', 'update']);
    expect(sink.mails).toHaveLength(1);

    statements.length = 0;
    expect(await mailer.send(receipt)).toBe('already-sent');
    expect(statements.map((s) => s.split(' ')[0])).toEqual(['insert', 'select']);
    expect(sink.mails).toHaveLength(1);
  }, 60_000);
});
