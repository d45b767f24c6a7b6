/**
 * One clock: every time that reaches a record (arrival, stage times, the book's "Ngày đến") comes
 * from the app's injectable Clock, never the wall clock — so the suite passes on any date. The
 * gateway here runs on a clock set years away from today; everything it records must carry that time.
 * A second test reads the source: a new wall-clock read outside the listed operational timers fails.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVanthu, type Vanthu } from '../gateway/app.ts';
import { ManualClock } from '../gateway/clock.ts';
import { loadConfig, PROJECT_ROOT } from '../gateway/config/load.ts';
import { silentLogger } from '../gateway/log.ts';
import { documents } from '../gateway/registry/schema.ts';
import { inboundMessages, messageStages } from '../gateway/store/schema.ts';
import { BACKENDS, createTestStorage, type TestStorage } from './helpers/databases.ts';
import { testEnv, waitFor } from './helpers/gateway.ts';
import { transport } from './helpers/smtp.ts';

const AT = '2031-05-06T03:00:00.000Z'; // neither today nor any date a test was written on

describe.each(BACKENDS)('the app clock on %s', (backend) => {
  let storage: TestStorage;
  let app: Vanthu;
  const clock = new ManualClock(AT);

  beforeAll(async () => {
    storage = await createTestStorage(backend);
    app = await startVanthu(loadConfig(testEnv(storage)), 'all', silentLogger, { clock });
  });
  afterAll(async () => {
    await app?.stop();
    await storage?.cleanup();
  });

  it("records arrival, stage times and the document's arrival by the app clock", async () => {
    const t = transport(app.smtpPort!);
    await t.sendMail({
      envelope: { from: 'vanthu@ubnd.bentre.gov.vn', to: ['vanthu@stc.lamdong.gov.vn'] },
      raw: [
        'From: vanthu@ubnd.bentre.gov.vn',
        'To: vanthu@stc.lamdong.gov.vn',
        'Subject: Công văn số 12/UBND-VX',
        'Message-ID: <clock-1@ubnd.bentre.gov.vn>',
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'ỦY BAN NHÂN DÂN TỈNH BẾN TRE\r\nSố: 12/UBND-VX\r\nV/v kiểm tra đồng hồ',
        '',
      ].join('\r\n'),
    });
    t.close();
    const db = app.database.db;
    const row = await waitFor(async () => {
      const [r] = await db.select().from(inboundMessages).where(eq(inboundMessages.messageId, '<clock-1@ubnd.bentre.gov.vn>'));
      return r?.state === 'decided' ? r : null;
    }, 30_000);
    expect(row.receivedAt.toISOString()).toBe(AT);
    expect(row.updatedAt.toISOString()).toBe(AT);
    const stages = await db.select().from(messageStages).where(eq(messageStages.messageId, row.id));
    expect(stages.length).toBeGreaterThan(2);
    for (const s of stages) expect([s.stage, s.updatedAt.toISOString()]).toEqual([s.stage, AT]);
    const [doc] = await db.select().from(documents).where(eq(documents.inboundId, row.id));
    expect(doc?.arrivalAt.toISOString()).toBe(AT);
    expect(doc?.createdAt.toISOString()).toBe(AT);
  });
});

/**
 * Wall-clock reads that never reach a record: timers, budgets, caches, ids, working-file names. Each
 * file may read the wall clock at most this many times; anything that stamps a record takes the Clock.
 */
const WALL_CLOCK_ALLOWED: Record<string, { max: number; why: string }> = {
  'gateway/clock.ts': { max: 1, why: 'the system clock itself' },
  'gateway/store/ids.ts': { max: 1, why: 'ULIDs sort by creation; ordering, not a recorded time' },
  'gateway/store/stamped-names.ts': { max: 3, why: 'working-file names and ages, in the process clock' },
  'gateway/accept/durable-accept.ts': { max: 4, why: 'checkpoint cadence' },
  'gateway/accept/unpacker.ts': { max: 3, why: 'idle detection' },
  'gateway/documents/sources/pdf.ts': { max: 3, why: 'time budget of one PDF' },
  'gateway/documents/sources/pdf-fast.ts': { max: 1, why: 'time budget of one PDF' },
  'gateway/documents/sources/pdfjs-guard.ts': { max: 1, why: 'time budget of one PDF inside pdfjs' },
  'gateway/registry/workflow/routing.ts': { max: 2, why: 'cache lifetime of the trained model' },
  'gateway/imap/poller.ts': { max: 3, why: 'connector status shown to admins (last sync, next attempt)' },
  'gateway/imap/state.ts': { max: 1, why: 'connector status shown to admins (last sync)' },
  'gateway/workers/followup-jobs.ts': { max: 1, why: 'BullMQ delays are wall-clock; the offset comes from the Clock' },
  'gateway/documents/extract.ts': { max: 1, why: 'default "now" for year-less dates when classifying a lone file from the CLI' },
  'gateway/documents/file.ts': { max: 1, why: 'default "now" for a lone file (CLI classify)' },
  'gateway/documents/message.ts': { max: 1, why: 'default "now" when a lone message has no Date header (CLI classify)' },
  'gateway/workers/lease.ts': { max: 1, why: 'BullMQ delays a held job by wall-clock time' },
  'gateway/trust/verify.ts': { max: 1, why: 'default verification time for the CLI; the pipeline passes the Clock' },
  'gateway/documents/ocr/ocr.ts': { max: 9, why: 'durations of OCR runs (ms per page and document), reported, never stored as a time' },
  'gateway/documents/ocr/probe.ts': { max: 2, why: 'cache lifetime of the tesseract probe' },
  'gateway/workers/ocr.ts': { max: 1, why: 'BullMQ delays a held job by wall-clock time' },
  'gateway/cli/commands/ocr.ts': { max: 2, why: 'seconds elapsed shown while `vanthu ocr` runs' },
  'gateway/cli/pretty-log.ts': { max: 1, why: 'a log line without a time is shown with the time it is printed' },
};

function sources(dir: string): string[] {
  return readdirSync(path.join(PROJECT_ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
    .map((e) => path.relative(PROJECT_ROOT, path.join(e.parentPath, e.name)));
}

describe('wall-clock reads in the source', () => {
  it('happen only where no record is stamped', () => {
    const over: string[] = [];
    for (const file of sources('gateway')) {
      const text = readFileSync(path.join(PROJECT_ROOT, file), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      const n = (text.match(/new Date\(\)|Date\.now\(\)/g) ?? []).length;
      const allowed = WALL_CLOCK_ALLOWED[file]?.max ?? 0;
      if (n > allowed) over.push(`${file}: ${n} wall-clock reads (allowed ${allowed})`);
    }
    expect(over).toEqual([]);
  });
});
