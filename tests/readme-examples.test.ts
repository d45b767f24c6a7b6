/**
 * Every README example is a test (README.md, "Tests"): the command lines of the README's ```sh
 * blocks and its indented `$ npx vanthu …` examples are read out of README.md (tests/helpers/readme.ts),
 * and each is either run — here (migrate, classify) or in tests/readme-examples-quick-start.test.ts
 * (the quick start, its keys and the sending of documents, against a gateway started with `npm start`)
 * — or listed with the reason it cannot run on a test machine. An example that is neither fails the
 * first tests below, and so does a listed example the README no longer has: the README cannot drift
 * from what works.
 *
 * `npx vanthu` is `node bin/vanthu.mjs` here (what npx resolves it to, through a shim on PATH).
 */
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentLabel, namesFrom, printAction, registeredLine } from '../gateway/cli/output.ts';
import { loadConfig } from '../gateway/config/load.ts';
import { ensureBuiltCli } from './helpers/built-cli.ts';
import { createTestStorage, type TestStorage } from './helpers/databases.ts';
import { PROJECT_ROOT } from './helpers/paths.ts';
import { COVERAGE, EXAMPLES, example, keyOf, MAIN, notRun, README, sh, workspace } from './helpers/readme.ts';

describe('the README and the list of its examples', () => {
  it('finds the examples', () => {
    expect(EXAMPLES.length).toBeGreaterThan(15);
    expect(EXAMPLES.map(keyOf)).toContain('npx vanthu messages');
  });

  it('every README command is run by a test or listed with the reason it cannot run here', () => {
    const uncovered = EXAMPLES.filter((e) => !(keyOf(e) in COVERAGE)).map((e) => `README.md:${e.line}: ${keyOf(e)}`);
    expect(uncovered, 'add each to COVERAGE in tests/helpers/readme.ts: a test that runs it, or why it cannot run here').toEqual([]);
  });

  it('lists no example the README does not have', () => {
    const keys = new Set(EXAMPLES.map(keyOf));
    expect(Object.keys(COVERAGE).filter((k) => !keys.has(k))).toEqual([]);
  });

  it('names, for each example it runs, a test file that exists', () => {
    const files = new Set(Object.values(COVERAGE).flatMap((c) => ('by' in c ? [c.by] : [])));
    expect([...files].filter((f) => !existsSync(path.join(PROJECT_ROOT, 'tests', f)))).toEqual([]);
  });
});

const { work, shimPath } = workspace();
afterAll(() => rmSync(work, { recursive: true, force: true }));
beforeAll(ensureBuiltCli, 120_000);

describe('production: migrate a PostgreSQL database', () => {
  let storage: TestStorage;
  beforeAll(async () => void (storage = await createTestStorage('postgres')), 60_000);
  afterAll(() => storage?.cleanup());

  it('npx vanthu migrate on a fresh database (DATABASE_URL as the README exports it, pointing at a local server)', async () => {
    const env = { DATABASE_URL: storage.databaseUrl!, VANTHU_DATA_DIR: storage.dataDir, PATH: shimPath };
    const r = await sh(example('npx vanthu migrate'), env);
    expect(r.code, r.stderr).toBe(0);
    const again = await sh(example('npx vanthu migrate'), env); // idempotent
    expect(again.code, again.stderr).toBe(0);
  }, 120_000);
});

describe('classify: the output the README shows', () => {
  it("npx vanthu classify tests/corpus/two-page.pdf prints the README's JSON (fields may be added)", async () => {
    const r = await sh(example('npx vanthu classify tests/corpus/two-page.pdf'), { PATH: shimPath });
    expect(r.code, r.stderr).toBe(0);
    // The indented JSON that follows the command in the README.
    const lines = README.split('\n');
    const at = lines.findIndex((l) => l.trim() === '$ npx vanthu classify tests/corpus/two-page.pdf');
    const shown: string[] = [];
    for (let i = at + 1; i < lines.length && /^ {4}/.test(lines[i]); i++) shown.push(lines[i]);
    const expected = JSON.parse(shown.join('\n')) as Record<string, unknown>;
    expect(JSON.parse(r.stdout)).toMatchObject(expected);
  }, 90_000);
});

describe('action lines (docs/cli.md, "Output")', () => {
  const doc = {
    id: '01JDOC',
    unitId: 'stc',
    status: 'assigned',
    bookYear: 2026,
    bookNumber: 12,
    notation: '9/UBND-VP',
    subject: 'Thư  cảm ơn',
    department: 'ns',
  };

  it('name the book number, notation, summary, unit and department by name', () => {
    const names = namesFrom(loadConfig({}));
    expect(documentLabel(doc)).toBe('số 12/2026 (9/UBND-VP) — Thư cảm ơn');
    expect(documentLabel({ ...doc, bookNumber: null, notation: null, subject: null })).toBe('01JDOC');
    expect(registeredLine(doc, names)).toBe(
      'Đã vào sổ đến số 12/2026 (9/UBND-VP) — Thư cảm ơn, Sở Tài chính tỉnh Lâm Đồng → Phòng Quản lý ngân sách (registered as incoming no. 12/2026; document 01JDOC)',
    );
    expect(registeredLine({ ...doc, bookNumber: null, status: 'review' }, names)).toBe('Chưa vào sổ, trạng thái: review (not registered; document 01JDOC)');
  });

  it('are printed on a terminal; JSON with --json or off one', () => {
    const out: string[] = [];
    const write = process.stdout.write;
    process.stdout.write = ((chunk: string) => (out.push(chunk), true)) as typeof process.stdout.write;
    try {
      printAction({}, { ok: true }, () => 'một dòng', { isTTY: true });
      printAction({ json: true }, { ok: true }, () => 'một dòng', { isTTY: true });
      printAction({}, { ok: true }, () => ['a', 'b'], { isTTY: false });
    } finally {
      process.stdout.write = write;
    }
    expect(out).toEqual(['một dòng\n', '{\n  "ok": true\n}\n', '{\n  "ok": true\n}\n']);
  });
});

// Last in the file: tests run in order, so by now every test that runs an example has asked for it.
describe('the README and the list of its examples, after the runs', () => {
  it('ran every example the list says this file runs', () => {
    expect(notRun(MAIN)).toEqual([]);
  });
});
