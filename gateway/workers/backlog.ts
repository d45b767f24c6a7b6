/**
 * How far behind the pipeline is (docs/operations.md, "Is the pipeline keeping up?"): messages not
 * yet decided, by state, the oldest of them and its age, and the depth of the queues that feed the
 * workers. `GET /api/status` and `vanthu status` show it; the accept side keeps answering 250 while
 * it can store durably, so a growing backlog is seen here, not as refused mail.
 */
import type { Clock } from '../clock.ts';
import type { Database } from '../store/db.ts';
import { TERMINAL_STATES } from './states.ts';

export interface PipelineStatus {
  /** When this was read (the app's clock), ISO 8601. */
  at: string;
  /** Messages accepted and not yet decided or failed (waiting for OCR included). */
  undecided: number;
  byState: Record<string, number>;
  /** The undecided message received first, and how long ago. */
  oldestUndecided: { id: string; state: string; receivedAt: string; ageSeconds: number } | null;
  /** Messages that ended `failed` (they need an operator). */
  failed: number;
  /** Jobs per queue and state; null when Redis could not be asked (offline CLI, Redis down). */
  queues: Record<string, Record<string, number>> | null;
  /** Why `queues` is null. */
  queuesError?: string;
}

export interface QueueCounts {
  counts(): Promise<Record<string, number>>;
}

export async function readPipelineStatus(database: Database, clock: Clock, queues: Record<string, QueueCounts> | null): Promise<PipelineStatus> {
  const terminal = [...TERMINAL_STATES];
  const [byStateRows, oldestRows] = await Promise.all([
    database.query<{ state: string; n: number }>('select state, count(*)::int as n from inbound_messages group by state', []),
    database.query<{ id: string; state: string; received_at: Date | string }>(
      'select id, state, received_at from inbound_messages where state <> all($1::text[]) order by received_at limit 1',
      [terminal],
    ),
  ]);
  const byState: Record<string, number> = {};
  let undecided = 0;
  let failed = 0;
  for (const r of byStateRows) {
    if (r.state === 'failed') failed = r.n;
    if (terminal.includes(r.state as (typeof terminal)[number])) continue;
    byState[r.state] = r.n;
    undecided += r.n;
  }
  const now = clock.now();
  const o = oldestRows[0];
  const receivedAt = o ? new Date(o.received_at) : null;
  const status: PipelineStatus = {
    at: now.toISOString(),
    undecided,
    byState,
    oldestUndecided:
      o && receivedAt
        ? { id: o.id, state: o.state, receivedAt: receivedAt.toISOString(), ageSeconds: Math.max(0, Math.round((now.getTime() - receivedAt.getTime()) / 1000)) }
        : null,
    failed,
    queues: null,
  };
  if (queues) {
    try {
      const entries = await Promise.all(Object.entries(queues).map(async ([name, q]) => [name, await q.counts()] as const));
      status.queues = Object.fromEntries(entries);
    } catch (err) {
      status.queuesError = (err as Error).message;
    }
  }
  return status;
}
