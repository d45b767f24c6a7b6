/**
 * A reply to an act+ address, from the pipeline's parsed and verified message to an answer
 * (docs/act-by-email.md, "Who may act"). In order: auto-replies are ignored; the mail must pass
 * DMARC or carry a DKIM signature aligned with the sender's domain; the sender must be an active
 * user and the token must verify for that user (and be in date); a Message-ID is handled once;
 * then the one command of the reply runs as that user (commands.ts) and the answer is mailed
 * through the Mailer port, keyed by the inbound message, so it is sent at most once.
 */
import { and, eq } from 'drizzle-orm';
import { actTokenOf } from '../../config/act-by-mail.ts';
import { localDate } from '../../clock.ts';
import type { BlobStore } from '../../store/blobs.ts';
import { userPrincipal, type UserRole } from '../access/policy.ts';
import { appendAudit, withAuditVia } from '../audit.ts';
import type { DocumentRow } from '../books/register.ts';
import type { Mailer, OutgoingMail } from '../ports.ts';
import type { RegistryRuntime } from '../runtime.ts';
import { documents, users } from '../schema.ts';
import type { Notice } from '../workflow/notices.ts';
import { replyAddress } from './address.ts';
import { confirmAnswer, helpAnswer, notAppliedAnswer, refusedAnswer, replayAnswer, type RefusalCode } from './answers.ts';
import { runCommand } from './commands.ts';
import { actKey } from './key.ts';
import { isAutoReply, parseCommand, type CommandKind } from './parse.ts';
import type { ResultFile } from './requests.ts';
import { actReplies } from './schema.ts';
import { verifyToken, type TokenClaim } from './token.ts';

export interface ReplyInput {
  inboundId: string;
  /** The reply's Message-ID (the inbound row's, synthetic when the mail had none). */
  messageId: string;
  rcptTo: string[];
  from: Array<{ address: string | null }>;
  subject: string | null;
  text: string | null;
  headers: Array<{ key: string; line: string }>;
  attachments: Array<ResultFile & { disposition: string | null }>;
  /** The verify stage's signature reports (gateway/trust/report.ts). */
  signatures: Array<{ layer: string; verdict: string; signer: { commonName: string | null } | null }>;
}

export type ReplyOutcome =
  | { kind: 'not-a-reply' }
  | { kind: 'ignored'; reason: 'auto-reply' | 'no-sender' | 'unauthenticated-stranger' }
  | { kind: 'refused'; code: RefusalCode; documentId: string | null }
  | { kind: 'replay'; firstInboundId: string }
  | { kind: 'help'; documentId: string | null }
  /** `unitId`: the document's unit, for the live lists (gateway/workers/telemetry.ts); absent in outcomes stored before it was added. */
  | { kind: 'applied'; command: CommandKind; documentId: string; unitId?: string; status: string }
  | { kind: 'not-applied'; command: CommandKind | 'invalid'; code: string; documentId: string | null };

export interface ReplyResult {
  outcome: ReplyOutcome;
  answer: 'sent' | 'already-sent' | 'no-recipient' | 'none';
}

export interface ReplyDeps {
  rt: RegistryRuntime;
  mailer: Mailer;
  blobs: BlobStore | null;
}

interface Decision {
  outcome: ReplyOutcome;
  answer: { to: string; notice: Notice; replyTo: string | null; attachments?: OutgoingMail['attachments'] } | null;
  userId?: string | null;
  command?: string | null;
}

type StoredAnswer = { to: string; subject: string; text: string; replyTo: string | null; outcome: ReplyOutcome };

const domainOf = (address: string) => address.slice(address.lastIndexOf('@') + 1).toLowerCase();

/** DKIM alignment, relaxed: the signing domain is the sender's domain or a parent of it with at least three labels (stc.lamdong.gov.vn ← lamdong.gov.vn, never gov.vn). */
export function aligned(signing: string | null | undefined, domain: string): boolean {
  const d = (signing ?? '').toLowerCase();
  return d === domain || (domain.endsWith(`.${d}`) && d.split('.').length >= 3);
}

/** Passed DMARC, or a valid DKIM signature aligned with `domain`. */
export function mailAuthenticated(signatures: ReplyInput['signatures'], domain: string): boolean {
  return signatures.some((s) => (s.layer === 'dmarc' || s.layer === 'dkim') && s.verdict === 'valid' && aligned(s.signer?.commonName, domain));
}

export async function handleReply(deps: ReplyDeps, input: ReplyInput): Promise<ReplyResult> {
  const { rt } = deps;
  const token = input.rcptTo.map(actTokenOf).find((t) => t !== null) ?? null;
  if (!token) return { outcome: { kind: 'not-a-reply' }, answer: 'none' };
  if (isAutoReply(input.headers, input.subject)) return { outcome: { kind: 'ignored', reason: 'auto-reply' }, answer: 'none' };
  const senders = input.from.map((f) => f.address?.toLowerCase()).filter((a): a is string => !!a);
  if (senders.length !== 1) return { outcome: { kind: 'ignored', reason: 'no-sender' }, answer: 'none' };
  const from = senders[0];
  const [user] = await rt.db
    .select()
    .from(users)
    .where(and(eq(users.email, from), eq(users.active, true)));
  const authenticated = mailAuthenticated(input.signatures, domainOf(from));
  // Nothing is mailed to an address that neither authenticated nor is a user's: no backscatter to forged senders.
  if (!authenticated && !user) return { outcome: { kind: 'ignored', reason: 'unauthenticated-stranger' }, answer: 'none' };

  const now = rt.clock.now();
  await rt.db.insert(actReplies).values({ messageId: input.messageId, inboundId: input.inboundId, createdAt: now, updatedAt: now }).onConflictDoNothing();
  const [row] = await rt.db.select().from(actReplies).where(eq(actReplies.messageId, input.messageId));
  if (row.inboundId !== input.inboundId) {
    const outcome: ReplyOutcome = { kind: 'replay', firstInboundId: row.inboundId };
    if (!authenticated || !user) return { outcome, answer: 'none' };
    return { outcome, answer: await send(deps, input, { to: from, notice: replayAnswer(row.createdAt, rt.tz), replyTo: null }) };
  }
  const stored = row.answer as StoredAnswer | null;
  if (row.outcome !== null && stored) {
    // The same message run again (a retried job): the same answer, which the mailer sends at most once.
    return { outcome: stored.outcome, answer: await send(deps, input, { to: stored.to, notice: stored, replyTo: stored.replyTo }) };
  }

  const d = await decide(deps, input, token, from, user ?? null, authenticated);
  await record(rt, input, from, d);
  return { outcome: d.outcome, answer: d.answer ? await send(deps, input, d.answer) : 'none' };
}

async function decide(
  deps: ReplyDeps,
  input: ReplyInput,
  token: string,
  from: string,
  user: typeof users.$inferSelect | null,
  authenticated: boolean,
): Promise<Decision> {
  const { rt } = deps;
  const refuse = (code: RefusalCode, documentId: string | null = null): Decision => ({
    outcome: { kind: 'refused', code, documentId },
    answer: { to: from, notice: refusedAnswer(code), replyTo: null },
    userId: user?.id ?? null,
  });
  if (!authenticated) return refuse('unauthenticated');
  if (!user) return refuse('unknown-sender');
  const check = verifyToken(actKey(rt.config), token, user.id, rt.clock.now());
  if (!check.ok) {
    if (check.reason === 'malformed') return refuse('malformed-token');
    if (check.reason === 'expired') return refuse('expired-token', check.itemId);
    return refuse((await issuedToAssignee(rt, token, check.itemId)) ? 'other-sender' : 'forged-token', check.itemId);
  }
  const { claim } = check;
  const doc = claim.itemId ? ((await rt.db.select().from(documents).where(eq(documents.id, claim.itemId)))[0] ?? null) : null;
  const assignee = await assigneeOf(rt, doc);
  const again = doc ? replyAddress(rt, doc.unitId, { kind: 'document', itemId: doc.id, userId: user.id, actions: claim.actions }) : null;
  const answer = (notice: Notice, attachments?: OutgoingMail['attachments']) => ({ to: from, notice, replyTo: again, attachments });
  const cmd = parseCommand(input.text, localDate(rt.clock.now(), rt.tz));
  const base = { userId: user.id, command: cmd.kind };
  if (claim.kind === 'digest' || !doc) {
    if (claim.kind === 'document' && cmd.kind !== 'none')
      return { ...base, outcome: { kind: 'not-applied', command: 'invalid', code: 'gone', documentId: claim.itemId }, answer: answer(helpAnswer(null, null)) };
    return { ...base, outcome: { kind: 'help', documentId: null }, answer: answer(helpAnswer(null, null, claim.kind === 'digest')) };
  }
  if (cmd.kind === 'none') return { ...base, outcome: { kind: 'help', documentId: doc.id }, answer: answer(helpAnswer(doc, assignee)) };
  if (cmd.kind === 'invalid') {
    const notice = notAppliedAnswer('invalid', doc, PROBLEM[cmd.problem] ?? cmd.problem, assignee);
    return { ...base, outcome: { kind: 'not-applied', command: 'invalid', code: cmd.problem, documentId: doc.id }, answer: answer(notice) };
  }
  if (!allows(claim, cmd.kind)) return refuse('action-not-allowed', doc.id);

  const p = { ...userPrincipal({ ...user, role: user.role as UserRole }), id: user.id, email: user.email };
  const files = input.attachments.filter((a) => a.filename && !(a.disposition === 'inline' && a.contentType.startsWith('image/')));
  const via = { channel: 'mail', messageId: input.messageId, inboundId: input.inboundId };
  const ctx = { rt, mailer: deps.mailer, blobs: deps.blobs, p, doc, inboundId: input.inboundId, messageId: input.messageId, files };
  const r = await withAuditVia(via, () => runCommand(ctx, cmd));
  const now = await assigneeOf(rt, r.doc);
  if (r.kind === 'applied')
    return {
      ...base,
      outcome: { kind: 'applied', command: cmd.kind, documentId: doc.id, unitId: doc.unitId, status: r.doc.status },
      answer: answer(confirmAnswer(r.applied, r.doc, now), r.attachments),
    };
  return {
    ...base,
    outcome: { kind: 'not-applied', command: cmd.kind, code: r.code, documentId: doc.id },
    answer: answer(notAppliedAnswer(cmd.kind, r.doc, r.why, now)),
  };
}

const PROBLEM: Record<string, string> = {
  'no-date': 'Không đọc được ngày, ví dụ "gia hạn đến 15/12". (No date found, e.g. "extend to 15/12".)',
  'no-reason': 'Cần nêu lý do, ví dụ "từ chối: không thuộc lĩnh vực phụ trách". (A reason is required.)',
  'no-target': 'Cần ghi tên hoặc địa chỉ người nhận, ví dụ "chuyển cho Nguyễn Văn B". (Name the person.)',
  empty: 'Ý kiến trống. (The comment is empty.)',
};

const allows = (claim: TokenClaim, kind: CommandKind) => claim.actions.includes(kind);

/** A forged-looking token that does verify for the document's assignee: someone else's reply address. */
async function issuedToAssignee(rt: RegistryRuntime, token: string, itemId: string | null): Promise<boolean> {
  if (!itemId) return false;
  const [doc] = await rt.db.select({ assigneeId: documents.assigneeId }).from(documents).where(eq(documents.id, itemId));
  if (!doc?.assigneeId) return false;
  const other = verifyToken(actKey(rt.config), token, doc.assigneeId, rt.clock.now());
  return other.ok || other.reason === 'expired';
}

async function assigneeOf(rt: RegistryRuntime, doc: DocumentRow | null): Promise<string | null> {
  if (!doc?.assigneeId) return null;
  const [u] = await rt.db.select({ name: users.name, email: users.email }).from(users).where(eq(users.id, doc.assigneeId));
  return u ? `${u.name} <${u.email}>` : null;
}

/** Keeps the outcome and the answer with the reply's row; what changed nothing goes into the audit trail here. */
async function record(rt: RegistryRuntime, input: ReplyInput, from: string, d: Decision): Promise<void> {
  const at = rt.clock.now();
  const o = d.outcome;
  const answer: StoredAnswer | null = d.answer
    ? { to: d.answer.to, subject: d.answer.notice.subject, text: d.answer.notice.text, replyTo: d.answer.replyTo, outcome: o }
    : null;
  const outcome = o.kind === 'refused' || o.kind === 'not-applied' ? `${o.kind}:${o.code}` : o.kind;
  const documentId = 'documentId' in o ? o.documentId : null;
  await rt.db.transaction(async (tx) => {
    await tx
      .update(actReplies)
      .set({ outcome, answer, documentId, userId: d.userId ?? null, command: d.command ?? null, updatedAt: at })
      .where(eq(actReplies.messageId, input.messageId));
    if (o.kind === 'applied') return;
    // A refused or unusable reply is evidence too (someone tried to act on an item): one entry per reply.
    const onDoc = o.kind !== 'refused' || o.code === 'action-not-allowed' ? documentId : null;
    await appendAudit(
      tx,
      {
        actor: from,
        action: `mail.act.${o.kind}`,
        entity: onDoc ? 'document' : 'message',
        entityId: onDoc ?? input.inboundId,
        data: { outcome, messageId: input.messageId, inboundId: input.inboundId, claimedDocument: documentId },
      },
      at,
    );
  });
}

async function send(deps: ReplyDeps, input: ReplyInput, a: NonNullable<Decision['answer']>): Promise<ReplyResult['answer']> {
  return deps.mailer.send({
    key: `act:${input.inboundId}`,
    to: [a.to],
    subject: a.notice.subject,
    text: a.notice.text,
    inReplyTo: input.messageId,
    replyTo: a.replyTo,
    attachments: a.attachments,
  });
}
