/**
 * Separate roles in separate processes: a gateway accepts mail and keeps small messages' bytes in
 * its accept journal; a worker process, which never saw them written, finds them in the packs and
 * parses them; once the gateway is idle the unpacker turns them into loose blob files.
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { openStorage, type Storage } from '../gateway/store/storage.ts';
import { loadConfig } from '../gateway/config/load.ts';
import { inboundMessages, messageStages } from '../gateway/store/schema.ts';
import { createTestStorage, type TestStorage } from './helpers/databases.ts';
import { testEnv, waitFor } from './helpers/gateway.ts';
import { plainMail } from './helpers/mime.ts';
import { freePort, killHard, spawnVanthu, waitForHttp, type Child } from './helpers/processes.ts';
import { transport } from './helpers/smtp.ts';

const UNIT = 'vanthu@stc.lamdong.gov.vn';

describe('gateway and worker as separate processes', () => {
  const children: Child[] = [];
  let ts: TestStorage;
  let storage: Storage;
  afterAll(async () => {
    for (const c of children) await killHard(c);
    await storage?.close();
    await ts?.cleanup();
  });

  it("parses messages the worker reads out of the gateway's packs, then unpacks them when idle", async () => {
    ts = await createTestStorage('postgres');
    const config = path.join(ts.dataDir, 'roles.yaml');
    writeFileSync(config, 'ingest:\n  outboxSweepMs: 200\n  unpackIdleMs: 10000\n');
    const env = testEnv(ts, {
      VANTHU_CONFIG: config,
      VANTHU_SMTP_PORT: String(await freePort()),
      VANTHU_HTTP_PORT: String(await freePort()),
      VANTHU_LOG_LEVEL: 'warn',
    });
    const gateway = spawnVanthu(['start', '--role', 'gateway'], env);
    children.push(gateway);
    await waitForHttp(`http://127.0.0.1:${env.VANTHU_HTTP_PORT}/healthz`, gateway);
    const worker = spawnVanthu(['start', '--role', 'worker'], env);
    children.push(worker);
    storage = await openStorage(loadConfig(env));
    const { db } = storage.database;

    const t = transport(Number(env.VANTHU_SMTP_PORT));
    const ids = ['roles-1', 'roles-2', 'roles-3'];
    const mids = ids.map((id) => `<${id}@ubnd.bentre.gov.vn>`);
    for (const id of ids)
      expect((await t.sendMail({ envelope: { from: 'vanthu@ubnd.bentre.gov.vn', to: [UNIT] }, raw: plainMail(id, UNIT) })).response).toMatch(/^250 /);
    const rows = await db.select().from(inboundMessages).where(inArray(inboundMessages.messageId, mids));
    const shas = rows.map((r) => r.blobSha256);
    const loose = () => shas.filter((s) => existsSync(storage.blobs.pathOf(s))).length;
    expect(loose()).toBe(0);

    const parsed = () =>
      db
        .select()
        .from(messageStages)
        .where(
          and(
            eq(messageStages.stage, 'parse'),
            eq(messageStages.status, 'done'),
            inArray(
              messageStages.messageId,
              rows.map((r) => r.id),
            ),
          ),
        );
    await waitFor(async () => (await parsed()).length === 3 || worker.proc.exitCode !== null, 30_000, 'the worker to parse all three');
    expect(worker.proc.exitCode, worker.stderr()).toBeNull();
    expect(loose()).toBe(0); // read from the packs: the gateway has not been idle long enough yet
    expect((await parsed()).map((s) => (s.result as { messageId: string }).messageId).sort()).toEqual([...mids].sort());

    await waitFor(() => loose() === 3, 40_000, 'the idle gateway to unpack the messages');
    const raw = await storage.blobs.read(shas[0]);
    expect(raw.toString()).toContain('Message-ID: <roles-');
  }, 120_000);
});
