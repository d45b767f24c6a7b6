/**
 * Two gateways sharing one PostgreSQL and one IMAP account (as on two MX hosts): one polls, the
 * other stands by; when the first stops, the second takes over. Nothing is fetched twice.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../gateway/config/load.ts';
import type { AccountReport, ConnectorsReport } from '../gateway/imap/connectors.ts';
import { inboundMessages } from '../gateway/store/schema.ts';
import { dovecotAccount, officialMail, startDovecot, type TestDovecot } from './helpers/dovecot.ts';
import { startTestGateway, waitFor, type TestGateway } from './helpers/gateway.ts';

const UNIT = 'vanthu@stc.lamdong.gov.vn';
const LOGIN = 'chung@stc.lamdong.gov.vn';
const PASSWORD = 'mật-khẩu-chung';

describe('IMAP account shared by two gateways', () => {
  let dovecot: TestDovecot;
  let a: TestGateway;
  let b: TestGateway;
  let aStopped = false;

  const configure = (c: Config) => {
    c.imap.leaseMs = 1500;
    c.imap.backoffMinMs = 300;
    c.imap.accounts = [dovecotAccount(dovecot, { id: 'chung', user: LOGIN, password: PASSWORD })];
  };
  const status = async (gw: TestGateway): Promise<AccountReport> => ((await (await gw.api('/api/connectors')).json()) as ConnectorsReport).imap[0];
  const append = async (from: number, to: number) => {
    const c = await dovecot.connect(LOGIN);
    for (let i = from; i <= to; i++) await c.append('INBOX', officialMail(i, UNIT, 6, 'lease'));
    await c.logout();
  };

  beforeAll(async () => {
    dovecot = await startDovecot([{ user: LOGIN, password: PASSWORD }]);
    a = await startTestGateway({ backend: 'postgres', configure });
    await waitFor(async () => (await status(a)).state === 'idle', 20_000, 'gateway A polling');
    b = await startTestGateway({ backend: 'postgres', configure, env: { DATABASE_URL: a.storage.databaseUrl! } });
  });
  afterAll(async () => {
    await b?.close();
    if (a && !aStopped) await a.stop();
    await a?.storage.cleanup(); // B used A's database: dropped last
    dovecot?.stop();
  });

  it('lets one gateway poll while the other stands by, and hands over when it stops', async () => {
    await waitFor(async () => (await status(b)).state === 'standby', 10_000, 'gateway B standing by');
    const rows = () => b.database.db.select().from(inboundMessages).where(eq(inboundMessages.source, 'imap'));

    await append(1, 3);
    // A's counts move after each batch is stored: wait on them, not on the rows.
    await waitFor(async () => (await status(a)).counts.ingested === 3, 20_000, 'three messages stored by A');
    expect(await rows()).toHaveLength(3);
    expect((await status(b)).counts).toMatchObject({ ingested: 0, duplicates: 0, connects: 0 });

    await a.stop(); // releases the lease
    aStopped = true;
    await waitFor(async () => (await status(b)).state === 'idle', 10_000, 'gateway B taking over');
    await append(4, 5);
    await waitFor(async () => (await status(b)).counts.ingested === 2, 20_000, 'two more stored by B');
    expect(await rows()).toHaveLength(5);
    const after = await status(b);
    expect(after.counts.duplicates).toBe(0); // it went on from A's last UID, fetching nothing twice
  }, 90_000);
});
