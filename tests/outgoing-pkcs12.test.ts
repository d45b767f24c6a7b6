/**
 * PKCS#12 files whose password is not ASCII (issue 17): made by `openssl pkcs12 -export -passout
 * pass:"mật khẩu"` with OpenSSL 3's default encryption (PBES2: PBKDF2 + AES-256, password as UTF-8)
 * and with the legacy 3DES/SHA-1 one (password as BMPString), read by both key loaders — S/MIME
 * (`loadPkcs12`) and issuance (`loadIssueKey`) — with an RSA and an EC (P-256) key. A wrong
 * password is still refused.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadIssueKey } from '../gateway/outgoing/issue/keys.ts';
import { loadPkcs12 } from '../gateway/outgoing/sign.ts';
import { opensslIn } from './helpers/openssl-pki.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'vanthu-p12-'));
const file = (name: string) => path.join(dir, name);
const openssl = opensslIn(dir);
const PASSWORD = 'mật khẩu';
const LEGACY = ['-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES', '-macalg', 'sha1'];

function makeKey(name: string, keyArgs: string[]): void {
  openssl(['req', '-x509', ...keyArgs, '-nodes', '-utf8', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '365', '-subj', `/CN=Văn thư ${name}`]);
  openssl(['pkcs12', '-export', '-inkey', `${name}.key`, '-in', `${name}.pem`, '-out', `${name}.p12`, '-passout', `pass:${PASSWORD}`]);
  openssl(['pkcs12', '-export', '-inkey', `${name}.key`, '-in', `${name}.pem`, '-out', `${name}-legacy.p12`, ...LEGACY, '-passout', `pass:${PASSWORD}`]);
}

beforeAll(() => {
  makeKey('rsa', ['-newkey', 'rsa:2048']);
  makeKey('ec', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']);
  // The files really are what the test says: PBES2/AES by default, 3DES for the legacy export.
  const info = (p12: string) =>
    spawnSync('openssl', ['pkcs12', '-info', '-noout', '-in', p12, '-passin', `pass:${PASSWORD}`], { cwd: dir, encoding: 'utf8' }).stderr;
  expect(info('rsa.p12')).toMatch(/PBES2, PBKDF2, AES-256-CBC/);
  expect(info('rsa-legacy.p12')).toMatch(/pbeWithSHA1And3-KeyTripleDES-CBC/);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('PKCS#12 with a non-ASCII password', () => {
  it.each(['rsa.p12', 'rsa-legacy.p12', 'ec.p12', 'ec-legacy.p12'])('S/MIME reads %s made with "mật khẩu"', (name) => {
    const key = loadPkcs12(file(name), PASSWORD);
    if ('ec' in key) expect(key.ec.privateKey.asymmetricKeyType).toBe('ec');
    else expect(key.cert.subject.getField('CN')).toBeTruthy();
    expect('ec' in key).toBe(name.startsWith('ec'));
  });

  it.each(['rsa.p12', 'rsa-legacy.p12', 'ec.p12', 'ec-legacy.p12'])('issuance reads %s made with "mật khẩu"', (name) => {
    const key = loadIssueKey(file(name), PASSWORD);
    expect(key.privateKey.asymmetricKeyType).toBe(name.startsWith('ec') ? 'ec' : 'rsa');
    expect(key.certificate.length).toBeGreaterThan(100);
  });

  it('accepts the password typed in decomposed form (NFD) as the same password', () => {
    expect(loadIssueKey(file('ec.p12'), PASSWORD.normalize('NFD')).privateKey.asymmetricKeyType).toBe('ec');
  });

  it('still refuses a wrong password, also one that differs only in its diacritics', () => {
    expect(() => loadIssueKey(file('rsa.p12'), 'mat khau')).toThrow(/PKCS#12/);
    expect(() => loadPkcs12(file('rsa-legacy.p12'), 'mât khẩu')).toThrow(/PKCS#12/);
  });
});
