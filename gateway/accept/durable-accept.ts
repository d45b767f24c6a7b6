/**
 * The gateway's first promise: a message is acknowledged (SMTP 250, HTTP 2xx, IMAP flag) only
 * after it is durable — its raw bytes and its inbound row recorded in the fsync'd accept journal
 * (see journal.ts) — and its row is committed to the database.
 *
 * Group commit: messages that finish arriving while a batch is being made durable wait for the
 * next batch, which then pays one journal fsync and one INSERT for all of them. Small messages'
 * bytes stay in the journal's packs until the gateway is idle (see unpacker.ts).
 */
import { and, eq, or } from 'drizzle-orm';
import type { Readable } from 'node:stream';
import type { BlobStore } from '../store/blobs.ts';
import type { Database } from '../store/db.ts';
import { systemClock, type Clock } from '../clock.ts';
import { newId } from '../store/ids.ts';
import { cleanField } from '../sanitize.ts';
import { inboundMessages } from '../store/schema.ts';
import { AcceptJournal, type JournalRecord } from './journal.ts';
import { Unpacker } from './unpacker.ts';
import { MessageTooLargeError, spoolMessage, type SpooledMessage } from './spool.ts';

/** `local`: sent by a unit of the same gateway (gateway/notify/local.ts). */
export type AcceptSource = 'smtp' | 'haraka' | 'imap' | 'api' | 'cli' | 'local';

export interface AcceptEnvelope {
  source: AcceptSource;
  mailFrom: string | null;
  rcptTo: string[];
  unitIds: string[];
  remoteIp?: string | null;
  helo?: string | null;
  /** Who stored it through the API (user e-mail or service:<token name>) and for which unit; null for SMTP and IMAP. */
  uploadedBy?: string | null;
  uploadedUnit?: string | null;
}

export interface AcceptResult {
  id: string;
  /** True when this message (same Message-ID, same content) was already stored. */
  duplicate: boolean;
}

export class StorageError extends Error {
  constructor(cause: unknown) {
    super(`storage failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'StorageError';
  }
}

type InboundInsert = typeof inboundMessages.$inferInsert;
type JournalRow = Omit<InboundInsert, 'receivedAt'> & { receivedAt: string };

interface Pending {
  spooled: SpooledMessage;
  row: InboundInsert;
  resolve(r: AcceptResult): void;
  reject(e: unknown): void;
}

export interface DurableAcceptOptions {
  database: Database;
  blobs: BlobStore;
  maxBytes: number;
  maxBatch?: number;
  /** How often journaled rows are made durable in the database and the journal trimmed. */
  checkpointMs?: number;
  /** Packs are unpacked into loose blobs after this long without a message (default 2 s)... */
  unpackIdleMs?: number;
  /** ...or, busy or not, once the oldest is this old (default 10 min). */
  unpackMaxAgeMs?: number;
  /** Past this many bytes of packs, new messages wait for the unpacker (default 2 GiB). */
  maxPackedBytes?: number;
  /** Called after a batch committed, with the ids of the new (non-duplicate) messages. */
  onCommitted?: (ids: string[]) => void;
  onCheckpointError?: (err: unknown) => void;
  /** The arrival time recorded on each message ("Ngày đến" in the book); the system clock by default. */
  clock?: Clock;
}

export class DurableAccept {
  private queue: Pending[] = [];
  private flushing = false;
  private readonly journal: AcceptJournal<JournalRow>;
  private readonly unpacker: Unpacker;
  /** Sealed segments whose rows are not yet known to be durable in the database. */
  private sealed: string[] = [];
  private lastCheckpoint = Date.now();
  private checkpointing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly opts: DurableAcceptOptions) {
    this.journal = new AcceptJournal(opts.blobs.packs);
    this.unpacker = new Unpacker(this.journal, opts.blobs, {
      idleMs: opts.unpackIdleMs ?? 2000,
      maxAgeMs: opts.unpackMaxAgeMs ?? 600_000,
      maxBytes: opts.maxPackedBytes ?? 2 * 1024 ** 3,
    });
  }

  /** Replays what a crashed process left in the journal and clears its stale temp files; starts the timer. Returns records replayed. */
  async init(): Promise<number> {
    const replayed = await this.journal.recover((records) => this.replay(records));
    await this.opts.blobs.sweepTmp(); // half-written blobs of a crash: never acknowledged, never named
    const every = this.opts.checkpointMs ?? 2000;
    this.timer = setInterval(
      () => {
        if (!this.flushing && Date.now() - this.lastCheckpoint >= every) void this.checkpoint();
        void this.unpacker.tick().catch((err) => this.opts.onCheckpointError?.(err));
      },
      Math.min(every, 1000),
    );
    this.timer.unref();
    return replayed;
  }

  /** Waits for pending batches, then makes everything durable on its own and trims the journal. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.settle();
    await this.unpacker.stop();
    this.opts.blobs.packs.close(); // the packs it kept open for reads (store/packs.ts)
  }

  /** Checkpoints and unpacks everything now (tests, benchmarks); returns the raw messages written out. */
  async unpackAll(): Promise<number> {
    await this.settle();
    return this.unpacker.unpackAll();
  }

  private async settle(): Promise<void> {
    while (this.flushing || this.queue.length) await new Promise((r) => setTimeout(r, 5));
    await this.checkpointing; // it may have sealed before the last batches
    await this.checkpoint();
  }

  /** Spools the stream, then waits until the message is durable. Throws MessageTooLargeError or StorageError. */
  async accept(stream: Readable, envelope: AcceptEnvelope): Promise<AcceptResult> {
    this.unpacker.busy();
    await this.unpacker.room(); // before reading: a sender waits on TCP, with nothing taken yet
    let spooled: SpooledMessage;
    try {
      spooled = await spoolMessage(stream, this.opts.blobs, this.opts.maxBytes);
    } catch (err) {
      if (err instanceof MessageTooLargeError) throw err;
      throw new StorageError(err);
    }
    return new Promise<AcceptResult>((resolve, reject) => {
      this.queue.push({ spooled, row: toRow(spooled, envelope, (this.opts.clock ?? systemClock).now()), resolve, reject });
      void this.flush();
    });
  }

  private checkpointDue(): boolean {
    // One at a time: while one runs, batches go on into the next segment.
    return !this.checkpointing && Date.now() - this.lastCheckpoint >= (this.opts.checkpointMs ?? 2000);
  }

  /**
   * Two stages in a pipeline: while one batch's rows are inserted, the next batch is written to
   * the journal. A row is inserted only after its journal record is fsync'd, and rows are inserted
   * in journal order; a checkpoint waits until every journaled row is inserted.
   */
  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    let inserting: Promise<void> | null = null;
    try {
      while (this.queue.length || inserting) {
        if (!this.queue.length || this.checkpointDue()) {
          await inserting;
          inserting = null;
          if (this.checkpointDue()) void this.checkpoint();
          continue;
        }
        const batch = this.queue.splice(0, this.opts.maxBatch ?? 256);
        const written = await this.writeBatch(batch);
        const previous: Promise<void> | null = inserting;
        inserting = (async () => {
          await previous;
          if (written) await this.insertBatch(batch);
        })();
      }
    } finally {
      this.flushing = false;
    }
  }

  /** Makes a batch durable in the journal (large messages as fsync'd blobs first). False when it failed and was answered. */
  private async writeBatch(batch: Pending[]): Promise<boolean> {
    try {
      // Large messages are fsync'd as blobs first, so a journaled row never names a missing blob.
      await this.opts.blobs.commit(batch.filter((p) => !p.spooled.data).map((p) => p.spooled));
      await this.journal.append(
        batch.map((p) => ({
          row: { ...p.row, receivedAt: (p.row.receivedAt as Date).toISOString() },
          blob: p.spooled.data ? { sha256: p.spooled.sha256, data: p.spooled.data } : undefined,
        })),
      );
      return true;
    } catch (err) {
      await this.fail(batch, err);
      return false;
    }
  }

  private async insertBatch(batch: Pending[]): Promise<void> {
    let results: AcceptResult[];
    try {
      results = await this.insertRows(batch.map((p) => p.row));
    } catch (err) {
      await this.fail(batch, err);
      return;
    }
    batch.forEach((p, i) => p.resolve(results[i]));
    const fresh = results.filter((r) => !r.duplicate).map((r) => r.id);
    if (fresh.length) this.opts.onCommitted?.(fresh);
  }

  private async fail(batch: Pending[], err: unknown): Promise<void> {
    await Promise.all(batch.map((p) => this.opts.blobs.discard(p.spooled).catch(() => undefined)));
    for (const p of batch) p.reject(new StorageError(err));
  }

  /**
   * Runs between batches only (every row in the sealed segment is already inserted): seals the
   * segment, fsyncs the database off the accept path, and retires the segment to a pack.
   */
  private checkpoint(): Promise<void> {
    if (this.checkpointing) return this.checkpointing;
    this.lastCheckpoint = Date.now();
    this.checkpointing = (async () => {
      this.sealed.push(...(await this.journal.seal()));
      if (!this.sealed.length) return;
      try {
        await this.opts.database.syncCommitted();
        while (this.sealed.length) await this.journal.retire(this.sealed[0]).then(() => this.sealed.shift());
      } catch (err) {
        // What is left stays a segment: retried at the next checkpoint, replayed after a restart.
        this.opts.onCheckpointError?.(err);
      }
    })().finally(() => {
      this.checkpointing = null;
    });
    return this.checkpointing;
  }

  /** Recovery: inserts missing rows (small messages' bytes stay in the retired pack), makes the database durable. */
  private async replay(records: JournalRecord<JournalRow>[]): Promise<void> {
    const rows: InboundInsert[] = [];
    for (const { row, blob } of records) {
      if (!blob && !(await this.opts.blobs.holds(row.blobSha256, row.size))) continue; // its batch never finished
      rows.push({ ...row, receivedAt: new Date(row.receivedAt) });
    }
    if (rows.length) await this.opts.database.db.insert(inboundMessages).values(rows).onConflictDoNothing();
    await this.opts.database.syncCommitted();
  }

  private async insertRows(rows: InboundInsert[]): Promise<AcceptResult[]> {
    const { db } = this.opts.database;
    const inserted = await this.opts.database.query<{ id: string }>(
      INSERT_INBOUND,
      [
        rows.map((r) => r.id),
        rows.map((r) => (r.receivedAt as Date).toISOString()),
        rows.map((r) => r.source),
        rows.map((r) => r.messageId),
        rows.map((r) => r.contentHash),
        rows.map((r) => r.blobSha256),
        rows.map((r) => r.size),
        rows.map((r) => r.mailFrom ?? null),
        rows.map((r) => JSON.stringify(r.rcptTo)),
        rows.map((r) => JSON.stringify(r.unitIds)),
        rows.map((r) => r.remoteIp ?? null),
        rows.map((r) => r.helo ?? null),
        rows.map((r) => r.uploadedBy ?? null),
        rows.map((r) => r.uploadedUnit ?? null),
      ],
      { lane: 'accept' },
    );
    const fresh = new Set(inserted.map((r) => r.id));
    if (fresh.size === rows.length) return rows.map((r) => ({ id: r.id, duplicate: false }));
    // Some were already stored (or repeated within this batch): answer with the stored row's id.
    const dupes = rows.filter((r) => !fresh.has(r.id));
    const existing = await db
      .select({ id: inboundMessages.id, messageId: inboundMessages.messageId, contentHash: inboundMessages.contentHash })
      .from(inboundMessages)
      .where(or(...dupes.map((r) => and(eq(inboundMessages.messageId, r.messageId), eq(inboundMessages.contentHash, r.contentHash)))));
    const byKey = new Map(existing.map((r) => [`${r.messageId}\0${r.contentHash}`, r.id]));
    return rows.map((r) => (fresh.has(r.id) ? { id: r.id, duplicate: false } : { id: byKey.get(`${r.messageId}\0${r.contentHash}`) ?? r.id, duplicate: true }));
  }
}

/**
 * The accept path's one INSERT per batch: the same statement text whatever the batch size (column
 * arrays through unnest), which costs PGlite less than half of the ORM's multi-row VALUES.
 */
const INSERT_INBOUND = `insert into inbound_messages (id, received_at, source, message_id, content_hash, blob_sha256, size, mail_from, rcpt_to, unit_ids, remote_ip, helo, uploaded_by, uploaded_unit)
  select * from unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::integer[], $8::text[], $9::jsonb[], $10::jsonb[], $11::text[], $12::text[], $13::text[], $14::text[])
  on conflict (message_id, content_hash) do nothing
  returning id`;

function toRow(s: SpooledMessage, e: AcceptEnvelope, receivedAt: Date): InboundInsert {
  return {
    id: newId(),
    receivedAt,
    source: e.source,
    // Without a Message-ID, only byte-identical copies count as the same message.
    messageId: s.messageId ?? `<${s.sha256}@sha256.vanthu.invalid>`,
    contentHash: s.bodyHash,
    blobSha256: s.sha256,
    size: s.size,
    // Envelope text from the client is stored: cleaned like header text (gateway/sanitize.ts).
    mailFrom: cleanField(e.mailFrom),
    rcptTo: e.rcptTo,
    unitIds: e.unitIds,
    remoteIp: cleanField(e.remoteIp ?? null),
    helo: cleanField(e.helo ?? null),
    uploadedBy: e.uploadedBy ?? null,
    uploadedUnit: e.uploadedUnit ?? null,
  };
}
