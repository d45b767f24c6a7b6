/**
 * Kill -9 the gateway at random moments while mail arrives; after restarts, every message that was
 * answered 250 is stored exactly once and gets parsed.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../gateway/store/db.ts';
import { inboundMessages, messageStages } from '../gateway/store/schema.ts';
import { BACKENDS, createTestStorage, type TestStorage } from './helpers/databases.ts';
import { testEnv, waitFor } from './helpers/gateway.ts';
import { freePort, killHard, spawnVanthu, waitForHttp, type Child } from './helpers/processes.ts';
import { transport } from './helpers/smtp.ts';

const UNIT = 'vanthu@vpubnd.lamdong.gov.vn';
const RESTARTS = 3;

describe.each(BACKENDS)('crash safety on %s', (backend) => {
  let storage: TestStorage;
  let env: Record<string, string>;
  let child: Child | null = null;

  beforeAll(async () => {
    storage = await createTestStorage(backend);
    // Jobs active at the kill are picked up again after the lock expires: keep that short here.
    const config = path.join(storage.dataDir, 'crash.yaml');
    writeFileSync(config, 'ingest:\n  lockMs: 2000\n  outboxSweepMs: 200\n');
    env = testEnv(storage, {
      VANTHU_CONFIG: config,
      VANTHU_SMTP_PORT: String(await freePort()),
      VANTHU_HTTP_PORT: String(await freePort()),
      VANTHU_LOG_LEVEL: 'warn',
    });
  });
  afterAll(async () => {
    if (child) await killHard(child);
    await storage?.cleanup();
  });

  async function startGateway(): Promise<Child> {
    const c = spawnVanthu(['start'], env);
    await waitForHttp(`http://127.0.0.1:${env.VANTHU_HTTP_PORT}/healthz`, c);
    return c;
  }

  it('stores every acknowledged message exactly once and parses it', async () => {
    const acked = new Map<string, string>(); // Message-ID -> queued id
    let seq = 0;
    let sending = true;
    const sender = async (lane: number) => {
      while (sending) {
        const mid = `<crash-${lane}-${seq++}@sotc.example.gov.vn>`;
        const raw = `From: a@sotc.example.gov.vn\r\nTo: ${UNIT}\r\nSubject: Thu ${mid}\r\nMessage-ID: ${mid}\r\n\r\nNoi dung ${'x'.repeat(2000)}\r\n`;
        try {
          const info = await transport(Number(env.VANTHU_SMTP_PORT)).sendMail({ envelope: { from: 'a@sotc.example.gov.vn', to: [UNIT] }, raw });
          acked.set(mid, /queued as (\w+)/.exec(info.response)![1]);
        } catch {
          await new Promise((r) => setTimeout(r, 50)); // not acknowledged: a real MTA would retry later
        }
      }
    };
    child = await startGateway();
    const lanes = [0, 1, 2, 3].map(sender);
    for (let i = 0; i < RESTARTS; i++) {
      await new Promise((r) => setTimeout(r, 300 + Math.random() * 1200));
      await killHard(child);
      child = await startGateway();
    }
    await new Promise((r) => setTimeout(r, 500));
    sending = false;
    await Promise.all(lanes);
    expect(acked.size).toBeGreaterThan(10);

    await waitFor(
      async () => {
        const res = await fetch(`http://127.0.0.1:${env.VANTHU_HTTP_PORT}/api/messages?state=accepted&limit=1`, {
          headers: { authorization: 'Bearer vanthu-demo-token' },
        });
        return ((await res.json()) as { items: unknown[] }).items.length === 0;
      },
      60_000,
      'every accepted message to be processed',
    );
    await killHard(child);
    child = null;

    const database = await openDatabase({ url: storage.databaseUrl, dataDir: storage.dataDir });
    try {
      const rows = await database.db
        .select()
        .from(inboundMessages)
        .where(inArray(inboundMessages.messageId, [...acked.keys()]));
      const perMid = new Map<string, number>();
      for (const r of rows) perMid.set(r.messageId, (perMid.get(r.messageId) ?? 0) + 1);
      const missing = [...acked.keys()].filter((m) => !perMid.has(m));
      const doubled = [...perMid].filter(([, n]) => n > 1);
      expect(missing).toEqual([]);
      expect(doubled).toEqual([]);
      for (const r of rows) expect(r.id).toBe(acked.get(r.messageId));
      const parsed = await database.db
        .select({ id: messageStages.messageId })
        .from(messageStages)
        .where(and(eq(messageStages.stage, 'parse'), eq(messageStages.status, 'done')));
      const parsedIds = new Set(parsed.map((p) => p.id));
      expect(rows.filter((r) => !parsedIds.has(r.id)).map((r) => [r.id, r.state, r.lastError])).toEqual([]);
      const failed = await database.db.select().from(inboundMessages).where(eq(inboundMessages.state, 'failed'));
      expect(failed).toEqual([]);
    } finally {
      await database.close();
    }
  }, 180_000);
});
