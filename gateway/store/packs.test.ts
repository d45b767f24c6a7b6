/**
 * Blobs in packs seen from another process's BlobStore: found in a live segment, followed through
 * the checkpoint's rename, and found loose once unpacked — even by a reader whose index still
 * points into the deleted pack.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { text } from 'node:stream/consumers';
import { afterEach, describe, expect, it } from 'vitest';
import { AcceptJournal } from '../accept/journal.ts';
import { Unpacker } from '../accept/unpacker.ts';
import { BlobStore } from './blobs.ts';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

async function stores() {
  const root = mkdtempSync(path.join(tmpdir(), 'vanthu-packs-'));
  dirs.push(root);
  const writer = new BlobStore(root);
  await writer.init();
  return { writer, reader: new BlobStore(root), journal: new AcceptJournal<{ n: number }>(writer.packs) };
}

const blob = (s: string) => ({ sha256: createHash('sha256').update(s).digest('hex'), data: Buffer.from(s) });

describe('packs', () => {
  it('serves a packed blob to other readers through every step of its life', async () => {
    const { writer, reader, journal } = await stores();
    const a = blob('Công văn số 12/UBND-VP'),
      b = blob('Quyết định số 7/QĐ-UBND');
    await journal.append([{ row: { n: 1 }, blob: a }, { row: { n: 2 } }]);
    // Another process: nothing indexed yet, so it scans the live segment.
    expect((await reader.read(a.sha256)).toString()).toBe('Công văn số 12/UBND-VP');
    expect(await reader.holds(a.sha256, a.data.length)).toBe(true);
    expect(await reader.holds(a.sha256, a.data.length + 1)).toBe(false);

    await journal.append([{ row: { n: 3 }, blob: b }]);
    const [seg] = await journal.seal();
    await journal.retire(seg);
    expect(await text(await reader.stream(b.sha256))).toBe('Quyết định số 7/QĐ-UBND'); // new tail, renamed file

    const unpacker = new Unpacker(journal as AcceptJournal<unknown>, writer, { idleMs: 0, maxAgeMs: 60_000, maxBytes: 1 << 30 });
    expect(await unpacker.unpackAll()).toBe(2);
    expect(await journal.packs()).toEqual([]);
    // The pack is gone (the reader's index still names it): both read the loose files now.
    expect((await reader.read(a.sha256)).toString()).toBe('Công văn số 12/UBND-VP');
    expect((await writer.read(b.sha256)).equals(b.data)).toBe(true);
  });

  it('waits for quiet unless a pack is overdue', async () => {
    const { writer, journal } = await stores();
    await journal.append([{ row: { n: 1 }, blob: blob('x') }]);
    await journal.retire((await journal.seal())[0]);
    const patient = new Unpacker(journal as AcceptJournal<unknown>, writer, { idleMs: 60_000, maxAgeMs: 60_000, maxBytes: 1 << 30 });
    patient.busy();
    expect(await patient.tick()).toBe(0);
    const overdue = new Unpacker(journal as AcceptJournal<unknown>, writer, { idleMs: 60_000, maxAgeMs: 0, maxBytes: 1 << 30 });
    overdue.busy();
    expect(await overdue.tick()).toBe(1);
  });

  it('unpacks at once when the packs are full, and holds new mail until there is room', async () => {
    const { writer, journal } = await stores();
    await journal.append([{ row: { n: 1 }, blob: blob('x'.repeat(200)) }]);
    await journal.retire((await journal.seal())[0]);
    await journal.append([{ row: { n: 2 }, blob: blob('y'.repeat(200)) }]); // still being written
    const unpacker = new Unpacker(journal as AcceptJournal<unknown>, writer, { idleMs: 60_000, maxAgeMs: 60_000, maxBytes: 100 });
    unpacker.busy();
    expect(await unpacker.tick()).toBe(1); // not idle, not overdue: full
    let roomy = false;
    void unpacker.room().then(() => (roomy = true));
    await unpacker.tick(); // the live segment alone still exceeds the limit
    expect(roomy).toBe(false);
    await journal.retire((await journal.seal())[0]);
    expect(await unpacker.tick()).toBe(1);
    await new Promise((r) => setImmediate(r));
    expect(roomy).toBe(true);
    expect(await journal.packs()).toEqual([]);
  });

  it('reports a blob that is nowhere as ENOENT', async () => {
    const { reader } = await stores();
    await expect(reader.read(blob('missing').sha256)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await reader.holds(blob('missing').sha256, 7)).toBe(false);
  });
});
