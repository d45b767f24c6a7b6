/**
 * Follow-up scheduling. The database is the source of truth: every change to a document sets
 * documents.followup_pending, and sync() turns pending documents into BullMQ jobs with
 * deterministic ids — a delayed reminder and escalation per open document (replaced when the
 * deadline changes, removed when it is done), and one mail job per receipt, alert or return.
 * sync() runs when kicked after a change and on a timer, so nothing is lost while Redis is down.
 * Fire times come from the injected clock; promoteDue() lets tests (and operators) run jobs whose
 * time has come on that clock.
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { localDate, zonedInstant } from '../clock.ts';
import { addDays, addWorkingDays, subtractWorkingDays } from '../registry/workflow/deadlines.ts';
import type { DocumentRow } from '../registry/books/register.ts';
import type { RegistryRuntime } from '../registry/runtime.ts';
import { isDuplicateAlert } from '../registry/intake/integrity.ts';
import { OPEN_STATUSES } from '../registry/books/search.ts';
import { ProducerQueue } from './queues.ts';

export const FOLLOWUP_QUEUE = 'followup';

/** What sync() reads of a document marked followup_pending. */
type PendingDoc = Pick<
  DocumentRow,
  'id' | 'unitId' | 'status' | 'dueDate' | 'bookNumber' | 'senderAddress' | 'reasons' | 'assigneeId' | 'registeredAt' | 'updatedAt'
> & {
  /** The row version read (Postgres's xmin): every update changes it, even one within the same millisecond or on a clock that stood still. */
  version: string;
};

function pendingDoc(r: Record<string, unknown>): PendingDoc {
  const date = (v: unknown) => (v === null || v === undefined ? null : v instanceof Date ? v : new Date(v as string));
  return {
    ...(r as PendingDoc),
    reasons: (typeof r.reasons === 'string' ? JSON.parse(r.reasons) : r.reasons) as string[],
    registeredAt: date(r.registeredAt),
    updatedAt: date(r.updatedAt) as Date,
  };
}

export type FollowupJob =
  | { kind: 'reminder' | 'escalate'; docId: string; dueDate: string; fireAt: number }
  | { kind: 'receipt' | 'alert' | 'return' | 'done'; docId: string }
  /** The assignee is told, with a reply address to act by mail (docs/act-by-email.md). */
  | { kind: 'assign'; docId: string; assigneeId: string }
  | { kind: 'digest' }
  /** The sweep that renews archive time-stamps due (gateway/outgoing/renewal.ts; docs/issuance.md). */
  | { kind: 'renew-timestamps' };

export interface FireTimes {
  reminderAt: Date | null;
  escalateAt: Date;
}

/** Reminder: N working days before the deadline; escalation: the first working day after it. */
export function fireTimes(rt: RegistryRuntime, unitId: string, dueDate: string, registeredOn: string): FireTimes {
  const hour = rt.config.registry.followup.hour;
  const days = rt.config.registry.units[unitId]?.deadlines.reminderDays ?? rt.config.registry.deadlines.reminderDays;
  const escalateOn = addWorkingDays(rt.calendar, addDays(dueDate, 1), 0);
  const remindOn = subtractWorkingDays(rt.calendar, dueDate, days, registeredOn);
  return { reminderAt: remindOn < dueDate || days === 0 ? zonedInstant(remindOn, hour, rt.tz) : null, escalateAt: zonedInstant(escalateOn, hour, rt.tz) };
}

const jobOpts = (jobId: string, delay = 0) => ({
  jobId,
  delay,
  attempts: 6,
  backoff: { type: 'exponential' as const, delay: 5000 },
  removeOnComplete: true,
  removeOnFail: 1000,
});

/** A job the sync adds (its id decides: adding an id that exists does nothing). */
interface FollowupAdd {
  name: FollowupJob['kind'];
  data: FollowupJob;
  opts: ReturnType<typeof jobOpts>;
}

const job = (data: FollowupJob, jobId: string, delay = 0): FollowupAdd => ({ name: data.kind, data, opts: jobOpts(jobId, delay) });

function deadlineJob(kind: 'reminder' | 'escalate', docId: string, dueDate: string, at: Date, now: Date): FollowupAdd {
  return job({ kind, docId, dueDate, fireAt: at.getTime() }, `${kind}-${docId}`, Math.max(0, at.getTime() - now.getTime()));
}

/** The mails a document's state asks for: receipt, alert, assignment, return, "done" to the sender. */
function mailJobs(doc: PendingDoc): FollowupAdd[] {
  const out: FollowupAdd[] = [];
  if (doc.bookNumber !== null && doc.senderAddress) out.push(job({ kind: 'receipt', docId: doc.id }, `receipt-${doc.id}`));
  if (doc.status === 'quarantined') out.push(job({ kind: 'alert', docId: doc.id }, `alert-${doc.id}`));
  // A copy that differs from the document it repeats (gateway/registry/intake/integrity.ts): the clerks are told.
  else if (isDuplicateAlert(doc.reasons)) out.push(job({ kind: 'alert', docId: doc.id }, `dupalert-${doc.id}`));
  if (doc.status === 'assigned' && doc.assigneeId)
    out.push(job({ kind: 'assign', docId: doc.id, assigneeId: doc.assigneeId }, `assign-${doc.id}-${doc.assigneeId}`));
  if (doc.status === 'returned') out.push(job({ kind: 'return', docId: doc.id }, `return-${doc.id}`));
  // Tells the sender the document was handled (gateway/outgoing tracks it as "handled").
  if (doc.status === 'done' && doc.bookNumber !== null && doc.senderAddress) out.push(job({ kind: 'done', docId: doc.id }, `done-${doc.id}`));
  return out;
}

/**
 * A kick's sync starts this long after it, so the documents a burst registers share one sync — one
 * read and one update of the pending rows and one addBulk for all of them, not a sync per document
 * (bench/e2e/FINDINGS.md, "Eleventh round: Redis"). Receipts and reminders are mail: a quarter of
 * a second is nothing to them.
 */
export const KICK_DELAY_MS = 250;

export class FollowupScheduler {
  private readonly producer: ProducerQueue<FollowupJob>;
  private timer: NodeJS.Timeout | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private kicked = false;
  /** The kick's wait before its sync is chained. */
  private wait: NodeJS.Timeout | null = null;

  constructor(
    private readonly rt: RegistryRuntime,
    private readonly connection: Redis,
    prefix: string,
    private readonly kickDelayMs = KICK_DELAY_MS,
  ) {
    this.producer = new ProducerQueue<FollowupJob>(FOLLOWUP_QUEUE, connection, prefix);
    rt.kick = () => this.kick();
  }

  get queue(): Queue<FollowupJob> {
    return this.producer.queue;
  }

  /** Periodic sync and the daily digest schedule (worker role). */
  async start(withDigest: boolean): Promise<void> {
    const every = this.rt.config.registry.followup.sweepMs;
    const tick = () => {
      this.kick();
      this.timer = setTimeout(tick, every);
    };
    this.timer = setTimeout(tick, 0);
    if (withDigest) {
      await (await this.producer.get())
        .upsertJobScheduler('digest', { pattern: this.rt.config.registry.followup.digestCron, tz: this.rt.tz }, { name: 'digest', data: { kind: 'digest' } })
        .catch((err) => this.rt.log.warn({ err: (err as Error).message }, 'digest schedule not set'));
      await this.scheduleRenewals().catch((err) => this.rt.log.warn({ err: (err as Error).message }, 'time-stamp renewal schedule not set'));
    }
  }

  /** The renewal sweep on `outgoing.renewal.cron` (Hà Nội time), or no schedule when it is off. */
  private async scheduleRenewals(): Promise<void> {
    const queue = await this.producer.get();
    const cfg = this.rt.config.outgoing.renewal;
    if (!cfg.enabled) {
      await queue.removeJobScheduler('renew-timestamps');
      return;
    }
    await queue.upsertJobScheduler(
      'renew-timestamps',
      { pattern: cfg.cron, tz: this.rt.tz },
      { name: 'renew-timestamps', data: { kind: 'renew-timestamps' }, opts: { removeOnComplete: true, removeOnFail: 100 } },
    );
  }

  kick(): void {
    if (this.kicked) return;
    this.kicked = true;
    this.wait = setTimeout(() => this.run(), this.kickDelayMs);
  }

  private run(): void {
    if (this.wait) clearTimeout(this.wait);
    this.wait = null;
    this.chain = this.chain
      .then(() => {
        this.kicked = false;
        return this.sync();
      })
      .catch((err) => this.rt.log.warn({ err: (err as Error).message }, 'follow-up sync failed; the next sweep retries'));
  }

  /** Runs a kicked sync now, without its wait, and waits for kicked syncs to finish (tests, shutdown). */
  async settle(): Promise<void> {
    while (this.kicked) {
      if (this.wait) this.run();
      await this.chain;
    }
    await this.chain;
  }

  async sync(limit = 200): Promise<number> {
    const queue = await this.producer.get(); // a Queue whose start-up failed is replaced before it is used
    // The columns the sync reads, through the partial index documents_followup.
    const found = await this.rt.database.query<Record<string, unknown>>(
      `select id, unit_id as "unitId", status, due_date as "dueDate", book_number as "bookNumber", sender_address as "senderAddress", reasons,
  assignee_id as "assigneeId", registered_at as "registeredAt", updated_at as "updatedAt", xmin::text as "version" from documents where followup_pending limit $1`,
      [limit],
    );
    const pending = found.map(pendingDoc);
    // The sync's Redis work in three round trips however many documents are pending — one EXISTS
    // per document's reminder and escalation, pipelined; every new job in one addBulk; one read of
    // each new reminder's and escalation's data — instead of three or more per document, one after
    // the other (bench/e2e/FINDINGS.md, "Eleventh round: Redis"). A document whose jobs exist
    // (its deadline changed, it closed) goes through the old path of reads and removals.
    const had = pending.length ? await this.deadlineJobsExist(pending) : [];
    const adds: FollowupAdd[] = [];
    const placed: Array<{ doc: number; jobId: string; dueDate: string }> = [];
    const ok = pending.map(() => true);
    for (const [i, doc] of pending.entries()) {
      const open = OPEN_STATUSES.includes(doc.status) && doc.dueDate;
      if (had[i]) ok[i] = open ? await this.scheduleDeadline(doc, doc.dueDate as string) : await this.cancel(doc.id);
      else if (open)
        for (const add of this.newDeadlineJobs(doc, doc.dueDate as string)) {
          adds.push(add);
          placed.push({ doc: i, jobId: add.opts.jobId, dueDate: doc.dueDate as string });
        }
      adds.push(...mailJobs(doc));
    }
    if (adds.length) await queue.addBulk(adds);
    // A sync of another gateway may have placed a reminder or escalation with another date first.
    if (placed.length) {
      const read = this.connection.pipeline();
      for (const p of placed) read.hget(this.queue.toKey(p.jobId), 'data');
      const data = (await read.exec()) ?? [];
      placed.forEach((p, j) => {
        const [err, text] = data[j] ?? [new Error('no reply'), null];
        if (err || typeof text !== 'string' || (JSON.parse(text) as { dueDate?: string }).dueDate !== p.dueDate) ok[p.doc] = false;
      });
    }
    const settled = pending.filter((_, i) => ok[i]);
    // Cleared only if nobody changed the row meanwhile (its version is still the one read: an update
    // with the same updated_at — same millisecond, a clock that stood still — changes it too); else the
    // next sync sees it again. One statement for all.
    if (settled.length)
      await this.rt.database.query(
        `update documents d set followup_pending = false from unnest($1::text[], $2::text[]) as u(id, v) where d.id = u.id and d.xmin = u.v::xid`,
        [settled.map((d) => d.id), settled.map((d) => d.version)],
      );
    return pending.length;
  }

  /** Whether each document has a reminder or an escalation job (one pipelined EXISTS each). */
  private async deadlineJobsExist(docs: PendingDoc[]): Promise<boolean[]> {
    const read = this.connection.pipeline();
    for (const doc of docs) read.exists(this.queue.toKey(`reminder-${doc.id}`), this.queue.toKey(`escalate-${doc.id}`));
    const replies = (await read.exec()) ?? [];
    return docs.map((_, i) => {
      const [err, n] = replies[i] ?? [new Error('no reply'), 0];
      if (err) throw err;
      return Number(n) > 0;
    });
  }

  /** Removes a closed document's reminder and escalation. False while one runs (it cannot be removed then; it finds the document closed and does nothing). */
  private async cancel(docId: string): Promise<boolean> {
    const ids = [`reminder-${docId}`, `escalate-${docId}`];
    await Promise.all(ids.map((id) => this.queue.remove(id)));
    const left = await Promise.all(ids.map((id) => this.queue.getJob(id)));
    return left.every((j) => !j);
  }

  /** The reminder and escalation of a document that has neither yet (a reminder whose escalation time has passed says nothing new). */
  private newDeadlineJobs(doc: PendingDoc, dueDate: string): FollowupAdd[] {
    const { fireAt, now } = this.fireAtOf(doc, dueDate);
    return (['reminder', 'escalate'] as const).flatMap((kind) => {
      const at = fireAt(kind);
      return at ? [deadlineJob(kind, doc.id, dueDate, at, now)] : [];
    });
  }

  private fireAtOf(doc: PendingDoc, dueDate: string): { fireAt: (kind: 'reminder' | 'escalate') => Date | null; now: Date } {
    const now = this.rt.clock.now();
    const t = fireTimes(this.rt, doc.unitId, dueDate, localDate(doc.registeredAt ?? now, this.rt.tz));
    return { now, fireAt: (kind) => (kind === 'escalate' ? t.escalateAt : t.escalateAt <= now ? null : t.reminderAt) };
  }

  /** A document whose reminder or escalation exists: each replaced when its deadline is not the document's. */
  private async scheduleDeadline(doc: PendingDoc, dueDate: string): Promise<boolean> {
    const { fireAt, now } = this.fireAtOf(doc, dueDate);
    let settled = true;
    const put = async (kind: 'reminder' | 'escalate') => {
      const jobId = `${kind}-${doc.id}`;
      const existing = await this.queue.getJob(jobId);
      if (existing?.data && 'dueDate' in existing.data && existing.data.dueDate === dueDate) return;
      if (existing) await existing.remove().catch(() => undefined);
      const at = fireAt(kind);
      if (!at) return;
      const job = deadlineJob(kind, doc.id, dueDate, at, now);
      await this.queue.add(job.name, job.data, job.opts);
      const placed = await this.queue.getJob(jobId);
      if (!placed || !('dueDate' in placed.data) || placed.data.dueDate !== dueDate) settled = false; // an old one was running
    };
    await put('reminder');
    await put('escalate');
    return settled;
  }

  /** Runs now the delayed jobs whose fire time on the clock has come. */
  async promoteDue(): Promise<number> {
    const now = this.rt.clock.now().getTime();
    let n = 0;
    for (const job of await (await this.producer.get()).getDelayed()) {
      if (job.data && 'fireAt' in job.data && job.data.fireAt <= now) {
        await job.promote();
        n++;
      }
    }
    return n;
  }

  /** Runs the renewal sweep now (tests, operators); the job's result is what it did. */
  async runRenewals(): Promise<string | undefined> {
    const job = await (await this.producer.get()).add('renew-timestamps', { kind: 'renew-timestamps' }, { removeOnComplete: 100, removeOnFail: 100 });
    return job.id;
  }

  async runDigest(): Promise<void> {
    await (await this.producer.get()).add('digest', { kind: 'digest' }, { removeOnComplete: true, removeOnFail: 100 });
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.rt.kick = () => undefined;
    await this.settle();
    await this.producer.close();
  }
}
