/** Redis stopped while mail arrives: mail is still accepted; once Redis is back, everything is parsed. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inboundMessages, messageStages } from '../gateway/store/schema.ts';
import { BACKENDS } from './helpers/databases.ts';
import { startTestGateway, waitFor, type TestGateway } from './helpers/gateway.ts';
import { freePort, killHard, startRedis, type Child } from './helpers/processes.ts';
import { transport } from './helpers/smtp.ts';

const UNIT = 'vanthu@stc.lamdong.gov.vn';

describe.each(BACKENDS)('Redis outage on %s', (backend) => {
  let redis: Child;
  let port: number;
  let dir: string;
  let gw: TestGateway;

  beforeAll(async () => {
    port = await freePort();
    dir = mkdtempSync(path.join(tmpdir(), 'vanthu-redis-'));
    redis = await startRedis(port, dir);
    gw = await startTestGateway({ backend, env: { REDIS_URL: `redis://127.0.0.1:${port}` } });
  });
  afterAll(async () => {
    await gw?.close();
    if (redis) await killHard(redis);
    rmSync(dir, { recursive: true, force: true });
  });

  it('accepts mail while Redis is down and processes it after Redis returns', async () => {
    // Redis goes away once the gateway is up and its queues are connected (not mid-start-up).
    await waitFor(async () => (await fetch(`http://127.0.0.1:${gw.httpPort}/readyz`)).status === 200, 10_000, 'the gateway ready');
    await killHard(redis);
    const t = transport(gw.smtpPort!);
    const mids: string[] = [];
    for (let i = 0; i < 10; i++) {
      const mid = `<outage-${i}@sotc.example.gov.vn>`;
      const info = await t.sendMail({
        envelope: { from: 'a@sotc.example.gov.vn', to: [UNIT] },
        raw: `From: a@sotc.example.gov.vn\r\nTo: ${UNIT}\r\nSubject: outage ${i}\r\nMessage-ID: ${mid}\r\n\r\nbody ${i}\r\n`,
      });
      expect(info.response).toMatch(/^250 /);
      mids.push(mid);
    }
    const rows = () => gw.database.db.select().from(inboundMessages).where(inArray(inboundMessages.messageId, mids));
    const waiting = await rows();
    expect(waiting).toHaveLength(10);
    expect(waiting.every((r) => r.state === 'accepted' && r.enqueuedAt === null)).toBe(true);
    const ready = await fetch(`http://127.0.0.1:${gw.httpPort}/readyz`);
    expect(ready.status).toBe(503);

    redis = await startRedis(port, dir); // empty: whatever was queued before is gone too
    const parsed = () =>
      gw.database.db
        .select()
        .from(messageStages)
        .where(
          and(
            eq(messageStages.stage, 'parse'),
            eq(messageStages.status, 'done'),
            inArray(
              messageStages.messageId,
              waiting.map((r) => r.id),
            ),
          ),
        );
    await waitFor(async () => (await parsed()).length === 10, 60_000, 'all messages parsed after Redis returned');
  }, 90_000);
});
