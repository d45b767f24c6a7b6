/**
 * The trail of outgoing documents (GET /api/outgoing/trail): for each entry of a unit's outgoing
 * book, newest number first, when it was numbered and, per recipient, whether and when it was
 * signed, sent, delivered and acknowledged (a receipt, or the recipient's notice that it was
 * handled) — what the outgoing side already records (gateway/outgoing/tracking.ts: delivery
 * states only move forward, DSNs and receipts kept as evidence). An entry numbered but never sent
 * through vanthu (a paper document) has no recipients here.
 *
 * Signed: the message's transport signatures (DKIM, S/MIME, edXML) as stored; the document's own
 * signature is `false` when the clerk sent it unsigned (audit `outgoing.send_unsigned`), `true`
 * when `outgoing.requireSigned` is on and it was not, `null` (not checked) otherwise.
 * It reads the outgoing side's tables by name (raw SQL): the domain folders may not import each other.
 */
import { sql } from 'drizzle-orm';
import { rows } from '../db.ts';
import type { RegistryRuntime } from '../runtime.ts';

export interface TrailStep {
  done: boolean;
  at: string | null;
}

export interface RecipientTrail {
  recipient: string;
  name: string | null;
  state: string;
  attempts: number;
  lastError: string | null;
  response: string | null;
  sent: TrailStep;
  delivered: TrailStep;
  receipt: TrailStep & { handled: boolean };
  failed: boolean;
}

export interface OutgoingTrail {
  entryId: string;
  year: number;
  number: number;
  notation: string;
  issuedDate: string;
  typeName: string | null;
  subject: string | null;
  signer: string | null;
  numberedAt: string;
  /** The message sent through vanthu; null for an entry numbered only. */
  outgoingId: string | null;
  sentAt: string | null;
  signing: { document: boolean | null; dkim: boolean; smime: boolean; edxml: boolean } | null;
  recipients: RecipientTrail[];
}

interface MessageRow {
  id: string;
  entry_id: string;
  created_at: string | Date;
  signing: { dkim: boolean; smime: boolean; edxml: boolean } | string;
}
interface DeliveryRow {
  outgoing_id: string;
  recipient: string;
  recipient_name: string | null;
  state: string;
  attempts: number | string;
  response: string | null;
  last_error: string | null;
  evidence: Array<{ state: string; at: string }> | string;
  sent_at: string | Date | null;
  received_at: string | Date | null;
  handled_at: string | Date | null;
}

const iso = (v: string | Date | null) => (v === null ? null : new Date(v).toISOString());
const json = <T>(v: T | string): T => (typeof v === 'string' ? (JSON.parse(v) as T) : v);
const RANK: Record<string, number> = { queued: 0, sent: 1, delivered: 2, failed: 2, received: 3, handled: 4 };
const inList = (ids: string[]) =>
  sql.join(
    ids.map((id) => sql`${id}`),
    sql`, `,
  );

export async function outgoingTrail(
  rt: RegistryRuntime,
  q: { unitId: string | null; year: number; limit: number; offset: number },
): Promise<{ total: number; items: OutgoingTrail[] }> {
  const unit = q.unitId ? sql`and unit_id = ${q.unitId}` : sql``;
  const [{ n }] = await rows<{ n: number | string }>(rt.db, sql`select count(*) as n from outgoing_entries where year = ${q.year} ${unit}`);
  const entries = await rows<{
    id: string;
    year: number;
    number: number;
    notation: string;
    issued_date: string;
    type_name: string | null;
    subject: string | null;
    signer: string | null;
    created_at: string | Date;
  }>(
    rt.db,
    sql`select id, year, number, notation, issued_date, type_name, subject, signer, created_at from outgoing_entries
        where year = ${q.year} ${unit} order by created_at desc, number desc limit ${q.limit} offset ${q.offset}`,
  );
  if (!entries.length) return { total: Number(n), items: [] };
  const messages = await rows<MessageRow>(
    rt.db,
    sql`select id, entry_id, created_at, signing from outgoing_messages where entry_id in (${inList(entries.map((e) => e.id))}) order by created_at`,
  );
  const ids = messages.map((m) => m.id);
  const deliveries = ids.length
    ? await rows<DeliveryRow>(
        rt.db,
        sql`select outgoing_id, recipient, recipient_name, state, attempts, response, last_error, evidence, sent_at, received_at, handled_at
            from outgoing_deliveries where outgoing_id in (${inList(ids)}) order by recipient`,
      )
    : [];
  const unsigned = ids.length
    ? new Set(
        (
          await rows<{ entity_id: string }>(
            rt.db,
            sql`select entity_id from audit_log where entity = 'outgoing' and action = 'outgoing.send_unsigned' and entity_id in (${inList(ids)})`,
          )
        ).map((r) => r.entity_id),
      )
    : new Set<string>();
  const requireSigned = rt.config.outgoing.requireSigned;

  const items = entries.map((e): OutgoingTrail => {
    const msg = messages.find((m) => m.entry_id === e.id) ?? null;
    const signing = msg ? json(msg.signing) : null;
    return {
      entryId: e.id,
      year: Number(e.year),
      number: Number(e.number),
      notation: e.notation,
      issuedDate: e.issued_date,
      typeName: e.type_name,
      subject: e.subject,
      signer: e.signer,
      numberedAt: iso(e.created_at)!,
      outgoingId: msg?.id ?? null,
      sentAt: msg ? iso(msg.created_at) : null,
      signing: msg && signing ? { document: unsigned.has(msg.id) ? false : requireSigned ? true : null, ...signing } : null,
      recipients: msg ? deliveries.filter((d) => d.outgoing_id === msg.id).map(recipientTrail) : [],
    };
  });
  return { total: Number(n), items };
}

function recipientTrail(d: DeliveryRow): RecipientTrail {
  const rank = RANK[d.state] ?? 0;
  const failed = d.state === 'failed';
  const evidence = json(d.evidence);
  const firstAt = (state: string) => evidence.find((x) => x.state === state)?.at ?? null;
  // Delivery is proven by a DSN (evidence "delivered") or by anything later the recipient sent.
  const delivered = !failed && rank >= 2;
  return {
    recipient: d.recipient,
    name: d.recipient_name,
    state: d.state,
    attempts: Number(d.attempts),
    lastError: d.last_error,
    response: d.response,
    sent: { done: d.sent_at !== null || (rank >= 1 && !failed), at: iso(d.sent_at) },
    delivered: { done: delivered, at: delivered ? (firstAt('delivered') ?? iso(d.received_at) ?? iso(d.handled_at)) : null },
    receipt: { done: rank >= 3, handled: rank >= 4, at: iso(d.received_at) },
    failed,
  };
}
