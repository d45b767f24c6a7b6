/**
 * A crash in the middle of a group commit (gateway/store/group-commit.ts, docs/architecture.md
 * "Group commit") loses nothing and decides nothing twice, on the real databases: a process runs
 * twelve ingest jobs at once and is killed (SIGKILL) the moment a statement carrying several
 * jobs' final writes is on its way; a second process runs the same jobs again. Every message ends
 * decided, once: one document each, book numbers 1..12 with none twice or missing, the audit chain
 * whole, no lease left.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAudit } from '../gateway/registry/audit.ts';
import { documents } from '../gateway/registry/schema.ts';
import { BlobStore } from '../gateway/store/blobs.ts';
import { openDatabase, type Database } from '../gateway/store/db.ts';
import { newId } from '../gateway/store/ids.ts';
import { inboundMessages, messageStages } from '../gateway/store/schema.ts';
import { BACKENDS, createTestStorage, type TestStorage } from './helpers/databases.ts';
import { PROJECT_ROOT } from './helpers/paths.ts';
import { insertArrival } from './helpers/registry-fixtures.ts';

const UNIT = 'vanthu@stc.lamdong.gov.vn';
const SENDER = 'vanthu@ubnd.bentre.gov.vn';
const CHILD = path.join(PROJECT_ROOT, 'tests', 'group-commit-crash.child.ts');

function mail(id: string): Buffer {
  const pdf = Buffer.from(`%PDF-1.4\n% ${id} ${randomBytes(8).toString('hex')}\n%%EOF\n`);
  return Buffer.from(
    [
      `From: <${SENDER}>`,
      `To: ${UNIT}`,
      `Subject: Công văn ${id}`,
      `Message-ID: <${id}@ubnd.bentre.gov.vn>`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Gửi kèm văn bản.',
      '--b1',
      'Content-Type: application/pdf; name="vb.pdf"',
      'Content-Transfer-Encoding: base64',
      '',
      pdf.toString('base64'),
      '--b1--',
      '',
    ].join('\r\n'),
  );
}

describe.each(BACKENDS)('a crash in the middle of a group commit on %s', (backend) => {
  let storage: TestStorage;
  const ids: string[] = [];
  beforeAll(async () => {
    storage = await createTestStorage(backend);
    const database = await openDatabase({ url: storage.databaseUrl, dataDir: storage.dataDir });
    await database.migrate();
    const blobs = new BlobStore(path.join(storage.dataDir, 'blobs'));
    await blobs.init();
    for (let i = 0; i < 12; i++) {
      const id = newId();
      await insertArrival(database.db, blobs, mail(id), {
        id,
        receivedAt: new Date('2026-11-23T02:00:00Z'),
        mailFrom: SENDER,
        rcptTo: [UNIT],
        unitIds: ['stc'],
      });
      ids.push(id);
    }
    await database.close();
  }, 60_000);
  afterAll(async () => {
    await storage?.cleanup();
  });

  const run = (mode: 'crash' | 'finish') =>
    spawnSync(process.execPath, ['--import', 'tsx', CHILD, storage.dataDir, storage.databaseUrl ?? '-', mode, ...ids], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
      timeout: 120_000,
    });

  it('is killed with the group on its way, and a second process decides every message once', async () => {
    const crashed = run('crash');
    expect(crashed.stdout, crashed.stderr).not.toContain('finished');
    expect(crashed.signal, crashed.stderr).toBe('SIGKILL');

    // Killed after the group's jobs had registered their documents (the intake commits before the
    // final write): the run again must find them, not register them a second time.
    const between = await openDatabase({ url: storage.databaseUrl, dataDir: storage.dataDir });
    try {
      const registered = await between.db.select().from(documents).where(inArray(documents.inboundId, ids));
      expect(registered.length).toBeGreaterThanOrEqual(2);
    } finally {
      await between.close();
    }

    const finished = run('finish');
    expect(finished.status, finished.stderr).toBe(0);
    expect(finished.stdout).toContain('finished');

    let database: Database | undefined;
    try {
      database = await openDatabase({ url: storage.databaseUrl, dataDir: storage.dataDir });
      const rows = await database.db.select().from(inboundMessages).where(inArray(inboundMessages.id, ids));
      expect(rows.map((r) => [r.state, r.leaseOwner, r.leaseUntil, r.lastError])).toEqual(ids.map(() => ['decided', null, null, null]));
      const docs = await database.db.select().from(documents).where(inArray(documents.inboundId, ids));
      expect(docs.map((d) => d.inboundId).sort()).toEqual([...ids].sort()); // one document per message
      expect(docs.map((d) => d.bookNumber).sort((a, b) => Number(a) - Number(b))).toEqual(ids.map((_, i) => i + 1));
      for (const id of ids) {
        const stages = await database.db.select().from(messageStages).where(eq(messageStages.messageId, id));
        expect(stages.every((s) => s.status === 'done')).toBe(true);
      }
      expect(await verifyAudit(database.db)).toMatchObject({ ok: true, broken: null });
    } finally {
      await database?.close();
    }
  }, 300_000);
});
