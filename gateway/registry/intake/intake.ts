/**
 * From a processed message to documents: one per unit it was addressed to, decided by the unit's
 * policy. Idempotent per (message, unit): re-running only re-decides an item still waiting for
 * review (e.g. after the classifier or a trust anchor changed); anything a clerk or the policy
 * already settled is returned as it is.
 */
import { and, eq, sql, type SQL } from 'drizzle-orm';
import type { Classification } from '../../documents/types.ts';
import { newId } from '../../store/ids.ts';
import type { inboundMessages } from '../../store/schema.ts';
import { appendAudit, appendAudits, type AuditEntry, type TakenHead } from '../audit.ts';
import { lockKey, rows, type Tx } from '../db.ts';
import { dedupKey, fieldsFromClassification, searchText, type DocFields } from './fields.ts';
import { ALERT_ACTION, alertRaised, duplicateAlertReason, duplicateDifferences, type Difference, type DuplicateAlert } from './integrity.ts';
import { decide, unitPolicy, type Action, type PolicyInput, type VerifyResult } from './decide.ts';
import { nextBookNumber, nextBookNumberSql } from '../books/books.ts';
import { bookEntry, routeFor, type DocumentRow } from '../books/register.ts';
import type { RoutingSuggestion } from '../workflow/routing.ts';
import type { RegistryRuntime } from '../runtime.ts';
import { documents, outgoingEntries } from '../schema.ts';

type InboundRow = typeof inboundMessages.$inferSelect;

interface ParseResult {
  messageId?: string | null;
  subject?: string | null;
  from?: Array<{ address: string | null }>;
  text?: string | null;
  attachments?: Array<{ sha256: string; contentType: string; filename?: string | null }>;
}

export interface IntakeOutcome {
  unitId: string;
  action: Action;
  documentId: string | null;
  status: string | null;
  bookYear: number | null;
  bookNumber: number | null;
  linkedTo: string | null;
  reasons: string[];
}

const SYSTEM = 'system:register';
/** Items that no longer stand for the document (so a new arrival is not a duplicate of them). */
const SETTLED_ELSEWHERE = ['returned', 'not_document', 'linked', 'forwarded'];

function asClassification(v: unknown): Classification | null {
  return v && typeof v === 'object' && typeof (v as Classification).kind === 'string' ? (v as Classification) : null;
}

/** The permanent outcome the pipeline stopped the message with (results.outcome, set by the register stage). */
function asOutcome(v: unknown): { code: string; reason: string } | null {
  return v && typeof v === 'object' && typeof (v as { code?: unknown }).code === 'string' && typeof (v as { reason?: unknown }).reason === 'string'
    ? (v as { code: string; reason: string })
    : null;
}

/** The OCR read the classification came from (gateway/workers/stages/ocr-input.ts), as decide() needs it. */
function asOcrRead(v: unknown): PolicyInput['ocr'] {
  const o =
    v && typeof v === 'object' ? (v as { ocr?: { confidence?: unknown; notationConfidence?: unknown; minConfidence?: unknown; low?: unknown } }).ocr : null;
  if (!o || typeof o.confidence !== 'number' || typeof o.minConfidence !== 'number') return null;
  const confidence = Math.round(Math.min(o.confidence, typeof o.notationConfidence === 'number' ? o.notationConfidence : o.confidence));
  return { confidence, minConfidence: o.minConfidence, low: o.low === true };
}

function asVerify(v: unknown): VerifyResult | null {
  return v && typeof v === 'object' && typeof (v as VerifyResult).verdict === 'string' ? (v as VerifyResult) : null;
}

/**
 * Attachments that carry documents; images (logos, signature pictures) repeat across unrelated mail,
 * and an S/MIME signature part differs each time the same content is signed.
 */
function documentHashes(parse: ParseResult | null): string[] {
  const list = (parse?.attachments ?? []).filter((a) => !/^(image|text)\/|^application\/(x-)?pkcs7-signature/i.test(a.contentType)).map((a) => a.sha256);
  return [...new Set(list)];
}

export async function intakeMessage(rt: RegistryRuntime, message: InboundRow, results: Record<string, unknown>): Promise<IntakeOutcome[]> {
  const classification = asClassification(results.classify);
  const verify = asVerify(results.verify);
  const parse = (results.parse ?? null) as ParseResult | null;
  const stoppedBy = asOutcome(results.outcome);
  const fields = fieldsFromClassification(classification, parse?.subject ?? message.subject);
  const hashes = documentHashes(parse);
  const out: IntakeOutcome[] = [];
  let followup = false;
  for (const unitId of message.unitIds) {
    const route = await routeFor(rt, { unitId, ...fields }, message.rcptTo, parse?.text ?? null);
    const r = await rt.db.transaction((tx) =>
      intakeForUnit(tx, rt, { message, unitId, fields, hashes, classification, verify, parse, route, outcome: stoppedBy }),
    );
    out.push(r.outcome);
    followup ||= r.followup;
  }
  // The follow-up sync looks for documents marked followup_pending: only worth a look when this intake marked one.
  if (followup) rt.kick();
  return out;
}

interface UnitIntake {
  message: InboundRow;
  unitId: string;
  fields: DocFields;
  hashes: string[];
  classification: Classification | null;
  verify: VerifyResult | null;
  parse: ParseResult | null;
  route: RoutingSuggestion;
  outcome: { code: string; reason: string } | null;
}

/** The columns of a document intake reads: the message's own document for the unit, and the original a copy repeats. */
type ExistingDoc = Pick<DocumentRow, 'id' | 'unitId' | 'status' | 'bookYear' | 'bookNumber' | 'linkedTo' | 'reasons'>;
type OriginalDoc = Pick<DocumentRow, 'id' | 'status' | 'bookNumber' | 'verdict' | 'attachmentHashes'>;

function outcomeOf(doc: ExistingDoc, action: Action): IntakeOutcome {
  return {
    unitId: doc.unitId,
    action,
    documentId: doc.id,
    status: doc.status,
    bookYear: doc.bookYear,
    bookNumber: doc.bookNumber,
    linkedTo: doc.linkedTo,
    reasons: doc.reasons,
  };
}

const ACTION_OF: Record<string, Action> = { review: 'review', quarantined: 'quarantine', linked: 'link', not_document: 'keep' };

/**
 * One unit's document for the message, in the caller's transaction: after the unit's lock, one
 * statement reads the message's document (if a run before wrote it) and the original it repeats;
 * the row is then written once, with its final status and book number, in the statement that
 * appends its audit entries (appendAudits).
 */
async function intakeForUnit(tx: Tx, rt: RegistryRuntime, u: UnitIntake): Promise<{ outcome: IntakeOutcome; followup: boolean }> {
  // Duplicate detection and insertion must not interleave between workers of the same unit
  // (PostgreSQL; the embedded database runs one transaction at a time: lockKey).
  await lockKey(tx, rt.database.kind, `intake:${u.unitId}`);
  const key = dedupKey(u.fields);
  // The embedded database runs one transaction at a time: the audit head is read (and locked) with the unit's documents, a
  // round trip less in a transaction that holds its one connection. On PostgreSQL the head is taken after the book number,
  // the order every registration locks them in.
  const headFirst = rt.database.kind === 'pglite';
  const { existing, original, head: read } = await readUnit(tx, u.unitId, u.message.id, key, u.hashes, u.parse?.messageId ?? u.message.messageId, headFirst);
  if (existing && existing.status !== 'review') return { outcome: outcomeOf(existing, ACTION_OF[existing.status] ?? 'register'), followup: false };
  // A copy that differs from the document it repeats (other bytes, another verdict) is never a
  // silent link: the original's record gets an alert, and a copy of a document still waiting for
  // the clerk is decided on its own instead of hiding behind it.
  const verdict = u.verify?.verdict ?? null;
  const names = Object.fromEntries((u.parse?.attachments ?? []).map((a) => [a.sha256, a.filename ?? null]));
  const differences: Difference[] = original
    ? duplicateDifferences({ hashes: original.attachmentHashes, verdict: original.verdict }, { hashes: u.hashes, verdict, names })
    : [];
  const originalWaits = !!original && original.bookNumber === null && ['review', 'quarantined'].includes(original.status);
  const duplicateOf = original && !(differences.length && originalWaits) ? original.id : null;
  const answers = u.classification?.kind === 'status' ? await findOutgoing(tx, u.unitId, u.fields.notation) : null;
  const decision = decide({
    classification: u.classification,
    verify: u.verify,
    policy: unitPolicy(rt.config.registry, u.unitId),
    duplicateOf,
    answers,
    fields: u.fields,
    outcome: u.outcome,
    ocr: asOcrRead(u.classification),
  });
  if (original && differences.length) decision.reasons.unshift(duplicateAlertReason(original.id, differences));
  const at = rt.clock.now();
  if ((decision.action === 'keep' || decision.action === 'drop') && !existing) {
    return {
      outcome: {
        unitId: u.unitId,
        action: decision.action,
        documentId: null,
        status: null,
        bookYear: null,
        bookNumber: null,
        linkedTo: null,
        reasons: decision.reasons,
      },
      followup: false,
    };
  }
  const status = { register: 'review', review: 'review', quarantine: 'quarantined', link: 'linked', keep: 'not_document', drop: 'not_document' }[
    decision.action
  ];
  const values = {
    ...u.fields,
    dueSource: u.fields.dueDate ? 'document' : null,
    status,
    reasons: decision.reasons,
    internetMessageId: u.parse?.messageId ?? u.message.messageId,
    senderAddress: u.parse?.from?.[0]?.address ?? u.message.fromAddr ?? u.message.mailFrom,
    viaEdxml: u.classification?.document?.source === 'edxml',
    confidence: u.classification ? Math.round(u.classification.confidence * 100) : null,
    verdict: u.verify?.verdict ?? null,
    routing: u.route,
    linkedTo: decision.linkTo,
    dedupKey: key,
    attachmentHashes: u.hashes,
    searchText: searchText(u.fields, u.parse?.text ?? null),
    followupPending: status === 'quarantined' || differences.length > 0,
    updatedAt: at,
  };
  const id = existing?.id ?? newId(at.getTime());
  const entries: AuditEntry[] = [
    {
      actor: SYSTEM,
      action: 'document.intake',
      entity: 'document',
      entityId: id,
      data: { inboundId: u.message.id, unitId: u.unitId, decision: decision.action, reasons: decision.reasons, linkedTo: decision.linkTo },
    },
  ];
  // Registered at once: the row is written with its book entry, and both audit entries with it;
  // the book number and the audit head for the two entries are taken in one statement (on the
  // embedded database the lookup read the head: the book number alone).
  let head: TakenHead | null = null;
  const take = async (year: number) => {
    if (read) return nextBookNumber(tx, u.unitId, year, 'incoming');
    const r = await bookAndAuditHead(tx, u.unitId, year, entries.length + 1);
    head = r.head;
    return r.number;
  };
  const entry = decision.action === 'register' ? await bookEntry(tx, rt, { unitId: u.unitId, ...values }, u.route, at, take) : null;
  if (entry) entries.push({ actor: SYSTEM, action: 'document.register', entity: 'document', entityId: id, data: entry.audit });
  if (read) head = { seq: Number(read.seq) + entries.length, hash: read.hash, count: entries.length, unmoved: true };
  const row = { ...values, ...entry?.set };
  const write = existing
    ? tx.update(documents).set(row).where(eq(documents.id, existing.id))
    : tx.insert(documents).values({ id, unitId: u.unitId, inboundId: u.message.id, arrivalAt: u.message.receivedAt, createdAt: at, ...row });
  const alerting = !!original && differences.length > 0;
  // Without an alert to raise, the write is the transaction's last statement: its commit goes with it.
  await appendAudits(tx, entries, at, write.getSQL(), head, { last: !alerting });
  if (alerting && original && !(await alertRaised(tx, original.id, id))) {
    const alert: DuplicateAlert = {
      duplicateId: id,
      inboundId: u.message.id,
      internetMessageId: values.internetMessageId,
      sender: values.senderAddress,
      receivedAt: u.message.receivedAt.toISOString(),
      originalVerdict: original.verdict,
      duplicateVerdict: verdict,
      originalHashes: original.attachmentHashes,
      duplicateHashes: u.hashes,
      differences,
      handling: decision.action === 'link' ? 'linked' : decision.action === 'register' ? 'registered' : decision.action === 'review' ? 'review' : 'other',
    };
    await appendAudit(tx, { actor: SYSTEM, action: ALERT_ACTION, entity: 'document', entityId: original.id, data: { ...alert } }, at);
  }
  const outcome = outcomeOf(
    {
      id,
      unitId: u.unitId,
      status: row.status,
      bookYear: entry?.set.bookYear ?? null,
      bookNumber: entry?.set.bookNumber ?? null,
      linkedTo: row.linkedTo,
      reasons: row.reasons,
    },
    decision.action,
  );
  return { outcome, followup: row.followupPending };
}

/** readUnit's statement (tests/statements-per-message.test.ts checks its plan: no sequential scan). */
export function unitLookup(unitId: string, inboundId: string, key: string | null, hashes: string[], mid: string | null, head = false): SQL {
  const open = sql`and inbound_id <> ${inboundId} and status <> all(${sql.param(SETTLED_ELSEWHERE)}::text[])`;
  const cols = sql`id, status, book_number, verdict, attachment_hashes, created_at`;
  // The same Message-ID with other bytes (the accept path merges identical ones): a copy to compare.
  return sql`with e as (select id, unit_id, status, book_year, book_number, linked_to, reasons from documents where inbound_id = ${inboundId} and unit_id = ${unitId} for update),
  o as (
    select ${cols} from documents where unit_id = ${unitId} and dedup_key = ${key} ${open}
    union select ${cols} from documents where attachment_hashes ?| ${sql.param(hashes)}::text[] and unit_id = ${unitId} ${open}
    union select ${cols} from documents where internet_message_id = ${mid} and unit_id = ${unitId} ${open}
    order by created_at limit 1)${head ? sql`, h as (select seq, hash from audit_head where id = 1 for update)` : sql``}
select (select row_to_json(e) from e) as existing, (select row_to_json(o) from o) as original${head ? sql`, (select row_to_json(h) from h) as head` : sql``}`;
}

/**
 * In one statement: the message's document for the unit (locked: a clerk's change waits for this
 * intake), and the earliest earlier document of the unit this one repeats — same notation + issuer
 * + date, same attachment, or same Internet Message-ID. Each of the three is its own indexed
 * lookup (documents_dedup; the GIN index documents_attachment_hashes of migration 0010;
 * documents_mid): an OR of them would read the unit's whole book for every message. With `head`
 * (the embedded database), the audit head too, locked to the commit and not moved yet.
 */
async function readUnit(
  tx: Tx,
  unitId: string,
  inboundId: string,
  key: string | null,
  hashes: string[],
  mid: string | null,
  head: boolean,
): Promise<{ existing: ExistingDoc | null; original: OriginalDoc | null; head: { seq: string | number; hash: string } | null }> {
  const [r] = await rows<{ existing: unknown; original: unknown; head?: unknown }>(tx, unitLookup(unitId, inboundId, key, hashes, mid, head));
  const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v) as Record<string, unknown> | null;
  const e = json(r?.existing);
  const o = json(r?.original);
  const h = json(r?.head);
  return {
    head: h ? { seq: h.seq as string | number, hash: h.hash as string } : null,
    existing: e
      ? {
          id: e.id as string,
          unitId: e.unit_id as string,
          status: e.status as string,
          bookYear: (e.book_year as number | null) ?? null,
          bookNumber: (e.book_number as number | null) ?? null,
          linkedTo: (e.linked_to as string | null) ?? null,
          reasons: (e.reasons as string[]) ?? [],
        }
      : null,
    original: o
      ? {
          id: o.id as string,
          status: o.status as string,
          bookNumber: (o.book_number as number | null) ?? null,
          verdict: (o.verdict as string | null) ?? null,
          attachmentHashes: (o.attachment_hashes as string[]) ?? [],
        }
      : null,
  };
}

/**
 * The unit's next incoming book number and the audit head for `count` entries, in one statement
 * (docs/architecture.md "Database writes"). The counter row is locked before the head row, the
 * order every registration takes them in (bookEntry, then appendAudits): the head's update waits
 * for the number (`exists` on it). `head` is null when the head row is missing (appendAudits then
 * creates it).
 */
async function bookAndAuditHead(tx: Tx, unitId: string, year: number, count: number): Promise<{ number: number; head: TakenHead | null }> {
  const [r] = await rows<{ last: number; seq: string | number | null; hash: string | null }>(
    tx,
    sql`with n as (${nextBookNumberSql(unitId, year, 'incoming')}),
  h as (update audit_head set seq = seq + ${count} where id = 1 and exists (select 1 from n) returning seq, hash)
select n.last, h.seq, h.hash from n left join h on true`,
  );
  return { number: Number(r.last), head: r.seq === null || r.hash === null ? null : { seq: r.seq, hash: r.hash, count } };
}

async function findOutgoing(tx: Tx, unitId: string, notation: string | null): Promise<string | null> {
  if (!notation) return null;
  const [o] = await tx
    .select({ id: outgoingEntries.id })
    .from(outgoingEntries)
    .where(and(eq(outgoingEntries.unitId, unitId), eq(outgoingEntries.notation, notation)))
    .limit(1);
  return o?.id ?? null;
}
