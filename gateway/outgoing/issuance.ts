/**
 * The issuance queue (docs/issuance.md, "From the add-in"): an officer submits a draft — the
 * document, its appendices, the summary and the recipients — for issuance; it waits for the unit's
 * clerk, who issues it (numbered, issued and sent by send.ts exactly as POST /api/outgoing would)
 * or returns it with a reason. A role that may issue (the policy's `outgoing.issue`) can submit and
 * issue in one step. Every change is audited in the transaction that makes it; who may do what is
 * the policy's decision (gateway/registry/access/policy.ts).
 */
import { and, eq } from 'drizzle-orm';
import { actorOf, authorizeUnit, canSeeIssuance, hidden, requirePermission, type Principal } from '../registry/access/policy.ts';
import { appendAudit } from '../registry/audit.ts';
import { RegistryError } from '../registry/errors.ts';
import type { RegistryRuntime } from '../registry/runtime.ts';
import type { BlobStore } from '../store/blobs.ts';
import { newId } from '../store/ids.ts';
import { unsignedReason } from './issue/signed.ts';
import { checkRecipients, issuanceById, type IssuanceView } from './issuance-view.ts';
import { newClaimId, sendClaimed } from './issuance-claim.ts';
import { parseSecrecy, parseUrgency, refuseSecret } from './marks.ts';
import { issuanceRequests, type IssuanceFile, type IssuanceOptions, type IssuanceRecipient } from './schema.ts';
import { documentType, SendError, type Enqueue } from './send.ts';

export interface DraftFile {
  filename: string;
  contentType?: string;
  content: Buffer;
}

export interface SubmitInput {
  unitId: string;
  to: string[];
  subject: string;
  typeCode?: string | null;
  typeName?: string | null;
  signer?: string | null;
  /** Độ khẩn (marks.ts parseUrgency); normal when not given. */
  urgency?: string | null;
  /** Độ mật: a secret draft is refused, as sending would be (marks.ts refuseSecret). */
  secrecy?: string | null;
  body?: string | null;
  /** A note to the clerk. */
  note?: string | null;
  /** The document first, then its appendices. */
  files: DraftFile[];
}

export interface IssueOptions {
  /** The clerk sends a document without a valid signature anyway (audited by send.ts). */
  confirmUnsigned?: boolean;
  edxml?: boolean;
  smime?: boolean;
}

export interface IssuanceResult extends IssuanceView {
  warnings: string[];
}

const MAX_FILES = 20;
const NOT_FOUND = 'văn bản chờ phát hành (draft for issuance)';
const text = (v: string | null | undefined) => v?.normalize('NFC').trim() || null;

function checkFiles(files: DraftFile[]): void {
  if (!files.length) throw new SendError(400, 'files: cần tệp văn bản (the document file is required)');
  if (files.length > MAX_FILES) throw new SendError(400, `files: tối đa ${MAX_FILES} tệp (at most ${MAX_FILES} files)`);
  for (const f of files) {
    if (!f.filename.trim()) throw new SendError(400, 'files: thiếu tên tệp (a file has no name)');
    if (!f.content.length) throw new SendError(400, `files: tệp "${f.filename}" rỗng (empty file)`);
  }
}

/** Resolves every recipient; any that is unknown, vague or ambiguous refuses the draft with the candidates. */
function recipientsOf(rt: RegistryRuntime, to: string[]): IssuanceRecipient[] {
  const checks = checkRecipients(rt.config, to);
  if (!checks.length) throw new SendError(400, 'to: cần ít nhất một nơi nhận (at least one recipient)', { reason: 'recipients', recipients: [] });
  const bad = checks.filter((c) => !c.ok);
  if (bad.length) {
    const why = bad.map((c) => (c.ok ? '' : c.problem)).join('; ');
    throw new SendError(400, `to: ${why}`, { reason: 'recipients', recipients: checks });
  }
  const out: IssuanceRecipient[] = [];
  for (const c of checks) {
    if (c.ok && !out.some((r) => r.address === c.address)) out.push({ given: c.given, name: c.name, address: c.address, organId: c.organId, known: c.known });
  }
  return out;
}

/** Puts a draft in the unit's issuance queue (state pending); audited as outgoing.submit. */
export async function submitDraft(rt: RegistryRuntime, blobs: BlobStore, p: Principal, input: SubmitInput): Promise<IssuanceView> {
  authorizeUnit(p, 'outgoing.submit', input.unitId);
  const { config } = rt;
  if (!config.units.some((u) => u.id === input.unitId)) throw new SendError(400, `unit: không có đơn vị "${input.unitId}" (unknown unit)`);
  const subject = text(input.subject);
  if (!subject) throw new SendError(400, 'subject: thiếu trích yếu (subject is required)');
  checkFiles(input.files);
  const { typeCode, typeName } = documentType(input.typeCode, input.typeName);
  const urgency = parseUrgency(input.urgency);
  refuseSecret(parseSecrecy(input.secrecy));
  const recipients = recipientsOf(rt, input.to);
  // Told at once, so the officer can have it signed before the clerk sees it; the clerk decides.
  const unsigned = config.outgoing.requireSigned ? await unsignedReason(input.files[0], config.trust) : null;
  const files: IssuanceFile[] = [];
  for (const f of input.files) {
    const { sha256, size } = await blobs.put(f.content);
    files.push({ filename: f.filename.normalize('NFC'), contentType: f.contentType ?? 'application/octet-stream', sha256, size });
  }
  const now = rt.clock.now();
  const id = newId(now.getTime());
  const actor = actorOf(p);
  await rt.db.transaction(async (tx) => {
    await tx.insert(issuanceRequests).values({
      id,
      unitId: input.unitId,
      state: 'pending',
      submitterId: p.id,
      submittedBy: actor,
      submitterName: p.kind === 'user' ? p.name : null,
      subject,
      typeCode,
      typeName,
      urgency,
      signer: text(input.signer),
      body: text(input.body),
      note: text(input.note),
      recipients,
      files,
      unsigned: unsigned ? `${unsigned.vi} (${unsigned.en})` : null,
      createdAt: now,
      updatedAt: now,
    });
    const data = { subject, recipients: recipients.map((r) => r.address), files: files.map((f) => f.filename), unsigned: unsigned?.en ?? null };
    await appendAudit(tx, { actor, action: 'outgoing.submit', entity: 'issuance', entityId: id, data }, now);
  });
  return (await issuanceById(rt.db, id))!;
}

/** The draft as the principal may see it: 404 when it does not exist or is not theirs to see. */
export async function visibleDraft(rt: RegistryRuntime, p: Principal, id: string): Promise<IssuanceView> {
  const view = await issuanceById(rt.db, id);
  if (!view || !canSeeIssuance(p, view)) throw hidden(NOT_FOUND);
  return view;
}

const stateWords: Record<string, string> = {
  issuing: 'đang được phát hành (being issued)',
  issued: 'đã phát hành (already issued)',
  returned: 'đã bị trả lại (already returned)',
};

/**
 * The clerk issues a pending draft: claimed first (pending → issuing, so two clerks cannot issue
 * it twice), then numbered, issued and sent by sendDocument under the claim (issuance-claim.ts); a
 * send that fails puts it back to pending with the reason. Audited as outgoing.issue with the
 * number it got.
 */
export async function issueDraft(
  rt: RegistryRuntime,
  blobs: BlobStore,
  enqueue: Enqueue,
  p: Principal,
  id: string,
  opts: IssueOptions = {},
): Promise<IssuanceResult> {
  const draft = await visibleDraft(rt, p, id);
  requirePermission(p, 'outgoing.issue');
  const t = issuanceRequests;
  const claimedAt = rt.clock.now();
  const actor = actorOf(p);
  const options: IssuanceOptions = {
    confirmUnsigned: Boolean(opts.confirmUnsigned),
    edxml: Boolean(opts.edxml),
    smime: Boolean(opts.smime),
    // Permanent delivery failures are told to the officer who follows the document.
    senderEmail: draft.submitterId ? draft.submittedBy : p.email,
  };
  const claimId = newClaimId(claimedAt);
  const [claimed] = await rt.db
    .update(t)
    .set({ state: 'issuing', lastError: null, claimId, claimedBy: actor, issueOptions: options, updatedAt: claimedAt })
    .where(and(eq(t.id, id), eq(t.state, 'pending')))
    .returning();
  if (!claimed) throw new SendError(409, `Văn bản ${stateWords[draft.state] ?? draft.state}`, { state: draft.state });
  // Numbered, issued, sent and marked issued under the claim (issuance-claim.ts; audited as outgoing.issue).
  const sent = await sendClaimed(rt, blobs, enqueue, { row: claimed, claimId, actor, opts: options });
  return { ...(await issuanceById(rt.db, id))!, warnings: sent.warnings };
}

/** The clerk gives a pending draft back to its submitter with a reason; audited as outgoing.return. */
export async function returnDraft(rt: RegistryRuntime, p: Principal, id: string, reason: string): Promise<IssuanceView> {
  const draft = await visibleDraft(rt, p, id);
  requirePermission(p, 'outgoing.issue');
  const why = text(reason);
  if (!why) throw new SendError(400, 'reason: cần lý do trả lại (a reason is required)');
  const t = issuanceRequests;
  const now = rt.clock.now();
  const actor = actorOf(p);
  const done = await rt.db.transaction(async (tx) => {
    const [row] = await tx
      .update(t)
      .set({ state: 'returned', returnReason: why, decidedBy: actor, decidedAt: now, updatedAt: now })
      .where(and(eq(t.id, id), eq(t.state, 'pending')))
      .returning({ id: t.id });
    if (!row) return false;
    await appendAudit(tx, { actor, action: 'outgoing.return', entity: 'issuance', entityId: id, data: { reason: why } }, now);
    return true;
  });
  if (!done) throw new SendError(409, `Văn bản ${stateWords[draft.state] ?? draft.state}`, { state: draft.state });
  return (await issuanceById(rt.db, id))!;
}

/** Submit and issue at once, for a role the policy lets issue (the add-in's direct send). */
export async function submitAndIssue(
  rt: RegistryRuntime,
  blobs: BlobStore,
  enqueue: Enqueue,
  p: Principal,
  input: SubmitInput,
  opts: IssueOptions = {},
): Promise<IssuanceResult> {
  requirePermission(p, 'outgoing.issue');
  const draft = await submitDraft(rt, blobs, p, input);
  try {
    return await issueDraft(rt, blobs, enqueue, p, draft.id, opts);
  } catch (err) {
    // The draft stays in the queue: the answer names it, so the clerk can confirm (unsigned) and issue it.
    if (err instanceof RegistryError) throw new SendError(err.status, err.message, { ...err.details, draftId: draft.id });
    throw err;
  }
}
