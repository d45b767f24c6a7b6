/**
 * Content-addressed blob store: loose files <root>/<first two hex digits>/<sha256>, written under
 * <root>/tmp, fsync'd, renamed into place, directory fsync'd (`commit`). Small raw messages arrive
 * in packs instead (the accept journal's files under <root>/journal, see packs.ts) and become loose
 * files when the gateway is idle; readers look for a loose file first, then in the packs.
 */
import { createHash, randomBytes } from 'node:crypto';
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
    await Promise.all(items.map((b) => fsyncFile(b.tmpPath)));
    const dests = await this.place(items);
    await Promise.all([...new Set(dests.map((d) => path.dirname(d)))].map(fsyncDir));
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
    const missing: PendingBlob[] = [];
    for (const it of items) {
      if (await this.holdsLoose(it.sha256, it.data.length)) continue;
      const tmpPath = this.newTmpPath();
      await fs.writeFile(tmpPath, it.data);
      missing.push({ tmpPath, sha256: it.sha256, size: it.data.length });
    }
    await this.commit(missing);
  }

  async discard(item: Pick<PendingBlob, 'tmpPath'>): Promise<void> {
    if (item.tmpPath) await fs.rm(item.tmpPath, { force: true });
  }

  /** Stores a whole buffer durably (attachments; recovery). */
  async put(data: Buffer): Promise<{ sha256: string; size: number }> {
    const sha256 = createHash('sha256').update(data).digest('hex');
    // Loose only: looking in the packs would rescan them for every attachment, and a loose copy is harmless.
    await this.putMany([{ sha256, data }]);
    return { sha256, size: data.length };
  }

  /** True when the blob exists, loose or packed, with the expected size. */
  async holds(sha256: string, size: number): Promise<boolean> {
    return (await this.holdsLoose(sha256, size)) || (await this.packs.lookup(sha256))?.length === size;
  }

  private async holdsLoose(sha256: string, size: number): Promise<boolean> {
    const st = await fs.stat(this.pathOf(sha256)).catch(() => null);
    return st?.size === size;
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
   * Loose file first, then the packs. A pack can be unpacked and deleted between the two looks,
   * so a vanished pack means: look again (the loose file exists by then).
   */
  private async find<T>(sha256: string, loose: (p: string) => Promise<T>, packed: (loc: PackLocation) => Promise<T>): Promise<T> {
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
