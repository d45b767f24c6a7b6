import { mkdtempSync, rmSync, readdirSync, readFileSync, statSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PackIndex, parseSegment } from '../store/packs.ts';
import { AcceptJournal } from './journal.ts';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function journal(rotateBytes?: number, relistMs?: number) {
  const d = mkdtempSync(path.join(tmpdir(), 'vanthu-journal-'));
  dirs.push(d);
  const index = new PackIndex(d);
  return { j: new AcceptJournal<{ id: string }>(index, rotateBytes, relistMs), index };
}

/** Bytes of the journal's directory as `ls` would add them up. */
const onDisk = (dir: string) => readdirSync(dir).reduce((n, f) => n + statSync(path.join(dir, f)).size, 0);

const blob = (text: string) => ({
  sha256: text
    .padEnd(64, '0')
    .replace(/[^0-9a-f]/g, 'a')
    .slice(0, 64),
  data: Buffer.from(text),
});

describe('accept journal', () => {
  it('reads back every record of a batch, rows and bytes, and indexes the bytes where they lie', async () => {
    const { j, index } = journal();
    await j.append([{ row: { id: 'a' }, blob: blob('raw a') }, { row: { id: 'b' } }]);
    await j.append([{ row: { id: 'c' }, blob: blob('raw c') }]);
    const [seg] = readdirSync(j.dir);
    const records = parseSegment<{ id: string }>(readFileSync(path.join(j.dir, seg)));
    expect(records.map((r) => [r.row.id, r.blob?.data.toString() ?? null])).toEqual([
      ['a', 'raw a'],
      ['b', null],
      ['c', 'raw c'],
    ]);
    const loc = await index.lookup(blob('raw c').sha256);
    expect((await index.read(loc!)).toString()).toBe('raw c');
  });

  it('hands segments closed by rotation to the next seal', async () => {
    const { j } = journal(1); // every append fills a segment
    await j.append([{ row: { id: 'a' }, blob: blob('a') }]);
    await j.append([{ row: { id: 'b' }, blob: blob('b') }]);
    const sealed = await j.seal();
    expect(sealed).toHaveLength(2);
    expect(readdirSync(j.dir).sort()).toEqual(sealed.map((s) => path.basename(s)).sort());
    expect(await j.seal()).toEqual([]);
  });

  it('ignores a torn tail and anything after a corrupt entry', async () => {
    const { j } = journal();
    await j.append([{ row: { id: 'a' }, blob: blob('first') }]);
    await j.seal();
    const seg = path.join(j.dir, readdirSync(j.dir)[0]);
    const whole = readFileSync(seg);
    appendFileSync(seg, whole.subarray(0, whole.length - 3)); // a second entry cut short
    expect(parseSegment(readFileSync(seg))).toHaveLength(1);
    const flipped = Buffer.from(whole);
    flipped[flipped.length - 1] ^= 0xff;
    writeFileSync(seg, flipped);
    expect(parseSegment(readFileSync(seg))).toHaveLength(0);
  });

  it('recovers segments of dead processes into packs, leaving live ones alone', async () => {
    const { j } = journal();
    await j.append([{ row: { id: 'mine' }, blob: blob('bytes') }]);
    await j.seal();
    const [mine] = readdirSync(j.dir);
    // A segment "owned" by a dead pid (pid 2^22+1 cannot exist on Linux) and one by a live process (pid 1).
    const dead = mine.replace(`-${process.pid}-`, '-4194305-');
    const live = mine.replace(`-${process.pid}-`, '-1-');
    writeFileSync(path.join(j.dir, dead), readFileSync(path.join(j.dir, mine)));
    writeFileSync(path.join(j.dir, live), readFileSync(path.join(j.dir, mine)));
    const seen: string[] = [];
    const n = await j.recover(async (records) => void seen.push(...records.map((r) => r.row.id)));
    expect(n).toBe(2);
    expect(seen).toEqual(['mine', 'mine']);
    // Their rows are in the database now; their bytes stay readable in the packs until unpacked.
    expect(readdirSync(j.dir).sort()).toEqual([dead.replace('.seg', '.pack'), live, mine.replace('.seg', '.pack')].sort());
    expect(await j.packs()).toHaveLength(2);
  });

  it('keeps its backlog and packs as it changes them, without listing the directory at every look', async () => {
    const { j } = journal(undefined, 60_000);
    await j.append([{ row: { id: 'a' }, blob: blob('first message') }]);
    expect(await j.backlogBytes()).toBe(onDisk(j.dir));
    await j.append([{ row: { id: 'b' }, blob: blob('second message, a little longer') }]);
    expect(await j.backlogBytes()).toBe(onDisk(j.dir));
    const [seg] = await j.seal();
    const pack = await j.retire(seg);
    expect(await j.packs()).toEqual([pack]);
    await j.append([{ row: { id: 'c' }, blob: blob('third') }]);
    expect(await j.backlogBytes()).toBe(onDisk(j.dir));
    // A file put there behind its back (another process of this host) is not seen until the next
    // listing: the tick's looks (every second) list nothing.
    writeFileSync(path.join(j.dir, '0000-1-ffffffff.pack'), Buffer.alloc(1000));
    expect(await j.backlogBytes()).toBe(onDisk(j.dir) - 1000);
    await j.drop(pack);
    expect(await j.packs()).toEqual([]);
    expect(await j.backlogBytes()).toBe(onDisk(j.dir) - 1000);
  });

  it('lists the directory again after relistMs, finding what another process left', async () => {
    const { j } = journal(undefined, 0);
    await j.append([{ row: { id: 'a' }, blob: blob('first message') }]);
    writeFileSync(path.join(j.dir, '0000-1-ffffffff.pack'), Buffer.alloc(1000));
    expect(await j.backlogBytes()).toBe(onDisk(j.dir));
    expect(await j.packs()).toEqual([path.join(j.dir, '0000-1-ffffffff.pack')]);
  });
});
