/**
 * One parse per job (docs/architecture.md): the parse, classify and verify stages of one job read
 * the raw message from the blob store once and run mailparser and the MIME guard once — also when
 * the job did not run the parse stage itself (a job resumed after parse was stored, a re-run with
 * force), where the first stage that needs the parse makes it. What classify and verify store is
 * what classifyMessage and verifyMessage make of the raw bytes on their own.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../clock.ts';
import type { Config } from '../config/load.ts';
import { classifyLimits } from '../documents/limits.ts';
import { classifyMessage } from '../documents/message.ts';
import { MimeGuard } from '../mail/mime-guard.ts';
import { BlobStore } from '../store/blobs.ts';
import type { Database } from '../store/db.ts';
import { messageStages } from '../store/schema.ts';
import { configuredTrust } from '../trust/configured.ts';
import { verifyMessage } from '../trust/verify.ts';
import { withAttachment } from '../../tests/helpers/hostile.ts';
import type { Fixtures } from '../../tests/fixtures/trust/make-fixtures.ts';
import { runPipeline, type AnyStage, type InboundRow, type StageContext } from './pipeline.ts';
import { openStageBench, type StageBench } from './stage-bench.ts';
import { classifyStage } from './stages/classify.ts';
import { parseStage } from './stages/parse.ts';
import { verifyStage } from './stages/verify.ts';

/** Every run of mailparser's simpleParser, from any module. */
const parser = vi.hoisted(() => ({ runs: 0 }));
vi.mock('mailparser', async (importOriginal) => {
  const real = await importOriginal<typeof import('mailparser')>();
  return {
    ...real,
    simpleParser: ((...args: Parameters<typeof real.simpleParser>) => {
      parser.runs++;
      return real.simpleParser(...args);
    }) as typeof real.simpleParser,
  };
});

/** A blob store that counts the reads of each blob (whole or streamed). */
class CountingBlobs extends BlobStore {
  reads = new Map<string, number>();
  private count(sha256: string): void {
    this.reads.set(sha256, (this.reads.get(sha256) ?? 0) + 1);
  }
  override read(sha256: string) {
    this.count(sha256);
    return super.read(sha256);
  }
  override stream(sha256: string) {
    this.count(sha256);
    return super.stream(sha256);
  }
}

/** The job's parse as classify left it (verify lets go of it). */
let heldAfterClassify: StageContext['mime'];
const classifySpy: AnyStage = {
  ...classifyStage,
  async run(ctx) {
    const result = await classifyStage.run(ctx);
    heldAfterClassify = ctx.mime;
    return result;
  },
};
const STAGES: AnyStage[] = [parseStage, classifySpy, verifyStage];

describe('one parse per job', () => {
  let bench: StageBench<CountingBlobs>;
  let database: Database;
  let blobs: CountingBlobs;
  let fx: Fixtures;
  let config: Config;
  // Now: the test PKI's certificates are valid from when the fixtures were made.
  const clock = new ManualClock(new Date());
  let guardPasses: ReturnType<typeof vi.spyOn>;

  beforeAll(async () => {
    bench = await openStageBench('vanthu-parse-once-', (root) => new CountingBlobs(root));
    ({ fx, config, database, blobs } = bench);
  }, 120_000);
  afterAll(async () => {
    await bench?.close();
  });
  beforeEach(() => {
    guardPasses?.mockRestore();
    // MimeGuard.end runs once per guard pass, streamed or over a buffer.
    guardPasses = vi.spyOn(MimeGuard.prototype, 'end');
    parser.runs = 0;
    blobs.reads.clear();
  });

  const message = (raw: Buffer) => bench.message(raw);
  const row = (id: string) => bench.row(id);
  const ctxOf = (m: InboundRow): StageContext => bench.ctxOf(m, clock);
  const rawReads = (m: InboundRow) => blobs.reads.get(m.blobSha256) ?? 0;

  /** What the stages stored equals what classifyMessage and verifyMessage make of the raw bytes alone. */
  async function expectSameAsWholeMessage(ctx: StageContext, raw: Buffer): Promise<void> {
    const json = (x: unknown) => JSON.parse(JSON.stringify(x)) as unknown;
    const classified = await classifyMessage(raw, { now: ctx.message.receivedAt, limits: classifyLimits(config.limits), onLimit: 'throw' });
    expect(json(ctx.results.classify)).toEqual(json(classified));
    const report = await verifyMessage(raw, { trust: await configuredTrust(config), now: clock.now() });
    const { signedRevisions: _r, ...verified } = ctx.results.verify!;
    expect(json(verified)).toEqual(json(report));
  }

  it('a job reads the raw message once and parses it once: parse, classify and verify share it', async () => {
    const pdf = readFileSync(path.resolve(import.meta.dirname, '../../tests/corpus/two-page.pdf'));
    const raw = withAttachment('Công văn kèm tệp PDF', 'two-page.pdf', 'application/pdf', pdf);
    const m = await message(raw);
    const ctx = ctxOf(m);
    await runPipeline(STAGES, ctx);

    expect((await row(m.id)).state).toBe('verified');
    expect(ctx.results.parse?.attachments).toMatchObject([{ filename: 'two-page.pdf', contentType: 'application/pdf', size: pdf.length }]);
    expect(parser.runs).toBe(1);
    expect(guardPasses).toHaveBeenCalledTimes(1);
    expect(rawReads(m)).toBe(1);
    // The parse is held on the context for this job only (never stored), attachment bytes included;
    // verify, the last stage that reads it, lets go of it.
    expect((await heldAfterClassify!.parse!).mail.attachments[0].content.equals(pdf)).toBe(true);
    expect(ctx.mime).toBeUndefined();

    parser.runs = 0;
    await expectSameAsWholeMessage(ctx, raw);
    expect(parser.runs).toBe(2); // the reference functions parse on their own
  });

  it('signed mail: the verify stage checks the S/MIME layer and the signed PDF and edXML from the shared parse', async () => {
    const raw = readFileSync(fx.smime['with-attachments']);
    const m = await message(raw);
    const ctx = ctxOf(m);
    await runPipeline(STAGES, ctx);

    expect(parser.runs).toBe(1);
    expect(rawReads(m)).toBe(1);
    const docs = ctx.results.verify!.signatures.filter((s) => ['smime', 'pdf', 'xml'].includes(s.layer)).map((s) => [s.layer, s.verdict]);
    expect(docs).toEqual([
      ['smime', 'valid'],
      ['pdf', 'valid'],
      ['xml', 'valid'],
    ]);
    await expectSameAsWholeMessage(ctx, raw);
  });

  it('a job resumed after the parse stage was stored parses once, lazily, for classify and verify together', async () => {
    const raw = readFileSync(fx.smime['with-attachments']);
    const m = await message(raw);
    await runPipeline([parseStage], ctxOf(m));
    expect((await row(m.id)).state).toBe('parsed');

    const parseAttempts = async () =>
      (await database.db.select().from(messageStages).where(eq(messageStages.messageId, m.id))).find((s) => s.stage === 'parse')?.attempts;
    const before = await parseAttempts();
    parser.runs = 0;
    guardPasses.mockClear();
    blobs.reads.clear();
    // A new job (the worker's next run, e.g. back from OCR): parse is done, classify and verify are not.
    const ctx = ctxOf(await row(m.id));
    await runPipeline(STAGES, ctx);
    expect((await row(m.id)).state).toBe('verified');
    expect(await parseAttempts()).toBe(before); // the parse stage did not run again
    expect(parser.runs).toBe(1);
    expect(guardPasses).toHaveBeenCalledTimes(1);
    expect(rawReads(m)).toBe(1);
    await expectSameAsWholeMessage(ctx, raw);
  });

  it('a re-run of classify and verify with force parses once for the two', async () => {
    const pdf = readFileSync(path.resolve(import.meta.dirname, '../../tests/corpus/two-page.pdf'));
    const m = await message(withAttachment('Công văn chạy lại', 'two-page.pdf', 'application/pdf', pdf));
    await runPipeline(STAGES, ctxOf(m));

    parser.runs = 0;
    blobs.reads.clear();
    await runPipeline(STAGES, ctxOf(await row(m.id)), { force: ['classify', 'verify'] });
    expect(parser.runs).toBe(1);
    expect(rawReads(m)).toBe(1);
  });

  it('a limit passed in the parse stage stops the job there, as before: the guard runs once and nothing else parses', async () => {
    const m = await message(withAttachment('Quá giới hạn', 'a.pdf', 'application/pdf', Buffer.from('%PDF-1.4\n')));
    const tight = { ...config, limits: { ...config.limits, attachments: 0 } };
    const ctx = { ...ctxOf(m), config: tight };
    await runPipeline(STAGES, ctx);
    expect(ctx.outcome).toMatchObject({ stage: 'parse', code: 'limit:attachments' });
    expect(ctx.results.classify).toBeUndefined();
    expect(parser.runs).toBe(0);
    expect(rawReads(m)).toBe(1);
  });
});
