/**
 * The accept journal: group commit for DurableAccept. Each batch of accepted messages is appended
 * to one segment file — the inbound row and, for small messages, the raw bytes — and made durable
 * with ONE fdatasync. That is the moment a message may be acknowledged; rows are then inserted
 * without waiting for the database's own fsync. A checkpoint fsyncs the database and renames the
 * segment to a `.pack`: its rows need it no more, but its raw bytes are still the only copy until
 * the unpacker has written them out as loose blobs (see store/packs.ts for the entry format).
 *
 * After a crash, recover() replays segments that never reached a checkpoint: rows missing from the
 * database are inserted. A replayed message that was never acknowledged (crash between fsync and
 * reply) is simply stored; the sender's retry is then a duplicate and gets 250 with the same id.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import fs from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { fsyncDir } from '../store/blobs.ts';
import { processAlive } from '../store/lock.ts';
import { stampedName } from '../store/stamped-names.ts';
import { encodeEntry, parseSegment, type PackEntry, type PackIndex } from '../store/packs.ts';

const ROTATE_BYTES = 64 * 1024 * 1024;
/** How often the directory is listed again for files this process did not make (another process of this host). */
const RELIST_MS = 30_000;

export type JournalRecord<Row> = PackEntry<Row>;

export class AcceptJournal<Row> {
  private fh: fs.FileHandle | null = null;
  private segment = '';
  private written = 0;
  /** Segments closed by rotation, handed to the next seal(). */
  private rotated: string[] = [];
  readonly dir: string;
  /**
   * This directory's segments and packs with their sizes, kept as this process appends, retires and
   * drops them, so the unpacker's tick (every second: backlogBytes, packs) lists no directory and
   * stats no file (bench/e2e/FINDINGS.md, "Ninth round"); listed again every `relistMs` for files
   * another process of this host left. Null until first listed.
   */
  private sizes: Map<string, number> | null = null;
  private listedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly index: PackIndex,
    private readonly rotateBytes = ROTATE_BYTES,
    private readonly relistMs = RELIST_MS,
  ) {
    // One directory per host: hosts sharing the blob root each recover only their own segments.
    this.dir = path.join(index.root, hostname());
  }

  /** Appends a batch and fsyncs it once. Callers serialise batches (DurableAccept does). */
  async append(records: JournalRecord<Row>[]): Promise<void> {
    if (!this.fh || this.written >= this.rotateBytes) await this.open();
    const bufs: Buffer[] = [];
    const blobs: Array<{ sha256: string; offset: number; length: number }> = [];
    let at = this.written;
    for (const r of records) {
      const e = encodeEntry(r.row, r.blob);
      if (r.blob) blobs.push({ sha256: r.blob.sha256, offset: at + e.dataOffset, length: r.blob.data.length });
      bufs.push(...e.bufs);
      at += e.size;
    }
    this.written = at;
    await this.fh!.writev(bufs);
    await this.fh!.datasync();
    this.index.appended(this.segment, blobs, at);
    this.sizes?.set(this.segment, at);
  }

  /** Closes the current segment (the next append opens a new one); returns it and any rotated before it. */
  async seal(): Promise<string[]> {
    const fh = this.fh;
    const closed = this.rotated.splice(0);
    if (!fh) return closed;
    // Detach first: an append arriving while this closes must open a new segment, not reuse this one.
    this.fh = null;
    this.written = 0;
    closed.push(this.segment);
    await fh.close();
    return closed;
  }

  /** A sealed segment whose rows are durable in the database becomes a pack of raw messages. */
  async retire(segment: string): Promise<string> {
    const pack = segment.replace(/\.seg$/, '.pack');
    await fs.rename(segment, pack);
    const size = this.sizes?.get(segment);
    this.sizes?.delete(segment);
    if (size !== undefined) this.sizes?.set(pack, size);
    else this.listedAt = Number.NEGATIVE_INFINITY; // not known here (a dead process's segment): listed again at the next look
    await fsyncDir(path.dirname(pack));
    this.index.moved(segment, pack);
    return pack;
  }

  /** This host's packs, oldest first. */
  async packs(): Promise<string[]> {
    return [...this.files().keys()].filter((f) => f.endsWith('.pack')).sort();
  }

  /** Bytes in this host's segments and packs: raw messages not yet written out as loose blobs. */
  async backlogBytes(): Promise<number> {
    let bytes = 0;
    for (const size of this.files().values()) bytes += size;
    return bytes;
  }

  /** Deletes a pack whose raw messages are all loose blobs now. */
  async drop(pack: string): Promise<void> {
    await fs.rm(pack, { force: true });
    this.sizes?.delete(pack);
    this.index.forget(pack);
  }

  /**
   * The segments and packs with their sizes: as kept, or listed when the last listing is older
   * than `relistMs`. The listing is synchronous (a few dozen names and stats, at most every
   * `relistMs`), so no append, retire or drop can change the directory half-way through it.
   */
  private files(): Map<string, number> {
    if (this.sizes && performance.now() - this.listedAt < this.relistMs) return this.sizes;
    const listed = new Map<string, number>();
    let names: string[] = [];
    try {
      names = readdirSync(this.dir);
    } catch {
      // no directory yet: nothing journaled
    }
    for (const n of names) {
      if (!/\.(seg|pack)$/.test(n)) continue;
      const file = path.join(this.dir, n);
      const st = statSync(file, { throwIfNoEntry: false });
      if (st) listed.set(file, st.size);
    }
    this.sizes = listed;
    this.listedAt = performance.now(); // an interval, on the monotonic clock: no time of day
    return listed;
  }

  private async open(): Promise<void> {
    if (this.fh) {
      await this.fh.close();
      this.rotated.push(this.segment);
    }
    await fs.mkdir(this.dir, { recursive: true });
    this.segment = path.join(this.dir, `${stampedName(String(process.pid), randomBytes(4).toString('hex'))}.seg`);
    this.fh = await fs.open(this.segment, 'a');
    this.written = 0;
    this.sizes?.set(this.segment, 0);
    await fsyncDir(this.dir); // the new segment's name must survive a crash too
  }

  /** Replays segments left by dead processes (`apply` makes their rows durable), then retires them. */
  async recover(apply: (records: JournalRecord<Row>[]) => Promise<void>): Promise<number> {
    await fs.mkdir(this.dir, { recursive: true });
    let count = 0;
    for (const name of (await fs.readdir(this.dir)).filter((n) => n.endsWith('.seg') && !ownedByLiveProcess(n)).sort()) {
      const seg = path.join(this.dir, name);
      const records = parseSegment<Row>(await fs.readFile(seg));
      if (records.length) await apply(records);
      count += records.length;
      if (records.some((r) => r.blob)) await this.retire(seg);
      else {
        await fs.rm(seg, { force: true });
        this.sizes?.delete(seg);
      }
    }
    return count;
  }
}

/** Segments are named <time>-<pid>-<random>.seg; a live process other than us still owns its own. */
function ownedByLiveProcess(name: string): boolean {
  const pid = Number(name.split('-')[1]);
  return Number.isInteger(pid) && pid !== process.pid && processAlive(pid);
}
