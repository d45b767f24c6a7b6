/**
 * DKIM, SPF, DMARC and ARC through mailauth with a zone-file resolver; and the rule that these
 * layers are reported but never decide the overall verdict.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadZoneFile, verifyMessage, type DnsResolver, type SignatureReport, type TrustStore } from '../gateway/trust/index.ts';
import { ensureFixtures, type Fixtures } from './fixtures/trust/make-fixtures.ts';
import { fixtureStore } from './fixtures/trust/store.ts';
import { MAIL_CASES, OTHER_IP, SENDER_IP, type MailCase } from './fixtures/trust/mail.ts';

let fx: Fixtures;
let trust: TrustStore;
let dns: DnsResolver;
beforeAll(async () => {
  fx = await ensureFixtures();
  trust = await fixtureStore(fx);
  dns = await loadZoneFile(fx.zone);
});

const layers = (signatures: SignatureReport[]) => Object.fromEntries(signatures.map((s) => [s.layer, s.verdict]));

const EXPECTED: Record<MailCase, Record<string, string>> = {
  'dkim-pass': { dkim: 'valid', spf: 'valid', dmarc: 'valid', arc: 'indeterminate' },
  'dkim-body-tampered': { dkim: 'invalid', spf: 'valid', dmarc: 'valid', arc: 'indeterminate' },
  'dkim-header-tampered': { dkim: 'invalid', spf: 'valid', dmarc: 'valid', arc: 'indeterminate' },
  'spf-fail': { dkim: 'valid', spf: 'invalid', dmarc: 'valid', arc: 'indeterminate' },
  'no-dkim': { dkim: 'indeterminate', spf: 'valid', dmarc: 'valid', arc: 'indeterminate' },
  arc: { dkim: 'valid', spf: 'valid', dmarc: 'valid', arc: 'valid' },
  full: { dkim: 'valid', spf: 'valid', dmarc: 'valid', arc: 'indeterminate', smime: 'valid', pdf: 'valid', xml: 'valid' },
};

describe('mail authentication with a zone file', () => {
  it.each(MAIL_CASES)('%s', async (name) => {
    const report = await verifyMessage(readFileSync(fx.mail[name]), { trust, dns });
    expect(layers(report.signatures)).toEqual(EXPECTED[name]);
    expect(report.verdict).toBe(name === 'full' ? 'valid' : 'unsigned');
  });

  it('reports the signing domain and the mailauth result', async () => {
    const report = await verifyMessage(readFileSync(fx.mail['dkim-pass']), { trust, dns });
    const dkim = report.signatures.find((s) => s.layer === 'dkim')!;
    expect(dkim.signer?.commonName).toBe('sotttt.lamdong.gov.vn');
    expect(dkim.reasons[0]).toMatch(/^dkim=pass/);
    const spf = report.signatures.find((s) => s.layer === 'spf')!;
    expect(spf.reasons[0]).toContain(SENDER_IP);
  });

  it('takes the SMTP session over the Received header for SPF', async () => {
    const raw = readFileSync(fx.mail['dkim-pass']);
    const fromElsewhere = await verifyMessage(raw, { trust, dns, smtp: { ip: OTHER_IP, helo: 'evil.example', mailFrom: 'vanthu@sotttt.lamdong.gov.vn' } });
    expect(layers(fromElsewhere.signatures).spf).toBe('invalid');
    const fromSender = await verifyMessage(readFileSync(fx.mail['spf-fail']), {
      trust,
      dns,
      smtp: { ip: SENDER_IP, helo: 'mail.sotttt.lamdong.gov.vn', mailFrom: 'vanthu@sotttt.lamdong.gov.vn' },
    });
    expect(layers(fromSender.signatures).spf).toBe('valid');
  });

  it('without DNS reports every mail layer as not checked, yet still sees a changed body', async () => {
    const pass = await verifyMessage(readFileSync(fx.mail['dkim-pass']), { trust });
    expect(layers(pass.signatures)).toEqual({ dkim: 'indeterminate', spf: 'indeterminate', dmarc: 'indeterminate', arc: 'indeterminate' });
    expect(pass.signatures[0].reasons.join()).toMatch(/DNS not consulted/);
    const tampered = await verifyMessage(readFileSync(fx.mail['dkim-body-tampered']), { trust });
    expect(layers(tampered.signatures).dkim).toBe('invalid');
  });

  it('never lets a mail layer decide: a failed DKIM on a validly signed document is still valid overall', async () => {
    // The Subject is DKIM-signed but outside the S/MIME signed part.
    const broken = Buffer.from(readFileSync(fx.mail.full).toString('latin1').replace('\r\nSubject: ', '\r\nSubject: FW: '), 'latin1');
    const report = await verifyMessage(broken, { trust, dns });
    expect(layers(report.signatures).dkim).toBe('invalid');
    expect(report.verdict).toBe('valid');
  });
});
