/**
 * The message row and its stage rows as one raw-SQL read (the lease claim and the ingest worker
 * read them so, docs/architecture.md "Database writes"), and such a row turned into what the ORM
 * would have returned.
 */
import { getTableColumns } from 'drizzle-orm';
import { inboundMessages } from '../store/schema.ts';
import type { InboundRow, StoredStage } from './pipeline.ts';

const MESSAGE_COLUMNS = Object.entries(getTableColumns(inboundMessages))
  .map(([key, c]) => `m.${c.name} as "${key}"`)
  .join(', ');

/**
 * The message row and its stage rows in one statement, from `source`: a table or WITH query named
 * `m` holding inbound_messages rows (the lease claim's update … returning, or a plain select).
 */
export function selectMessage(source: string, withStages = true): string {
  const stages = withStages
    ? `, (select coalesce(json_agg(json_build_object('stage', s.stage, 'status', s.status, 'result', s.result, 'error', s.error)), '[]'::json) from message_stages s where s.message_id = m.id) as "stages"`
    : '';
  return `select ${MESSAGE_COLUMNS}${stages} from ${source}`;
}

/** A row of selectMessage as the ORM would have read it (drivers differ in how they return timestamps and JSON). */
export function messageOf(r: Record<string, unknown>): { message: InboundRow; stages: StoredStage[] } {
  const date = (v: unknown) => (v === null || v === undefined ? null : v instanceof Date ? v : new Date(v as string));
  const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);
  const { stages, ...row } = r;
  const message = {
    ...row,
    receivedAt: date(row.receivedAt),
    enqueuedAt: date(row.enqueuedAt),
    leaseUntil: date(row.leaseUntil),
    updatedAt: date(row.updatedAt),
    rcptTo: json(row.rcptTo),
    unitIds: json(row.unitIds),
  } as InboundRow;
  return { message, stages: (json(stages) as StoredStage[] | undefined) ?? [] };
}
