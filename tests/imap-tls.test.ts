/**
 * The account's TLS settings against a real Dovecot with a self-signed certificate: implicit TLS,
 * STARTTLS, certificate checking on and off; and configuration errors that name file and key.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../gateway/config/load.ts';
import { imapSectionSchema } from '../gateway/config/imap.ts';
import { clientOptions, describeError } from '../gateway/imap/poller.ts';
import { startDovecot, type TestDovecot } from './helpers/dovecot.ts';

const USER = 'tls@stc.lamdong.gov.vn';
const PASSWORD = 'tls-secret';

function account(extra: Record<string, unknown>) {
  return imapSectionSchema.parse({ accounts: [{ id: 'tls', host: '127.0.0.1', user: USER, password: PASSWORD, unit: 'stc', ...extra }] }).accounts[0];
}

describe('IMAP account TLS modes against Dovecot', () => {
  let dovecot: TestDovecot;
  beforeAll(async () => {
    dovecot = await startDovecot([{ user: USER, password: PASSWORD }], { tls: true });
  });
  afterAll(() => dovecot?.stop());

  async function connect(extra: Record<string, unknown>): Promise<ImapFlow> {
    const client = new ImapFlow(clientOptions(account(extra)));
    client.on('error', () => undefined);
    await client.connect();
    return client;
  }

  it('connects with implicit TLS and with STARTTLS when certificate checking is off', async () => {
    const secure = await connect({ port: dovecot.tlsPort, tls: { mode: 'secure', verify: false } });
    expect(secure.secureConnection).toBe(true);
    await secure.logout();
    const upgraded = await connect({ port: dovecot.port, tls: { mode: 'starttls', verify: false } });
    expect(upgraded.secureConnection).toBe(true);
    await upgraded.logout();
    const plain = await connect({ port: dovecot.port, tls: { mode: 'none' } });
    expect(plain.secureConnection).toBe(false);
    await plain.logout();
  });

  it('refuses a self-signed certificate when checking is on, with a readable reason', async () => {
    const err = await connect({ port: dovecot.tlsPort, tls: { mode: 'secure', verify: true } }).catch((e) => e);
    expect(err).toBeInstanceOf(Error);
    expect(describeError(err)).toMatch(/self[- ]signed certificate/i);
  });
});

describe('imap configuration', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'vanthu-imap-config-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const load = (yaml: string) => {
    const file = path.join(dir, `c${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(file, yaml);
    return () => loadConfig({ VANTHU_CONFIG: file });
  };
  const base = '  - { id: a, host: mail.example, user: u, password: p';

  it('has no accounts by default and fills account defaults', () => {
    expect(loadConfig({}).imap.accounts).toEqual([]);
    const [a] = load(`imap:\n  accounts:\n${base}, address: TaiChinh@LamDong.gov.vn }\n`)().imap.accounts;
    expect(a).toMatchObject({
      port: null,
      tls: { mode: 'secure', verify: true },
      folders: ['INBOX'],
      afterIngest: 'keyword',
      address: 'taichinh@lamdong.gov.vn',
    });
  });

  it('names the file and key of a bad account', () => {
    expect(load(`imap:\n  accounts:\n${base}, unit: khong-co }\n`)).toThrow(/c\w+\.yaml: imap\.accounts\[0\]\.unit: no configured unit "khong-co"/);
    expect(load(`imap:\n  accounts:\n${base}, address: vanthu@stc.lamdong.gov.vn, unit: vpubnd }\n`)).toThrow(
      /imap\.accounts\[0\]\.address: .*belongs to unit "stc"/,
    );
    expect(load(`imap:\n  accounts:\n  - { id: a, host: h, user: u, unit: stc }\n`)).toThrow(
      /imap\.accounts\[0\]\.password: needs a password or an accessToken/,
    );
    expect(load(`imap:\n  accounts:\n${base}, unit: stc, afterIngest: move }\n`)).toThrow(/imap\.accounts\[0\]\.moveTo: afterIngest "move" needs moveTo/);
    expect(load(`imap:\n  accounts:\n${base}, unit: stc }\n${base}, unit: stc }\n`)).toThrow(/imap\.accounts\[1\]\.id: account id "a" is used twice/);
  });
});
