/**
 * The parse stage stores a message's attachments together (BlobStore.putAll): each content written
 * once and each shard directory fsync'd once for all of them, not once per attachment
 * (bench/e2e/FINDINGS.md, "Eleventh round: the gateway's other threads").
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_LIMITS_CONFIG } from '../../limits.ts';
import { BlobStore } from '../../store/blobs.ts';
import type { StageContext } from '../pipeline.ts';
import { parseStage } from './parse.ts';

const dirs: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
});

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Two different contents whose blobs share a shard directory (the first two hex digits of their names). */
function sameShardPair(): [Buffer, Buffer] {
  const first = Buffer.from('Phụ lục 0 kèm Công văn số 12/UBND-VP');
  for (let i = 1; ; i++) {
    const other = Buffer.from(`Phụ lục ${i} kèm Công văn số 12/UBND-VP`);
    if (sha(other).slice(0, 2) === sha(first).slice(0, 2)) return [first, other];
  }
}

function mailWith(files: Buffer[]): Buffer {
  const b = 'b-parts';
  const parts = files.map((f, i) =>
    [
      `--${b}`,
      `Content-Type: application/octet-stream; name="phu-luc-${i}.txt"`,
      `Content-Disposition: attachment; filename="phu-luc-${i}.txt"`,
      'Content-Transfer-Encoding: base64',
      '',
      f.toString('base64'),
    ].join('\r\n'),
  );
  const head = ['From: vanthu@ubnd.example.vn', 'To: nhan@so.example.vn', 'Subject: Phu luc', 'Message-ID: <pl-1@ubnd.example.vn>', 'MIME-Version: 1.0'];
  return Buffer.from(
    [
      ...head,
      `Content-Type: multipart/mixed; boundary="${b}"`,
      '',
      `--${b}`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Gửi kèm phụ lục.',
      ...parts,
      `--${b}--`,
      '',
    ].join('\r\n'),
  );
}

describe('parse stage attachments', () => {
  it('writes each content once and fsyncs a shard directory once for the attachments that share it', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'vanthu-parse-'));
    dirs.push(root);
    const blobs = new BlobStore(root);
    await blobs.init();
    const [a, b] = sameShardPair();
    const raw = mailWith([a, b, a]);
    const { sha256: rawSha } = await blobs.put(raw);
    const fh = await fs.open(root, 'r');
    await fh.close();
    const proto = Object.getPrototypeOf(fh) as fs.FileHandle;
    const dirSync = vi.spyOn(proto, 'sync');
    const datasync = vi.spyOn(proto, 'datasync');
    const ctx = { message: { id: 1, blobSha256: rawSha, size: raw.length }, blobs, config: { limits: DEFAULT_LIMITS_CONFIG }, mime: {} };
    const r = await parseStage.run(ctx as unknown as StageContext);
    expect(r.attachments.map((x) => [x.idx, x.sha256, x.size])).toEqual([
      [0, sha(a), a.length],
      [1, sha(b), b.length],
      [2, sha(a), a.length],
    ]);
    expect(datasync).toHaveBeenCalledTimes(2); // a and b, each once
    expect(dirSync).toHaveBeenCalledTimes(1); // their one shard directory
    for (const x of [a, b]) expect((await blobs.read(sha(x))).equals(x)).toBe(true);
  });
});
