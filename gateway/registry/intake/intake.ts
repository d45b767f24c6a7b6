/**
 * From a processed message to documents: one per unit it was addressed to, decided by the unit's
 * policy. Idempotent per (message, unit): re-running only re-decides an item still waiting for
 * review (e.g. after the classifier or a trust anchor changed); anything a clerk or the policy
 * already settled is returned as it is.
 */
import { and, eq, ne, notInArray, or, sql } from 'drizzle-orm';
import type { Classification } from '../../documents/types.ts';
import { newId } from '../../store/ids.ts';
import type { inboundMessages } from '../../store/schema.ts';
import { appendAudit } from '../audit.ts';
import { lockKey, type Tx } from '../db.ts';
import { dedupKey, fieldsFromClassification, searchText, type DocFields } from './fields.ts';
import { ALERT_ACTION, alertRaised, duplicateAlertReason, duplicateDifferences, type Difference, type DuplicateAlert } from './integrity.ts';
import { decide, unitPolicy, type Action, type PolicyInput, type VerifyResult } from './decide.ts';
import { registerInTx, routeFor, type DocumentRow } from '../books/register.ts';
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
const SETTLED_ELSEWHERE = ['returned', 'not_document', 'linked'];

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
  for (const unitId of message.unitIds) {
    const route = await routeFor(rt, { unitId, ...fields }, message.rcptTo, parse?.text ?? null);
    const outcome = await rt.db.transaction((tx) =>
      intakeForUnit(tx, rt, { message, unitId, fields, hashes, classification, verify, parse, route, outcome: stoppedBy }),
    );
    out.push(outcome);
  }
  rt.kick();
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

function outcomeOf(doc: DocumentRow, action: Action): IntakeOutcome {
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

async function intakeForUnit(tx: Tx, rt: RegistryRuntime, u: UnitIntake): Promise<IntakeOutcome> {
  // Duplicate detection and insertion must not interleave between workers of the same unit.
  await lockKey(tx, `intake:${u.unitId}`);
  const [existing] = await tx
    .select()
    .from(documents)
    .where(and(eq(documents.inboundId, u.message.id), eq(documents.unitId, u.unitId)))
    .for('update');
  if (existing && existing.status !== 'review') return outcomeOf(existing, ACTION_OF[existing.status] ?? 'register');
  const key = dedupKey(u.fields);
  const original = await findDuplicate(tx, u.unitId, u.message.id, key, u.hashes, u.parse?.messageId ?? u.message.messageId);
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
      unitId: u.unitId,
      action: decision.action,
      documentId: null,
      status: null,
      bookYear: null,
      bookNumber: null,
      linkedTo: null,
      reasons: decision.reasons,
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
  let [doc] = existing
    ? await tx.update(documents).set(values).where(eq(documents.id, existing.id)).returning()
    : await tx
        .insert(documents)
        .values({ id: newId(at.getTime()), unitId: u.unitId, inboundId: u.message.id, arrivalAt: u.message.receivedAt, createdAt: at, ...values })
        .returning();
  await appendAudit(
    tx,
    {
      actor: SYSTEM,
      action: 'document.intake',
      entity: 'document',
      entityId: doc.id,
      data: { inboundId: u.message.id, unitId: u.unitId, decision: decision.action, reasons: decision.reasons, linkedTo: decision.linkTo },
    },
    at,
  );
  if (decision.action === 'register') doc = await registerInTx(tx, rt, doc, SYSTEM, u.route);
  if (original && differences.length && !(await alertRaised(tx, original.id, doc.id))) {
    const alert: DuplicateAlert = {
      duplicateId: doc.id,
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
  return outcomeOf(doc, decision.action);
}

/** An earlier document of the unit this one repeats: same notation + issuer + date, same attachment, or same Internet Message-ID. */
async function findDuplicate(tx: Tx, unitId: string, inboundId: string, key: string | null, hashes: string[], mid: string | null): Promise<DocumentRow | null> {
  const byKey = key ? eq(documents.dedupKey, key) : undefined;
  const byHash = hashes.length
    ? sql`${documents.attachmentHashes} ?| array[${sql.join(
        hashes.map((h) => sql`${h}`),
        sql`, `,
      )}]::text[]`
    : undefined;
  // The same Message-ID with other bytes (the accept path merges identical ones): a copy to compare.
  const byMid = mid ? eq(documents.internetMessageId, mid) : undefined;
  if (!byKey && !byHash && !byMid) return null;
  const [first] = await tx
    .select()
    .from(documents)
    .where(and(eq(documents.unitId, unitId), ne(documents.inboundId, inboundId), notInArray(documents.status, SETTLED_ELSEWHERE), or(byKey, byHash, byMid)))
    .orderBy(documents.createdAt)
    .limit(1);
  return first ?? null;
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
