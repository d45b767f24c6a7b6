/**
 * Packs: the accept journal's segment files, read as blob containers. A small message's raw bytes
 * are written once, into the journal entry that makes it durable; they stay readable there (first
 * in the live `.seg`, then in the checkpointed `.pack`) until the unpacker copies them out to loose
 * blob files when the gateway is idle. Creating one file per message on the accept path cost more
 * than everything else together on the ext4 this runs on, so the loose files wait for quiet time.
 *
 * Entry: "VTJ3" | crc32 of row+data (u32 BE) | blob sha256 (32, zero without data) |
 *        row length (u32 BE) | data length (u64 BE) | row JSON | data.
 * A torn or corrupt entry ends the readable part of its file.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';

const MAGIC = Buffer.from('VTJ3');
const ENTRY_HEAD = 4 + 4 + 32 + 4 + 8;
const NO_BLOB = Buffer.alloc(32);
/** How many packs a PackIndex keeps open for reading. */
const OPEN_PACKS = 8;

export interface PackBlob {
  sha256: string;
  data: Buffer;
}

export interface PackEntry<Row> {
  row: Row;
  blob?: PackBlob;
}

/** Where a blob's bytes sit inside a pack. */
export interface PackLocation {
  file: string;
  offset: number;
  length: number;
}

/** The buffers of one entry, for writev; `dataOffset` is relative to the entry's start. */
export function encodeEntry(row: unknown, blob?: PackBlob): { bufs: Buffer[]; size: number; dataOffset: number } {
  const rowBuf = Buffer.from(JSON.stringify(row));
  const data = blob?.data ?? Buffer.alloc(0);
  const head = Buffer.alloc(ENTRY_HEAD);
  MAGIC.copy(head, 0);
  head.writeUInt32BE(crc32(data, crc32(rowBuf)), 4);
  (blob ? Buffer.from(blob.sha256, 'hex') : NO_BLOB).copy(head, 8);
  head.writeUInt32BE(rowBuf.length, 40);
  head.writeBigUInt64BE(BigInt(data.length), 44);
  return { bufs: [head, rowBuf, data], size: ENTRY_HEAD + rowBuf.length + data.length, dataOffset: ENTRY_HEAD + rowBuf.length };
}

export interface DecodedEntry {
  /** Offset of the entry in the buffer and of the byte after it. */
  start: number;
  end: number;
  row: Buffer;
  sha256: string | null;
  dataOffset: number;
  dataLength: number;
}

/** The complete, intact entries of `buf`, in order; stops at the first torn or corrupt one. */
export function* decodeEntries(buf: Buffer): Generator<DecodedEntry> {
  for (let off = 0; off + ENTRY_HEAD <= buf.length; ) {
    if (!buf.subarray(off, off + 4).equals(MAGIC)) return;
    const rowLen = buf.readUInt32BE(off + 40);
    const dataLen = Number(buf.readBigUInt64BE(off + 44));
    const dataOffset = off + ENTRY_HEAD + rowLen;
    const end = dataOffset + dataLen;
    if (end > buf.length) return;
    const row = buf.subarray(off + ENTRY_HEAD, dataOffset);
    if (crc32(buf.subarray(dataOffset, end), crc32(row)) !== buf.readUInt32BE(off + 4)) return;
    const sha = buf.subarray(off + 8, off + 40);
    yield { start: off, end, row, sha256: sha.equals(NO_BLOB) ? null : sha.toString('hex'), dataOffset, dataLength: dataLen };
    off = end;
  }
}

/** The records of a whole segment or pack (recovery, unpacking). */
export function parseSegment<Row>(buf: Buffer): PackEntry<Row>[] {
  return [...decodeEntries(buf)].map((e) => ({
    row: JSON.parse(e.row.toString()) as Row,
    blob: e.sha256 ? { sha256: e.sha256, data: Buffer.from(buf.subarray(e.dataOffset, e.dataOffset + e.dataLength)) } : undefined,
  }));
}

/** The raw messages of a pack, as views into `buf` (unpacking: no rows parsed, nothing copied). */
export function packedBlobs(buf: Buffer): PackBlob[] {
  return [...decodeEntries(buf)].flatMap((e) => (e.sha256 ? [{ sha256: e.sha256, data: buf.subarray(e.dataOffset, e.dataOffset + e.dataLength) }] : []));
}

/** The blob's bytes read from an open pack. */
async function readAt(fh: fs.FileHandle, loc: PackLocation): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(loc.length);
  for (let at = 0; at < loc.length; ) {
    const { bytesRead } = await fh.read(buf, at, loc.length - at, loc.offset + at);
    if (!bytesRead) throw new Error(`pack ${loc.file} is shorter than its index says`);
    at += bytesRead;
  }
  return buf;
}

/** A segment file's stem: the same for its `.seg` and, once checkpointed, its `.pack` name. */
const stemOf = (file: string) => path.basename(file).replace(/\.(seg|pack)$/, '');

interface Scanned {
  file: string;
  /** Bytes indexed so far: the end of the last intact entry. */
  upTo: number;
  shas: string[];
  /** A `.pack` already scanned whole: packs never grow, so it is not read again. */
  complete?: boolean;
}

/**
 * Which blobs sit in which pack, for every process sharing the blob root: the writer registers
 * its own entries as it appends them; any process scans the packs' new tails when a blob is missing.
 */
export class PackIndex {
  private readonly where = new Map<string, { stem: string; offset: number; length: number }>();
  private readonly files = new Map<string, Scanned>();
  private refreshing: Promise<void> | null = null;
  /**
   * Packs kept open for reads, by stem (a handle outlives the `.seg` → `.pack` rename: same file),
   * the most recently used last; closed when their pack is forgotten or pushed out. Reading a
   * message out of a pack was open, read, close for every read (bench/e2e/FINDINGS.md, "Tenth
   * round: file I/O").
   */
  private readonly handles = new Map<string, Promise<fs.FileHandle>>();

  /** `root` holds one directory of segments per host. */
  constructor(readonly root: string) {}

  /** The writer's own appends: `upTo` is the file's length after them, so scans skip them. */
  appended(file: string, blobs: Array<{ sha256: string; offset: number; length: number }>, upTo: number): void {
    const stem = stemOf(file);
    let f = this.files.get(stem);
    if (!f) this.files.set(stem, (f = { file, upTo: 0, shas: [] }));
    for (const b of blobs) {
      f.shas.push(b.sha256);
      this.where.set(b.sha256, { stem, offset: b.offset, length: b.length });
    }
    f.upTo = Math.max(f.upTo, upTo);
  }

  /** A segment renamed to its `.pack` name by this process. */
  moved(from: string, to: string): void {
    const f = this.files.get(stemOf(from));
    if (f) f.file = to;
  }

  /** A pack deleted after unpacking. */
  forget(file: string): void {
    const stem = stemOf(file);
    this.release(stem);
    for (const sha of this.files.get(stem)?.shas ?? []) if (this.where.get(sha)?.stem === stem) this.where.delete(sha);
    this.files.delete(stem);
  }

  /** Where the blob is as far as this index knows now: no directory listed, no file read. */
  known(sha256: string): PackLocation | null {
    const w = this.where.get(sha256);
    const f = w && this.files.get(w.stem);
    return w && f ? { file: f.file, offset: w.offset, length: w.length } : null;
  }

  async lookup(sha256: string): Promise<PackLocation | null> {
    // A refresh already under way may have listed the directory before this blob was written.
    for (let i = 0; i < 2 && !this.where.has(sha256); i++) await this.refresh();
    return this.known(sha256);
  }

  /** Rejects with ENOENT when the pack is gone (unpacked and deleted) before this opened it. */
  async read(loc: PackLocation): Promise<Buffer> {
    if (!this.files.has(stemOf(loc.file))) {
      // Forgotten meanwhile (dropped): a handle kept now would never be released; open, read, close.
      const fh = await fs.open(loc.file, 'r');
      try {
        return await readAt(fh, loc);
      } finally {
        await fh.close();
      }
    }
    const kept = this.handle(loc.file);
    try {
      return await readAt(await kept, loc);
    } catch (err) {
      // Closed under this read (its pack was dropped, or pushed out): as if gone, so the caller looks again.
      if (this.handles.get(stemOf(loc.file)) !== kept && (err as NodeJS.ErrnoException).code !== 'ENOENT')
        throw Object.assign(new Error(`pack ${loc.file} was closed`, { cause: err }), { code: 'ENOENT' });
      throw err;
    }
  }

  /** The pack's open handle: reused, or opened (a failed open is not kept). */
  private handle(file: string): Promise<fs.FileHandle> {
    const stem = stemOf(file);
    let fh = this.handles.get(stem);
    if (fh)
      this.handles.delete(stem); // re-inserted below: most recently used last
    else {
      fh = fs.open(file, 'r');
      fh.catch(() => this.handles.get(stem) === fh && this.handles.delete(stem));
      for (const old of [...this.handles.keys()].slice(0, Math.max(0, this.handles.size - OPEN_PACKS + 1))) this.release(old);
    }
    this.handles.set(stem, fh);
    return fh;
  }

  /** Closes the packs kept open for reading (shutting down); a later read opens its pack again. */
  close(): void {
    for (const stem of [...this.handles.keys()]) this.release(stem);
  }

  /** Closes a kept handle; FileHandle.close waits for reads still under way on it. */
  private release(stem: string): void {
    const fh = this.handles.get(stem);
    this.handles.delete(stem);
    fh?.then((h) => h.close()).catch(() => undefined);
  }

  /** Opens first, so a pack deleted meanwhile fails here (ENOENT) rather than in the stream. */
  async stream(loc: PackLocation): Promise<Readable> {
    const fh = await fs.open(loc.file, 'r');
    if (loc.length === 0) {
      await fh.close();
      return Readable.from([]);
    }
    return fh.createReadStream({ start: loc.offset, end: loc.offset + loc.length - 1, autoClose: true });
  }

  /** Picks up new segments and new tails, follows `.seg` → `.pack` renames, drops deleted packs. */
  refresh(): Promise<void> {
    this.refreshing ??= this.rescan().finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  private async rescan(): Promise<void> {
    const present = new Map<string, string>();
    for (const host of await fs.readdir(this.root).catch(() => [] as string[])) {
      const dir = path.join(this.root, host);
      for (const name of await fs.readdir(dir).catch(() => [] as string[])) {
        if (!/\.(seg|pack)$/.test(name)) continue;
        const stem = stemOf(name);
        // A rename caught half-way shows both names for an instant: the pack is the later one.
        if (!present.has(stem) || name.endsWith('.pack')) present.set(stem, path.join(dir, name));
      }
    }
    for (const stem of [...this.files.keys()]) if (!present.has(stem)) this.forget(stem);
    for (const [stem, file] of present) {
      const f = this.files.get(stem) ?? { file, upTo: 0, shas: [] };
      if (f.complete) continue;
      f.file = file;
      this.files.set(stem, f);
      await this.scanTail(stem, f).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      });
      if (file.endsWith('.pack')) f.complete = true;
    }
  }

  private async scanTail(stem: string, f: Scanned): Promise<void> {
    const from = f.upTo; // the writer may append (and move upTo) while this reads
    const fh = await fs.open(f.file, 'r');
    try {
      const { size } = await fh.stat();
      if (size <= from) return;
      const tail = Buffer.alloc(size - from);
      const { bytesRead } = await fh.read(tail, 0, tail.length, from);
      let last = 0;
      for (const e of decodeEntries(tail.subarray(0, bytesRead))) {
        if (e.sha256) {
          f.shas.push(e.sha256);
          this.where.set(e.sha256, { stem, offset: from + e.dataOffset, length: e.dataLength });
        }
        last = e.end;
      }
      f.upTo = Math.max(f.upTo, from + last);
    } finally {
      await fh.close();
    }
  }
}
