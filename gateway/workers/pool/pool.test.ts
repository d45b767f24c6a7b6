/**
 * The CPU pool (docs/architecture.md, "The CPU pool"): the parse, classify and verify stages run
 * their work on a pool thread, never the main one, and store what they store without the pool; a
 * message that kills or hangs its thread gets a named outcome and is decided (review), and the
 * pool's new thread decides the next message.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { threadId } from 'node:worker_threads';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../clock.ts';
import { loadConfig, type Config } from '../../config/load.ts';
import { silentLogger } from '../../log.ts';
import { BlobStore } from '../../store/blobs.ts';
import { openDatabase, type Database } from '../../store/db.ts';
import { newId } from '../../store/ids.ts';
import { inboundMessages } from '../../store/schema.ts';
import { createTestStorage, type TestStorage } from '../../../tests/helpers/databases.ts';
import { withAttachment } from '../../../tests/helpers/hostile.ts';
import { ensureFixtures, type Fixtures } from '../../../tests/fixtures/trust/make-fixtures.ts';
import { INGEST_STAGES } from '../ingest-worker.ts';
import { runPipeline, type AnyStage, type InboundRow, type StageContext } from '../pipeline.ts';
import { classifyStage } from '../stages/classify.ts';
import { parseStage } from '../stages/parse.ts';
import { verifyStage } from '../stages/verify.ts';
import { CpuPool } from './pool.ts';

const CONTENT: AnyStage[] = [parseStage, classifyStage, verifyStage];
/** A pool thread loads the gateway's modules (through tsx here) before its first task, again after each crash: slow on a busy machine. */
const SLOW = 240_000;
const HOSTILE_THREAD = new URL('../../../tests/fixtures/pool/hostile-thread.mjs', import.meta.url);
const PDF = readFileSync(path.resolve(import.meta.dirname, '../../../tests/corpus/two-page.pdf'));

/** A message the hostile test thread (tests/fixtures/pool/hostile-thread.mjs) crashes or hangs on. */
function marked(mark: 'crash' | 'hang'): Buffer {
  return Buffer.concat([Buffer.from(`X-Test-Thread: ${mark}\r\n`), withAttachment(`Thư làm hỏng luồng (${mark})`, 'a.pdf', 'application/pdf', PDF)]);
}

describe('CPU pool', () => {
  let storage: TestStorage;
  let database: Database;
  let blobRoot: string;
  let blobs: BlobStore;
  let fx: Fixtures;
  let config: Config;
  const pools: CpuPool[] = [];
  const clock = new ManualClock(new Date());

  beforeAll(async () => {
    fx = await ensureFixtures();
    const base = loadConfig({});
    config = { ...base, trust: { ...base.trust, dns: 'off', anchors: [fx.pki.root], crls: [fx.pki.crl] } };
    storage = await createTestStorage('pglite');
    database = await openDatabase({ url: storage.databaseUrl, dataDir: storage.dataDir });
    await database.migrate();
    blobRoot = mkdtempSync(path.join(tmpdir(), 'vanthu-pool-'));
    blobs = new BlobStore(blobRoot);
    await blobs.init();
  }, 120_000);
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.close()));
    await database?.close();
    await storage?.cleanup();
    if (blobRoot) rmSync(blobRoot, { recursive: true, force: true });
  });

  const newPool = (o: Partial<ConstructorParameters<typeof CpuPool>[0]> = {}) => {
    const pool = new CpuPool({ threads: 1, taskMs: 120_000, ...o });
    pools.push(pool);
    return pool;
  };

  async function message(raw: Buffer): Promise<InboundRow> {
    const { sha256 } = await blobs.put(raw);
    const id = newId();
    const [row] = await database.db
      .insert(inboundMessages)
      .values({ id, source: 'api', messageId: `<${id}@test>`, contentHash: id, blobSha256: sha256, size: raw.length, rcptTo: [], unitIds: [] })
      .returning();
    return row;
  }
  const row = async (id: string) => (await database.db.select().from(inboundMessages).where(eq(inboundMessages.id, id)))[0];
  const ctxOf = (m: InboundRow, pool?: CpuPool): StageContext => ({ message: m, database, blobs, config, log: silentLogger, clock, results: {}, pool });
  const json = (x: unknown) => JSON.parse(JSON.stringify(x)) as unknown;

  it.each([
    ['a PDF attachment', () => withAttachment('Công văn kèm tệp PDF', 'two-page.pdf', 'application/pdf', PDF)],
    ['S/MIME with a signed PDF and edXML', () => readFileSync(fx.smime['with-attachments'])],
  ])(
    '%s: parse, classify and verify run on a pool thread and store what they store without it',
    async (_name, raw) => {
      const pool = newPool();
      const bytes = raw();
      const pooled = ctxOf(await message(bytes), pool);
      await runPipeline(CONTENT, pooled);
      expect((await row(pooled.message.id)).state).toBe('verified');
      // Three tasks (parse, classify, verify), none of them on this (the main) thread.
      expect([...pool.stats.byThread.values()].reduce((a, b) => a + b, 0)).toBe(3);
      expect([...pool.stats.byThread.keys()]).not.toContain(threadId);
      expect(pooled.mime).toBeUndefined(); // verify let go of the job's parse

      const inline = ctxOf(await message(bytes));
      await runPipeline(CONTENT, inline);
      for (const stage of ['parse', 'classify', 'verify'] as const) expect(json(pooled.results[stage])).toEqual(json(inline.results[stage]));
    },
    SLOW,
  );

  it(
    'a message that kills its thread gets the outcome worker-crashed and is decided; a message beside it, and the next one, are decided as usual',
    async () => {
      const pool = newPool({ entry: HOSTILE_THREAD });
      const hostile = ctxOf(await message(marked('crash')), pool);
      const beside = ctxOf(await message(withAttachment('Công văn bình thường', 'two-page.pdf', 'application/pdf', PDF)), pool);
      // Both may be on the thread when it dies: each is run again alone, and only the one that kills it alone is blamed.
      await Promise.all([runPipeline(INGEST_STAGES, hostile), runPipeline(INGEST_STAGES, beside)]);
      expect(hostile.outcome).toMatchObject({ stage: 'parse', code: 'worker-crashed' });
      const h = await row(hostile.message.id);
      expect(h.state).toBe('decided');
      expect(h.lastError).toMatch(/^parse: worker-crashed: /);
      expect(beside.outcome ?? null).toBeNull();
      expect((await row(beside.message.id)).state).toBe('decided');
      expect(pool.stats.crashes).toBeGreaterThanOrEqual(1);

      const next = ctxOf(await message(withAttachment('Công văn sau đó', 'two-page.pdf', 'application/pdf', PDF)), pool);
      await runPipeline(INGEST_STAGES, next);
      expect(next.outcome ?? null).toBeNull();
      expect((await row(next.message.id)).state).toBe('decided');
      expect(pool.stats.started).toBe(1 + pool.stats.crashes); // each thread lost was replaced
    },
    SLOW,
  );

  it(
    'a message that hangs its thread gets the outcome worker-timeout and is decided; the new thread decides the next one',
    async () => {
      const pool = newPool({ entry: HOSTILE_THREAD, taskMs: 300 });
      const hostile = ctxOf(await message(marked('hang')), pool);
      await runPipeline(INGEST_STAGES, hostile);
      expect(hostile.outcome).toMatchObject({ stage: 'parse', code: 'worker-timeout' });
      expect((await row(hostile.message.id)).state).toBe('decided');
      expect(pool.stats.timeouts).toBe(1);

      pool.taskMs = 120_000; // an ordinary message's time, however slow this machine is
      const next = ctxOf(await message(withAttachment('Công văn sau đó', 'two-page.pdf', 'application/pdf', PDF)), pool);
      await runPipeline(INGEST_STAGES, next);
      expect(next.outcome ?? null).toBeNull();
      expect((await row(next.message.id)).state).toBe('decided');
      expect(pool.stats.started).toBe(2);
    },
    SLOW,
  );
});
