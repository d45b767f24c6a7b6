/**
 * The idle trim in a real gateway process (`node bin/vanthu.mjs start`, the compiled CLI, PGlite;
 * gateway/memory-trim.ts, docs/operations.md "Memory"): koffi's malloc_trim binding loads from
 * the bundle, the gateway trims once its start has gone idle, mail comes in over SMTP and is
 * decided, and once that work has gone idle it trims again; /metrics counts the trims and the
 * resident bytes they gave back. Idle is 1 s here (VANTHU_MEMORY_TRIM=1); the test polls
 * /metrics and asserts counts, never times.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStorage, type TestStorage } from './helpers/databases.ts';
import { startGatewayProcess, waitFor } from './helpers/gateway.ts';
import { plainMail } from './helpers/mime.ts';
import { killHard, type Child } from './helpers/processes.ts';
import { transport } from './helpers/smtp.ts';

const UNIT = 'vanthu@stc.lamdong.gov.vn';
const MESSAGES = 40;

describe('a gateway process gives its freed C heap back when idle', { timeout: 240_000 }, () => {
  let storage: TestStorage;
  let env: Record<string, string>;
  let child: Child;

  beforeAll(async () => {
    storage = await createTestStorage('pglite');
    // No OCR: the spawn helper's exit after the OCR probe would ask for a trim of its own, and the trim after the mail must come from the work.
    ({ child, env } = await startGatewayProcess(storage, {
      name: 'trim',
      yaml: 'ocr:\n  enabled: false\n',
      env: { VANTHU_MEMORY_TRIM: '1' },
      timeoutMs: 120_000,
    }));
  }, 150_000);

  afterAll(async () => {
    if (child) await killHard(child);
    await storage?.cleanup();
  });

  /** One sample of /metrics by name (summed over labels). */
  async function metric(name: string): Promise<number> {
    const res = await fetch(`http://127.0.0.1:${env.VANTHU_HTTP_PORT}/metrics`, { headers: { authorization: 'Bearer vanthu-demo-token' } });
    expect(res.status).toBe(200);
    let sum = 0;
    for (const m of (await res.text()).matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))) sum += Number(m[1]);
    return sum;
  }

  it('trims after the start and again after the mail, and counts the bytes given back', async () => {
    expect(await metric('vanthu_memory_trim_enabled')).toBe(1);
    // The start is work: its trim comes once it has gone idle.
    await waitFor(async () => (await metric('vanthu_memory_trims_total')) >= 1, 60_000, 'the trim after the start');
    const trimsBefore = await metric('vanthu_memory_trims_total');
    const bytesBefore = await metric('vanthu_memory_trimmed_bytes_total');

    const t = transport(Number(env.VANTHU_SMTP_PORT));
    for (let i = 0; i < MESSAGES; i++)
      await t.sendMail({
        envelope: { from: 'vanthu@ubnd.bentre.gov.vn', to: [UNIT] },
        raw: plainMail(`trim-${i}`, UNIT, ['Kính gửi: Sở Tài chính', 'x'.repeat(2000 * (i + 1))]),
      });
    t.close();
    await waitFor(async () => (await metric('vanthu_messages_decided_total')) >= MESSAGES, 120_000, 'every message decided');

    // The work done, the gateway goes idle and trims once more.
    await waitFor(async () => (await metric('vanthu_memory_trims_total')) > trimsBefore, 60_000, 'the trim after the mail');
    expect(await metric('vanthu_memory_trimmed_bytes_total')).toBeGreaterThan(bytesBefore);
    expect(await metric('vanthu_memory_trim_seconds_total')).toBeGreaterThan(0);
    process.stderr.write(
      `memory-trim: ${await metric('vanthu_memory_trims_total')} trims, ${Math.round((await metric('vanthu_memory_trimmed_bytes_total')) / 2 ** 20)} MiB given back (${Math.round(bytesBefore / 2 ** 20)} after the start)\n`,
    );
  });
});
