/**
 * `vanthu ingest` with a folder, several files or a glob (issue 17, "long operations show
 * progress"): every .eml is stored through the durable accept (no gateway running: storage opened
 * once by the command), a file that fails is reported and the rest go on; JSON summary when piped,
 * one line per file on a terminal (a real pseudo-terminal through script(1)); exit 0 when all were
 * stored, 1 when any failed, 2 when nothing matched.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStorage, type TestStorage } from './helpers/databases.ts';
import { testEnv } from './helpers/gateway.ts';
import { BIN, PROJECT_ROOT } from './helpers/paths.ts';
import { freePort } from './helpers/processes.ts';

const exec = promisify(execFile);
const UNIT = 'vanthu@stc.lamdong.gov.vn';

const mail = (id: string, to = UNIT) =>
  [
    `From: <vanthu@ubnd.bentre.gov.vn>`,
    `To: ${to}`,
    `Subject: Công văn ${id}`,
    `Message-ID: <${id}@ubnd.bentre.gov.vn>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    `Số: ${id}/UBND-VX`,
    '',
  ].join('\r\n');

interface Summary {
  files: number;
  stored: number;
  duplicates: number;
  failed: number;
  results: Array<{ file: string; id: string | null; duplicate: boolean; error: string | null }>;
}

describe('vanthu ingest of a folder, and the progress of long commands', { timeout: 120_000 }, () => {
  let storage: TestStorage;
  let env: NodeJS.ProcessEnv;
  const dir = mkdtempSync(path.join(tmpdir(), 'vanthu-ingest-'));
  const inbox = path.join(dir, 'hop-thu');

  async function vanthu(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const r = await exec(process.execPath, [BIN, ...args], { cwd: PROJECT_ROOT, env });
      return { code: 0, stdout: r.stdout, stderr: r.stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  }

  beforeAll(async () => {
    storage = await createTestStorage('pglite');
    // No gateway: nothing listens on that port, so the command opens storage itself.
    env = { ...process.env, ...testEnv(storage), VANTHU_API_URL: `http://127.0.0.1:${await freePort()}`, LANG: 'vi_VN.UTF-8' };
    mkdirSync(path.join(inbox, 'thang-11'), { recursive: true });
    writeFileSync(path.join(inbox, 'a.eml'), mail('101'));
    writeFileSync(path.join(inbox, 'b.eml'), mail('102'));
    writeFileSync(path.join(inbox, 'thang-11', 'c.eml'), mail('103'));
    writeFileSync(path.join(inbox, 'khong-gui-don-vi.eml'), mail('104', 'someone@gmail.com')); // no unit address: refused
    writeFileSync(path.join(inbox, 'ghi-chu.txt'), 'not a message'); // not .eml: not taken
    mkdirSync(path.join(dir, 'trong'));
  }, 90_000);

  afterAll(async () => {
    await storage?.cleanup();
  });

  it('stores every .eml of the folder and its sub-folders; one bad file does not stop the rest', async () => {
    const r = await vanthu(['ingest', inbox, '--json']);
    expect(r.code, r.stderr).toBe(1);
    const s = JSON.parse(r.stdout) as Summary;
    expect([s.files, s.stored, s.duplicates, s.failed]).toEqual([4, 3, 0, 1]);
    expect(s.results.map((x) => path.relative(inbox, x.file))).toEqual(['a.eml', 'b.eml', 'khong-gui-don-vi.eml', path.join('thang-11', 'c.eml')]);
    expect(s.results.filter((x) => x.id).map((x) => x.id)).toHaveLength(3);
    expect(s.results[2]).toMatchObject({ id: null, error: expect.stringContaining('no configured unit address') });

    // Again: the same three are found as duplicates, nothing is stored twice.
    const again = JSON.parse((await vanthu(['ingest', inbox, '--json'])).stdout) as Summary;
    expect([again.stored, again.duplicates, again.failed]).toEqual([0, 3, 1]);
    expect(again.results.filter((x) => x.duplicate).map((x) => x.id)).toEqual(s.results.filter((x) => x.id).map((x) => x.id));
  });

  it('takes several files and globs; exit 0 when every one was stored', async () => {
    writeFileSync(path.join(dir, 'd.eml'), mail('105'));
    writeFileSync(path.join(dir, 'e.eml'), mail('106'));
    const r = await vanthu(['ingest', path.join(dir, 'd.eml'), `${dir}/e*.eml`, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as Summary;
    expect([s.files, s.stored, s.failed]).toEqual([2, 2, 0]);
    expect(s.results.map((x) => path.basename(x.file))).toEqual(['d.eml', 'e.eml']);
  });

  it('prints a line per file and a summary on a terminal', async () => {
    writeFileSync(path.join(dir, 'trong', 'f.eml'), mail('107'));
    writeFileSync(path.join(dir, 'trong', 'g.eml'), mail('108', 'nobody@example.org'));
    const command = [process.execPath, BIN, 'ingest', path.join(dir, 'trong')].map((a) => `'${a}'`).join(' ');
    // script(1) runs the command on a pseudo-terminal, as a person would.
    const r = await exec('script', ['-qec', command, '/dev/null'], { cwd: PROJECT_ROOT, env }).catch((err) => err as { stdout: string; code: number });
    const out = r.stdout.replace(/\r/g, '');
    expect(out).toMatch(/\[1\/2\] .*f\.eml: đã nhận, mã [0-9A-Z]{26} \(stored\)/);
    expect(out).toMatch(/\[2\/2\] .*g\.eml: LỖI \(failed\): no configured unit address/);
    expect(out).toContain('Xong 2 tệp: 1 đã nhận, 0 đã có, 1 lỗi');
  });

  it('vanthu book print shows its steps on a terminal, and only the result when piped', async () => {
    const out = path.join(dir, 'so-den-2026.csv');
    const command = [process.execPath, BIN, 'book', 'print', '--unit', 'stc', '--year', '2026', '--format', 'csv', '--out', out].map((a) => `'${a}'`).join(' ');
    const tty = await exec('script', ['-qec', command, '/dev/null'], { cwd: PROJECT_ROOT, env });
    const text = tty.stdout.replace(/\r/g, '');
    expect(text).toMatch(/… đang lấy sổ năm 2026 \(reading the 2026 book\) \[\d+\.\d s\]/);
    expect(text).toMatch(/… đã đọc 0 văn bản, đang dựng CSV/);
    expect(text).toMatch(/… đang ghi \d+ byte vào .*so-den-2026\.csv/);
    const piped = await vanthu(['book', 'print', '--unit', 'stc', '--year', '2026', '--format', 'csv', '--out', out]);
    expect(piped.code).toBe(0);
    expect(piped.stderr).not.toContain('đang lấy sổ');
    expect(JSON.parse(piped.stdout)).toMatchObject({ unit: 'stc', year: 2026, format: 'csv' });
  });

  it('exits 2 when nothing matched', async () => {
    const r = await vanthu(['ingest', path.join(dir, 'trong', 'none-*.eml'), '--json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no .eml file matched');
  });
});
