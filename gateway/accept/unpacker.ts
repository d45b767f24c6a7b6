/**
 * Writes the raw messages held in the journal's packs out as loose blobs, then deletes the packs.
 * It waits for quiet: file creation is the dearest part of storing a message, so a burst of mail
 * is answered from the packs and the loose files follow once the burst is over — or after
 * `maxAgeMs` regardless, so that packs (and the index of them every reader keeps) stay bounded.
 * Mail that never pauses would outrun it: past `maxBytes` of packs it unpacks without waiting
 * and new messages wait for room (their senders feel it as a slow SMTP DATA), so the backlog is
 * bounded and the gateway settles at the rate it can store loose files.
 * Idempotent: a pack interrupted half-way (busy again, crash) is simply unpacked again later.
 */
import fs from 'node:fs/promises';
import type { BlobStore } from '../store/blobs.ts';
import { packedBlobs } from '../store/packs.ts';
import { fileAgeMs } from '../store/stamped-names.ts';
import type { AcceptJournal } from './journal.ts';

const CHUNK = 64;

export interface UnpackerOptions {
  idleMs: number;
  maxAgeMs: number;
  /** Bytes of packs past which accepting waits for the unpacker. */
  maxBytes: number;
}

export class Unpacker {
  private lastBusy = Date.now();
  private running: Promise<number> | null = null;
  private stopped = false;
  private full = false;
  private waiters: Array<() => void> = [];

  constructor(
    private readonly journal: AcceptJournal<unknown>,
    private readonly blobs: BlobStore,
    private readonly opts: UnpackerOptions,
  ) {}

  /** A message is arriving: idle time starts again. */
  busy(): void {
    this.lastBusy = Date.now();
  }

  /** Resolves at once unless the packs are full; then when the unpacker has made room. */
  room(): Promise<void> {
    if (!this.full || this.stopped) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Called by a timer: unpacks what is due, giving way to mail unless a pack is overdue or the packs are full. */
  async tick(): Promise<number> {
    if (this.stopped) return 0;
    await this.measure();
    if (this.running) return 0;
    this.running = this.run(false).finally(() => (this.running = null));
    return this.running;
  }

  /** Full above maxBytes, and until back under nine tenths of it. */
  private async measure(): Promise<void> {
    const bytes = await this.journal.backlogBytes();
    this.full = bytes > this.opts.maxBytes * (this.full ? 0.9 : 1);
    if (!this.full) this.waiters.splice(0).forEach((w) => w());
  }

  async unpackAll(): Promise<number> {
    while (this.running) await this.running;
    this.running = this.run(true).finally(() => (this.running = null));
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.waiters.splice(0).forEach((w) => w());
    await this.running?.catch(() => undefined);
  }

  /** Whether to go on unpacking now rather than leave the machine to incoming mail. */
  private due(overdue: boolean): boolean {
    return overdue || this.full || Date.now() - this.lastBusy >= this.opts.idleMs;
  }

  /**
   * A pack is dropped only once every one of its blobs is durable under its name. The shard
   * directories are fsync'd once for all the packs unpacked in a run (when it ends or is
   * interrupted) rather than once per chunk: a pack's blobs spread over all 256 shards, so that
   * was about one directory fsync per message (bench/e2e/FINDINGS.md, "Tenth round: file I/O").
   * Those of blobs found already loose count too: an interrupted run renamed them without it.
   * When the packs are full, each pack is dropped as soon as it is written, to make room sooner.
   */
  private async run(all: boolean): Promise<number> {
    let written = 0;
    const done: string[] = [];
    const dirs = new Set<string>();
    const settle = async () => {
      if (!done.length) return;
      await this.blobs.syncDirs(dirs);
      dirs.clear();
      for (const pack of done.splice(0)) await this.journal.drop(pack);
      if (this.full) await this.measure();
    };
    try {
      for (const pack of await this.journal.packs()) {
        const overdue = ((await fileAgeMs(pack)) ?? Infinity) >= this.opts.maxAgeMs;
        if (!all && !this.due(overdue)) break;
        const entries = packedBlobs(await fs.readFile(pack));
        for (let i = 0; i < entries.length; i += CHUNK) {
          if (this.stopped || (!all && !this.due(overdue))) return written;
          await this.blobs.writeLoose(entries.slice(i, i + CHUNK));
          written += Math.min(CHUNK, entries.length - i);
        }
        for (const e of entries) dirs.add(this.blobs.dirOf(e.sha256));
        done.push(pack);
        if (this.full) await settle();
      }
      return written;
    } finally {
      await settle();
    }
  }
}
