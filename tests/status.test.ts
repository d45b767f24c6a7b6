/**
 * Is the pipeline keeping up? (docs/operations.md): `GET /api/status` and `vanthu status` report
 * the undecided messages by state, the oldest one and how long it has waited (by the app's clock),
 * the failed ones, and the jobs waiting in the queues.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../gateway/clock.ts';
import type { PipelineStatus } from '../gateway/workers/backlog.ts';
import { openDatabase } from '../gateway/store/db.ts';
import { createTestStorage } from './helpers/databases.ts';
import { startTestGateway, testEnv, waitFor, type TestGateway } from './helpers/gateway.ts';
import { freePort, spawnVanthu } from './helpers/processes.ts';
import { insertInbound } from './helpers/registry-fixtures.ts';

describe('pipeline status', () => {
  let gw: TestGateway;
  const clock = new ManualClock('2026-11-23T03:00:00Z');
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    // The gateway role alone: nothing decides the messages, so they stay where the test put them.
    gw = await startTestGateway({ backend: 'postgres', role: 'gateway', clock });
    const { db } = gw.database;
    // Each row is written in its state: the gateway's outbox sweep (every 200 ms) queues any pending row
    // it sees, so a row written `parsed` and moved after was sometimes queued too (3 jobs, not 2).
    const put = async (name: string, state: string, receivedAt: string) => {
      ids[name] = await insertInbound(db, { receivedAt: new Date(receivedAt), state });
    };
    await put('oldestDecided', 'decided', '2026-11-20T00:00:00Z');
    await put('waitingOcr', 'ocr', '2026-11-23T01:40:00Z');
    await put('parsed', 'parsed', '2026-11-23T02:10:00Z');
    await put('accepted', 'accepted', '2026-11-23T02:59:00Z');
    await put('failed', 'failed', '2026-11-21T00:00:00Z');
  }, 120_000);
  afterAll(async () => {
    await gw?.close();
  });

  it('counts undecided messages by state and names the oldest with its age by the app clock', async () => {
    const res = await gw.api('/api/status');
    expect(res.status).toBe(200);
    const s = (await res.json()) as PipelineStatus;
    expect(s).toMatchObject({
      at: '2026-11-23T03:00:00.000Z',
      undecided: 3,
      byState: { ocr: 1, parsed: 1, accepted: 1 },
      failed: 1,
      oldestUndecided: { id: ids.waitingOcr, state: 'ocr', receivedAt: '2026-11-23T01:40:00.000Z', ageSeconds: 80 * 60 },
    });
    expect(Object.keys(s.queues ?? {})).toEqual(['ingest', 'ocr']);
    expect(s.queues?.ingest).toHaveProperty('waiting');
  });

  it('shows the jobs the outbox sweep queued for the pending messages (no worker runs here)', async () => {
    // The sweep (every 200 ms in tests) queues the two pending messages; nobody takes them.
    const s = await waitFor(async () => {
      const st = (await (await gw.api('/api/status')).json()) as PipelineStatus;
      return (st.queues?.ingest.waiting ?? 0) >= 2 ? st : null;
    });
    expect(s.queues?.ingest.waiting).toBe(2);
  });

  it('prints it with `vanthu status` through the gateway, in Vietnamese and English', async () => {
    const cli = spawnVanthu(['status'], { VANTHU_API_URL: `http://127.0.0.1:${gw.httpPort}`, VANTHU_API_TOKEN: gw.token });
    let out = '';
    cli.proc.stdout!.on('data', (d) => (out += d));
    expect(await cli.exited, cli.stderr()).toBe(0);
    expect(out).toContain('Chưa xử lý xong (undecided): 3');
    expect(out).toContain(`Thư chờ lâu nhất (oldest undecided): ${ids.waitingOcr} (ocr), nhận lúc (received) 23/11/2026 08:40`);
    expect(out).toContain('đã chờ (waiting) 1 h 20 min');
    expect(out).toMatch(/Hàng đợi \(queue\) ingest: waiting 2/);
  });

  it('refuses anyone but an administrator', async () => {
    const res = await fetch(`http://127.0.0.1:${gw.httpPort}/api/status`);
    expect(res.status).toBe(401);
  });
});

describe('vanthu status without a running gateway', () => {
  it('reads the backlog from the database and says the queue depths are unknown', async () => {
    const storage = await createTestStorage('pglite');
    try {
      const database = await openDatabase({ url: null, dataDir: storage.dataDir });
      await insertInbound(database.db, { receivedAt: new Date('2026-11-23T02:00:00Z') });
      await database.close();
      const cli = spawnVanthu(['status', '--json'], { ...testEnv(storage), VANTHU_API_URL: `http://127.0.0.1:${await freePort()}` });
      let out = '';
      cli.proc.stdout!.on('data', (d) => (out += d));
      expect(await cli.exited, cli.stderr()).toBe(0);
      const s = JSON.parse(out) as PipelineStatus;
      expect(s).toMatchObject({ undecided: 1, byState: { parsed: 1 }, failed: 0, queues: null, queuesError: 'gateway not running: queue depths unknown' });
      expect(s.oldestUndecided?.receivedAt).toBe('2026-11-23T02:00:00.000Z');
    } finally {
      await storage.cleanup();
    }
  }, 120_000);
});
