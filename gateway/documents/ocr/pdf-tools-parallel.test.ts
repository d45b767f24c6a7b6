import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pagesNeedingOcr } from './pdf.ts';

const SCAN = path.resolve(import.meta.dirname, '../../../tests/fixtures/ocr/decision-scan.pdf');
const TOOLS = ['pdfinfo', 'pdftotext', 'pdfimages'] as const;

/**
 * Each stand-in marks that it started, waits until the other two have started too (or gives up after
 * ~10 s), writes "together" or "alone", then runs the real tool. Run one after another, the first
 * never sees the others: it says "alone".
 */
function standIns(dir: string): Record<(typeof TOOLS)[number], string> {
  const out = {} as Record<(typeof TOOLS)[number], string>;
  for (const tool of TOOLS) {
    const file = path.join(dir, tool);
    writeFileSync(
      file,
      `#!/bin/sh
touch "${dir}/${tool}.started"
i=0
while [ $i -lt 200 ]; do
  if [ -e "${dir}/pdfinfo.started" ] && [ -e "${dir}/pdftotext.started" ] && [ -e "${dir}/pdfimages.started" ]; then
    echo together > "${dir}/${tool}.seen"; exec ${tool} "$@"
  fi
  sleep 0.05; i=$((i + 1))
done
echo alone > "${dir}/${tool}.seen"
exec ${tool} "$@"
`,
    );
    chmodSync(file, 0o755);
    out[tool] = file;
  }
  return out;
}

describe('pagesNeedingOcr runs its three poppler tools at once', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'vanthu-pdftools-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('each tool is running while the others start, and the answer is the one the tools give one by one', async () => {
    const plain = await pagesNeedingOcr(SCAN);
    const got = await pagesNeedingOcr(SCAN, { tools: standIns(dir) });
    expect(TOOLS.map((t) => [t, readFileSync(path.join(dir, `${t}.seen`), 'utf8').trim()])).toEqual(TOOLS.map((t) => [t, 'together']));
    expect(got).toEqual(plain);
    expect(got[0]).toMatchObject({ page: 1, needsOcr: true, reason: 'no-text' });
  }, 60_000);
});
