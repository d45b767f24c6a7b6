/**
 * Content-addressed blob store: loose files <root>/<first two hex digits>/<sha256>, written under
 * <root>/tmp, fsync'd, renamed into place, directory fsync'd (`commit`). Small raw messages arrive
 * in packs instead (the accept journal's files under <root>/journal, see packs.ts) and become loose
 * files when the gateway is idle; readers look in a pack their index already names, then for a
 * loose file, then in the packs again.
 */
import { createHash, randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { PackIndex, type PackLocation } from './packs.ts';
import { fileAgeMs, stampedName } from './stamped-names.ts';

export interface PendingBlob {
  tmpPath: string;
  sha256: string;
  size: number;
  /** The bytes of a small blob, kept by its writer (for the accept journal). */
  data?: Buffer;
  /** The temp file's data is already fdatasync'd (its writer did it before closing): commit skips that. */
  synced?: boolean;
}

/** Blobs up to this size are kept in memory by the spool and journaled; larger ones are fsync'd directly. */
export const JOURNAL_MAX_BYTES = 1024 * 1024;

export class BlobStore {
  readonly tmpDir: string;
  readonly packs: PackIndex;

  constructor(readonly root: string) {
    this.tmpDir = path.join(root, 'tmp');
    this.packs = new PackIndex(path.join(root, 'journal'));
  }

  /** Creates the shard directories up front so the hot path never has to mkdir (and fsync a parent). */
  async init(): Promise<void> {
    await fs.mkdir(this.tmpDir, { recursive: true });
    const shards = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
    await Promise.all(shards.map((s) => fs.mkdir(path.join(this.root, s), { recursive: true })));
    await fsyncDir(this.root);
  }

  pathOf(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`not a SHA-256 blob name: ${sha256}`);
    return path.join(this.root, sha256.slice(0, 2), sha256);
  }

  newTmpPath(): string {
    return path.join(this.tmpDir, stampedName(randomBytes(8).toString('hex')));
  }

  /** Makes pending blobs durable under their content names. */
  async commit(items: PendingBlob[]): Promise<void> {
    if (!items.length) return;
    await Promise.all(items.filter((b) => !b.synced).map((b) => fsyncFile(b.tmpPath)));
    await this.syncDirs((await this.place(items)).map((d) => path.dirname(d)));
  }

  /** Renames pending blobs into place without fsync; returns their paths. */
  async place(items: PendingBlob[]): Promise<string[]> {
    // Same content under the same name: replacing an existing blob is harmless.
    return Promise.all(
      items.map(async (b) => {
        const dest = this.pathOf(b.sha256);
        await fs.rename(b.tmpPath, dest);
        return dest;
      }),
    );
  }

  /** Writes buffers as loose blobs and makes them durable, skipping those already loose. */
  async putMany(items: Array<{ sha256: string; data: Buffer }>): Promise<void> {
    await this.syncDirs((await this.writeLoose(items)).map((d) => path.dirname(d)));
  }

  /**
   * Writes the buffers not already loose as loose blobs — each in ONE open: write, fdatasync, close,
   * then renamed into place — and returns their paths. Their names are durable only once their
   * directories are fsync'd (`syncDirs`): the unpacker does that once for all the packs of a run.
   */
  async writeLoose(items: Array<{ sha256: string; data: Buffer }>): Promise<string[]> {
    const missing = items.filter((it) => !this.holdsLoose(it.sha256, it.data.length));
    const pending = await Promise.all(
      missing.map(async (it): Promise<PendingBlob> => {
        const tmpPath = this.newTmpPath();
        await writeSynced(tmpPath, it.data);
        return { tmpPath, sha256: it.sha256, size: it.data.length, synced: true };
      }),
    );
    return this.place(pending);
  }

  /** Fsyncs these directories (each once), so the names renamed into them survive a crash. */
  async syncDirs(dirs: Iterable<string>): Promise<void> {
    await Promise.all([...new Set(dirs)].map(fsyncDir));
  }

  /** The shard directory a blob's loose file is in. */
  dirOf(sha256: string): string {
    return path.dirname(this.pathOf(sha256));
  }

  async discard(item: Pick<PendingBlob, 'tmpPath'>): Promise<void> {
    if (item.tmpPath) await fs.rm(item.tmpPath, { force: true });
  }

  /** Stores one whole buffer durably. */
  async put(data: Buffer): Promise<{ sha256: string; size: number }> {
    return (await this.putAll([data]))[0];
  }

  /**
   * Stores buffers durably, together (a message's attachments): written in parallel, each content
   * once, and each shard directory fsync'd once for all of them (stored one by one, each waited for
   * its own write and directory fsync). All of them are durable when it resolves. At most
   * `limits.attachments` buffers (100 by default): the file operations queue on libuv's pool.
   */
  async putAll(datas: Buffer[]): Promise<Array<{ sha256: string; size: number }>> {
    const named = datas.map((data) => ({ sha256: createHash('sha256').update(data).digest('hex'), data }));
    // Loose only: looking in the packs would rescan them for every attachment, and a loose copy is harmless.
    await this.putMany([...new Map(named.map((it) => [it.sha256, it])).values()]);
    return named.map((it) => ({ sha256: it.sha256, size: it.data.length }));
  }

  /** True when the blob exists, loose or packed, with the expected size. */
  async holds(sha256: string, size: number): Promise<boolean> {
    return this.holdsLoose(sha256, size) || (await this.packs.lookup(sha256))?.length === size;
  }

  /**
   * A synchronous stat that answers "absent" without an exception: most blobs looked for are new,
   * and a rejected fs.stat builds an ENOENT error with its stack for each (bench/e2e/FINDINGS.md,
   * "Tenth round: file I/O"); a stat of a cached directory entry is a few microseconds.
   */
  private holdsLoose(sha256: string, size: number): boolean {
    return statSync(this.pathOf(sha256), { throwIfNoEntry: false })?.size === size;
  }

  /** A stream of the blob's bytes; rejects with ENOENT when it is nowhere. */
  stream(sha256: string): Promise<Readable> {
    return this.find(
      sha256,
      async (p) => (await fs.open(p, 'r')).createReadStream(),
      (loc) => this.packs.stream(loc),
    );
  }

  read(sha256: string): Promise<Buffer> {
    return this.find(
      sha256,
      (p) => fs.readFile(p),
      (loc) => this.packs.read(loc),
    );
  }

  /**
   * A pack this process already knows to hold the blob first (a message read during a burst is
   * still in its pack: trying the loose file first cost a failed open and its ENOENT error every
   * time); then the loose file, then the packs looked up again. A pack can be unpacked and deleted
   * between the looks, so a vanished pack means: look again (the loose file exists by then).
   */
  private async find<T>(sha256: string, loose: (p: string) => Promise<T>, packed: (loc: PackLocation) => Promise<T>): Promise<T> {
    const known = this.packs.known(sha256);
    if (known) {
      try {
        return await packed(known);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    for (let attempt = 0; ; attempt++) {
      try {
        return await loose(this.pathOf(sha256));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        const loc = await this.packs.lookup(sha256);
        if (!loc) throw err;
        try {
          return await packed(loc);
        } catch (packErr) {
          if ((packErr as NodeJS.ErrnoException).code !== 'ENOENT' || attempt > 0) throw packErr;
          await this.packs.refresh();
        }
      }
    }
  }

  /** Removes temp files left by a crash mid-write (their messages were never acknowledged). */
  async sweepTmp(olderThanMs = 60 * 60_000): Promise<number> {
    const names = await fs.readdir(this.tmpDir).catch(() => [] as string[]);
    let removed = 0;
    for (const n of names) {
      const p = path.join(this.tmpDir, n);
      const age = await fileAgeMs(p);
      if (age !== null && age > olderThanMs) {
        await fs.rm(p, { force: true });
        removed++;
      }
    }
    return removed;
  }
}

/** Creates `p` with `data`, fdatasync'd, in one open (a temp file: it must not exist yet). */
async function writeSynced(p: string, data: Buffer): Promise<void> {
  const fh = await fs.open(p, 'wx');
  try {
    for (let at = 0; at < data.length; ) at += (await fh.write(data, at, data.length - at, at)).bytesWritten;
    await fh.datasync();
  } finally {
    await fh.close();
  }
}

export async function fsyncFile(p: string): Promise<void> {
  const fh = await fs.open(p, 'r+');
  try {
    await fh.datasync();
  } finally {
    await fh.close();
  }
}

export async function fsyncDir(p: string): Promise<void> {
  const fh = await fs.open(p, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
