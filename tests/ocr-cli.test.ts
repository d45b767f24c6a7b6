/**
 * `vanthu ocr FILE` (gateway/cli/commands/ocr.ts, docs/ocr.md): the OCR engine from the command
 * line, without a gateway. Progress per page on stderr; the text, or JSON with words and
 * confidence, on stdout. Needs tesseract-ocr, tesseract-ocr-vie and poppler-utils.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { BIN, PROJECT_ROOT } from './helpers/paths.ts';

const run = promisify(execFile);
const DIR = path.join(import.meta.dirname, 'fixtures', 'ocr');
const expected = JSON.parse(readFileSync(path.join(DIR, 'expected.json'), 'utf8')) as { number: string; title: string };
const NOTATION = expected.number.replace(/^Số:\s*/, '');
/** A page takes seconds, far more on a loaded machine: generous, never a measure. */
const WAIT_MS = 180_000;

async function vanthu(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node', [BIN, 'ocr', ...args], { cwd: PROJECT_ROOT, maxBuffer: 64 * 1024 * 1024, timeout: WAIT_MS });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('vanthu ocr', () => {
  it(
    'prints the text of a scanned PDF on stdout and the progress per page on stderr',
    async () => {
      const r = await vanthu(path.join(DIR, 'decision-scan.pdf'), '--dpi', '200');
      expect(r.code).toBe(0);
      expect(r.stdout.normalize('NFC')).toContain(NOTATION);
      expect(r.stdout.normalize('NFC')).toContain(expected.title);
      expect(r.stderr).toMatch(/^trang 1\/1 \(page 1\)/m);
      expect(r.stderr).toMatch(/xong \(done\): 1 trang \(pages\) of 1, độ tin cậy \(confidence\) [\d.]+%/);
    },
    WAIT_MS,
  );

  it(
    'with --json prints one JSON document: pages with words, boxes and confidence',
    async () => {
      const r = await vanthu('--json', '--lang', 'vie', path.join(DIR, 'decision-photo.jpg'));
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout) as {
        file: string;
        kind: string;
        confidence: number;
        pageCount: number;
        engine: string;
        pages: Array<{ page: number; text: string; meanConfidence: number; words: Array<{ text: string; conf: number; x: number; w: number }> }>;
      };
      expect(out).toMatchObject({ file: 'decision-photo.jpg', kind: 'image', pageCount: 1 });
      expect(out.engine).toMatch(/^tesseract \d/);
      expect(out.confidence).toBeGreaterThan(60);
      expect(out.pages).toHaveLength(1);
      expect(out.pages[0].text.normalize('NFC')).toContain(NOTATION);
      expect(out.pages[0].words.length).toBeGreaterThan(100);
      expect(out.pages[0].words[0]).toEqual(
        expect.objectContaining({ text: expect.any(String), conf: expect.any(Number), x: expect.any(Number), w: expect.any(Number) }),
      );
      expect(r.stderr).toMatch(/^trang 1\/1/m);
    },
    WAIT_MS,
  );

  it(
    'with --pdf writes the searchable copy: the scan with its text over it',
    async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'vanthu-ocr-cli-'));
      try {
        const out = path.join(dir, 'scan.ocr.pdf');
        const r = await vanthu(path.join(DIR, 'decision-scan.pdf'), '--dpi', '200', '--pdf', out);
        expect(r.code).toBe(0);
        expect(r.stderr).toContain(`searchable PDF): ${out}`);
        expect(execFileSync('pdftotext', [path.join(DIR, 'decision-scan.pdf'), '-'], { encoding: 'utf8' }).trim()).toBe('');
        expect(execFileSync('pdftotext', [out, '-'], { encoding: 'utf8' }).normalize('NFC')).toContain(NOTATION);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    WAIT_MS,
  );

  it('exits 2 for a file that cannot be read or is not an image, and for a bad option', async () => {
    const missing = await vanthu(path.join(DIR, 'no-such-file.pdf'));
    expect(missing.code).toBe(2);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toContain('no-such-file.pdf');
    const notImage = await vanthu(path.join(DIR, 'expected.json'));
    expect(notImage.code).toBe(2);
    expect(notImage.stderr).toContain('ocr-bad-image');
    const usage = await vanthu('--dpi', 'many', path.join(DIR, 'decision-photo.jpg'));
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--dpi');
  }, 60_000);
});
