import { count, desc } from 'drizzle-orm';
import { OPERATOR, messageListScope } from '../../registry/access/policy.ts';
import { messageScopeCondition } from '../../registry/access/records.ts';
import { openStorage } from '../../app.ts';
import { loadConfig } from '../../config/load.ts';
import { inboundMessages } from '../../store/schema.ts';
import type { Command } from '../main.ts';
import { parse, printJson, shownOf } from '../args.ts';
import { gatewayClient, isUnreachable, readError } from '../gateway-client.ts';

interface Row {
  id: string;
  receivedAt: string | Date;
  state: string;
  fromAddr: string | null;
  mailFrom: string | null;
  subject: string | null;
}

export const command: Command = {
  summary: 'list received messages (newest first)',
  async run(args) {
    const { values } = parse(
      args,
      { json: { type: 'boolean', default: false }, limit: { type: 'string', default: '50' } },
      'vanthu messages [--json] [--limit N]',
    );
    const limit = Math.max(1, Math.min(500, Number(values.limit) || 50));
    const config = loadConfig();
    let items: Row[];
    let total: number | null = null;
    try {
      const res = await gatewayClient(config).request('GET', `/api/messages?limit=${limit}`);
      if (!res.ok) {
        process.stderr.write(`vanthu messages: gateway answered ${res.status}: ${await readError(res)}\n`);
        return 1;
      }
      const page = (await res.json()) as { items: Row[]; total?: number };
      items = page.items;
      total = page.total ?? null; // a gateway from before totals answers without one
    } catch (err) {
      if (!isUnreachable(err)) throw err;
      const storage = await openStorage(config);
      try {
        // No gateway: storage opened directly, as the operator (an admin: every unit).
        const scope = messageScopeCondition(messageListScope(OPERATOR));
        items = await storage.database.db.select().from(inboundMessages).where(scope).orderBy(desc(inboundMessages.id)).limit(limit);
        total = Number((await storage.database.db.select({ n: count() }).from(inboundMessages).where(scope))[0].n);
      } finally {
        await storage.close();
      }
    }
    const shown = shownOf(items.length, total, 'messages (newest first; --limit up to 500)');
    if (values.json) {
      printJson({ items, ...(total === null ? {} : { total, hasMore: items.length < total }) });
      if (shown) process.stderr.write(`${shown}\n`); // stdout stays one JSON document
    } else {
      process.stdout.write(`${'ID'.padEnd(27)}${'NHẬN LÚC (RECEIVED)'.padEnd(22)}${'TRẠNG THÁI'.padEnd(12)}${'TỪ (FROM)'.padEnd(32)}TIÊU ĐỀ (SUBJECT)\n`);
      for (const m of items) {
        const at = new Date(m.receivedAt).toISOString().slice(0, 19).replace('T', ' ');
        process.stdout.write(
          `${m.id.padEnd(27)}${at.padEnd(22)}${m.state.padEnd(12)}${(m.fromAddr ?? m.mailFrom ?? '').slice(0, 30).padEnd(32)}${m.subject ?? ''}\n`,
        );
      }
      if (shown) process.stdout.write(`${shown}\n`);
    }
    return 0;
  },
};
