/**
 * What a person at a terminal sees (docs/cli.md, "Output"): Hà Nội local time, tables, the outcome
 * of each message (book number and department by name, or review and why), `vanthu search`
 * without diacritics, JSON kept where scripts read it; `verify --dns off`; readable logs.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageOutcomeText, outcomeText } from '../gateway/cli/describe.ts';
import { localDay, localTime, namesFrom, outputMode, renderTable } from '../gateway/cli/output.ts';
import { formatLine, logFormat } from '../gateway/cli/pretty-log.ts';
import { loadConfig } from '../gateway/config/load.ts';
import { messageOutcomes } from '../gateway/registry/books/outcomes.ts';
import { intakeMessage } from '../gateway/registry/intake/intake.ts';
import { newId } from '../gateway/store/ids.ts';
import { inboundMessages } from '../gateway/store/schema.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { BIN, PROJECT_ROOT } from './helpers/paths.ts';
import { ADMIN, classification, insertStage, VALID } from './helpers/registry-fixtures.ts';

const exec = promisify(execFile);

async function vanthu(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await exec(process.execPath, [BIN, ...args], { cwd: PROJECT_ROOT, env: { ...process.env, ...env } });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('output helpers', () => {
  it('shows instants in Hà Nội time as dd/MM/yyyy HH:mm, dates as dd/MM/yyyy', () => {
    expect(localTime('2026-03-05T07:07:00Z')).toBe('05/03/2026 14:07');
    expect(localTime(new Date('2026-12-31T17:30:00Z'))).toBe('01/01/2027 00:30'); // the next day in Hà Nội
    expect(localTime(null)).toBe('');
    expect(localDay('2026-11-20')).toBe('20/11/2026');
  });

  it('JSON with --json or off a terminal where scripts read it; a table on a terminal or with --table', () => {
    expect(outputMode({}, 'json', { isTTY: true })).toBe('table');
    expect(outputMode({}, 'json', { isTTY: false })).toBe('json');
    expect(outputMode({ json: true }, 'table', { isTTY: true })).toBe('json');
    expect(outputMode({ table: true }, 'json', { isTTY: false })).toBe('table');
  });

  it('aligns Vietnamese text by what the terminal shows and clips the flexible column to its width', () => {
    const t = renderTable(
      [{ title: 'A' }, { title: 'TRÍCH YẾU', flex: true }],
      [['Ngân', 'Về việc triển khai ứng dụng chữ ký số trong gửi nhận văn bản']],
      30,
    ).split('\n');
    expect(t[0]).toBe('A     TRÍCH YẾU');
    expect(t[2].startsWith('Ngân  Về việc')).toBe(true);
    expect(t[2].endsWith('…')).toBe(true);
    expect([...t[2]].length).toBeLessThanOrEqual(30);
    // NFD input (a combining accent) takes no column of its own
    expect(renderTable([{ title: 'X' }, { title: 'Y' }], [['Nga\u0300y', 'z']]).split('\n')[2]).toBe('Nga\u0300y  z');
  });

  it('says what became of a message, departments by name', () => {
    const names = namesFrom(loadConfig({}));
    const base = { unitId: 'stc', status: 'received', bookYear: 2026, bookNumber: 12, department: 'ns', reasons: [] };
    expect(outcomeText({ ...base, action: 'register' }, names)).toBe('vào sổ số 12/2026 (registered) → Phòng Quản lý ngân sách');
    expect(outcomeText({ ...base, action: 'review', status: 'review', bookNumber: null, bookYear: null, reasons: ['Chưa có chữ ký số'] }, names)).toBe(
      'chờ duyệt (review): Chưa có chữ ký số',
    );
    expect(messageOutcomeText({ state: 'classified' }, names)).toBe('đang xử lý… (in progress)');
    expect(messageOutcomeText({ state: 'failed', lastError: 'limit:mime-parts: too many parts' }, names)).toBe(
      'lỗi (failed): limit:mime-parts: too many parts',
    );
  });
});

describe('readable logs on a terminal', () => {
  it('formats pino lines: local time, level, message, fields, stacks below', () => {
    const line = JSON.stringify({
      level: 40,
      time: Date.parse('2026-03-05T07:07:03Z'),
      pid: 1,
      hostname: 'h',
      name: 'vanthu',
      msg: 'outbox sweep failed',
      queued: 3,
      why: 'Redis down',
    });
    expect(formatLine(line, { color: false })).toBe('14:07:03 WARN  outbox sweep failed queued=3 why="Redis down"\n');
    const err = JSON.stringify({ level: 50, time: 0, msg: 'boom', err: { stack: 'Error: boom\n    at x' } });
    expect(formatLine(err, { color: false })).toContain('ERROR boom\n    Error: boom\n        at x');
    expect(formatLine('not json', { color: false })).toBe('not json\n');
  });

  it('pretty on a terminal, JSON off one; the option and VANTHU_LOG_FORMAT decide first', () => {
    expect(logFormat(undefined, {}, { isTTY: true })).toBe('pretty');
    expect(logFormat(undefined, {}, { isTTY: false })).toBe('json');
    expect(logFormat(undefined, { VANTHU_LOG_FORMAT: 'json' }, { isTTY: true })).toBe('json');
    expect(logFormat('pretty', { VANTHU_LOG_FORMAT: 'json' }, { isTTY: false })).toBe('pretty');
  });
});

describe('vanthu verify --dns off', () => {
  it('reads no zone file named "off": a report and exit 0 or 1, not ENOENT and 2', async () => {
    const r = await vanthu(['verify', '--dns', 'off', 'tests/corpus/cases/nd-chinhphu.eml'], { VANTHU_TRUST_ANCHORS: '', VANTHU_CONFIG: '' });
    expect(r.stderr).not.toContain('ENOENT');
    expect([0, 1]).toContain(r.code);
    expect(Object.keys(JSON.parse(r.stdout)).sort()).toEqual(['signatures', 'verdict']);
  });
});

describe('messages, search, review and book against a running gateway', () => {
  let gw: TestGateway;
  let env: NodeJS.ProcessEnv;
  const ids: Record<string, string> = {};

  async function message(key: string, subject: string, receivedAt: string): Promise<typeof inboundMessages.$inferSelect> {
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
      fromAddr: 'vanthu@ubnd.bentre.gov.vn',
      receivedAt: new Date(receivedAt),
      state: 'decided', // already through the pipeline: the sweep leaves it alone
    });
    ids[key] = id;
    return (await gw.database.db.select().from(inboundMessages)).find((m) => m.id === id)!;
  }

  beforeAll(async () => {
    gw = await startTestGateway({
      backend: 'pglite',
      configure: (cfg) => void (cfg.registry.routing = [{ unit: 'stc', keywords: ['ngân sách'], department: 'ns' }]),
    });
    env = { VANTHU_API_URL: `http://127.0.0.1:${gw.httpPort}`, VANTHU_API_TOKEN: gw.token };
    const rt = gw.registry!.rt;
    const registered = await message('reg', 'Công văn về dự toán ngân sách', '2026-03-05T07:07:00Z');
    await intakeMessage(rt, registered, { classify: classification({ subject: 'Dự toán ngân sách năm 2026', notation: '77/UBND-KT' }), verify: VALID });
    const review = await message('rev', 'Giấy mời họp', '2026-03-05T08:00:00Z');
    await intakeMessage(rt, review, { classify: classification({ subject: 'Mời họp giao ban', notation: '5/GM-UBND' }, 0.3), verify: VALID });
    await message('kept', 'Cảm ơn anh', '2026-03-05T09:00:00Z');
    await insertStage(gw.database.db, ids.kept, 'register', {
      kind: 'decided',
      decisions: [{ unitId: 'stc', action: 'keep', documentId: null, status: null, bookYear: null, bookNumber: null, linkedTo: null, reasons: [] }],
    });
  });
  afterAll(() => gw?.close());

  it('messages: a table with Hà Nội time and each outcome; --json carries outcome[]', async () => {
    const table = await vanthu(['messages'], env);
    expect(table.code, table.stderr).toBe(0);
    const row = (key: string) => table.stdout.split('\n').find((l) => l.startsWith(ids[key]))!;
    expect(row('reg')).toContain('05/03/2026 14:07');
    expect(row('reg')).toMatch(/vào sổ số 1\/\d{4} \(registered\) → Phòng Quản lý ngân sách/);
    expect(row('rev')).toContain('chờ duyệt (review)');
    expect(row('kept')).toContain('thư thường, giữ lại');
    const json = JSON.parse((await vanthu(['messages', '--json'], env)).stdout) as { items: Array<{ id: string; outcome: Array<Record<string, unknown>> }> };
    const of = (key: string) => json.items.find((m) => m.id === ids[key])!.outcome;
    expect(of('reg')).toMatchObject([{ unitId: 'stc', action: 'register', bookNumber: 1, department: 'ns', notation: '77/UBND-KT' }]);
    expect(of('rev')).toMatchObject([{ action: 'review', bookNumber: null }]);
    expect((of('rev')[0].reasons as string[]).length).toBeGreaterThan(0);
    expect(of('kept')).toMatchObject([{ action: 'keep', documentId: null }]);
  });

  it('outcomes follow who may see them: another unit sees none, an admin all', async () => {
    const clerk = { ...ADMIN, kind: 'user' as const, id: 'u1', role: 'clerk' as const, unitId: 'vpubnd' };
    expect((await messageOutcomes(gw.database.db, clerk, Object.values(ids))).size).toBe(0);
    expect((await messageOutcomes(gw.database.db, ADMIN, Object.values(ids))).size).toBe(3);
  });

  it('search: without diacritics, JSON off a terminal as the API answers, a table with --table', async () => {
    const json = await vanthu(['search', 'ngan', 'sach'], env);
    expect(json.code, json.stderr).toBe(0);
    const found = JSON.parse(json.stdout) as { total: number; items: Array<{ notation: string }> };
    expect([found.total, found.items.map((d) => d.notation)]).toEqual([1, ['77/UBND-KT']]);
    const table = await vanthu(['search', 'ngan sach', '--table'], env);
    expect(table.stdout).toContain('77/UBND-KT');
    expect(table.stdout).toContain('Phòng Quản lý ngân sách');
    expect(table.stdout).toContain('đã vào sổ');
    const none = await vanthu(['search', 'khong co gi', '--table'], env);
    expect(none.stdout).toContain('Không tìm thấy');
    expect((await vanthu(['search'], env)).code).toBe(2);
  });

  it('review: JSON off a terminal (scripts read it), a table with the reasons on request', async () => {
    const json = JSON.parse((await vanthu(['review'], env)).stdout) as { items: Array<{ notation: string }> };
    expect(json.items.map((d) => d.notation)).toEqual(['5/GM-UBND']);
    const table = await vanthu(['review', '--table'], env);
    expect(table.stdout).toContain('5/GM-UBND');
    expect(table.stdout).toContain('chờ duyệt');
  });

  it('register: a message kept as correspondence goes into the book by hand; a registered one is refused with its number', async () => {
    const missing = await vanthu(['register', ids.kept], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/422/); // Decree 30's fields are still required
    const fields = [
      '--set',
      'notation=9/UBND-VP',
      '--set',
      'issuer=Ủy ban nhân dân tỉnh Bến Tre',
      '--set',
      'issuedDate=2026-03-04',
      '--set',
      'subject=Thư cảm ơn',
    ];
    const ok = await vanthu(['register', ids.kept, ...fields], env);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).items).toMatchObject([{ inboundId: ids.kept, status: 'received', bookNumber: 2, notation: '9/UBND-VP' }]);
    const again = await vanthu(['register', ids.reg], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/đã vào sổ số 1\/\d{4}/);
    const table = await vanthu(['messages'], env);
    expect(table.stdout.split('\n').find((l) => l.startsWith(ids.kept))).toMatch(/vào sổ số 2\/\d{4}/);
  });

  // A real terminal (a pseudo-terminal from util-linux's script): lists are tables there, JSON still with --json.
  it('on a terminal: review is a table by default, JSON with --json', async () => {
    const onTty = async (args: string) =>
      (await exec('/usr/bin/script', ['-qec', `${process.execPath} ${BIN} ${args}`, '/dev/null'], { cwd: PROJECT_ROOT, env: { ...process.env, ...env } }))
        .stdout;
    const table = await onTty('review');
    expect(table).toContain('TRÍCH YẾU');
    expect(table).toContain('5/GM-UBND');
    expect(JSON.parse(await onTty('review --json')).items).toHaveLength(1);
  });

  it('book list: the incoming book as a table', async () => {
    const table = await vanthu(['book', 'list', '--unit', 'stc', '--table'], env);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/\b1\/\d{4}\b/);
    expect(table.stdout).toContain('77/UBND-KT');
  });
});
