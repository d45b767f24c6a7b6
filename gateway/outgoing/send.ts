/**
 * Sending an official document: check recipients and keys first (nothing is numbered for a send
 * that cannot happen), take the next number of the unit's outgoing book (the registry's
 * registerOutgoing, gap-free), compose and sign, store the message, queue one delivery per recipient.
 */
import type { Config, UnitConfig } from '../config/load.ts';
import { typeByCode } from '../documents/rules/type-codes.ts';
import { registerOutgoing, type OutgoingEntry } from '../registry/books/books.ts';
import type { Tx } from '../registry/db.ts';
import { RegistryError } from '../registry/errors.ts';
import type { RegistryRuntime } from '../registry/runtime.ts';
import type { BlobStore } from '../store/blobs.ts';
import type { Db } from '../store/db.ts';
import { newId } from '../store/ids.ts';
import { composeDocument, mailSubject } from './compose.ts';
import { directoryOf, resolveRecipient, type ResolvedRecipient } from './directory.ts';
import { outgoingDeliveries, outgoingMessages } from './schema.ts';
import { appendAudit } from '../registry/audit.ts';
import { IssueError } from './issue/issue-error.ts';
import { DEFAULT_FONT, issueConfigured, loadIssueKeys, type IssueKeys } from './issue/issue-keys.ts';
import type { LtvSummary } from './issue/ltv.ts';
import { unsignedReason } from './issue/signed.ts';
import { parseSecrecy, parseUrgency, refuseSecret } from './marks.ts';
import { loadDkimKey, loadPkcs12, type DkimKey, type SmimeKey } from './sign.ts';
import { outgoingView, type OutgoingView } from './tracking.ts';
import { recordIssuedFiles, storeIssuedFiles, type IssuedFile } from './issued-files.ts';

/** Answered by the registry's error handler with its status (RegistryError). */
export class SendError extends RegistryError {}

export interface SendInput {
  unitId: string;
  to: string[];
  subject: string;
  typeCode?: string | null;
  typeName?: string | null;
  body?: string | null;
  signer?: string | null;
  /** Độ khẩn (normal | khan | thuong_khan | hoa_toc, or the Vietnamese mark): in the book and on the mail (marks.ts). */
  urgency?: string | null;
  /** Độ mật: anything but normal is refused before numbering (marks.ts refuseSecret). */
  secrecy?: string | null;
  document: { filename: string; content: Buffer; contentType?: string };
  /** Files sent with the document as they are (appendices); the document alone is checked and issued. */
  appendices?: Array<{ filename: string; content: Buffer; contentType?: string }>;
  edxml?: boolean;
  smime?: boolean;
  /** The clerk confirms sending a document without a valid signature (audited; docs/issuance.md). */
  confirmUnsigned?: boolean;
  /** Who sends (user e-mail or service name): the audit actor, told about permanent failures. */
  actor: string;
  senderEmail: string | null;
  /** Sending a claimed draft of the issuance queue (issuance.ts; docs/issuance.md, "A crash while issuing"). */
  claim?: SendClaim;
}

/**
 * An issuance claim: a number an earlier, interrupted attempt reserved is used again (`entry`);
 * the number is tied to the claim in the transaction that takes it (`numbered`), and the sent
 * record in the transaction that stores it (`recorded`): either throws when the claim is lost,
 * which rolls back that transaction.
 */
export interface SendClaim {
  entry: OutgoingEntry | null;
  numbered(tx: Tx, entry: OutgoingEntry): Promise<void>;
  recorded(tx: Tx, outgoingId: string, notation: string): Promise<void>;
}

export interface SendResult extends OutgoingView {
  warnings: string[];
  /** What the document's DSS holds when long-term validation is configured (docs/issuance.md); `missing` is also in `warnings`. */
  validation: LtvSummary | null;
}

export type Enqueue = (deliveryIds: string[]) => Promise<void>;

function unitOf(config: Config, unitId: string): UnitConfig {
  const unit = config.units.find((u) => u.id === unitId);
  if (!unit) throw new SendError(400, `unit: không có đơn vị "${unitId}" (unknown unit)`);
  return unit;
}

function keysFor(config: Config, unitId: string, smime: boolean): { dkim: DkimKey | null; smime: SmimeKey | null } {
  const cfg = config.outgoing.units[unitId];
  if (smime && !cfg?.smime)
    throw new SendError(400, `smime: đơn vị "${unitId}" chưa cấu hình chứng thư số (no outgoing.units.${unitId}.smime in the configuration)`);
  try {
    return { dkim: cfg?.dkim ? loadDkimKey(cfg.dkim) : null, smime: smime && cfg?.smime ? loadPkcs12(cfg.smime.pkcs12, cfg.smime.password) : null };
  } catch (err) {
    throw new SendError(500, `Khóa ký của đơn vị không dùng được (signing key unusable): ${(err as Error).message}`);
  }
}

function recipientsOf(config: Config, given: string[]): { list: ResolvedRecipient[]; warnings: string[] } {
  if (!given.length) throw new SendError(400, 'to: cần ít nhất một đơn vị nhận (at least one recipient)');
  const entries = directoryOf(config);
  const list: ResolvedRecipient[] = [];
  for (const g of given) {
    try {
      const r = resolveRecipient(entries, g);
      if (!list.some((x) => x.address === r.address)) list.push(r);
    } catch (err) {
      throw new SendError(400, `to: ${(err as Error).message}`);
    }
  }
  const warnings = list.filter((r) => !r.known).map((r) => `Địa chỉ ${r.address} không có trong danh bạ (address not in the directory)`);
  return { list, warnings };
}

/**
 * The Decree 30 type: a code as typed ("QD" finds "QĐ"), its name from the table when not given,
 * "Công văn" without a code. The name goes into the subject and the edXML TypeName, so a receiver
 * reads the same type whichever it looks at.
 */
export function documentType(code: string | null | undefined, name: string | null | undefined): { typeCode: string | null; typeName: string } {
  const given = name?.normalize('NFC').trim() || null;
  const c = code?.normalize('NFC').trim();
  if (!c || c.toUpperCase() === 'CV') return { typeCode: null, typeName: given ?? 'Công văn' };
  const type = typeByCode(c);
  if (!type) throw new SendError(400, `typeCode: không có loại văn bản mã "${c}" (unknown document type code; e.g. KH, QĐ, TB, BC, CV)`);
  return { typeCode: type.code, typeName: given ?? type.name };
}

const isPdf = (b: Buffer) => b.subarray(0, 1024).includes('%PDF-');

/**
 * The unit's keys with the issuing code, which (pdf-lib) loads with the first document a unit issues,
 * not when the gateway starts (docs/operations.md, "Memory").
 */
async function issuingWith(keys: IssueKeys) {
  const [{ issueDocument, issuePreflight }, { appendixSignable, stampAppendix }] = await Promise.all([
    import('./issue/issue.ts'),
    import('./issue/appendix.ts'),
  ]);
  return { keys, issueDocument, issuePreflight, appendixSignable, stampAppendix };
}

/** Issuance refused the document (no place for the number, no visible signature): 422 with the reason. */
function issueFailed(err: unknown): never {
  if (err instanceof IssueError) throw new SendError(422, `Không ban hành được văn bản (cannot issue the document): ${err.message}`, { reason: err.code });
  throw err;
}

export async function sendDocument(rt: RegistryRuntime, blobs: BlobStore, enqueue: Enqueue, input: SendInput): Promise<SendResult> {
  const { config } = rt;
  const unit = unitOf(config, input.unitId);
  const subject = input.subject.normalize('NFC').trim();
  if (!subject) throw new SendError(400, 'subject: thiếu trích yếu (subject is required)');
  if (!input.document.content.length) throw new SendError(400, 'document: tệp văn bản rỗng (empty document)');
  const { list, warnings } = recipientsOf(config, input.to);
  const keys = keysFor(config, unit.id, Boolean(input.smime));
  const unitCfg = config.outgoing.units[unit.id];
  const from = unitCfg?.from ?? unit.addresses[0];
  const { typeCode, typeName } = documentType(input.typeCode, input.typeName);
  const signer = input.signer?.normalize('NFC').trim() || null;
  const urgency = parseUrgency(input.urgency);
  refuseSecret(parseSecrecy(input.secrecy));
  // Nothing is numbered for a send that cannot happen: the signature and the issuing layout first.
  const unsigned = config.outgoing.requireSigned ? await unsignedReason(input.document, config.trust) : null;
  if (unsigned && !input.confirmUnsigned) {
    throw new SendError(
      422,
      `Văn bản chưa có chữ ký số hợp lệ: ${unsigned.vi}; xác nhận gửi văn bản không ký bằng confirmUnsigned / --confirm-unsigned ` +
        `(no valid signature: ${unsigned.en}; confirm sending it unsigned with confirmUnsigned / --confirm-unsigned)`,
      { reason: 'unsigned', verdicts: unsigned.verdicts },
    );
  }
  let issuing: Awaited<ReturnType<typeof issuingWith>> | null = null;
  if (!unsigned && issueConfigured(unitCfg)) {
    let issueKeys: IssueKeys;
    try {
      issueKeys = loadIssueKeys(unitCfg);
    } catch (err) {
      // The unit's key, token or seal (docs/issuance.md): the clerk cannot fix it, an admin can — 503 with its code.
      const reason = err instanceof IssueError ? err.code : 'outgoing.issue.keys';
      throw new SendError(503, `Khóa hoặc con dấu của đơn vị không dùng được (unit key or seal unusable): ${(err as Error).message}`, { reason });
    }
    issuing = await issuingWith(issueKeys);
    await issuing.issuePreflight(input.document.content).catch(issueFailed);
    for (const a of input.appendices ?? []) {
      if (isPdf(a.content) && !(await issuing.appendixSignable(a.content)))
        throw new SendError(422, `Không ký được phụ lục "${a.filename}" (cannot sign the appendix: unreadable PDF)`, { reason: 'outgoing.issue.appendix' });
    }
  }
  const register = (db: Db) =>
    registerOutgoing(
      db,
      {
        unitId: unit.id,
        codeSuffix: unitCfg?.codeSuffix ?? unit.id.toUpperCase(),
        typeCode,
        typeName,
        subject,
        signer,
        recipients: list.map((r) => r.name ?? r.address),
        urgency,
      },
      input.actor,
      rt.clock,
      rt.tz,
    );
  const { claim } = input;
  const entry = claim
    ? (claim.entry ??
      (await rt.db.transaction(async (tx) => {
        const e = await register(tx);
        await claim.numbered(tx, e);
        return e;
      })))
    : await register(rt.db);
  const now = rt.clock.now();
  const issued = issuing
    ? await issuing
        .issueDocument(input.document.content, {
          ...issuing.keys,
          notation: entry.notation,
          issuedDate: entry.issuedDate,
          unitName: unit.name,
          now,
        })
        .catch(issueFailed)
    : null;
  const content = issued ? issued.pdf : input.document.content;
  // PDF appendices get the unit's signature at the top right of page 1 (docs/issuance.md, "Appendices"); others go as they are.
  const appendices = await Promise.all(
    (input.appendices ?? []).map(async (a) => {
      if (!issuing || !isPdf(a.content)) return { ...a, validation: null, issued: false };
      const issue = issuing.keys;
      const stamp = {
        notation: entry.notation,
        unitName: unit.name,
        place: issue.place,
        key: issue.key,
        now,
        timeZone: rt.tz,
        font: issue.font ?? DEFAULT_FONT,
        tsa: issue.tsa,
        ltv: issue.ltv,
      };
      const stamped = await issuing.stampAppendix(a.content, stamp).catch(issueFailed);
      return { ...a, content: stamped.pdf, validation: stamped.validation, issued: true };
    }),
  );
  // What long-term validation could not gather is the sender's to know (docs/issuance.md); an
  // appendix signed with the same key usually misses the same certificates: each is told once.
  const validation = issued?.validation ?? null;
  const missing = new Set([...(validation?.missing ?? []), ...appendices.flatMap((a) => a.validation?.missing ?? [])]);
  for (const m of missing) warnings.push(`Thiếu dữ liệu kiểm tra thu hồi, văn bản chưa đủ B-LT: ${m} (no revocation data; the document is not fully B-LT)`);
  const composed = await composeDocument(
    {
      from: { name: unit.name, address: from, organId: unit.organId },
      to: list,
      notation: entry.notation,
      issuedDate: entry.issuedDate,
      typeCode,
      typeName: entry.typeName,
      subject,
      body: input.body ?? null,
      document: { filename: input.document.filename, content, contentType: input.document.contentType ?? 'application/pdf' },
      appendices: appendices.map((a) => ({ filename: a.filename, content: a.content, contentType: a.contentType ?? 'application/octet-stream' })),
      edxml: Boolean(input.edxml),
      signer,
      urgency,
      now,
    },
    keys,
  );
  const { sha256 } = await blobs.put(composed.raw);
  // The issued PDFs as files of their own, for the renewal of their archive time-stamps (issued-files.ts).
  const issuedList: IssuedFile[] = issued
    ? [
        { position: 0, filename: input.document.filename, content },
        ...appendices.flatMap((a, i) => (a.issued ? [{ position: i + 1, filename: a.filename, content: a.content }] : [])),
      ]
    : [];
  const issuedRows = await storeIssuedFiles(blobs, issuedList, now);
  const id = newId(now.getTime());
  const deliveryIds = list.map(() => newId(now.getTime()));
  await rt.db.transaction(async (tx) => {
    await tx.insert(outgoingMessages).values({
      id,
      entryId: entry.id,
      unitId: unit.id,
      notation: entry.notation,
      messageId: composed.messageId,
      documentId: composed.documentId,
      subject: mailSubject({ notation: entry.notation, typeName: entry.typeName, subject, urgency }),
      urgency,
      fromAddress: from,
      senderEmail: input.senderEmail,
      rawSha256: sha256,
      signing: { dkim: Boolean(keys.dkim), smime: Boolean(keys.smime), edxml: Boolean(input.edxml) },
      createdAt: now,
    });
    if (unsigned) {
      const data = { notation: entry.notation, filename: input.document.filename, reason: unsigned.en, verdicts: unsigned.verdicts };
      await appendAudit(tx, { actor: input.actor, action: 'outgoing.send_unsigned', entity: 'outgoing', entityId: id, data }, now);
    }
    await tx.insert(outgoingDeliveries).values(
      list.map((r, i) => ({
        id: deliveryIds[i],
        outgoingId: id,
        recipient: r.address,
        recipientName: r.name,
        organId: r.organId,
        state: 'queued',
        updatedAt: now,
      })),
    );
    await recordIssuedFiles(tx, issuedRows(id, unit.id, entry.notation));
    await claim?.recorded(tx, id, entry.notation);
  });
  // A failed enqueue loses nothing: the delivery worker re-queues rows still "queued" when it sweeps.
  await enqueue(deliveryIds).catch((err) => rt.log.warn({ err: (err as Error).message, id }, 'delivery enqueue failed; the sweep will retry'));
  const [view] = await outgoingView(rt.db, { id });
  return { ...view, warnings, validation };
}
