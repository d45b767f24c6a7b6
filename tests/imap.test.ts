/**
 * IMAP connector against a real Dovecot: messages in the mailbox go through the durable accept
 * exactly once, are marked only after they are stored, new mail arrives through IDLE, a changed
 * UIDVALIDITY rescans without duplicates, and a wrong password shows in /api/connectors with
 * back-off instead of a crash loop.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import type { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../gateway/config/load.ts';
import { INGESTED_KEYWORD } from '../gateway/config/imap.ts';
import type { AccountReport, ConnectorsReport } from '../gateway/imap/connectors.ts';
import { FolderStateStore } from '../gateway/imap/state.ts';
import { openDatabase } from '../gateway/store/db.ts';
import { inboundMessages } from '../gateway/store/schema.ts';
import { BACKENDS, createTestStorage } from './helpers/databases.ts';
import { dovecotAccount, officialMail, startDovecot, type TestDovecot } from './helpers/dovecot.ts';
import { startTestGateway, testEnv, waitFor, type TestGateway } from './helpers/gateway.ts';
import { freePort, spawnVanthu } from './helpers/processes.ts';

const UNIT = 'vanthu@stc.lamdong.gov.vn';
const PASSWORD = 'mật-khẩu-1';
const user = (backend: string, name: string) => `${name}-${backend}@stc.lamdong.gov.vn`;

let dovecot: TestDovecot;

beforeAll(async () => {
  dovecot = await startDovecot(BACKENDS.flatMap((b) => ['main', 'mover', 'locked'].map((n) => ({ user: user(b, n), password: PASSWORD }))));
});
afterAll(() => dovecot?.stop());

async function withClient<T>(login: string, fn: (c: ImapFlow) => Promise<T>): Promise<T> {
  const c = await dovecot.connect(login);
  try {
    return await fn(c);
  } finally {
    await c.logout().catch(() => undefined);
  }
}

async function appendAll(login: string, folder: string, mails: string[]): Promise<void> {
  await withClient(login, async (c) => {
    for (const m of mails) await c.append(folder, m);
  });
}

/** UID -> flags of every message in a folder. */
async function flagsIn(login: string, folder: string): Promise<Map<number, Set<string>>> {
  return withClient(login, async (c) => {
    const lock = await c.getMailboxLock(folder);
    try {
      const out = new Map<number, Set<string>>();
      // biome-ignore lint/complexity/useOptionalChain: imapflow's mailbox is `false | MailboxObject`; `?.` does not narrow `false`.
      if (!c.mailbox || !c.mailbox.exists) return out;
      for (const m of await c.fetchAll('1:*', { uid: true, flags: true })) out.set(m.uid, m.flags ?? new Set());
      return out;
    } finally {
      lock.release();
    }
  });
}

function account(backend: string, name: string, extra: Partial<Config['imap']['accounts'][number]> = {}) {
  return dovecotAccount(dovecot, { id: `${name}-${backend}`, user: user(backend, name), password: PASSWORD, batchSize: 3, ...extra });
}

describe.each(BACKENDS)('IMAP connector on %s', (backend) => {
  let gw: TestGateway;
  const main = user(backend, 'main');
  const tag = `imap-${backend}`;

  const connectors = async (): Promise<ConnectorsReport> => (await (await gw.api('/api/connectors')).json()) as ConnectorsReport;
  const accountStatus = async (id: string): Promise<AccountReport> => (await connectors()).imap.find((a) => a.id === id)!;
  const imapRows = (messageId?: string) =>
    gw.database.db
      .select()
      .from(inboundMessages)
      .where(and(eq(inboundMessages.source, 'imap'), messageId ? eq(inboundMessages.messageId, messageId) : undefined));

  beforeAll(async () => {
    // Mail that was waiting before vanthu started, in two folders.
    await withClient(main, (c) => c.mailboxCreate('Den'));
    await appendAll(
      main,
      'INBOX',
      [1, 2, 3, 4, 5].map((i) => officialMail(i, UNIT, 6, tag)),
    );
    await appendAll(
      main,
      'Den',
      [6, 7].map((i) => officialMail(i, UNIT, 6, tag)),
    );
    gw = await startTestGateway({
      backend,
      configure: (c) => {
        c.smtp.maxMessageBytes = 2 * 1024 * 1024;
        c.imap.backoffMinMs = 300;
        c.imap.accounts = [
          account(backend, 'main', { folders: ['INBOX', 'Den'] }),
          account(backend, 'mover', { afterIngest: 'move', moveTo: 'Da-nhan', address: 'taichinh@lamdong.gov.vn', unit: null }),
          account(backend, 'locked', { password: 'sai-mat-khau' }),
        ];
      },
    });
  });
  afterAll(() => gw?.close());

  it('ingests waiting mail of every watched folder once, then marks it on the server', async () => {
    await waitFor(async () => (await imapRows()).filter((r) => r.messageId.startsWith(`<${tag}-`)).length >= 7, 20_000, 'seven IMAP messages');
    const rows = (await imapRows()).filter((r) => r.messageId.startsWith(`<${tag}-`));
    expect(rows.map((r) => r.messageId).sort()).toEqual([1, 2, 3, 4, 5, 6, 7].map((i) => `<${tag}-${i}@ubnd.bentre.gov.vn>`).sort());
    expect(rows.every((r) => r.unitIds[0] === 'stc' && r.rcptTo[0] === UNIT)).toBe(true);
    const [one] = rows.filter((r) => r.messageId === `<${tag}-1@ubnd.bentre.gov.vn>`);
    expect((await gw.blobs.read(one.blobSha256)).toString()).toBe(officialMail(1, UNIT, 6, tag));
    const flagged = await waitFor(
      async () => {
        const all = [...(await flagsIn(main, 'INBOX')).values(), ...(await flagsIn(main, 'Den')).values()];
        return all.length === 7 && all.every((f) => f.has(INGESTED_KEYWORD)) ? all : null;
      },
      10_000,
      'keyword on every message',
    );
    expect(flagged).toHaveLength(7);
    // The pipeline picks them up like SMTP mail.
    await waitFor(
      async () => {
        const res = await gw.api(`/api/messages/${one.id}`);
        return ((await res.json()) as { stages: { parse?: { status: string } } }).stages.parse?.status === 'done';
      },
      15_000,
      'parse stage of an IMAP message',
    );
  });

  it('sees new mail through IDLE and reports the account in /api/connectors', async () => {
    await appendAll(main, 'INBOX', [officialMail(8, UNIT, 6, tag)]);
    await waitFor(async () => (await imapRows(`<${tag}-8@ubnd.bentre.gov.vn>`)).length === 1, 15_000, 'message appended while idling');
    const status = await waitFor(
      async () => {
        const s = await accountStatus(`main-${backend}`);
        return s.folders[0].lastUid === 6 ? s : null;
      },
      10_000,
      'INBOX last UID 6',
    );
    expect(status).toMatchObject({ connected: true, idle: true, unitId: 'stc', address: UNIT, lastError: null });
    expect(status.counts.ingested).toBe(8);
    expect(status.folders.map((f) => [f.name, f.lastUid, f.ingested])).toEqual([
      ['INBOX', 6, 6],
      ['Den', 2, 2],
    ]);
  });

  it('prints the same report with `vanthu connectors --json` (through the gateway API)', async () => {
    const cli = spawnVanthu(['connectors', '--json'], { VANTHU_API_URL: `http://127.0.0.1:${gw.httpPort}`, VANTHU_API_TOKEN: gw.token });
    let out = '';
    cli.proc.stdout!.on('data', (d) => (out += d));
    expect(await cli.exited).toBe(0);
    const report = JSON.parse(out) as ConnectorsReport;
    expect(report.imap.map((a) => a.id)).toEqual([`main-${backend}`, `mover-${backend}`, `locked-${backend}`]);
    expect(report.imap[0]).toMatchObject({ connected: true, folders: [{ name: 'INBOX' }, { name: 'Den' }] });
  });

  it('moves messages to the configured folder after storing them (afterIngest: move)', async () => {
    const mover = user(backend, 'mover');
    await appendAll(mover, 'INBOX', [officialMail(20, 'taichinh@lamdong.gov.vn', 5, tag), officialMail(21, 'taichinh@lamdong.gov.vn', 5, tag)]);
    await waitFor(async () => (await flagsIn(mover, 'Da-nhan')).size === 2, 15_000, 'two messages moved to Da-nhan');
    expect((await flagsIn(mover, 'INBOX')).size).toBe(0);
    const rows = (await imapRows()).filter((r) => /-(20|21)@/.test(r.messageId));
    expect(rows.map((r) => r.rcptTo[0])).toEqual(['taichinh@lamdong.gov.vn', 'taichinh@lamdong.gov.vn']);
  });

  it('rescans a folder whose UIDVALIDITY changed without storing anything twice', async () => {
    const before = await accountStatus(`main-${backend}`);
    await withClient(main, async (c) => {
      await c.mailboxDelete('Den');
      await c.mailboxCreate('Den');
    });
    // The same two messages come back under new UIDs, with one new one.
    await appendAll(
      main,
      'Den',
      [6, 7, 9].map((i) => officialMail(i, UNIT, 6, tag)),
    );
    await appendAll(main, 'INBOX', [officialMail(10, UNIT, 6, tag)]); // wakes the IDLE on INBOX
    const after = await waitFor(
      async () => {
        const s = await accountStatus(`main-${backend}`);
        return s.counts.ingested === 10 && s.folders[1].lastUid === 3 ? s : null;
      },
      15_000,
      'rescan of Den',
    );
    expect(after.folders[1].uidValidity).not.toBe(before.folders[1].uidValidity);
    expect(after.counts.duplicates - before.counts.duplicates).toBe(2);
    for (const i of [6, 7, 9]) expect(await imapRows(`<${tag}-${i}@ubnd.bentre.gov.vn>`)).toHaveLength(1);
  });

  it('shows a wrong password in /api/connectors and backs off instead of looping', async () => {
    const first = await waitFor(
      async () => {
        const s = await accountStatus(`locked-${backend}`);
        return s.failures >= 1 ? s : null;
      },
      15_000,
      'first failure',
    );
    expect(first.lastError).toMatch(/authentication failed/i);
    expect(first.connected).toBe(false);
    const later = await waitFor(
      async () => {
        const s = await accountStatus(`locked-${backend}`);
        return s.failures >= first.failures + 1 ? s : null;
      },
      20_000,
      'another failure',
    );
    // Each wait doubles: 300 ms, 600 ms, 1200 ms, ...
    expect(later.backoffMs).toBeGreaterThan(first.backoffMs!);
    expect(later.backoffMs).toBe(300 * 2 ** (later.failures - 1));
    expect(later.state).toBe('backoff');
    // The other accounts are unaffected.
    expect((await accountStatus(`main-${backend}`)).connected).toBe(true);
  });

  it('streams a message above 1 MiB and skips one over the size limit without getting stuck', async () => {
    const before = await accountStatus(`main-${backend}`);
    const big = officialMail(30, UNIT, 1500, tag);
    await appendAll(main, 'INBOX', [big, officialMail(31, UNIT, 3000, tag), officialMail(32, UNIT, 6, tag)]);
    // Within a batch large messages are fetched after the small ones: wait for the whole batch.
    const after = await waitFor(
      async () => {
        const s = await accountStatus(`main-${backend}`);
        return s.folders[0].lastUid === before.folders[0].lastUid + 3 ? s : null;
      },
      20_000,
      'the three messages',
    );
    expect(await imapRows(`<${tag}-32@ubnd.bentre.gov.vn>`)).toHaveLength(1);
    const [row] = await imapRows(`<${tag}-30@ubnd.bentre.gov.vn>`);
    expect(big.length).toBeGreaterThan(1024 * 1024);
    expect((await gw.blobs.read(row.blobSha256)).equals(Buffer.from(big))).toBe(true);
    expect(await imapRows(`<${tag}-31@ubnd.bentre.gov.vn>`)).toHaveLength(0);
    expect(after.counts.ingested - before.counts.ingested).toBe(2);
    expect(after.counts.tooLarge - before.counts.tooLarge).toBe(1);
    const flags = [...(await flagsIn(main, 'INBOX')).values()].slice(-3).map((f) => f.has(INGESTED_KEYWORD));
    expect(flags).toEqual([true, false, true]);
  });
});

describe('vanthu connectors without a running gateway', () => {
  it('reports the configured accounts with their stored progress as "not running"', async () => {
    const storage = await createTestStorage('pglite');
    try {
      const database = await openDatabase({ url: null, dataDir: storage.dataDir });
      await new FolderStateStore(database).advance('offline', 'INBOX', { uidValidity: 77, lastUid: 41, ingested: 40, duplicates: 1 });
      await database.close();
      const cfg = path.join(storage.dataDir, 'offline.yaml');
      writeFileSync(cfg, 'imap:\n  accounts:\n    - { id: offline, host: mail.example, user: u, password: p, unit: stc }\n');
      const cli = spawnVanthu(['connectors', '--json'], { ...testEnv(storage), VANTHU_CONFIG: cfg, VANTHU_API_URL: `http://127.0.0.1:${await freePort()}` });
      let out = '';
      cli.proc.stdout!.on('data', (d) => (out += d));
      expect(await cli.exited, cli.stderr()).toBe(0);
      const [a] = (JSON.parse(out) as ConnectorsReport).imap;
      expect(a).toMatchObject({ id: 'offline', state: 'not running', connected: false, port: 993, unitId: 'stc', address: UNIT, lastError: null });
      expect(a.folders).toEqual([{ name: 'INBOX', uidValidity: 77, lastUid: 41, ingested: 40, duplicates: 1, lastSyncAt: expect.any(String) }]);
    } finally {
      await storage.cleanup();
    }
  });
});
