/**
 * `vanthu demo` as a person runs it (README "Quick demo", issue 18): the real CLI process, the
 * embedded defaults in a folder of its own. It must print each step — issued with a number, delivered
 * locally, both signatures valid with only permitted changes after the leader's, registered in B's
 * book, the receipt back at A — and exit 0; the issued PDF it keeps is then checked by poppler's
 * pdfsig (two valid signatures) and pdftotext (number and date in the header).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_REDIS_URL } from './helpers/gateway.ts';
import { BIN, PROJECT_ROOT } from './helpers/paths.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'vanthu-demo-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // VANTHU_BUILD=0: a fresh build of the CLI is used when there is one, else tsx; the test never builds.
    const proc = spawn(process.execPath, [BIN, ...args], { cwd: PROJECT_ROOT, env: { ...process.env, REDIS_URL: TEST_REDIS_URL, VANTHU_BUILD: '0' } });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d) => (stdout += d.toString()));
    proc.stderr.on('data', (d) => (stderr += d.toString()));
    proc.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

function tool(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    return String((err as { stdout?: string }).stdout ?? '');
  }
}

describe('vanthu demo', () => {
  it('issues a leader-signed document from one unit to the other, registers it and brings the receipt back', async () => {
    const keep = path.join(dir, 'demo');
    const { code, stdout, stderr } = await run(['demo', '--keep', keep]);
    expect(code, `${stdout}\n${stderr}`).toBe(0);
    const lines = stdout.split('\n');
    const line = (re: RegExp) => lines.find((l) => re.test(l));
    expect(line(/^4\. Ban hành \(issued\) vpubnd → stc: số 1\/UBND-VP, \d\d\/\d\d\/\d{4} \d\d:\d\d$/), stdout).toBeDefined();
    expect(line(/^5\. .*vanthu@stc\.lamdong\.gov\.vn: delivered — 250 2\.0\.0 local delivery: queued as \w+/), stdout).toBeDefined();
    expect(line(/^ +Nguyễn Văn An: valid \(thay đổi sau khi ký: permitted\)$/), stdout).toBeDefined();
    expect(line(/^ +Ủy ban nhân dân tỉnh Lâm Đồng: valid$/), stdout).toBeDefined();
    expect(line(/^7\. Vào sổ văn bản đến của stc .*: số đến 1\/\d{4}, /), stdout).toBeDefined();
    expect(line(/^8\. .*: delivered → received$/), stdout).toBeDefined();
    expect(lines).toContain('Kết quả (result): OK');

    // The issued document, as the receiver got it, checked by poppler.
    const issued = path.join(keep, 'issued.pdf');
    const sig = tool('pdfsig', [issued]);
    expect(sig.match(/^Signature #\d+:/gm)).toHaveLength(2);
    expect(sig.match(/Signature Validation: Signature is Valid\./g)).toHaveLength(2);
    expect(sig).toMatch(/Signature #2:[\s\S]*Total document signed/);
    const header = tool('pdftotext', ['-layout', '-f', '1', '-l', '1', issued, '-']).split('\n').slice(0, 6).join('\n');
    expect(header).toMatch(/Số:\s*1\/UBND-VP/);
    expect(header).toMatch(/ngày\s+\d\d\s+tháng\s+\d{1,2}\s+năm\s+\d{4}/);
  }, 240_000);

  it('answers --help in Vietnamese and English', async () => {
    const { code, stdout } = await run(['demo', '--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/vanthu demo — chạy thử: hai đơn vị trên một cổng/);
    expect(stdout).toMatch(/--keep DIR/);
  }, 60_000);
});
