/**
 * `vanthu show ID`: one message — when and from whom it came, how far the pipeline got, what the
 * registry made of it (registered as which number, or review and why), what the classifier read,
 * the signature verdict and the attachments (docs/cli.md). Through the running gateway's API
 * (`GET /api/messages/{id}`); storage is opened here only when none answers.
 */
import { loadConfig, type Config } from '../../config/load.ts';
import type { Command } from '../main.ts';
import { parse, printJson } from '../args.ts';
import { messageOutcomeText, stateText, type OutcomeLike } from '../describe.ts';
import { gatewayClient, isUnreachable, readError } from '../gateway-client.ts';
import { localTime, namesFrom } from '../output.ts';

interface Shown {
  id: string;
  receivedAt: string | Date;
  state: string;
  fromAddr: string | null;
  mailFrom: string | null;
  subject: string | null;
  rcptTo: string[];
  lastError: string | null;
  stages: Record<string, { status: string; result: Record<string, unknown> | null; error: string | null }>;
  attachments: Array<{ idx: number; filename: string | null; contentType: string | null; size: number | null }>;
  outcome?: OutcomeLike[];
}

/** No gateway: the same view from storage, as the operator (an admin). */
async function readDirect(config: Config, id: string): Promise<Shown | null> {
  const [{ asc, eq }, { OPERATOR }, { inboundMessages, messageAttachments, messageStages }, { messageOutcomes }, { openStorage }] = await Promise.all([
    import('drizzle-orm'),
    import('../../registry/access/policy.ts'),
    import('../../store/schema.ts'),
    import('../../registry/books/outcomes.ts'),
    import('../../store/storage.ts'),
  ]);
  const storage = await openStorage(config);
  try {
    const { db } = storage.database;
    const [message] = await db.select().from(inboundMessages).where(eq(inboundMessages.id, id));
    if (!message) return null;
    const stages = await db.select().from(messageStages).where(eq(messageStages.messageId, id));
    const attachments = await db.select().from(messageAttachments).where(eq(messageAttachments.messageId, id)).orderBy(asc(messageAttachments.idx));
    const outcome = (await messageOutcomes(db, OPERATOR, [id])).get(id) ?? [];
    return {
      ...message,
      stages: Object.fromEntries(stages.map((s) => [s.stage, { status: s.status, result: s.result as Record<string, unknown> | null, error: s.error }])),
      attachments,
      outcome,
    } as unknown as Shown;
  } finally {
    await storage.close();
  }
}

const text = (v: unknown) => (typeof v === 'string' && v ? v : null);

function printText(m: Shown, config: Config): void {
  const names = namesFrom(config);
  const out = (label: string, value: string | null | undefined) => {
    if (value) process.stdout.write(`${label}: ${value}\n`);
  };
  out('Thư (message)', m.id);
  out('Nhận lúc (received)', localTime(m.receivedAt, names.timeZone));
  out('Từ (from)', m.fromAddr ?? m.mailFrom);
  out('Gửi đến (to)', m.rcptTo?.join(', '));
  out('Tiêu đề (subject)', m.subject);
  out('Trạng thái (state)', `${stateText(m.state)} (${m.state})`);
  out('Kết quả (outcome)', messageOutcomeText(m, names));
  const c = m.stages.classify?.result;
  if (c) {
    const fields = (c.document ?? {}) as Record<string, unknown>;
    const read = [text(c.kind), text(fields.typeName), text(fields.notation), text(fields.issuer), text(fields.issuedDate)].filter(Boolean).join(' · ');
    out('Đọc được (classified)', read);
    out('Trích yếu (summary)', text(fields.subject));
  }
  const v = m.stages.verify?.result;
  if (v) out('Chữ ký (signatures)', text(v.verdict));
  for (const [name, s] of Object.entries(m.stages)) if (s.error) out(`Bước ${name} (stage error)`, s.error);
  out('Lỗi (last error)', m.lastError);
  for (const a of m.attachments) out(`Tệp ${a.idx + 1} (attachment)`, `${a.filename ?? '(không tên)'} — ${a.contentType ?? '?'}, ${a.size ?? '?'} byte`);
}

export const command: Command = {
  summary: 'one message: where it came from, how far it got and what the registry made of it',
  async run(args) {
    const { values, positionals } = parse(args, { json: { type: 'boolean', default: false } }, 'vanthu show <message id> [--json]');
    const id = positionals[0];
    if (!id) {
      process.stderr.write('vanthu show: thiếu mã thư (a message id is needed: see vanthu messages)\nusage: vanthu show <message id> [--json]\n');
      return 2;
    }
    const config = loadConfig();
    let shown: Shown | null;
    try {
      const res = await gatewayClient(config).request('GET', `/api/messages/${encodeURIComponent(id)}`);
      if (res.status === 404) shown = null;
      else if (!res.ok) {
        process.stderr.write(`vanthu show: gateway answered ${res.status}: ${await readError(res)}\n`);
        return 1;
      } else shown = (await res.json()) as Shown;
    } catch (err) {
      if (!isUnreachable(err)) throw err;
      shown = await readDirect(config, id);
    }
    if (!shown) {
      process.stderr.write(`vanthu show: không có thư ${id} (no such message)\n`);
      return 1;
    }
    if (values.json) printJson(shown);
    else printText(shown, config);
    return 0;
  },
};
