/**
 * The CPU pool (docs/architecture.md, "The CPU pool"): the parse, classify and verify stages run
 * their work on a pool thread, never the main one, and store what they store without the pool; a
 * message that kills or hangs its thread gets a named outcome and is decided (review), and the
 * pool's new thread decides the next message.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { threadId } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../clock.ts';
import type { Config } from '../../config/load.ts';
import { withAttachment } from '../../../tests/helpers/hostile.ts';
import type { Fixtures } from '../../../tests/fixtures/trust/make-fixtures.ts';
import { INGEST_STAGES } from '../ingest-worker.ts';
import { runPipeline, type AnyStage, type InboundRow, type StageContext } from '../pipeline.ts';
import { openStageBench, type StageBench } from '../stage-bench.ts';
import { classifyStage } from '../stages/classify.ts';
import { parseStage } from '../stages/parse.ts';
import { verifyStage } from '../stages/verify.ts';
import { classifyLimits } from '../../documents/limits.ts';
import { CpuPool } from './pool.ts';
import { MAX_HELD_JOBS } from './tasks.ts';

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
  let bench: StageBench;
  let fx: Fixtures;
  let config: Config;
  const pools: CpuPool[] = [];
  const clock = new ManualClock(new Date());

  beforeAll(async () => {
    bench = await openStageBench('vanthu-pool-');
    ({ fx, config } = bench);
  }, 120_000);
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.close()));
    await bench?.close();
  });

  const newPool = (o: Partial<ConstructorParameters<typeof CpuPool>[0]> = {}) => {
    const pool = new CpuPool({ threads: 1, taskMs: 120_000, ...o });
    pools.push(pool);
    return pool;
  };

  const message = (raw: Buffer) => bench.message(raw);
  const row = (id: string) => bench.row(id);
  const ctxOf = (m: InboundRow, pool?: CpuPool): StageContext => bench.ctxOf(m, clock, { pool });
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
      // The raw message crossed to the thread once, with the first task: classify and verify used the thread's copy.
      expect(pool.stats).toMatchObject({ posted: 3, rawPosted: 1, bytesPosted: bytes.length });

      const inline = ctxOf(await message(bytes));
      await runPipeline(CONTENT, inline);
      for (const stage of ['parse', 'classify', 'verify'] as const) expect(json(pooled.results[stage])).toEqual(json(inline.results[stage]));
    },
    SLOW,
  );

  it(
    "a thread that let go of a job's bytes (the oldest past MAX_HELD_JOBS) asks for them and gets them again",
    async () => {
      const pool = newPool();
      const bytes = withAttachment('Công văn ngắn', 'a.txt', 'text/plain', Buffer.from('Nội dung.'));
      const limits = config.limits;
      /** The job's bytes, when the pool asks for them: a fresh copy, transferred. */
      const carried = (raw: boolean) => {
        const copy = raw ? new Uint8Array(bytes) : undefined;
        return { raw: copy, transfer: copy ? [copy.buffer] : [] };
      };
      const parse =
        (job: string) =>
        ({ raw }: { raw: boolean }) => {
          const c = carried(raw);
          return { task: { kind: 'parse' as const, job, raw: c.raw, limits }, transfer: c.transfer };
        };
      const classify =
        (job: string) =>
        ({ raw }: { raw: boolean }) => {
          const c = carried(raw);
          return { task: { kind: 'classify' as const, job, raw: c.raw, limits, now: clock.now(), classify: classifyLimits(limits) }, transfer: c.transfer };
        };
      for (let i = 0; i <= MAX_HELD_JOBS; i++) await pool.run(`job-${i}`, parse(`job-${i}`));
      expect(pool.stats.rawPosted).toBe(MAX_HELD_JOBS + 1);
      // job-1 is still held: its classify goes without the bytes.
      const held = await pool.run('job-1', classify('job-1'));
      expect(held.unparsed).toBe(false);
      expect(pool.stats).toMatchObject({ posted: MAX_HELD_JOBS + 2, rawPosted: MAX_HELD_JOBS + 1 });
      // job-0 was let go of on the thread: asked without the bytes, it answers rawNeeded and is sent them.
      const again = await pool.run('job-0', classify('job-0'));
      expect(again.unparsed).toBe(false);
      expect(again.classification).toEqual(held.classification); // the same bytes, the same message
      expect(pool.stats).toMatchObject({ posted: MAX_HELD_JOBS + 4, rawPosted: MAX_HELD_JOBS + 2 });
    },
    SLOW,
  );

  it(
    "a thread left holding more than recycleHeapMb after a task is replaced; the job's next task takes its bytes to the new thread",
    async () => {
      const pool = newPool({ recycleHeapMb: 1 }); // every thread holds more than 1 MiB: each is replaced after its task
      const bytes = withAttachment('Công văn kèm tệp PDF', 'two-page.pdf', 'application/pdf', PDF);
      const ctx = ctxOf(await message(bytes), pool);
      await runPipeline(CONTENT, ctx);
      expect((await row(ctx.message.id)).state).toBe('verified');
      expect(pool.stats).toMatchObject({ posted: 3, rawPosted: 3, recycled: 3, started: 4 });
      expect(pool.stats.byThread.size).toBe(3); // parse, classify and verify each on a thread of its own
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
