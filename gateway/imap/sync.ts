/**
 * Brings one folder of one mailbox into vanthu: every message above the stored last UID goes
 * through DurableAccept; only after it is committed is it marked (keyword or move) on the server
 * and the last UID advanced. A crash anywhere in between means the message is fetched again next
 * time and the accept's Message-ID + content-hash de-duplication recognises it.
 *
 * Speed: UIDs and sizes come in one FETCH, bodies in batches of `batchSize` per FETCH; each body
 * is handed to the accept as it arrives (the accept group-commits them), and the next batch is
 * fetched while the previous one commits. Bodies above STREAM_THRESHOLD are streamed with
 * `download` (chunked partial fetches) instead of being held in memory.
 */
import { Readable } from 'node:stream';
import type { ImapFlow } from 'imapflow';
import type { AcceptEnvelope, DurableAccept } from '../accept/durable-accept.ts';
import type { Logger } from '../log.ts';
import { INGESTED_KEYWORD, type ImapAccountConfig, type ResolvedTarget } from '../config/imap.ts';
import type { FolderStateStore } from './state.ts';
import { MessageTooLargeError } from '../accept/spool.ts';
import { recipientsFromHeaders } from '../mail/recipients.ts';
import type { ReplyRouter } from './replies.ts';

export const STREAM_THRESHOLD = 1024 * 1024;
const BATCH_BYTES = 16 * 1024 * 1024;

export interface SyncDeps {
  accept: DurableAccept;
  state: FolderStateStore;
  account: ImapAccountConfig;
  target: ResolvedTarget;
  log: Logger;
  stopping(): boolean;
  /** Called after each batch is committed, marked and recorded. */
  onBatch?(counts: SyncCounts): void;
  /** Officers' replies to act+ addresses (replies.ts); absent: every message is for the account's address. */
  replies?: ReplyRouter | null;
}

export interface SyncCounts {
  ingested: number;
  duplicates: number;
  tooLarge: number;
}

type Outcome = 'stored' | 'duplicate' | 'tooLarge';

interface Started {
  uids: number[];
  outcomes: Map<number, Promise<Outcome>>;
}

/** "1:3,7,9:10" from ascending UIDs. */
export function uidSet(uids: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < uids.length; ) {
    let j = i;
    while (j + 1 < uids.length && uids[j + 1] === uids[j] + 1) j++;
    parts.push(i === j ? String(uids[i]) : `${uids[i]}:${uids[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** Splits (uid, size) pairs into batches of at most `count` messages and about BATCH_BYTES. */
export function batches(list: Array<{ uid: number; size: number }>, count: number): Array<Array<{ uid: number; size: number }>> {
  const out: Array<Array<{ uid: number; size: number }>> = [];
  let cur: Array<{ uid: number; size: number }> = [];
  let bytes = 0;
  for (const m of list) {
    if (cur.length && (cur.length >= count || bytes + m.size > BATCH_BYTES)) {
      out.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(m);
    bytes += m.size;
  }
  if (cur.length) out.push(cur);
  return out;
}

export class FolderSync {
  private readonly envelope: AcceptEnvelope;

  constructor(
    private readonly client: ImapFlow,
    private readonly folder: string,
    private readonly deps: SyncDeps,
  ) {
    this.envelope = { source: 'imap', mailFrom: null, rcptTo: [deps.target.address], unitIds: [deps.target.unitId] };
  }

  async run(): Promise<SyncCounts> {
    const { account, state, log } = this.deps;
    const lock = await this.client.getMailboxLock(this.folder, { readOnly: account.afterIngest === 'none' });
    const totals: SyncCounts = { ingested: 0, duplicates: 0, tooLarge: 0 };
    try {
      const box = this.client.mailbox;
      if (!box) throw new Error(`cannot open folder ${this.folder}`);
      const uidValidity = Number(box.uidValidity);
      const stored = await state.load(account.id, this.folder);
      let lastUid = stored?.uidValidity === uidValidity ? stored.lastUid : 0;
      if (stored && stored.uidValidity !== uidValidity) {
        // UIDs were reassigned: everything is looked at again; the accept drops what it already has.
        log.warn({ account: account.id, folder: this.folder, was: stored.uidValidity, now: uidValidity }, 'UIDVALIDITY changed: rescanning folder');
      }
      const list = await this.listNew(lastUid);
      if (!list.length) {
        await state.advance(account.id, this.folder, { uidValidity, lastUid, ingested: 0, duplicates: 0 });
        return totals;
      }
      // A first sync (or a rescan) of a full mailbox takes a while: say how far it got, batch by batch.
      const progress = new SyncProgress(log, account.id, this.folder, list.length, !stored || stored.uidValidity !== uidValidity, account.batchSize);
      let pending: Started | null = null;
      for (const batch of batches(list, account.batchSize)) {
        if (this.deps.stopping()) break;
        // Fetch the next batch while the previous one is being committed.
        const started = await this.start(batch).catch(async (err) => {
          if (pending) await settle(pending);
          throw err;
        });
        if (pending) {
          lastUid = await this.finish(pending, uidValidity, lastUid, totals, started);
          progress.done(pending.uids.length, totals);
        }
        pending = started;
      }
      if (pending) {
        await this.finish(pending, uidValidity, lastUid, totals, null);
        progress.done(pending.uids.length, totals);
      }
      return totals;
    } finally {
      lock.release();
    }
  }

  private async listNew(lastUid: number): Promise<Array<{ uid: number; size: number }>> {
    // "n:*" always matches the highest UID, even below n: filter.
    const msgs = await this.client.fetchAll(`${lastUid + 1}:*`, { uid: true, size: true }, { uid: true });
    return msgs
      .filter((m) => m.uid > lastUid)
      .map((m) => ({ uid: m.uid, size: m.size ?? 0 }))
      .sort((a, b) => a.uid - b.uid);
  }

  /** Fetches one batch and hands each body to the accept; returns without waiting for commits. */
  private async start(batch: Array<{ uid: number; size: number }>): Promise<Started> {
    const outcomes = new Map<number, Promise<Outcome>>();
    const small = batch.filter((m) => m.size <= STREAM_THRESHOLD).map((m) => m.uid);
    const large = batch.filter((m) => m.size > STREAM_THRESHOLD).map((m) => m.uid);
    try {
      if (small.length) {
        for await (const msg of this.client.fetch(uidSet(small), { uid: true, source: true }, { uid: true })) {
          // A UID missing from the answer was expunged; one answered without a body is an error, not a skip.
          if (!msg.source) throw new Error(`the server sent no body for UID ${msg.uid} in ${this.folder}`);
          outcomes.set(msg.uid, this.acceptOne(Readable.from([msg.source])));
        }
      }
      for (const uid of large) {
        const dl = await this.client.download(String(uid), undefined, { uid: true });
        if (!dl.content) continue; // not found: expunged meanwhile
        const outcome = this.acceptOne(dl.content);
        outcomes.set(uid, outcome);
        await outcome.catch(() => undefined); // the stream reads over this connection: one at a time
      }
    } catch (err) {
      await settle({ uids: batch.map((m) => m.uid), outcomes });
      throw err;
    }
    return { uids: batch.map((m) => m.uid), outcomes };
  }

  private async acceptOne(stream: Readable): Promise<Outcome> {
    try {
      const { body, envelope } = await this.envelopeOf(stream);
      const r = await this.deps.accept.accept(body, envelope);
      return r.duplicate ? 'duplicate' : 'stored';
    } catch (err) {
      if (err instanceof MessageTooLargeError) return 'tooLarge';
      throw err;
    }
  }

  /** The account's envelope, or a reply's (act+ recipients found in the header: replies.ts). */
  private async envelopeOf(stream: Readable): Promise<{ body: Readable; envelope: AcceptEnvelope }> {
    const route = this.deps.replies;
    if (!route) return { body: stream, envelope: this.envelope };
    const { rcptTo, body, receivedFor } = await recipientsFromHeaders(stream);
    const reply = route(this.deps.target, rcptTo, receivedFor);
    return { body, envelope: reply ? { ...this.envelope, ...reply } : this.envelope };
  }

  /**
   * Waits for a batch's commits, marks what was committed, and records the highest UID below
   * which everything is done. A UID missing from the FETCH answer was expunged: nothing to do.
   */
  private async finish(work: Started, uidValidity: number, lastUid: number, totals: SyncCounts, next: Started | null): Promise<number> {
    const { account, state, log } = this.deps;
    const results = await Promise.allSettled(work.uids.map((uid) => work.outcomes.get(uid) ?? Promise.resolve(null)));
    const committed: number[] = [];
    const counts: SyncCounts = { ingested: 0, duplicates: 0, tooLarge: 0 };
    let failure: unknown = null;
    let upTo = lastUid;
    results.forEach((r, i) => {
      const uid = work.uids[i];
      if (r.status === 'rejected') {
        failure ??= r.reason;
        return;
      }
      if (r.value === 'stored' || r.value === 'duplicate') committed.push(uid);
      if (r.value === 'stored') counts.ingested++;
      else if (r.value === 'duplicate') counts.duplicates++;
      else if (r.value === 'tooLarge') {
        counts.tooLarge++;
        log.warn({ account: account.id, folder: this.folder, uid }, 'message larger than smtp.maxMessageBytes: skipped');
      }
      if (!failure) upTo = uid;
    });
    try {
      if (committed.length) await this.mark(committed);
      await state.advance(account.id, this.folder, { uidValidity, lastUid: upTo, ingested: counts.ingested, duplicates: counts.duplicates });
    } catch (err) {
      failure ??= err;
    }
    totals.ingested += counts.ingested;
    totals.duplicates += counts.duplicates;
    totals.tooLarge += counts.tooLarge;
    this.deps.onBatch?.(counts);
    if (failure) {
      if (next) await settle(next);
      throw failure;
    }
    return upTo;
  }

  private async mark(uids: number[]): Promise<void> {
    const { account } = this.deps;
    const range = uidSet(uids);
    if (account.afterIngest === 'keyword') {
      await this.client.messageFlagsAdd(range, [INGESTED_KEYWORD], { uid: true });
    } else if (account.afterIngest === 'move') {
      const moved = await this.client.messageMove(range, account.moveTo!, { uid: true });
      if (!moved) throw new Error(`could not move messages to folder ${account.moveTo}`);
    }
  }
}

/**
 * Progress of one folder's sync in the log: "n of N messages" after each batch, for a first sync
 * (no state yet, or UIDVALIDITY changed) or any sync of more than one batch; quiet otherwise.
 */
export class SyncProgress {
  private count = 0;
  private readonly shown: boolean;

  constructor(
    private readonly log: Logger,
    private readonly account: string,
    private readonly folder: string,
    private readonly total: number,
    private readonly first: boolean,
    batchSize: number,
  ) {
    this.shown = first || total > batchSize;
    if (this.shown) log.info({ account, folder, total, first }, `IMAP ${first ? 'first sync' : 'sync'} of ${folder}: ${total} messages to fetch`);
  }

  done(n: number, totals: SyncCounts): void {
    this.count += n;
    if (!this.shown) return;
    const { account, folder, total, first } = this;
    this.log.info(
      { account, folder, done: this.count, total, first, ingested: totals.ingested, duplicates: totals.duplicates },
      `IMAP ${first ? 'first sync' : 'sync'} of ${folder}: ${this.count} of ${total} messages`,
    );
  }
}

async function settle(work: Started): Promise<void> {
  await Promise.allSettled([...work.outcomes.values()]);
}
