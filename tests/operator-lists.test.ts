/**
 * What an operator meets in lists and searches (issue 13 §6): a search for "50%" or "DA_2026"
 * finds that text, not whatever LIKE's wildcards would match; lists cut at their limit say how
 * many there are (API: total and hasMore; CLI: "showing 5 of 13 …", on stderr when stdout is JSON).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shownOf } from '../gateway/cli/args.ts';
import { intakeMessage } from '../gateway/registry/intake/intake.ts';
import { queryTokens } from '../gateway/registry/books/search.ts';
import { newId } from '../gateway/store/ids.ts';
import { inboundMessages } from '../gateway/store/schema.ts';
import { eq } from 'drizzle-orm';
import { BACKENDS } from './helpers/databases.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { BIN } from './helpers/paths.ts';
import { freePort } from './helpers/processes.ts';
import { classification } from './helpers/registry-fixtures.ts';

const run = promisify(execFile);

describe('search tokens and "showing N of M"', () => {
  it('keeps %, _ and \\ in a search word and drops the sentence punctuation around it', () => {
    expect(queryTokens('“50%”, (DA_2026). C:\\vanthu')).toEqual(['50%', 'da_2026', 'c:\\vanthu']);
    expect(queryTokens('Ngân sách, năm 2026!')).toEqual(['ngan', 'sach', 'nam', '2026']);
    expect(queryTokens('… % _ ,')).toEqual(['%', '_']);
  });

  it('says how much of a list is shown only when something was left out', () => {
    expect(shownOf(50, 3214, 'messages')).toBe('showing 50 of 3,214 messages');
    expect(shownOf(50, 50)).toBeNull();
    expect(shownOf(3, null)).toBeNull();
  });
});

describe.each(BACKENDS)('search escaping and list totals on %s', (backend) => {
  let gw: TestGateway;
  const docs: Record<string, string> = {};
  let messageCount = 0;

  /** A message row already through the pipeline (the sweep leaves decided rows alone), and its document in the review queue. */
  async function document(key: string, subject: string): Promise<void> {
    const id = newId();
    const hash = createHash('sha256').update(id).digest('hex');
    await gw.database.db.insert(inboundMessages).values({
      id,
      source: 'api',
      messageId: `<${key}@ubnd.bentre.gov.vn>`,
      contentHash: hash,
      blobSha256: hash,
      size: 100,
      rcptTo: ['vanthu@stc.lamdong.gov.vn'],
      unitIds: ['stc'],
      subject,
      state: 'decided',
    });
    const [row] = await gw.database.db.select().from(inboundMessages).where(eq(inboundMessages.id, id));
    const [o] = await intakeMessage(gw.registry!.rt, row, {
      classify: classification({ subject, notation: `${Object.keys(docs).length + 1}/UBND-${key.toUpperCase()}` }),
    });
    docs[key] = o.documentId!;
    messageCount++;
  }

  beforeAll(async () => {
    gw = await startTestGateway({ backend });
    await document('pct', 'Giảm 50% lệ phí trước bạ');
    await document('five', 'Hỗ trợ 500 hộ nghèo');
    await document('days', 'Kế hoạch 50 ngày thi đua');
    await document('under', 'Mã dự án DA_2026');
    await document('x', 'Mã dự án DAX2026');
    await document('slash', 'Thư mục C:\\vanthu\\so');
    await document('plain', 'Báo cáo tài chính');
  });
  afterAll(() => gw?.close());

  const search = async (q: string) => {
    const res = await gw.api(`/api/documents?q=${encodeURIComponent(q)}`);
    expect(res.status).toBe(200);
    return ((await res.json()) as { items: Array<{ id: string }> }).items.map((i) => i.id).sort();
  };
  const only = (...keys: string[]) => keys.map((k) => docs[k]).sort();

  it('finds "50%" and "DA_2026" literally: %, _ and \\ are not wildcards', async () => {
    expect(await search('50%')).toEqual(only('pct'));
    expect(await search('50%,')).toEqual(only('pct'));
    expect(await search('%')).toEqual(only('pct'));
    expect(await search('50')).toEqual(only('pct', 'five', 'days'));
    expect(await search('DA_2026')).toEqual(only('under'));
    expect(await search('_')).toEqual(only('under'));
    expect(await search('\\vanthu')).toEqual(only('slash'));
    expect(await search('\\')).toEqual(only('slash'));
    expect(await search('tài chính')).toEqual(only('plain'));
  });

  it('gives the total behind a page of messages, and the CLI says "showing N of M"', async () => {
    const page = (await (await gw.api('/api/messages?limit=5')).json()) as { items: unknown[]; next: string | null; total: number; hasMore: boolean };
    expect(page.items).toHaveLength(5);
    expect([page.total, page.hasMore, typeof page.next]).toEqual([messageCount, true, 'string']);
    const rest = (await (await gw.api(`/api/messages?limit=500&before=${page.next}`)).json()) as typeof page;
    expect([rest.items.length, rest.total, rest.hasMore, rest.next]).toEqual([messageCount - 5, messageCount, false, null]);
    const filtered = (await (await gw.api('/api/messages?state=accepted')).json()) as typeof page;
    expect([filtered.items.length, filtered.total, filtered.hasMore]).toEqual([0, 0, false]);

    const env = { ...process.env, VANTHU_API_URL: `http://127.0.0.1:${gw.httpPort}`, VANTHU_API_TOKEN: gw.token };
    const json = await run(process.execPath, [BIN, 'messages', '--json', '--limit', '5'], { env });
    const parsed = JSON.parse(json.stdout) as typeof page; // stdout stays one JSON document
    expect([parsed.items.length, parsed.total, parsed.hasMore]).toEqual([5, messageCount, true]);
    expect(json.stderr).toContain(`showing 5 of ${messageCount} messages`);
    const table = await run(process.execPath, [BIN, 'messages', '--limit', '5'], { env });
    expect(table.stdout.trim().split('\n').at(-1)).toMatch(new RegExp(`^showing 5 of ${messageCount} messages`));
    const all = await run(process.execPath, [BIN, 'messages', '--json', '--limit', '500'], { env });
    expect(JSON.parse(all.stdout)).toMatchObject({ total: messageCount, hasMore: false });
    expect(all.stderr).not.toContain('showing');

    const review = await run(process.execPath, [BIN, 'review', '--limit', '2'], { env });
    const queue = JSON.parse(review.stdout) as { items: unknown[]; total: number };
    expect([queue.items.length, queue.total]).toEqual([2, Object.keys(docs).length]);
    expect(review.stderr).toContain(`showing 2 of ${Object.keys(docs).length} review items`);

    const outgoing = (await (await gw.api('/api/outgoing?unit=stc')).json()) as { items: unknown[]; total: number; hasMore: boolean };
    expect(outgoing).toEqual({ items: [], total: 0, hasMore: false });
  });

  // Only on PostgreSQL: a PGlite data directory belongs to the one process that holds it (the gateway here).
  if (backend === 'postgres')
    it('counts the same way when the CLI reads storage itself (no gateway answering)', async () => {
      const env = {
        ...process.env,
        VANTHU_API_URL: `http://127.0.0.1:${await freePort()}`, // nothing listens there
        VANTHU_DATA_DIR: gw.storage.dataDir,
        DATABASE_URL: gw.storage.databaseUrl!,
      };
      const out = await run(process.execPath, [BIN, 'messages', '--json', '--limit', '3'], { env });
      expect(JSON.parse(out.stdout)).toMatchObject({ total: messageCount, hasMore: true });
      expect(out.stderr).toContain(`showing 3 of ${messageCount} messages`);
    });
});
