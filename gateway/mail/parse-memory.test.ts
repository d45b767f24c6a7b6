/**
 * What parsing one 25 MB message costs in memory (bench/e2e/FINDINGS.md, "Ninth round" and
 * "Thirteenth round: 25 MB messages"): the message is fed to mailparser in slices (mime-guard.ts
 * feed) and its large base64 attachment is decoded apart (base64-leaves.ts), so no step holds a copy
 * of the whole raw message, a string of its whole body, or the decoded bytes twice. Measured in a child process: the rise of its peak RSS
 * (VmHWM, reset just before the parse) over its RSS before the parse.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const MiB = 1024 * 1024;
const HERE = path.dirname(fileURLToPath(import.meta.url));
const PARSE = pathToFileURL(path.join(HERE, 'parse.ts')).href;

/** A message of ~25 MB: a short text and an 18 MiB attachment (incompressible bytes, base64 in 76-character lines). */
function bigMessage(): Buffer {
  const content = Buffer.alloc(18 * MiB);
  for (let i = 0; i + 4 <= content.length; i += 4) content.writeUInt32LE((Math.imul(i + 1, 2654435761) ^ (i >>> 7)) >>> 0, i);
  const b64 = content.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 76) lines.push(b64.slice(i, i + 76));
  const head = [
    'From: Văn thư <vanthu@so.example.vn>',
    'To: vanthu@ubnd.example.vn',
    'Subject: =?UTF-8?B?QsOhbyBjw6Fv?=',
    'Message-ID: <big@so.example.vn>',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b1"',
    '',
    '--b1',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Gửi kèm bản quét.',
    '--b1',
    'Content-Type: application/pdf; name="scan.pdf"',
    'Content-Disposition: attachment; filename="scan.pdf"',
    'Content-Transfer-Encoding: base64',
    '',
  ].join('\r\n');
  return Buffer.from(`${head}\r\n${lines.join('\r\n')}\r\n--b1--\r\n`, 'latin1');
}

/** Parses `file` in a fresh Node process; returns how far its peak RSS rose above its RSS before the parse, and what was parsed. */
function parseInChild(file: string): { rise: number; sizes: number[] } {
  const code = `
    const { readFileSync, writeFileSync } = await import('node:fs');
    const { parseMessage } = await import(${JSON.stringify(PARSE)});
    const kb = (k) => Number(new RegExp(k + ':\\\\s+(\\\\d+) kB').exec(readFileSync('/proc/self/status', 'utf8'))[1]) * 1024;
    const raw = readFileSync(${JSON.stringify(file)});
    await parseMessage(Buffer.from('Subject: warm\\r\\n\\r\\nbody\\r\\n')); // modules loaded before measuring
    const before = kb('VmRSS');
    writeFileSync('/proc/self/clear_refs', '5'); // VmHWM := VmRSS
    const sizes = (await parseMessage(raw)).attachments.map((a) => a.content.length);
    process.stdout.write(JSON.stringify({ rise: kb('VmHWM') - before, sizes }));`;
  const script = path.join(path.dirname(file), 'parse.mjs');
  writeFileSync(script, code);
  const r = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 180_000 });
  if (r.status !== 0) throw new Error(`child failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout);
}

describe('parsing a 25 MB message', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'vanthu-parse-memory-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'big.eml');
  writeFileSync(file, bigMessage());

  it('holds no whole copy of the raw message or its body: the peak rises by the decoded attachment and little more', () => {
    const { rise, sizes } = parseInChild(file);
    expect(sizes).toEqual([18 * MiB]);
    // Fed whole, mailparser's copies (the raw message, its body as a string twice) rose it by 130–135 MiB;
    // fed in slices 48–55 MiB (the decoded attachment's chunks, then those chunks joined); with the
    // attachment decoded apart (base64-leaves.ts) 27–34 MiB: the 18 MiB decoded and 64 KiB windows.
    expect(rise, `peak rose ${Math.round(rise / MiB)} MiB`).toBeLessThan(45 * MiB);
  }, 300_000);
});
