/**
 * Kill -9 the gateway while it syncs a mailbox and restart it: every message of the
 * mailbox ends up stored exactly once, and no message was marked on the server before it was
 * stored (checked in the database while the gateway is down).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectorsReport } from '../gateway/imap/connectors.ts';
import { INGESTED_KEYWORD } from '../gateway/config/imap.ts';
import { openDatabase } from '../gateway/store/db.ts';
import { inboundMessages } from '../gateway/store/schema.ts';
import { BACKENDS, createTestStorage, type TestStorage } from './helpers/databases.ts';
import { officialMail, startDovecot, type TestDovecot } from './helpers/dovecot.ts';
import { testEnv, waitFor } from './helpers/gateway.ts';
import { freePort, killHard, spawnVanthu, waitForHttp, type Child } from './helpers/processes.ts';

const UNIT = 'vanthu@stc.lamdong.gov.vn';
const PASSWORD = 'secret-restart';
const TOTAL = 250;

let dovecot: TestDovecot;
beforeAll(async () => {
  dovecot = await startDovecot(BACKENDS.map((b) => ({ user: `restart-${b}@stc.lamdong.gov.vn`, password: PASSWORD })));
});
afterAll(() => dovecot?.stop());

describe.each(BACKENDS)('IMAP sync killed mid-way on %s', (backend) => {
  const login = `restart-${backend}@stc.lamdong.gov.vn`;
  // Kill once at least this many are stored. A PGlite gateway takes seconds to start after a
  // kill -9 (WAL recovery), so it gets one kill to keep the suite near 30 s.
  const kills = backend === 'pglite' ? [100] : [60, 140];
  let storage: TestStorage;
  let env: Record<string, string>;
  let child: Child | null = null;

  beforeAll(async () => {
    storage = await createTestStorage(backend);
    const config = path.join(storage.dataDir, 'imap.yaml');
    writeFileSync(
      config,
      [
        'imap:',
        '  backoffMinMs: 200',
        '  accounts:',
        `    - { id: restart, host: 127.0.0.1, port: ${dovecot.port}, tls: { mode: none }, user: "${login}", password: "${PASSWORD}", unit: stc, batchSize: 5 }`,
        '',
      ].join('\n'),
    );
    env = testEnv(storage, {
      VANTHU_CONFIG: config,
      VANTHU_SMTP_PORT: String(await freePort()),
      VANTHU_HTTP_PORT: String(await freePort()),
      VANTHU_LOG_LEVEL: 'warn',
    });
    const c = await dovecot.connect(login);
    for (let i = 0; i < TOTAL; i++) await c.append('INBOX', officialMail(i, UNIT, 5, `restart-${backend}`));
    await c.logout();
  });
  afterAll(async () => {
    if (child) await killHard(child);
    await storage?.cleanup();
  });

  const api = (p: string) => fetch(`http://127.0.0.1:${env.VANTHU_HTTP_PORT}${p}`, { headers: { authorization: 'Bearer vanthu-demo-token' } });
  const status = async () => ((await (await api('/api/connectors')).json()) as ConnectorsReport).imap[0];

  async function start(): Promise<Child> {
    const c = spawnVanthu(['start'], env);
    await waitForHttp(`http://127.0.0.1:${env.VANTHU_HTTP_PORT}/healthz`, c);
    return c;
  }

  /** Message-IDs stored (read with the gateway down: PGlite is single-process). */
  async function storedIds(): Promise<string[]> {
    const database = await openDatabase({ url: storage.databaseUrl, dataDir: storage.dataDir });
    try {
      const rows = await database.db.select({ mid: inboundMessages.messageId }).from(inboundMessages).where(eq(inboundMessages.source, 'imap'));
      return rows.map((r) => r.mid);
    } finally {
      await database.close();
    }
  }

  /** Message-ID -> has the ingested keyword, for every message in the mailbox. */
  async function mailbox(): Promise<Map<string, boolean>> {
    const c = await dovecot.connect(login);
    try {
      const lock = await c.getMailboxLock('INBOX');
      const out = new Map<string, boolean>();
      for (const m of await c.fetchAll('1:*', { uid: true, flags: true, envelope: true })) out.set(m.envelope!.messageId!, m.flags!.has(INGESTED_KEYWORD));
      lock.release();
      return out;
    } finally {
      await c.logout();
    }
  }

  it('stores every message exactly once across kill -9 and restarts, marking only stored ones', async () => {
    let storedAtKill = 0;
    for (const at of kills) {
      child = await start();
      await waitFor(async () => (await storedCount()) >= at, 30_000, `${at} messages stored`);
      await killHard(child);
      child = null;
      const stored = new Set(await storedIds());
      expect(stored.size).toBeGreaterThan(storedAtKill);
      expect(stored.size, 'the kill should land mid-sync').toBeLessThan(TOTAL);
      storedAtKill = stored.size;
      const marked = [...(await mailbox())].filter(([, flagged]) => flagged).map(([mid]) => mid);
      expect(marked.length).toBeGreaterThan(0);
      expect(
        marked.filter((mid) => !stored.has(mid)),
        'marked on the server but not stored',
      ).toEqual([]);
    }
    child = await start();
    await waitFor(
      async () => {
        const s = await status();
        return s.folders[0].lastUid === TOTAL && s.state === 'idle';
      },
      60_000,
      'all messages synced',
    );
    child.proc.kill('SIGTERM');
    await child.exited;
    child = null;
    const ids = await storedIds();
    expect(ids).toHaveLength(TOTAL);
    expect(new Set(ids).size).toBe(TOTAL);
    const box = await mailbox();
    expect([...box.keys()].sort()).toEqual([...ids].sort());
    expect([...box.values()].every(Boolean)).toBe(true);
  }, 90_000);

  async function storedCount(): Promise<number> {
    const res = await api('/api/messages?limit=500');
    return ((await res.json()) as { items: unknown[] }).items.length;
  }
});
