/**
 * The file operations the blob store spends per blob, counted through spies on node:fs/promises
 * (bench/e2e/FINDINGS.md, "Tenth round: file I/O"): one open per blob written, the shard
 * directories fsync'd once per unpacking run, packed messages read without re-opening their pack
 * or first failing on a loose file, and a large spooled message committed without opening it again.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AcceptJournal } from '../accept/journal.ts';
import { spoolMessage } from '../accept/spool.ts';
import { Unpacker } from '../accept/unpacker.ts';
import { BlobStore, JOURNAL_MAX_BYTES } from './blobs.ts';

const dirs: string[] = [];
const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const close of closers.splice(0)) await close();
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
});

async function store() {
  const root = mkdtempSync(path.join(tmpdir(), 'vanthu-blobs-io-'));
  dirs.push(root);
  const blobs = new BlobStore(root);
  await blobs.init();
  const journal = new AcceptJournal<{ n: number }>(blobs.packs);
  closers.push(async () => {
    await journal.seal();
    blobs.packs.close();
  });
  return { root, blobs, journal };
}

const blob = (s: string) => ({ sha256: createHash('sha256').update(s).digest('hex'), data: Buffer.from(s) });

/** FileHandle's prototype, for counting fdatasync and fsync calls. */
async function fileHandleProto(root: string) {
  const fh = await fs.open(root, 'r');
  await fh.close();
  return Object.getPrototypeOf(fh) as fs.FileHandle;
}

/** Every path opened through fs.open, fs.readFile or fs.writeFile, in order. */
function spyOpens() {
  const opened: string[] = [];
  for (const name of ['open', 'readFile', 'writeFile'] as const) {
    const real = fs[name] as (...args: unknown[]) => unknown;
    vi.spyOn(fs, name).mockImplementation(((p: unknown, ...rest: unknown[]) => {
      opened.push(String(p));
      return real.call(fs, p, ...rest);
    }) as never);
  }
  return opened;
}

describe('blob store file operations', () => {
  it('writes a new blob in one open of its temp file, with one fdatasync and no stat that can fail', async () => {
    const { root, blobs } = await store();
    const proto = await fileHandleProto(root);
    const datasync = vi.spyOn(proto, 'datasync');
    const stat = vi.spyOn(fs, 'stat');
    const opened = spyOpens();
    const { sha256 } = await blobs.put(Buffer.from('Công văn số 12/UBND-VP'));
    expect(opened.filter((p) => p.startsWith(blobs.tmpDir))).toHaveLength(1);
    expect(datasync).toHaveBeenCalledTimes(1);
    expect(stat).not.toHaveBeenCalled();
    expect(opened).toContain(blobs.dirOf(sha256)); // its directory fsync'd
    expect((await blobs.read(sha256)).toString()).toBe('Công văn số 12/UBND-VP');
    // Already loose: nothing written again.
    opened.length = 0;
    await blobs.put(Buffer.from('Công văn số 12/UBND-VP'));
    expect(opened).toEqual([]);
  });

  it('reads packed messages through one open of their pack, without looking for loose files first', async () => {
    const { blobs, journal } = await store();
    const items = Array.from({ length: 5 }, (_, i) => blob(`Quyết định số ${i}/QĐ-UBND`));
    await journal.append(items.map((b, n) => ({ row: { n }, blob: b })));
    const opened = spyOpens();
    for (let round = 0; round < 2; round++) for (const b of items) expect((await blobs.read(b.sha256)).equals(b.data)).toBe(true);
    expect(opened).toEqual(readdirSync(journal.dir).map((n) => path.join(journal.dir, n))); // the one live segment
  });

  it('keeps reading when more packs are open than it keeps, and after a pack is dropped', async () => {
    const { blobs, journal } = await store();
    const items = Array.from({ length: 12 }, (_, i) => blob(`Thông báo số ${i}/TB-UBND`));
    for (const [n, b] of items.entries()) {
      await journal.append([{ row: { n }, blob: b }]);
      await journal.retire((await journal.seal())[0]);
    }
    for (let round = 0; round < 2; round++) for (const b of items) expect((await blobs.read(b.sha256)).equals(b.data)).toBe(true);
    const unpacker = new Unpacker(journal as AcceptJournal<unknown>, blobs, { idleMs: 0, maxAgeMs: 60_000, maxBytes: 1 << 30 });
    const pending = items.map((b) => blobs.read(b.sha256)); // some of these race the drops
    expect(await unpacker.unpackAll()).toBe(12);
    expect((await Promise.all(pending)).map(String)).toEqual(items.map((b) => b.data.toString()));
    expect((await Promise.all(items.map((b) => blobs.read(b.sha256)))).map(String)).toEqual(items.map((b) => b.data.toString()));
  });

  it('fsyncs each shard directory once per unpacking run, also for blobs that were already loose', async () => {
    const { root, blobs, journal } = await store();
    const items = Array.from({ length: 300 }, (_, i) => blob(`Giấy mời số ${i}/GM-UBND`));
    for (const part of [items.slice(0, 150), items.slice(150)]) {
      await journal.append(part.map((b, n) => ({ row: { n }, blob: b })));
      await journal.retire((await journal.seal())[0]);
    }
    // Loose already (an earlier run, interrupted before its directories were fsync'd).
    await blobs.writeLoose(items.slice(0, 10));
    const proto = await fileHandleProto(root);
    const sync = vi.spyOn(proto, 'sync');
    const datasync = vi.spyOn(proto, 'datasync');
    const opened = spyOpens();
    const unpacker = new Unpacker(journal as AcceptJournal<unknown>, blobs, { idleMs: 0, maxAgeMs: 60_000, maxBytes: 1 << 30 });
    expect(await unpacker.unpackAll()).toBe(300);
    const shards = new Set(items.map((b) => blobs.dirOf(b.sha256)));
    expect(sync).toHaveBeenCalledTimes(shards.size);
    expect(new Set(opened.filter((p) => shards.has(p)))).toEqual(shards); // the already-loose ones' too
    expect(datasync).toHaveBeenCalledTimes(290);
    expect(opened.filter((p) => p.startsWith(blobs.tmpDir))).toHaveLength(290);
    expect(await journal.packs()).toEqual([]);
    for (const b of items) expect(await blobs.holds(b.sha256, b.data.length)).toBe(true);
  });

  it('commits a large spooled message without opening its temp file again', async () => {
    const { blobs } = await store();
    const raw = Buffer.concat([Buffer.from('Subject: x\r\n\r\n'), Buffer.alloc(JOURNAL_MAX_BYTES + 10, 'a')]);
    const opened = spyOpens();
    const spooled = await spoolMessage(Readable.from([raw.subarray(0, 1000), raw.subarray(1000)]), blobs, 10 * JOURNAL_MAX_BYTES);
    expect(spooled.data).toBeUndefined();
    await blobs.commit([spooled]);
    expect(opened.filter((p) => p === spooled.tmpPath)).toHaveLength(1);
    expect((await blobs.read(spooled.sha256)).equals(raw)).toBe(true);
  });
});
