/** The classify stage in the running pipeline: corpus mail over SMTP → the stored classification matches the expected fields. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from './helpers/databases.ts';
import { startTestGateway, waitFor, type TestGateway } from './helpers/gateway.ts';
import { transport } from './helpers/smtp.ts';

const CASES = path.join(import.meta.dirname, 'corpus', 'cases');
const UNIT = 'vanthu@vpubnd.lamdong.gov.vn';

interface Expected {
  kind: string;
  document: Record<string, unknown> | null;
}

describe.each(BACKENDS)('classify stage on %s', (backend) => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ backend });
  });
  afterAll(() => gw?.close());

  async function classified(file: string): Promise<{ kind: string; document: Record<string, unknown> | null }> {
    const info = await transport(gw.smtpPort!).sendMail({
      envelope: { from: 'vanthu@ubnd.example.gov.vn', to: [UNIT] },
      raw: readFileSync(path.join(CASES, file)),
    });
    const id = /queued as (\w+)/.exec(info.response)![1];
    const m = await waitFor(
      async () => {
        const body = (await (await gw.api(`/api/messages/${id}`)).json()) as { stages: Record<string, { status: string; result: never }> };
        return body.stages.classify?.status === 'done' ? body : null;
      },
      20_000,
      'classify stage',
    );
    return m.stages.classify.result;
  }

  it.each(['bb-stc-hue', 'autoreply-rfc3834'])('stores the classification of %s', async (name) => {
    const expected = JSON.parse(readFileSync(path.join(CASES, `${name}.expected.json`), 'utf8')) as Expected;
    const got = await classified(`${name}.eml`);
    expect(got.kind).toBe(expected.kind);
    if (expected.document) expect(got.document).toMatchObject(expected.document);
    else expect(got.document).toBeNull();
  });
});
