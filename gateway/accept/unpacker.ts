/**
 * Writes the raw messages held in the journal's packs out as loose blobs, then deletes the packs.
 * It waits for quiet: file creation is the dearest part of storing a message, so a burst of mail
 * is answered from the packs and the loose files follow once the burst is over — or after
 * `maxAgeMs` regardless, so that packs (and the index of them every reader keeps) stay bounded.
 * Idempotent: a pack interrupted half-way (busy again, crash) is simply unpacked again later.
 */
import fs from 'node:fs/promises';
import type { BlobStore } from '../store/blobs.ts';
import { parseSegment } from '../store/packs.ts';
import type { AcceptJournal } from './journal.ts';

const CHUNK = 64;

export interface UnpackerOptions {
  idleMs: number;
  maxAgeMs: number;
}

export class Unpacker {
  private lastBusy = Date.now();
  private running: Promise<number> | null = null;
  private stopped = false;

  constructor(
    private readonly journal: AcceptJournal<unknown>,
    private readonly blobs: BlobStore,
    private readonly opts: UnpackerOptions,
  ) {}

  /** A message is arriving: idle time starts again. */
  busy(): void {
    this.lastBusy = Date.now();
  }

  /** Called by a timer: unpacks what is due, giving way to mail unless a pack is overdue. */
  tick(): Promise<number> {
    if (this.running || this.stopped) return Promise.resolve(0);
    this.running = this.run(false).finally(() => (this.running = null));
    return this.running;
  }

  async unpackAll(): Promise<number> {
    while (this.running) await this.running;
    this.running = this.run(true).finally(() => (this.running = null));
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.running?.catch(() => undefined);
  }

  private idle(): boolean {
    return Date.now() - this.lastBusy >= this.opts.idleMs;
  }

  private async run(all: boolean): Promise<number> {
    let written = 0;
    for (const pack of await this.journal.packs()) {
      const overdue = Date.now() - (await fs.stat(pack)).mtimeMs >= this.opts.maxAgeMs;
      if (!all && !overdue && !this.idle()) break;
      const entries = parseSegment<unknown>(await fs.readFile(pack)).flatMap((e) => (e.blob ? [e.blob] : []));
      for (let i = 0; i < entries.length; i += CHUNK) {
        if (this.stopped || (!all && !overdue && !this.idle())) return written;
        await this.blobs.putMany(entries.slice(i, i + CHUNK));
        written += Math.min(CHUNK, entries.length - i);
      }
      await this.journal.drop(pack);
    }
    return written;
  }
}
