/**
 * `vanthu show ID` (docs/cli.md): one message through the running gateway — where it came from,
 * its state, what the registry made of it, what was read, the attachments; JSON with --json; a
 * missing id named.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from './helpers/paths.ts';
import { startTestGateway, waitFor, type TestGateway } from './helpers/gateway.ts';
import { spawnVanthu } from './helpers/processes.ts';
import { transport } from './helpers/smtp.ts';

describe('vanthu show', () => {
  let gw: TestGateway;
  let id: string;
  beforeAll(async () => {
    gw = await startTestGateway({ backend: 'pglite' });
    const info = await transport(gw.smtpPort!).sendMail({
      from: 'vanthu@ubnd.bentre.gov.vn',
      to: 'vanthu@stc.lamdong.gov.vn',
      subject: 'Gửi Kế hoạch số 12/KH-UBND',
      text: 'Kính gửi Sở Tài chính, xin gửi văn bản đính kèm.',
      attachments: [{ filename: 'ke-hoach.pdf', content: readFileSync(path.join(PROJECT_ROOT, 'tests/corpus/two-page.pdf')) }],
    });
    id = /queued as (\w+)/.exec(info.response)![1];
    await waitFor(async () => ((await (await gw.api(`/api/messages/${id}`)).json()) as { state: string }).state === 'decided', 60_000, 'the message decided');
  }, 120_000);
  afterAll(async () => {
    await gw?.close();
  });

  const run = async (args: string[]) => {
    const cli = spawnVanthu(['show', ...args], { VANTHU_API_URL: `http://127.0.0.1:${gw.httpPort}`, VANTHU_API_TOKEN: gw.token });
    let out = '';
    cli.proc.stdout!.on('data', (d) => (out += d));
    return { code: await cli.exited, out, err: cli.stderr() };
  };

  it('says where the message came from, how far it got, what became of it and what it carried', async () => {
    const r = await run([id]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(`Thư (message): ${id}`);
    expect(r.out).toContain('Từ (from): vanthu@ubnd.bentre.gov.vn');
    expect(r.out).toContain('Tiêu đề (subject): Gửi Kế hoạch số 12/KH-UBND');
    expect(r.out).toContain('Trạng thái (state): đã xử lý xong (decided)');
    expect(r.out).toMatch(/Kết quả \(outcome\): .+/);
    expect(r.out).toMatch(/Đọc được \(classified\): document/);
    expect(r.out).toMatch(/Tệp 1 \(attachment\): ke-hoach\.pdf — application\/pdf/);
  }, 60_000);

  it('prints the API view with the outcome in JSON, and names a missing message', async () => {
    const r = await run([id, '--json']);
    expect(r.code, r.err).toBe(0);
    const m = JSON.parse(r.out) as { id: string; outcome: Array<{ unitId: string; action: string }> };
    expect(m.id).toBe(id);
    expect(m.outcome).toEqual([expect.objectContaining({ unitId: 'stc' })]);
    const missing = await run(['01KBX3Y7Q2M9T4F6ZP8RCN0HWD']);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('không có thư 01KBX3Y7Q2M9T4F6ZP8RCN0HWD (no such message)');
  }, 60_000);
});
