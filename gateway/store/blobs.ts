/**
 * Content-addressed blob store: <root>/<first two hex digits>/<sha256>.
 * A blob is written under <root>/tmp and renamed into place. `commit` makes blobs durable on their
 * own (fsync file, rename, fsync directory). `writeUnsynced` only writes: for blobs whose bytes another
 * fsync'd record already holds (the accept journal), made durable later in bulk with `syncPaths`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';

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

  constructor(readonly root: string) {
    this.tmpDir = path.join(root, 'tmp');
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
    return path.join(this.tmpDir, `${Date.now().toString(36)}-${randomBytes(8).toString('hex')}`);
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

  /**
   * Writes a blob straight to its final name without fsync, for bytes another fsync'd record holds
   * (the accept journal, which repairs a torn file on recovery). An existing blob is left alone.
   */
  async writeUnsynced(sha256: string, data: Buffer): Promise<string> {
    const dest = this.pathOf(sha256);
    await fs.writeFile(dest, data, { flag: 'wx' }).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
    return dest;
  }

  /** Fsyncs placed blobs and their directories a few at a time, leaving the threadpool to the accept path. */
  async syncPaths(paths: string[]): Promise<void> {
    const width = 4;
    for (let i = 0; i < paths.length; i += width) await Promise.all(paths.slice(i, i + width).map((p) => fsyncFile(p).catch(ignoreMissing)));
    const dirs = [...new Set(paths.map((p) => path.dirname(p)))];
    for (let i = 0; i < dirs.length; i += width) await Promise.all(dirs.slice(i, i + width).map(fsyncDir));
  }

  async discard(item: Pick<PendingBlob, 'tmpPath'>): Promise<void> {
    if (item.tmpPath) await fs.rm(item.tmpPath, { force: true });
  }

  /** Stores a whole buffer durably (attachments; recovery). */
  async put(data: Buffer): Promise<{ sha256: string; size: number }> {
    const sha256 = createHash('sha256').update(data).digest('hex');
    if (await this.holds(sha256, data.length)) return { sha256, size: data.length };
    const tmpPath = this.newTmpPath();
    await fs.writeFile(tmpPath, data);
    await this.commit([{ tmpPath, sha256, size: data.length }]);
    return { sha256, size: data.length };
  }

  /** True when the blob exists with the expected size (and, when checked, content). */
  async holds(sha256: string, size: number, verify = false): Promise<boolean> {
    const st = await fs.stat(this.pathOf(sha256)).catch(() => null);
    if (!st || st.size !== size) return false;
    return !verify || createHash('sha256').update(await this.read(sha256)).digest('hex') === sha256;
  }

  stream(sha256: string): Readable {
    return createReadStream(this.pathOf(sha256));
  }

  read(sha256: string): Promise<Buffer> {
    return fs.readFile(this.pathOf(sha256));
  }

  /** Removes temp files left by a crash mid-write (their messages were never acknowledged). */
  async sweepTmp(olderThanMs = 60 * 60_000): Promise<number> {
    const names = await fs.readdir(this.tmpDir).catch(() => [] as string[]);
    let removed = 0;
    for (const n of names) {
      const p = path.join(this.tmpDir, n);
      const st = await fs.stat(p).catch(() => null);
      if (st && Date.now() - st.mtimeMs > olderThanMs) {
        await fs.rm(p, { force: true });
        removed++;
      }
    }
    return removed;
  }
}

function ignoreMissing(err: NodeJS.ErrnoException): void {
  if (err.code !== 'ENOENT') throw err;
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
