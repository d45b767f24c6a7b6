/**
 * `vanthu messages`: received messages, newest first, with the registry's outcome for each (book
 * number, or review and why). A table by default (also off a terminal: docs/operations-recovery.md
 * documents its last line), JSON with --json. Through the running gateway's API; storage is opened
 * here only when none answers, and only then is the database code loaded.
 */
import { loadConfig, type Config } from '../../config/load.ts';
import type { MessageOutcome } from '../../registry/books/outcomes.ts';
import type { Command } from '../main.ts';
import { parse, printJson, shownOf } from '../args.ts';
import { messageOutcomeText, stateText } from '../describe.ts';
import { gatewayClient, isUnreachable, readError } from '../gateway-client.ts';
import { localTime, namesFrom, printTable } from '../output.ts';

interface Row {
  id: string;
  receivedAt: string | Date;
  state: string;
  fromAddr: string | null;
  mailFrom: string | null;
  subject: string | null;
  lastError?: string | null;
  outcome?: MessageOutcome[];
}

/** No gateway: storage opened directly, as the operator (an admin: every unit). */
async function readDirect(config: Config, limit: number, state: string | undefined): Promise<{ items: Row[]; total: number }> {
  const [{ and, count, desc, eq }, { OPERATOR, messageListScope }, { messageScopeCondition }, { inboundMessages }, { messageOutcomes }, { openStorage }] =
    await Promise.all([
      import('drizzle-orm'),
      import('../../registry/access/policy.ts'),
      import('../../registry/access/records.ts'),
      import('../../store/schema.ts'),
      import('../../registry/books/outcomes.ts'),
      import('../../store/storage.ts'),
    ]);
  const storage = await openStorage(config);
  try {
    const { db } = storage.database;
    const where = and(messageScopeCondition(messageListScope(OPERATOR)), state ? eq(inboundMessages.state, state) : undefined);
    const rows: Row[] = await db.select().from(inboundMessages).where(where).orderBy(desc(inboundMessages.id)).limit(limit);
    const outcomes = await messageOutcomes(
      db,
      OPERATOR,
      rows.map((r) => r.id),
    );
    const total = Number((await db.select({ n: count() }).from(inboundMessages).where(where))[0].n);
    return { items: rows.map((r) => ({ ...r, outcome: outcomes.get(r.id) ?? [] })), total };
  } finally {
    await storage.close();
  }
}

export const command: Command = {
  summary: 'list received messages (newest first) with their outcome',
  async run(args) {
    const { values } = parse(
      args,
      {
        json: { type: 'boolean', default: false },
        table: { type: 'boolean', default: false },
        limit: { type: 'string', default: '50' },
        state: { type: 'string' },
      },
      'vanthu messages [--limit N] [--state S] [--json]',
    );
    const limit = Math.max(1, Math.min(500, Number(values.limit) || 50));
    const config = loadConfig();
    let items: Row[];
    let total: number | null = null;
    try {
      const q = new URLSearchParams({ limit: String(limit), ...(values.state ? { state: values.state } : {}) });
      const res = await gatewayClient(config).request('GET', `/api/messages?${q}`);
      if (!res.ok) {
        process.stderr.write(`vanthu messages: gateway answered ${res.status}: ${await readError(res)}\n`);
        return 1;
      }
      const page = (await res.json()) as { items: Row[]; total?: number };
      items = page.items;
      total = page.total ?? null; // a gateway from before totals answers without one
    } catch (err) {
      if (!isUnreachable(err)) throw err;
      ({ items, total } = await readDirect(config, limit, values.state));
    }
    const shown = shownOf(items.length, total, 'messages (newest first; --limit up to 500)');
    if (values.json) {
      printJson({ items, ...(total === null ? {} : { total, hasMore: items.length < total }) });
      if (shown) process.stderr.write(`${shown}\n`); // stdout stays one JSON document
      return 0;
    }
    const names = namesFrom(config);
    printTable(
      [
        { title: 'MÃ (ID)' },
        { title: 'NHẬN LÚC (RECEIVED)' },
        { title: 'TRẠNG THÁI (STATE)' },
        { title: 'TỪ (FROM)', max: 30 },
        { title: 'TIÊU ĐỀ (SUBJECT)', max: 50 },
        { title: 'KẾT QUẢ (OUTCOME)', flex: true },
      ],
      items.map((m) => [
        m.id,
        localTime(m.receivedAt, names.timeZone),
        stateText(m.state),
        m.fromAddr ?? m.mailFrom ?? '',
        m.subject ?? '',
        messageOutcomeText(m, names),
      ]),
      'Chưa có thư nào (no messages)',
    );
    if (shown) process.stdout.write(`${shown}\n`);
    return 0;
  },
};
