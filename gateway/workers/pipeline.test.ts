/**
 * The pipeline on a real database (PGlite and PostgreSQL) with stand-in stages: permanent failures
 * of content stages become outcomes (later content stages skipped, the final stage still runs, the
 * message ends `decided` with lastError), permanent failures elsewhere end `failed` without a
 * retry, transient ones are recorded and thrown to be retried. A NUL byte in a stage's result or
 * in a database error's parameters is stored cleanly — it once left a failed message without any
 * lastError.
 */
import { UnrecoverableError, type Job } from 'bullmq';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.ts';
import { loadConfig } from '../config/load.ts';
import { PermanentError, TransientError } from '../errors.ts';
import { LimitExceeded } from '../limits.ts';
import { silentLogger } from '../log.ts';
import type { BlobStore } from '../store/blobs.ts';
import { openDatabase, type Database } from '../store/db.ts';
import { newId } from '../store/ids.ts';
import { inboundMessages, messageStages } from '../store/schema.ts';
import { BACKENDS, createTestStorage, type TestStorage } from '../../tests/helpers/databases.ts';
import { runIngestJob, type IngestDeps } from './ingest-worker.ts';
import { AwaitingWork, runPipeline, type AnyStage, type StageName, type StageContext } from './pipeline.ts';

describe.each(BACKENDS)('pipeline failures on %s', (backend) => {
  let storage: TestStorage;
  let database: Database;
  const config = loadConfig({});
  const clock = new ManualClock('2026-03-02T08:00:00Z');
  let ran: string[] = [];
  let seen: StageContext['outcome'] = null;

  beforeAll(async () => {
    storage = await createTestStorage(backend);
    database = await openDatabase({ url: storage.databaseUrl, dataDir: storage.dataDir });
    await database.migrate();
  }, 60_000);
  afterAll(async () => {
    await database?.close();
    await storage?.cleanup();
  });
  beforeEach(() => {
    ran = [];
    seen = null;
  });

  async function message(): Promise<typeof inboundMessages.$inferSelect> {
    const id = newId();
    const [row] = await database.db
      .insert(inboundMessages)
      .values({ id, source: 'api', messageId: `<${id}@test>`, contentHash: id, blobSha256: 'x'.repeat(64), size: 1, rcptTo: [], unitIds: [] })
      .returning();
    return row;
  }

  // Stand-in stages with made-up names and results: the runner's order and outcome rules, not the stages' types, are under test.
  const stage = (name: string, doneState: string, run: (ctx: StageContext) => unknown, afterOutcome = false): AnyStage =>
    ({
      name: name as StageName,
      doneState,
      afterOutcome,
      async run(ctx) {
        ran.push(name);
        return run(ctx) as never;
      },
    }) as AnyStage;
  const ok = (name: string, state: string) => stage(name, state, () => ({ ok: name }));
  const final = stage('final', 'decided', (ctx) => ((seen = ctx.outcome ?? null), { decided: true }), true);

  const ctxOf = (m: typeof inboundMessages.$inferSelect): StageContext => ({
    message: m,
    database,
    blobs: {} as BlobStore,
    config,
    log: silentLogger,
    clock,
    results: {},
  });
  const row = async (id: string) => (await database.db.select().from(inboundMessages).where(eq(inboundMessages.id, id)))[0];
  const stages = async (id: string) =>
    Object.fromEntries((await database.db.select().from(messageStages).where(eq(messageStages.messageId, id))).map((s) => [s.stage, s]));

  it('a limit in a content stage is an outcome: later content stages skipped, the final stage runs, no throw', async () => {
    const m = await message();
    const limit = stage('parse', 'parsed', () => {
      throw new LimitExceeded('mime-parts', 1000, 1001, 'more than 1000 MIME parts');
    });
    await runPipeline([limit, ok('classify', 'classified'), final], ctxOf(m));
    expect(ran).toEqual(['parse', 'final']);
    expect(seen).toEqual({ stage: 'parse', code: 'limit:mime-parts', message: 'more than 1000 MIME parts', max: 1000, where: null });
    expect(await row(m.id)).toMatchObject({ state: 'decided', lastError: 'parse: limit:mime-parts: more than 1000 MIME parts' });
    const s = await stages(m.id);
    expect(s.parse).toMatchObject({ status: 'stopped', error: 'more than 1000 MIME parts', result: { code: 'limit:mime-parts', max: 1000 } });
    expect(s.classify).toBeUndefined();
    expect(s.final).toMatchObject({ status: 'done' });

    // Run again (a re-delivered job): nothing runs twice, the outcome stands.
    ran = [];
    await runPipeline([limit, ok('classify', 'classified'), final], ctxOf(await row(m.id)));
    expect(ran).toEqual([]);
  });

  it('the final stage of a stopped message is retried alone, with the stored outcome', async () => {
    const m = await message();
    const limit = stage('parse', 'parsed', () => {
      throw new LimitExceeded('header-bytes', 10, 11, 'a header block has more than 10 bytes');
    });
    const flaky = stage(
      'final',
      'decided',
      () => {
        throw new TransientError('db', 'connection lost');
      },
      true,
    );
    await expect(runPipeline([limit, ok('classify', 'classified'), flaky], ctxOf(m))).rejects.toBeInstanceOf(TransientError);
    expect(await row(m.id)).toMatchObject({ state: 'accepted', lastError: 'final: db: connection lost' });
    ran = [];
    await runPipeline([limit, ok('classify', 'classified'), final], ctxOf(await row(m.id)));
    expect(ran).toEqual(['final']);
    expect(seen).toMatchObject({ stage: 'parse', code: 'limit:header-bytes', max: 10 });
    expect(await row(m.id)).toMatchObject({ state: 'decided', lastError: 'parse: limit:header-bytes: a header block has more than 10 bytes' });
  });

  it('a transient failure is recorded and thrown; the message stays pending for the retry', async () => {
    const m = await message();
    const boom = stage('classify', 'classified', () => {
      throw new Error('socket hang up');
    });
    await expect(runPipeline([ok('parse', 'parsed'), boom, final], ctxOf(m))).rejects.toThrow('socket hang up');
    expect(await row(m.id)).toMatchObject({ state: 'parsed', lastError: 'classify: internal: socket hang up' });
    expect((await stages(m.id)).classify).toMatchObject({ status: 'failed', error: 'internal: socket hang up' });
  });

  it('a permanent failure of the final stage ends the message failed, before anything else sees it', async () => {
    const m = await message();
    const broken = stage(
      'final',
      'decided',
      () => {
        throw new PermanentError('register-refused', 'no such unit');
      },
      true,
    );
    await expect(runPipeline([ok('parse', 'parsed'), broken], ctxOf(m))).rejects.toBeInstanceOf(PermanentError);
    expect(await row(m.id)).toMatchObject({ state: 'failed', lastError: 'final: register-refused: no such unit' });
  });

  it('a NUL in a result is cleaned; a NUL the database refuses is a permanent outcome with lastError, not an empty failure', async () => {
    const m = await message();
    const nulResult = stage('parse', 'parsed', () => ({ subject: 'ab\u0000cd', names: ['\ud800x'] }));
    const nulUpdate = stage('classify', 'classified', async () => {
      // What the parse stage did before subjects were cleaned: the database refuses the NUL (SQLSTATE 22021).
      await database.db.update(inboundMessages).set({ subject: 'ab\u0000cd' }).where(eq(inboundMessages.id, m.id));
    });
    await runPipeline([nulResult, nulUpdate, ok('verify', 'verified'), final], ctxOf(m));
    const s = await stages(m.id);
    expect(s.parse.result).toEqual({ subject: 'abcd', names: ['\ufffdx'] });
    expect(s.classify).toMatchObject({ status: 'stopped', result: { code: 'db:22021' } });
    const r = await row(m.id);
    expect(r.state).toBe('decided');
    expect(r.lastError).toMatch(/^classify: db:22021: /);
    expect(r.lastError).not.toContain('\u0000');
    expect(r.lastError).not.toContain('params');
    expect(ran).toEqual(['parse', 'classify', 'final']);
  });

  it('a stage awaiting other work (OCR) leaves the message in the waiting state, hands over after, and runs on next time', async () => {
    const m = await message();
    let handedOver: string | null = null;
    let waiting = true;
    const scan = stage('classify', 'classified', () => {
      if (waiting)
        throw new AwaitingWork('ocr', 'scans wait for OCR', async () => {
          handedOver = (await row(m.id)).state; // the state is stored before the hand-over
        });
      return { kind: 'document' };
    });
    await runPipeline([ok('parse', 'parsed'), scan, ok('verify', 'verified'), final], ctxOf(m));
    expect(ran).toEqual(['parse', 'classify']);
    expect(handedOver).toBe('ocr');
    expect(await row(m.id)).toMatchObject({ state: 'ocr', lastError: null });
    expect((await stages(m.id)).classify).toBeUndefined();

    // The OCR worker sets it back to parsed and queues it: classify runs again, and the rest.
    await database.db.update(inboundMessages).set({ state: 'parsed' }).where(eq(inboundMessages.id, m.id));
    waiting = false;
    ran = [];
    await runPipeline([ok('parse', 'parsed'), scan, ok('verify', 'verified'), final], ctxOf(await row(m.id)));
    expect(ran).toEqual(['classify', 'verify', 'final']);
    expect(await row(m.id)).toMatchObject({ state: 'decided' });
  });

  it('the worker ends a permanent failure without a retry, and fails the row on the last transient attempt', async () => {
    const deps = (s: AnyStage[]): IngestDeps => ({ database, blobs: {} as BlobStore, config, log: silentLogger, clock, stages: s });
    const job = (id: string, attemptsMade: number) => ({ data: { id }, attemptsMade, opts: { attempts: 8 } }) as unknown as Job<{ id: string }>;
    const permanent = await message();
    const refuse = stage(
      'final',
      'decided',
      () => {
        throw new PermanentError('register-refused', 'no such unit');
      },
      true,
    );
    const err = await runIngestJob(deps([refuse]), job(permanent.id, 0)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnrecoverableError);
    expect((err as Error).message).toBe('register-refused: no such unit');
    expect(await row(permanent.id)).toMatchObject({ state: 'failed' });

    const transient = await message();
    const flaky = stage('parse', 'parsed', () => {
      throw new TransientError('blob-read', 'not there yet');
    });
    await expect(runIngestJob(deps([flaky, final]), job(transient.id, 3))).rejects.toBeInstanceOf(TransientError);
    expect(await row(transient.id)).toMatchObject({ state: 'accepted', lastError: 'parse: blob-read: not there yet' });
    await expect(runIngestJob(deps([flaky, final]), job(transient.id, 7))).rejects.toBeInstanceOf(TransientError);
    expect(await row(transient.id)).toMatchObject({ state: 'failed', lastError: 'parse: blob-read: not there yet' });
  });
});
