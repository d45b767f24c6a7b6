import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..', '..');

async function classify(file: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node', ['bin/vanthu.mjs', 'classify', file], { cwd: root });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('vanthu classify', () => {
  it('prints exactly one JSON object for a PDF and exits 0', async () => {
    const r = await classify('tests/corpus/two-page.pdf');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.kind).toBe('document');
    expect(out.document).toMatchObject({ notation: '215/BC-STTTT', typeCode: 'BC', source: 'attachment' });
  });

  it('exits 2 and names the file on stderr when it cannot be read', async () => {
    const r = await classify('tests/corpus/does-not-exist.eml');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('does-not-exist.eml');
  });
});
