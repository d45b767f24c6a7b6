/**
 * "Chuyển" (forward): a document that reached the wrong unit, or that another body must handle,
 * goes on as it came.
 * - To another unit of this gateway: the stored message is addressed to that unit too (its
 *   `unit_ids` and `rcpt_to` gain it, so the unit's people may read it) and the registry takes it in
 *   for that unit from the stage results the pipeline stored — the same intake a new arrival gets
 *   (that unit's policy decides: its review queue, or its book), with the forward's time as its
 *   arrival. Not a second copy through the accept: the durable accept knows the message by its
 *   Message-ID and body and would take it for a duplicate.
 * - To any other address: the original message re-sent unchanged with Resent-* fields in front
 *   (RFC 5322 §3.6.6) — its DKIM signature, S/MIME and signed PDFs still verify at the other end —
 *   through the Deliverer port (the mail transport).
 * The document leaves this unit's review queue with status `forwarded` and a `document.forward`
 * audit entry (who, to where, the note); the other unit's document gets `document.forwarded_in`.
 * Who: the unit's clerks and admins (`documents.review`), from review or from the book before it
 * is assigned (status review, quarantined, received). Secret documents are not forwarded.
 */
import { eq } from 'drizzle-orm';
import { newId } from '../../store/ids.ts';
import { inboundMessages, messageStages } from '../../store/schema.ts';
import { authorizeDocument, isSecret, type Principal } from '../access/policy.ts';
import { appendAudit } from '../audit.ts';
import { RegistryError, notFound } from '../errors.ts';
import type { DocumentRow } from '../books/register.ts';
import { intakeMessage } from '../intake/intake.ts';
import type { Deliverer } from '../ports.ts';
import type { RegistryRuntime } from '../runtime.ts';
import { documents } from '../schema.ts';
import { actorOf } from './workflow.ts';

export const FORWARDABLE = ['review', 'quarantined', 'received'];
const EMAIL = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/;

export interface ForwardInput {
  /** Another unit of this gateway (its first published address receives it). */
  unit?: string | null;
  /** Or any mail address: a person, another body. */
  address?: string | null;
  note?: string | null;
}

export interface Forwarded {
  doc: DocumentRow;
  to: string;
  unit: string | null;
  /** The other unit's document (a unit of this gateway), or the receiving server's answer. */
  document: { id: string; status: string | null } | null;
  response: string | null;
}

/** An RFC 2047 encoded word for a header value that is not ASCII. */
const encodeWord = (s: string) => (/^[\x20-\x7e]*$/.test(s) ? s : `=?UTF-8?B?${Buffer.from(s, 'utf8').toString('base64')}?=`);

/** The original bytes with Resent-* fields (and the note as Comments) in front; nothing of the original changes. */
export function resent(raw: Buffer, f: { from: string; to: string; at: Date; messageId: string; note: string | null }): Buffer {
  const lines = [
    `Resent-Date: ${f.at.toUTCString().replace('GMT', '+0000')}`,
    `Resent-From: <${f.from}>`,
    `Resent-To: <${f.to}>`,
    `Resent-Message-ID: <${f.messageId}>`,
    ...(f.note ? [`Comments: ${encodeWord(f.note.replace(/[\r\n]+/g, ' ').slice(0, 500))}`] : []),
  ];
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf8'), raw]);
}

export async function forwardDocument(rt: RegistryRuntime, deliverer: Deliverer, p: Principal, id: string, input: ForwardInput): Promise<Forwarded> {
  const [current] = await rt.db.select().from(documents).where(eq(documents.id, id));
  if (!current) throw notFound();
  authorizeDocument(p, 'documents.review', current);
  if (!FORWARDABLE.includes(current.status))
    throw new RegistryError(
      409,
      `Trạng thái "${current.status}" không chuyển được (cannot forward in status ${current.status}; expected ${FORWARDABLE.join('|')})`,
    );
  if (isSecret(current.secrecy)) throw new RegistryError(409, 'Văn bản mật không được chuyển qua thư điện tử (secret documents are not forwarded by mail)');
  const own = rt.config.units.find((u) => u.id === current.unitId);
  const address = input.address?.trim().toLowerCase() ?? '';
  // A unit of this gateway, by its id or one of its published addresses.
  const target = input.unit
    ? rt.config.units.find((u) => u.id === input.unit)
    : rt.config.units.find((u) => u.addresses.some((a) => a.toLowerCase() === address));
  if (input.unit && !target)
    throw new RegistryError(400, `Không có đơn vị "${input.unit}" (unknown unit; known: ${rt.config.units.map((u) => u.id).join(', ')})`);
  if (target?.id === current.unitId) throw new RegistryError(400, 'Văn bản đã ở đơn vị này (the document is already in this unit)');
  if (!target && !EMAIL.test(address)) throw new RegistryError(400, 'Cần đơn vị hoặc địa chỉ thư để chuyển (a unit or a mail address is required)');
  if (!current.inboundId) throw new RegistryError(409, 'Văn bản không có thư gốc để chuyển (no original message to forward)');
  const [message] = await rt.db.select().from(inboundMessages).where(eq(inboundMessages.id, current.inboundId));
  if (!message) throw new RegistryError(409, 'Văn bản không có thư gốc để chuyển (no original message to forward)');
  if (target && message.unitIds.includes(target.id))
    throw new RegistryError(409, `Thư đã gửi tới ${target.name} (the message was addressed to that unit already)`);

  const note = input.note?.normalize('NFC').trim() || null;
  const at = rt.clock.now();
  const from = own?.addresses[0] ?? rt.config.mail.from;
  const to = target ? target.addresses[0].toLowerCase() : address;
  let other: Forwarded['document'] = null;
  let response: string | null = null;
  if (target) other = await takeInFor(rt, p, message, target.id, to, { fromUnit: current.unitId, fromDocument: id, note }, at);
  else {
    if (!rt.blobs) throw new RegistryError(409, 'Văn bản không có thư gốc để chuyển (no original message to forward)');
    const domain = from.slice(from.lastIndexOf('@') + 1);
    const raw = resent(await rt.blobs.read(message.blobSha256), { from, to, at, messageId: `forward-${newId(at.getTime())}@${domain}`, note });
    response = (await deliverer.deliver(raw, rt.config.mail.from, to)).response;
  }
  const doc = await rt.db.transaction(async (tx) => {
    const [locked] = await tx.select().from(documents).where(eq(documents.id, id)).for('update');
    if (!locked || !FORWARDABLE.includes(locked.status)) throw new RegistryError(409, 'Văn bản vừa được xử lý ở nơi khác (changed meanwhile)');
    const [row] = await tx
      .update(documents)
      .set({ status: 'forwarded', remarks: note ?? locked.remarks, updatedAt: at })
      .where(eq(documents.id, id))
      .returning();
    await appendAudit(
      tx,
      {
        actor: actorOf(p),
        action: 'document.forward',
        entity: 'document',
        entityId: id,
        data: { from: locked.status, to: 'forwarded', unit: target?.id ?? null, address: to, note, document: other?.id ?? null, response },
      },
      at,
    );
    return row;
  });
  rt.kick();
  return { doc, to, unit: target?.id ?? null, document: other, response };
}

/**
 * The message addressed to `unitId` too, and taken in for it from what the pipeline stored (intake
 * finds the document it made on a retry: one per message and unit). Its arrival there is now.
 */
async function takeInFor(
  rt: RegistryRuntime,
  p: Principal,
  message: typeof inboundMessages.$inferSelect,
  unitId: string,
  address: string,
  why: { fromUnit: string; fromDocument: string; note: string | null },
  at: Date,
): Promise<{ id: string; status: string | null }> {
  const unitIds = [...message.unitIds, unitId];
  const rcptTo = message.rcptTo.includes(address) ? message.rcptTo : [...message.rcptTo, address];
  await rt.db.update(inboundMessages).set({ unitIds, rcptTo }).where(eq(inboundMessages.id, message.id));
  const stages = await rt.db
    .select({ stage: messageStages.stage, result: messageStages.result })
    .from(messageStages)
    .where(eq(messageStages.messageId, message.id));
  const results = Object.fromEntries(stages.map((s) => [s.stage, s.result]));
  const [outcome] = await intakeMessage(rt, { ...message, unitIds: [unitId], rcptTo, receivedAt: at }, results);
  if (!outcome?.documentId) throw new RegistryError(409, `Đơn vị ${unitId} không nhận văn bản này (the other unit kept it as ${outcome?.action ?? 'nothing'})`);
  await rt.db.transaction((tx) =>
    appendAudit(tx, { actor: actorOf(p), action: 'document.forwarded_in', entity: 'document', entityId: outcome.documentId!, data: why }, at),
  );
  return { id: outcome.documentId, status: outcome.status };
}
