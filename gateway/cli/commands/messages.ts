import { desc } from 'drizzle-orm';
import { openStorage } from '../../app.ts';
import { loadConfig } from '../../config.ts';
import { inboundMessages } from '../../store/schema.ts';
import type { Command } from '../main.ts';
import { parse, printJson } from '../args.ts';
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
    const { values } = parse(args, { json: { type: 'boolean', default: false }, limit: { type: 'string', default: '50' } }, 'vanthu messages [--json] [--limit N]');
    const limit = Math.max(1, Math.min(500, Number(values.limit) || 50));
    const config = loadConfig();
    let items: Row[];
    try {
      const res = await gatewayClient(config).request('GET', `/api/messages?limit=${limit}`);
      if (!res.ok) {
        process.stderr.write(`vanthu messages: gateway answered ${res.status}: ${await readError(res)}\n`);
        return 1;
      }
      items = ((await res.json()) as { items: Row[] }).items;
    } catch (err) {
      if (!isUnreachable(err)) throw err;
      const storage = await openStorage(config);
      try {
        items = await storage.database.db.select().from(inboundMessages).orderBy(desc(inboundMessages.id)).limit(limit);
      } finally {
        await storage.close();
      }
    }
    if (values.json) printJson({ items });
    else {
      process.stdout.write(`${'ID'.padEnd(27)}${'NHẬN LÚC (RECEIVED)'.padEnd(22)}${'TRẠNG THÁI'.padEnd(12)}${'TỪ (FROM)'.padEnd(32)}TIÊU ĐỀ (SUBJECT)\n`);
      for (const m of items) {
        const at = new Date(m.receivedAt).toISOString().slice(0, 19).replace('T', ' ');
        process.stdout.write(`${m.id.padEnd(27)}${at.padEnd(22)}${m.state.padEnd(12)}${(m.fromAddr ?? m.mailFrom ?? '').slice(0, 30).padEnd(32)}${m.subject ?? ''}\n`);
      }
    }
    return 0;
  },
};
