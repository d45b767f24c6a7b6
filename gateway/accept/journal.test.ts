import { mkdtempSync, rmSync, readdirSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AcceptJournal, parseSegment } from './journal.ts';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function journal() {
  const d = mkdtempSync(path.join(tmpdir(), 'vanthu-journal-'));
  dirs.push(d);
  return new AcceptJournal<{ id: string }>(d);
}

describe('accept journal', () => {
  it('reads back every record of a batch, rows and bytes', async () => {
    const j = journal();
    await j.append([{ row: { id: 'a' }, data: Buffer.from('raw a') }, { row: { id: 'b' } }]);
    await j.append([{ row: { id: 'c' }, data: Buffer.from('raw c') }]);
    const [seg] = readdirSync(j.dir);
    const records = parseSegment<{ id: string }>(readFileSync(path.join(j.dir, seg)));
    expect(records.map((r) => [r.row.id, r.data?.toString() ?? null])).toEqual([['a', 'raw a'], ['b', null], ['c', 'raw c']]);
  });

  it('ignores a torn tail and anything after a corrupt entry', async () => {
    const j = journal();
    await j.append([{ row: { id: 'a' }, data: Buffer.from('first') }]);
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

  it('recovers segments of dead processes and deletes them, leaving live ones alone', async () => {
    const j = journal();
    await j.append([{ row: { id: 'mine' } }]);
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
    expect(readdirSync(j.dir)).toEqual([live]);
  });
});
