/** The verify stage in the running pipeline: signed mail over SMTP → per-signature verdicts stored per message. */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureFixtures, type Fixtures } from './fixtures/trust/make-fixtures.ts';
import { BACKENDS } from './helpers/databases.ts';
import { startTestGateway, waitFor, type TestGateway } from './helpers/gateway.ts';
import { transport } from './helpers/smtp.ts';

const UNIT = 'vanthu@vpubnd.lamdong.gov.vn';

interface Stored {
  stages: Record<string, { status: string; result: { verdict: string; signatures: Array<{ layer: string; verdict: string; attachment: string | null }> } }>;
}

describe.each(BACKENDS)('verify stage on %s', (backend) => {
  let fx: Fixtures;
  let gw: TestGateway;

  beforeAll(async () => {
    fx = await ensureFixtures();
    gw = await startTestGateway({ backend, configure: (c) => Object.assign(c.trust, { anchors: [fx.pki.root], crls: [fx.pki.crl] }) });
  });
  afterAll(() => gw?.close());

  async function deliver(file: string): Promise<Stored['stages']['verify']['result']> {
    const info = await transport(gw.smtpPort!).sendMail({ envelope: { from: 'vanthu@sotttt.lamdong.gov.vn', to: [UNIT] }, raw: readFileSync(file) });
    const id = /queued as (\w+)/.exec(info.response)![1];
    const body = await waitFor(
      async () => {
        const m = (await (await gw.api(`/api/messages/${id}`)).json()) as Stored;
        return m.stages.verify?.status === 'done' ? m : null;
      },
      20_000,
      'verify stage',
    );
    return body.stages.verify.result;
  }

  it('stores valid verdicts for an S/MIME message carrying a signed PDF and a signed edXML', async () => {
    const r = await deliver(fx.smime['with-attachments']);
    expect(r.verdict).toBe('valid');
    const docs = r.signatures.filter((s) => ['smime', 'pdf', 'xml'].includes(s.layer)).map((s) => [s.layer, s.verdict]);
    expect(docs).toEqual([
      ['smime', 'valid'],
      ['pdf', 'valid'],
      ['xml', 'valid'],
    ]);
    expect(r.signatures.some((s) => s.layer === 'dkim')).toBe(true);
  });

  it('stores invalid for a message changed after signing, and revoked for a revoked signer', async () => {
    expect((await deliver(fx.smime['tampered-detached'])).verdict).toBe('invalid');
    expect((await deliver(fx.smime.revoked)).verdict).toBe('revoked');
  });
});
