import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureFixtures, type Fixtures } from '../../tests/fixtures/trust/make-fixtures.ts';
import { anchorsFromEnv, loadTrustStore, TrustStore } from './store.ts';
import { buildPath } from './chain.ts';
import { certificate } from './certs.ts';
import { pemBlocks } from './der.ts';

let fx: Fixtures;
beforeAll(async () => {
  fx = await ensureFixtures();
});

const cert = (path: string) => certificate(pemBlocks(readFileSync(path), 'CERTIFICATE')[0]);

describe('trust store', () => {
  it('loads anchors and CRLs from files, and both from one folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vanthu-store-'));
    copyFileSync(fx.pki.root, join(dir, 'root.pem'));
    copyFileSync(fx.pki.crl, join(dir, 'inter.crl.pem'));
    const store = await loadTrustStore({ anchors: [dir], crls: [dir] });
    expect(store.anchors.map((a) => a.identity.commonName)).toEqual(['vanthu Test Root CA']);
    expect(store.crls).toHaveLength(1);
    const revoked = cert(fx.pki.revoked.cert);
    expect(store.crlsFrom(revoked.issuerName)[0].revoked.has(revoked.serial)).toBe(true);
  });

  it('refuses what it cannot use instead of shrinking silently', async () => {
    await expect(loadTrustStore({ anchors: ['/nonexistent/root.pem'] })).rejects.toThrow(/nonexistent/);
    await expect(loadTrustStore({ anchors: [fx.pki.crl] })).rejects.toThrow(/holds no CERTIFICATE/);
    await expect(loadTrustStore({ anchors: [fx.pki.root], crls: [fx.pki.root] })).rejects.toThrow(/holds no X509 CRL/);
  });

  it('reads VANTHU_TRUST_ANCHORS as a colon-separated list', () => {
    expect(anchorsFromEnv({ VANTHU_TRUST_ANCHORS: '/etc/a.pem::/etc/vanthu/ca' })).toEqual(['/etc/a.pem', '/etc/vanthu/ca']);
    expect(anchorsFromEnv({})).toEqual([]);
  });
});

describe('certificate paths', () => {
  it('climbs from the signer through bundled intermediates to an anchor, checking signatures', async () => {
    const signer = cert(fx.pki.signer.cert);
    const inter = cert(fx.pki.intermediate);
    const root = cert(fx.pki.root);
    expect(buildPath(signer, [inter], new TrustStore([root], []))?.map((c) => c.identity.commonName)).toEqual([
      'Nguyễn Văn An',
      'vanthu Test Government CA',
      'vanthu Test Root CA',
    ]);
    expect(buildPath(signer, [], new TrustStore([inter], []))).toHaveLength(2);
    expect(buildPath(signer, [inter], TrustStore.empty())).toBeNull();
    expect(buildPath(root, [], new TrustStore([root], []))).toEqual([root]);
    // a look-alike issuer in the bundle does not help: names match only the real CA, keys decide
    const other = cert(fx.pki.untrustedRoot);
    expect(buildPath(cert(fx.pki.untrusted.cert), [other, inter], new TrustStore([root], []))).toBeNull();
  });

  it('reads the identity, key usage and validity of a certificate', () => {
    const c = cert(fx.pki.expired.cert);
    expect(c.identity.email).toBe('dung@sotttt.lamdong.gov.vn');
    expect(c.notAfter.toISOString()).toBe('2021-01-01T00:00:00.000Z');
    expect(cert(fx.pki.badUsage.cert).keyUsage).toMatchObject({ digitalSignature: false, nonRepudiation: false });
    expect(cert(fx.pki.intermediate).isCA).toBe(true);
  });
});
