/**
 * Carrying out one command of a reply (docs/act-by-email.md, "Commands"), as the officer it was
 * issued to: the workflow's own functions and the authorisation policy decide exactly as for the
 * API, and whatever they refuse (role, state, a second "done") becomes a clear answer. The caller
 * runs this inside withAuditVia, so every audit entry carries the reply's Message-ID.
 */
import { and, eq, sql } from 'drizzle-orm';
import { AccessDenied, actorOf, authorizeDocument, hasPermission, isSecret, type Principal } from '../access/policy.ts';
import { appendAudit } from '../audit.ts';
import { vnDate } from '../books/book-data.ts';
import type { DocumentRow } from '../books/register.ts';
import { RegistryError } from '../errors.ts';
import type { Mailer, OutgoingMail } from '../ports.ts';
import type { RegistryRuntime } from '../runtime.ts';
import { auditLog, documents, users } from '../schema.ts';
import { addComment, assign, setDeadline, setStatus } from '../workflow/workflow.ts';
import { messageAttachments } from '../../store/schema.ts';
import type { BlobStore } from '../../store/blobs.ts';
import { localDate } from '../../clock.ts';
import type { Applied } from './answers.ts';
import { fold, type Command } from './parse.ts';
import { declineAssignment, requestExtension, settleExtensionRequests, storeResults, type ResultFile } from './requests.ts';
import { mailLeaders, tellAsker } from './decisions.ts';

export interface CommandContext {
  rt: RegistryRuntime;
  mailer: Mailer;
  blobs: BlobStore | null;
  p: Principal & { id: string; email: string };
  doc: DocumentRow;
  inboundId: string;
  messageId: string;
  /** The reply's files (attachments, not inline images): the results of a "done". */
  files: ResultFile[];
}

export type CommandResult =
  | { kind: 'applied'; applied: Applied; doc: DocumentRow; attachments?: OutgoingMail['attachments'] }
  | { kind: 'not-applied'; code: string; why: string; doc: DocumentRow };

type Run = Exclude<Command, { kind: 'invalid' } | { kind: 'none' }>;

/** At most this many bytes of the document's files go back with a "view" answer. */
const VIEW_MAX_BYTES = 20 * 1024 * 1024;

const reload = async (rt: RegistryRuntime, id: string) => (await rt.db.select().from(documents).where(eq(documents.id, id)))[0];

/** Did an earlier run of this same reply already change the document? Its audit entries say so (data.via). */
async function appliedBefore(rt: RegistryRuntime, docId: string, messageId: string): Promise<boolean> {
  const [hit] = await rt.db
    .select({ seq: auditLog.seq })
    .from(auditLog)
    .where(and(eq(auditLog.entity, 'document'), eq(auditLog.entityId, docId), sql`${auditLog.data}->'via'->>'messageId' = ${messageId}`))
    .limit(1);
  return !!hit;
}

export async function runCommand(ctx: CommandContext, cmd: Run): Promise<CommandResult> {
  const { rt, doc } = ctx;
  if (cmd.kind !== 'view' && (await appliedBefore(rt, doc.id, ctx.messageId))) {
    return { kind: 'applied', applied: { command: cmd.kind, detail: 'Lệnh đã được thực hiện (already applied).' }, doc: await reload(rt, doc.id) };
  }
  try {
    return await apply(ctx, cmd);
  } catch (err) {
    if (!(err instanceof RegistryError) && !(err instanceof AccessDenied)) throw err;
    const now = (await reload(rt, doc.id)) ?? doc;
    const status = err instanceof RegistryError ? err.status : err.statusCode;
    if (cmd.kind === 'done' && now.status === 'done')
      return {
        kind: 'not-applied',
        code: 'already-done',
        why: `Văn bản đã được đánh dấu xử lý xong${now.doneAt ? ` ngày ${vnDate(localDate(now.doneAt, rt.tz))}` : ''}; không ghi nhận lần nữa. (Already done; not applied twice.)`,
        doc: now,
      };
    const code = status === 403 ? 'forbidden' : status === 404 ? 'not-visible' : status === 409 ? 'state' : 'invalid';
    return { kind: 'not-applied', code, why: err.message, doc: now };
  }
}

async function apply(ctx: CommandContext, cmd: Run): Promise<CommandResult> {
  const { rt, p, doc } = ctx;
  switch (cmd.kind) {
    case 'done': {
      const row = await setStatus(rt, p, doc.id, 'done', cmd.note);
      const n = await storeResults(rt, p, doc.id, ctx.inboundId, ctx.messageId, ctx.files);
      const detail = [
        'Văn bản được đánh dấu đã xử lý xong (marked done).',
        cmd.note ? `Kết quả (result): ${cmd.note}` : null,
        n ? `Đã lưu ${n} tệp kết quả (result files stored).` : null,
      ];
      return { kind: 'applied', applied: { command: 'done', detail: detail.filter(Boolean).join('\n') }, doc: row };
    }
    case 'comment': {
      await addComment(rt, p, doc.id, cmd.text);
      return { kind: 'applied', applied: { command: 'comment', detail: `Đã ghi ý kiến (comment added): «${cmd.text}»` }, doc: await reload(rt, doc.id) };
    }
    case 'extend':
      return extend(ctx, cmd.dueDate, cmd.reason);
    case 'forward':
      return forward(ctx, cmd.target);
    case 'decline': {
      const row = await declineAssignment(rt, p, doc.id, cmd.reason);
      await tellLeaders(ctx, 'decline', row, cmd.reason);
      const detail = `Đã trả lại văn bản cho lãnh đạo để giao lại (given back to the leaders). Lý do: ${cmd.reason}`;
      return { kind: 'applied', applied: { command: 'decline', detail }, doc: row };
    }
    case 'view':
      return view(ctx);
  }
}

async function extend(ctx: CommandContext, dueDate: string, reason: string | null): Promise<CommandResult> {
  const { rt, p, doc } = ctx;
  const today = localDate(rt.clock.now(), rt.tz);
  if (dueDate < today) return { kind: 'not-applied', code: 'invalid', why: `Ngày ${vnDate(dueDate)} đã qua (the date is in the past).`, doc };
  if (hasPermission(p, 'documents.assign')) {
    const row = await setDeadline(rt, p, doc.id, dueDate, reason);
    const settled = await settleExtensionRequests(rt, p, doc.id, dueDate);
    // The officers who had asked hear of it, as when the leader decides in the console.
    for (const r of settled) await tellAsker(rt, ctx.mailer, p, r, row, null);
    const detail = `Hạn xử lý đổi từ ${vnDate(doc.dueDate) || '—'} sang ${vnDate(dueDate)} (deadline moved).`;
    return { kind: 'applied', applied: { command: 'extend', detail }, doc: row };
  }
  await requestExtension(rt, p, doc.id, dueDate, reason, ctx.messageId);
  const row = await reload(rt, doc.id);
  await tellLeaders(ctx, 'extend', row, `đến ${vnDate(dueDate)}${reason ? ` (lý do: ${reason})` : ''}`);
  const detail = `Đã ghi nhận đề nghị gia hạn đến ${vnDate(dueDate)} và báo lãnh đạo; hạn hiện tại giữ nguyên đến khi lãnh đạo đồng ý. (Extension requested; the leaders decide.)`;
  return { kind: 'applied', applied: { command: 'extend', detail }, doc: row };
}

async function forward(ctx: CommandContext, target: string): Promise<CommandResult> {
  const { rt, p, doc } = ctx;
  if (!hasPermission(p, 'documents.assign'))
    return {
      kind: 'not-applied',
      code: 'forbidden',
      why: 'Vai trò của anh/chị không được giao lại văn bản; trả lời "từ chối: <lý do>" để trả lại lãnh đạo. (Your role may not reassign; decline instead.)',
      doc,
    };
  const people = await rt.db
    .select({ id: users.id, email: users.email, name: users.name })
    .from(users)
    .where(and(eq(users.unitId, doc.unitId), eq(users.active, true)));
  const wanted = fold(target.replace(/^.*<([^>]+)>.*$/, '$1').trim());
  const exact = people.filter((u) => u.email === wanted || fold(u.name) === wanted);
  const found = exact.length ? exact : people.filter((u) => fold(u.name).includes(wanted));
  if (found.length !== 1) {
    const why = found.length
      ? `"${target}" ứng với nhiều người: ${found.map((u) => `${u.name} <${u.email}>`).join('; ')} — hãy ghi địa chỉ thư. (Ambiguous: name the address.)`
      : `Không có người dùng "${target}" trong đơn vị. (No such user in the unit.)`;
    return { kind: 'not-applied', code: found.length ? 'ambiguous' : 'unknown-person', why, doc };
  }
  const row = await assign(rt, p, doc.id, { officer: found[0].email });
  return { kind: 'applied', applied: { command: 'forward', detail: `Đã giao cho ${found[0].name} <${found[0].email}> (reassigned).` }, doc: row };
}

async function view(ctx: CommandContext): Promise<CommandResult> {
  const { rt, p, doc } = ctx;
  authorizeDocument(p, 'documents.read', doc);
  const secret = isSecret(doc.secrecy);
  const files =
    secret || !doc.inboundId || !ctx.blobs ? [] : await rt.db.select().from(messageAttachments).where(eq(messageAttachments.messageId, doc.inboundId));
  const attachments: NonNullable<OutgoingMail['attachments']> = [];
  let bytes = 0;
  for (const f of files.filter((x) => x.filename)) {
    if (bytes + f.size > VIEW_MAX_BYTES) break;
    attachments.push({ filename: f.filename!, content: await ctx.blobs!.read(f.sha256), contentType: f.contentType });
    bytes += f.size;
  }
  await rt.db.transaction((tx) =>
    appendAudit(
      tx,
      { actor: actorOf(p), action: 'document.sent_by_mail', entity: 'document', entityId: doc.id, data: { files: attachments.length } },
      rt.clock.now(),
    ),
  );
  const detail = secret
    ? 'Văn bản mật không được gửi qua thư điện tử; hãy xem trên hệ thống. (Secret documents are not sent by mail.)'
    : `Gửi lại văn bản kèm ${attachments.length} tệp (the document, ${attachments.length} file(s)).`;
  return { kind: 'applied', applied: { command: 'view', detail }, doc, attachments };
}

/** Tells the unit's leaders (each with a reply address of their own) about a decline or an extension request. */
async function tellLeaders(ctx: CommandContext, kind: 'extend' | 'decline', doc: DocumentRow, text: string): Promise<void> {
  await mailLeaders(ctx.rt, ctx.mailer, kind, doc, `${ctx.p.name} <${ctx.p.email}>`, text, (leaderId) => `act-${kind}:${ctx.inboundId}:${leaderId}`);
}
