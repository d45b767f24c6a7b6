/**
 * Message leases: while a worker runs the pipeline on a message it holds the row's lease
 * (inbound_messages.lease_owner / lease_until), renewed every third of `ingest.leaseMs`.
 *
 * BullMQ's job lock lives in Redis and dies with Redis' data; the lease lives in the database, so
 * after Redis loses its jobs the outbox sweep (gateway/workers/outbox.ts) can tell a message some live
 * worker is still working on (lease held) from one nobody holds (lease lapsed or never taken) and
 * re-queues only the latter. A second job for a held message (re-queued by hand, or a stalled job
 * handed to another worker) does not run the pipeline beside the holder: it waits as a delayed
 * job (until the lease would lapse, a quarter lease at most) and then finds the message finished,
 * still held (waits again), or takes it over.
 *
 * Times are the database's (`now()`), so hosts' clocks need not agree (as for IMAP leases). A lease
 * held by a dead process of this host (kill -9, then a restart) is taken over at once.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { DelayedError, type Job } from 'bullmq';
import { eq, sql } from 'drizzle-orm';
import type { Logger } from '../log.ts';
import type { Database } from '../store/db.ts';
import { processAlive } from '../store/lock.ts';
import { inboundMessages } from '../store/schema.ts';
import { PENDING_STATES } from './states.ts';
import { messageOf, selectMessage } from './message-row.ts';
import type { InboundRow, LeaseHandle, StoredStage } from './pipeline.ts';

/** What a run gets with the lease: the message row as the claim left it, its stage rows (when asked for), and the lease. */
export interface Claimed {
  message: InboundRow;
  stages: StoredStage[];
  lease: LeaseHandle;
}

export type Claim =
  | { taken: true; holder: string; claimed: Claimed }
  /** Another live run holds it: try again in about retryInMs. */
  | { taken: false; reason: 'busy'; holder: string | null; retryInMs: number }
  /** The message is in a terminal state: nothing to do. */
  | { taken: false; reason: 'settled'; state: string }
  | { taken: false; reason: 'missing' };

type NotTaken = Exclude<Claim, { taken: true }>;

const t = inboundMessages;

export class MessageLeases {
  /** This process, as lease owner; each run adds a counter, so two runs here never share a lease. */
  readonly owner = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private runs = 0;

  /**
   * `states`: the states a run may take a message in; others are settled for it. The ingest
   * pipeline's are the pending states; the OCR worker's the waiting state `ocr` (gateway/workers/ocr.ts).
   */
  constructor(
    private readonly database: Database,
    readonly leaseMs: number,
    private readonly log: Logger,
    private readonly states: readonly string[] = PENDING_STATES,
    /** Read the message's message_stages rows with the claim (the ingest pipeline's, gateway/workers/pipeline.ts). */
    private readonly withStages = false,
  ) {}

  /** Takes the lease of a pending message for one run of the pipeline. */
  async claim(id: string): Promise<Claim> {
    const { db } = this.database;
    const holder = `${this.owner}:${++this.runs}`;
    const pending = [...this.states];
    // One statement takes the lease and reads the row (and its stage rows) for the run.
    const [taken] = await this.database.query<Record<string, unknown>>(
      `with m as (update inbound_messages set lease_owner = $2, lease_until = now() + $3::double precision * interval '1 millisecond'
  where id = $1 and state = any($4::text[]) and (lease_until is null or lease_until < now()) returning *)
${selectMessage('m', this.withStages)}`,
      [id, holder, this.leaseMs, pending],
    );
    if (taken) return { taken: true, holder, claimed: { ...messageOf(taken), lease: { holder, released: false } } };
    const [row] = await db
      .select({
        state: t.state,
        owner: t.leaseOwner,
        remainingMs: sql<string | number | null>`greatest(0, extract(epoch from (${t.leaseUntil} - now())) * 1000)`,
      })
      .from(t)
      .where(eq(t.id, id));
    if (!row) return { taken: false, reason: 'missing' };
    if (!this.states.includes(row.state)) return { taken: false, reason: 'settled', state: row.state };
    if (row.owner && deadHere(row.owner)) {
      const [stolen] = await this.database.query<Record<string, unknown>>(
        `with m as (update inbound_messages set lease_owner = $2, lease_until = now() + $3::double precision * interval '1 millisecond'
  where id = $1 and lease_owner = $5 and state = any($4::text[]) returning *)
${selectMessage('m', this.withStages)}`,
        [id, holder, this.leaseMs, pending, row.owner],
      );
      if (stolen) {
        this.log.info({ id, from: row.owner }, 'took over the lease of a message held by a dead process of this host');
        return { taken: true, holder, claimed: { ...messageOf(stolen), lease: { holder, released: false } } };
      }
    }
    return { taken: false, reason: 'busy', holder: row.owner, retryInMs: Math.ceil(Number(row.remainingMs ?? 0)) };
  }

  /** Extends a held lease; false when this run no longer holds it. */
  async renew(id: string, holder: string): Promise<boolean> {
    const rows = await this.database.query(
      `update inbound_messages set lease_until = now() + $3::double precision * interval '1 millisecond' where id = $1 and lease_owner = $2 returning id`,
      [id, holder, this.leaseMs],
    );
    return rows.length === 1;
  }

  async release(id: string, holder: string): Promise<void> {
    await this.database.query('update inbound_messages set lease_owner = null, lease_until = null where id = $1 and lease_owner = $2', [id, holder]);
  }

  /**
   * Runs `fn` holding the message's lease (renewed meanwhile, released after unless a write of the
   * run released it with the final state: Claimed.lease); or says why not.
   */
  async hold<T>(id: string, fn: (claimed: Claimed) => Promise<T>): Promise<{ ran: true; value: T } | ({ ran: false } & NotTaken)> {
    const claim = await this.claim(id);
    if (!claim.taken) return { ran: false, ...claim };
    let warned = false;
    const renew = () =>
      // Released with the final state: nothing left to renew (and no lease "lost").
      !claim.claimed.lease.released &&
      this.renew(id, claim.holder).then(
        (ok) => {
          if (!ok && !warned) {
            warned = true;
            this.log.warn({ id, holder: claim.holder }, 'lost the lease of a message while working on it (held up longer than ingest.leaseMs?)');
          }
        },
        (err) => this.log.warn({ id, err: (err as Error).message }, 'could not renew a message lease'),
      );
    const timer = setInterval(renew, Math.max(50, Math.floor(this.leaseMs / 3)));
    timer.unref();
    try {
      return { ran: true, value: await fn(claim.claimed) };
    } finally {
      clearInterval(timer);
      if (!claim.claimed.lease.released)
        await this.release(id, claim.holder).catch((err) =>
          this.log.warn({ id, err: (err as Error).message }, 'could not release a message lease; it lapses by itself'),
        );
    }
  }

  /**
   * The ingest job's processor around `run`: a held message's job is delayed until the lease would
   * lapse (not counted as an attempt); a settled message's job completes without running anything.
   */
  async process<T>(job: Job<{ id: string }>, token: string | undefined, run: (claimed?: Claimed) => Promise<T>): Promise<T | string> {
    const id = job.data.id;
    const r = await this.hold(id, run);
    if (r.ran) return r.value;
    if (r.reason === 'missing') return run(); // fails as before: "inbound message … not found"
    if (r.reason === 'settled') return id;
    // Look again when the lease would lapse, or sooner (a quarter lease): a holder on this host that dies meanwhile is taken over at once.
    const delay = Math.max(200, Math.min(r.retryInMs + 100, Math.floor(this.leaseMs / 4)));
    this.log.info({ id, holder: r.holder, delay }, 'message held by another run; job delayed');
    await job.moveToDelayed(Date.now() + delay, token);
    throw new DelayedError();
  }
}

/** An owner "<host>:<pid>:<random>:<run>" that was a process of this host and is gone. */
export function deadHere(owner: string): boolean {
  const parts = owner.split(':');
  if (parts.length < 4) return false;
  const pid = Number(parts.at(-3));
  return parts.slice(0, -3).join(':') === hostname() && Number.isInteger(pid) && pid > 0 && pid !== process.pid && !processAlive(pid);
}
