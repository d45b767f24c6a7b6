/**
 * The accept journal: group commit for DurableAccept. Each batch of accepted messages is appended
 * to one segment file — the inbound row and, for small messages, the raw bytes — and made durable
 * with ONE fdatasync. That is the moment a message may be acknowledged. Blob files are renamed into
 * place and rows inserted without further fsyncs; a checkpoint later fsyncs them in bulk (blobs,
 * their directories, PGlite's WAL) and deletes the segments they came from.
 *
 * After a crash, recover() replays surviving segments: blobs missing or incomplete are rewritten
 * durably and rows missing from the database are inserted. A replayed message that was never
 * acknowledged (crash between fsync and reply) is simply stored; the sender's retry is then a
 * duplicate and gets 250 with the same id.
 *
 * Entry: "VTJ2" | sha256 of payload (32) | row length (u32 BE) | data length (u64 BE) | row JSON | data.
 * A torn tail entry (hash mismatch, short) belongs to a batch whose fsync never returned: ignored.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';

const MAGIC = Buffer.from('VTJ2');
const HEAD = 4 + 32 + 4 + 8;
const ROTATE_BYTES = 64 * 1024 * 1024;

export interface JournalRecord<Row> {
  row: Row;
  /** Raw bytes of a small message; large ones were fsync'd as blobs before the append. */
  data?: Buffer;
}

export class AcceptJournal<Row> {
  private fh: fs.FileHandle | null = null;
  private segment = '';
  private written = 0;
  readonly dir: string;

  constructor(blobRoot: string) {
    // One journal per host: hosts sharing the blob root each recover only their own.
    this.dir = path.join(blobRoot, 'journal', hostname());
  }

  /** Appends a batch and fsyncs it once. Callers serialise batches (DurableAccept does). */
  async append(records: JournalRecord<Row>[]): Promise<void> {
    if (!this.fh || this.written > ROTATE_BYTES) await this.open();
    const bufs: Buffer[] = [];
    for (const r of records) {
      const row = Buffer.from(JSON.stringify(r.row));
      const data = r.data ?? Buffer.alloc(0);
      const head = Buffer.alloc(HEAD);
      MAGIC.copy(head, 0);
      createHash('sha256').update(row).update(data).digest().copy(head, 4);
      head.writeUInt32BE(row.length, 36);
      head.writeBigUInt64BE(BigInt(data.length), 40);
      bufs.push(head, row, data);
      this.written += HEAD + row.length + data.length;
    }
    await this.fh!.writev(bufs);
    await this.fh!.datasync();
  }

  /** Closes the current segment (the next append opens a new one) and returns its path. */
  async seal(): Promise<string | null> {
    const fh = this.fh;
    const segment = this.segment;
    if (!fh) return null;
    // Detach first: an append arriving while this closes must open a new segment, not reuse this one.
    this.fh = null;
    this.written = 0;
    await fh.close();
    return segment;
  }

  /** Deletes a sealed segment whose records are durable elsewhere now. */
  async drop(segment: string): Promise<void> {
    await fs.rm(segment, { force: true });
  }

  private async open(): Promise<void> {
    if (this.fh) await this.fh.close();
    await fs.mkdir(this.dir, { recursive: true });
    this.segment = path.join(this.dir, `${Date.now().toString(36)}-${process.pid}-${randomBytes(4).toString('hex')}.seg`);
    this.fh = await fs.open(this.segment, 'a');
    this.written = 0;
    await syncPath(this.dir, 'r'); // the new segment's name must survive a crash too
  }

  /** Reads segments left by dead processes; `apply` makes their records durable, then they are deleted. */
  async recover(apply: (records: JournalRecord<Row>[]) => Promise<void>): Promise<number> {
    await fs.mkdir(this.dir, { recursive: true });
    let count = 0;
    for (const name of (await fs.readdir(this.dir)).filter((n) => n.endsWith('.seg') && !ownedByLiveProcess(n)).sort()) {
      const seg = path.join(this.dir, name);
      const records = parseSegment<Row>(await fs.readFile(seg));
      if (records.length) await apply(records);
      count += records.length;
      await fs.rm(seg, { force: true });
    }
    return count;
  }
}

export function parseSegment<Row>(buf: Buffer): JournalRecord<Row>[] {
  const out: JournalRecord<Row>[] = [];
  for (let off = 0; off + HEAD <= buf.length; ) {
    if (!buf.subarray(off, off + 4).equals(MAGIC)) break;
    const rowLen = buf.readUInt32BE(off + 36);
    const dataLen = Number(buf.readBigUInt64BE(off + 40));
    const end = off + HEAD + rowLen + dataLen;
    if (end > buf.length) break;
    const row = buf.subarray(off + HEAD, off + HEAD + rowLen);
    const data = buf.subarray(off + HEAD + rowLen, end);
    if (!createHash('sha256').update(row).update(data).digest().equals(buf.subarray(off + 4, off + 36))) break;
    out.push({ row: JSON.parse(row.toString()) as Row, data: dataLen ? Buffer.from(data) : undefined });
    off = end;
  }
  return out;
}

/** Segments are named <time>-<pid>-<random>.seg; a live process other than us still owns its own. */
function ownedByLiveProcess(name: string): boolean {
  const pid = Number(name.split('-')[1]);
  if (!Number.isInteger(pid) || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function syncPath(p: string, flags: 'r' | 'r+'): Promise<void> {
  const fh = await fs.open(p, flags).catch(() => null); // removed meanwhile: nothing to sync
  if (!fh) return;
  try {
    await (flags === 'r' ? fh.sync() : fh.datasync());
  } finally {
    await fh.close();
  }
}
