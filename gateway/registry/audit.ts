/**
 * The audit log: every state change of the registry, appended in the same transaction as the
 * change. Rows are hash-chained (hash = SHA-256 of the previous hash and the row's canonical
 * JSON), and appends serialise on the one-row audit_head, so the chain is total across processes.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { asc, gt, sql, type SQL } from 'drizzle-orm';
import { auditLog } from './schema.ts';
import { commitWithNext, type Db } from '../store/db.ts';
import { rows, type Tx } from './db.ts';

export const GENESIS = '0'.repeat(64);

export interface AuditEntry {
  actor: string;
  action: string;
  entity: string;
  entityId: string;
  data?: Record<string, unknown>;
}

/** JSON with object keys sorted at every level: the same value always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

interface Hashed {
  seq: number;
  at: Date;
  actor: string;
  action: string;
  entity: string;
  entityId: string;
  data: unknown;
}

export function rowHash(prevHash: string, r: Hashed): string {
  const body = canonicalJson({ seq: r.seq, at: r.at.toISOString(), actor: r.actor, action: r.action, entity: r.entity, entityId: r.entityId, data: r.data });
  return createHash('sha256').update(prevHash).update('\n').update(body).digest('hex');
}

/**
 * Where the actions inside `fn` came from, e.g. `{ channel: 'mail', messageId }` for a reply to a
 * notice (docs/act-by-email.md): every entry appended meanwhile carries it as `data.via`, in the
 * same transaction as the change it records.
 */
const auditVia = new AsyncLocalStorage<Record<string, unknown>>();
/** withAuditVia runs not yet settled: the storage is on while there is one (see withAuditVia). */
let viaRuns = 0;
export async function withAuditVia<T>(via: Record<string, unknown>, fn: () => Promise<T>): Promise<T> {
  viaRuns++;
  try {
    return await auditVia.run(via, fn);
  } finally {
    // On Node 20 a storage that ran once keeps async hooks on for every promise the process makes
    // (every await then pays init/before/after hooks: ~2.5× the cost of a bare await), and every
    // /api call runs in one: the ingest pipeline paid it from the first console request on.
    // Turned off once no run is in flight; the next run turns it on again. A continuation a
    // handler leaves behind (not awaited) may so find no `via` once its request has ended.
    if (--viaRuns === 0) auditVia.disable();
  }
}

export async function appendAudit(tx: Tx, entry: AuditEntry, at: Date, alongside?: SQL, opts: AppendOptions = {}): Promise<number> {
  const [seq] = await appendAudits(tx, [entry], at, alongside, null, opts);
  return seq;
}

/**
 * The audit head taken for `count` entries by a statement of the caller's, in the same transaction:
 * intake takes it with the book number, one statement for both (registry/intake/intake.ts).
 */
export interface TakenHead {
  seq: string | number;
  hash: string;
  count: number;
  /**
   * The head was read and locked (`for update`) but not moved: `seq` is what it will be, and the
   * statement that inserts the entries moves it too (intake on the embedded database).
   */
  unmoved?: boolean;
}

/** How an append ends its transaction's work (appendAudits). */
export interface AppendOptions {
  /** The statement that inserts the entries is the transaction's last: its commit goes with it (pglite-client.ts commitWithNext). */
  last?: boolean;
}

/**
 * The statement that takes the next `count` sequence numbers (columns `seq`, the last of them, and
 * `hash`): the head row's lock is held to the commit. No row when the head row is missing.
 */
function takeAuditHead(count: number): SQL {
  return sql`update audit_head set seq = seq + ${count} where id = 1 returning seq, hash`;
}

/**
 * Appends entries in order, in two statements whatever their number (one when the caller took
 * the head in a statement of its own: `taken`): the head takes the next
 * sequence numbers (and keeps its row lock to the commit, so appends serialise), then one
 * statement inserts the rows and moves the head's hash. `alongside`, a data-modifying statement
 * (insert or update), runs in that second statement: the change the entries record, written with
 * them (intake's document row). The head row exists from migration 0010 on; a database without it
 * (rows deleted by hand) gets it at its first append. A head taken `unmoved` (read and locked, not
 * moved) is moved by that second statement; `opts.last` sends the commit with it.
 */
export async function appendAudits(
  tx: Tx,
  entries: AuditEntry[],
  at: Date,
  alongside?: SQL,
  taken?: TakenHead | null,
  opts: AppendOptions = {},
): Promise<number[]> {
  if (!entries.length) throw new Error('appendAudits: no entries');
  if (taken && taken.count !== entries.length) throw new Error(`appendAudits: head taken for ${taken.count} entries, ${entries.length} given`);
  const via = auditVia.getStore();
  const take = () => rows<{ seq: string | number; hash: string }>(tx, takeAuditHead(entries.length));
  let [head] = taken ? [taken] : await take();
  if (!head) {
    await tx.execute(sql`insert into audit_head (id, seq, hash) values (1, 0, ${GENESIS}) on conflict do nothing`);
    [head] = await take();
  }
  const first = Number(head.seq) - entries.length + 1;
  let prevHash = head.hash;
  const values: SQL[] = [];
  const seqs: number[] = [];
  for (const [i, entry] of entries.entries()) {
    // Millisecond precision survives the timestamptz round trip, so verify recomputes the same hash.
    const row: Hashed = {
      seq: first + i,
      at: new Date(at.getTime()),
      actor: entry.actor,
      action: entry.action,
      entity: entry.entity,
      entityId: entry.entityId,
      data: JSON.parse(JSON.stringify(via ? { ...entry.data, via } : (entry.data ?? {}))),
    };
    const hash = rowHash(prevHash, row);
    values.push(
      sql`(${row.seq}::bigint, ${row.at.toISOString()}::timestamptz, ${row.actor}, ${row.action}, ${row.entity}, ${row.entityId}, ${JSON.stringify(row.data)}::jsonb, ${prevHash}, ${hash})`,
    );
    seqs.push(row.seq);
    prevHash = hash;
  }
  const moved = taken?.unmoved ? sql`, seq = seq + ${entries.length}` : sql``;
  if (opts.last) commitWithNext(tx);
  await tx.execute(sql`with ${alongside ? sql`change as (${alongside}), ` : sql``}entries as (insert into audit_log (seq, at, actor, action, entity, entity_id, data, prev_hash, hash) values ${sql.join(values, sql`, `)})
    update audit_head set hash = ${prevHash}${moved} where id = 1`);
  return seqs;
}

export interface AuditVerification {
  ok: boolean;
  rows: number;
  head: string;
  /** First row that does not fit the chain, with why. */
  broken: null | { seq: number; reason: string };
}

export async function verifyAudit(db: Db, pageSize = 1000): Promise<AuditVerification> {
  let prev = GENESIS;
  let expectSeq = 1;
  let count = 0;
  for (;;) {
    const page = await db
      .select()
      .from(auditLog)
      .where(gt(auditLog.seq, expectSeq - 1))
      .orderBy(asc(auditLog.seq))
      .limit(pageSize);
    for (const r of page) {
      const fail = (reason: string): AuditVerification => ({ ok: false, rows: count, head: prev, broken: { seq: r.seq, reason } });
      if (r.seq !== expectSeq) return fail(`missing row ${expectSeq} (next is ${r.seq})`);
      if (r.prevHash !== prev) return fail('prev_hash does not match the previous row');
      if (rowHash(prev, r) !== r.hash) return fail('row content does not match its hash (changed after writing)');
      prev = r.hash;
      expectSeq++;
      count++;
    }
    if (page.length < pageSize) break;
  }
  const [head] = await rows<{ seq: string | number; hash: string }>(db, sql`select seq, hash from audit_head where id = 1`);
  if (head && (Number(head.seq) !== count || head.hash !== prev)) {
    return { ok: false, rows: count, head: prev, broken: { seq: count + 1, reason: `rows after ${count} were removed (head says ${head.seq})` } };
  }
  return { ok: true, rows: count, head: prev, broken: null };
}
