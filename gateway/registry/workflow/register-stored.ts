/**
 * `vanthu register <message-id>` / POST /api/messages/{id}/register on any stored message
 * (docs/cli.md, "register"): its review items are approved as before; a message the policy did not
 * put in the book — kept as correspondence, marked not a document, undecided, or failed — gets a
 * review item made from what the pipeline stored (the classifier's fields, the parsed subject and
 * sender), which is then approved with the clerk's corrections. Decree 30's required fields are
 * still required (422 naming them): `--set notation=… --set issuer=…` fills what was not read.
 * A document already in the book, or linked as a duplicate of one, is refused (409) with its number.
 */
import { and, eq } from 'drizzle-orm';
import type { Classification } from '../../documents/types.ts';
import { newId } from '../../store/ids.ts';
import { inboundMessages, messageStages } from '../../store/schema.ts';
import { authorizeUnit, canSeeDocument, messageAccess, type Principal } from '../access/policy.ts';
import { messageFacts } from '../access/records.ts';
import { appendAudit } from '../audit.ts';
import type { DocumentRow } from '../books/register.ts';
import { notFound, RegistryError } from '../errors.ts';
import { dedupKey, fieldsFromClassification, searchText } from '../intake/fields.ts';
import type { RegistryRuntime } from '../runtime.ts';
import { documents } from '../schema.ts';
import { actorOf, approve } from './workflow.ts';

const REVIEWABLE = ['review', 'quarantined'];
/** Settled by the policy or a clerk as "not for the book": a clerk may still register it by hand. */
const REOPENABLE = ['not_document'];

interface Stored {
  classify: Classification | null;
  parse: { subject?: string | null; messageId?: string | null; from?: Array<{ address: string | null }>; text?: string | null } | null;
  verify: { verdict?: string } | null;
}

async function storedResults(rt: RegistryRuntime, id: string): Promise<Stored> {
  const rows = await rt.db.select({ stage: messageStages.stage, result: messageStages.result }).from(messageStages).where(eq(messageStages.messageId, id));
  const of = (s: string) => rows.find((r) => r.stage === s)?.result ?? null;
  const c = of('classify') as Classification | null;
  return { classify: c && typeof c.kind === 'string' ? c : null, parse: of('parse') as Stored['parse'], verify: of('verify') as Stored['verify'] };
}

/** A review item for (message, unit) made by hand; the audit log says who and why. */
async function openReviewItem(rt: RegistryRuntime, p: Principal, message: typeof inboundMessages.$inferSelect, unitId: string): Promise<DocumentRow> {
  const s = await storedResults(rt, message.id);
  const fields = fieldsFromClassification(s.classify, s.parse?.subject ?? message.subject);
  const at = rt.clock.now();
  const reasons = ['Văn thư vào sổ thủ công từ thư đã lưu (registered by hand from a stored message)'];
  return rt.db.transaction(async (tx) => {
    const [doc] = await tx
      .insert(documents)
      .values({
        id: newId(at.getTime()),
        unitId,
        inboundId: message.id,
        arrivalAt: message.receivedAt,
        createdAt: at,
        ...fields,
        dueSource: fields.dueDate ? 'document' : null,
        status: 'review',
        reasons,
        internetMessageId: s.parse?.messageId ?? message.messageId,
        senderAddress: s.parse?.from?.[0]?.address ?? message.fromAddr ?? message.mailFrom,
        viaEdxml: s.classify?.document?.source === 'edxml',
        confidence: s.classify ? Math.round(s.classify.confidence * 100) : null,
        verdict: s.verify?.verdict ?? null,
        dedupKey: dedupKey(fields),
        searchText: searchText(fields, s.parse?.text ?? null),
        updatedAt: at,
      })
      .returning();
    await appendAudit(
      tx,
      {
        actor: actorOf(p),
        action: 'document.intake',
        entity: 'document',
        entityId: doc.id,
        data: { inboundId: message.id, unitId, decision: 'manual', reasons },
      },
      at,
    );
    return doc;
  });
}

async function reopen(rt: RegistryRuntime, p: Principal, doc: DocumentRow): Promise<void> {
  const at = rt.clock.now();
  await rt.db.transaction(async (tx) => {
    await tx.update(documents).set({ status: 'review', updatedAt: at }).where(eq(documents.id, doc.id));
    await appendAudit(tx, { actor: actorOf(p), action: 'document.reopen', entity: 'document', entityId: doc.id, data: { from: doc.status, to: 'review' } }, at);
  });
}

export async function registerStoredMessage(
  rt: RegistryRuntime,
  p: Principal,
  inboundId: string,
  corrections: Record<string, unknown> = {},
  unit?: string | null,
): Promise<DocumentRow[]> {
  const facts = (await messageFacts(rt.db, [inboundId])).get(inboundId);
  if (!facts || messageAccess(p, facts) !== 'full') throw notFound(`thư ${inboundId} (message)`);
  const [message] = await rt.db.select().from(inboundMessages).where(eq(inboundMessages.id, inboundId));
  if (!message) throw notFound(`thư ${inboundId} (message)`);
  if (unit && !message.unitIds.includes(unit))
    throw new RegistryError(400, `Thư ${inboundId} không gửi tới đơn vị "${unit}" (the message was for ${message.unitIds.join(', ')})`);
  // The units this caller registers for: the one asked for, else every addressed unit they act for.
  const units = (unit ? [unit] : message.unitIds).filter((u) => p.role === 'admin' || u === p.unitId);
  if (!units.length) throw notFound(`thư ${inboundId} (message)`);
  const out: DocumentRow[] = [];
  for (const unitId of units) {
    authorizeUnit(p, 'documents.review', unitId);
    const [doc] = await rt.db
      .select()
      .from(documents)
      .where(and(eq(documents.inboundId, inboundId), eq(documents.unitId, unitId)));
    if (doc && !canSeeDocument(p, doc)) continue;
    if (doc?.bookNumber != null)
      throw new RegistryError(
        409,
        `Thư ${inboundId} đã vào sổ số ${doc.bookNumber}/${doc.bookYear} (already registered as no. ${doc.bookNumber}/${doc.bookYear})`,
      );
    if (doc?.status === 'linked')
      throw new RegistryError(409, `Thư ${inboundId} là bản trùng của văn bản ${doc.linkedTo} (a duplicate of a registered document)`);
    if (doc && !REVIEWABLE.includes(doc.status) && !REOPENABLE.includes(doc.status))
      throw new RegistryError(409, `Trạng thái "${doc.status}" không cho phép vào sổ (not allowed in status ${doc.status})`);
    if (doc && REOPENABLE.includes(doc.status)) await reopen(rt, p, doc);
    const item = doc ?? (await openReviewItem(rt, p, message, unitId));
    out.push(await approve(rt, p, item.id, corrections));
  }
  if (!out.length) throw notFound(`thư ${inboundId} (message)`);
  return out;
}
