/**
 * `npm run bench:ocr-gateway` (two runs), or `npx tsx bench/ocr-gateway.ts [runs]` (issue 20): a
 * two-page scan (tests/corpus/scans/cd-vpcp-58-scan.pdf, image-only) mailed over SMTP to a running
 * gateway (real PostgreSQL, Redis, tesseract), timed from the SMTP 250 reply to the message being
 * decided (goal ≤ 10 s), with the CPU this process and its children spent meanwhile and the load
 * average. The gateway runs in this process, as in tests/ocr-pipeline.test.ts. Prints one JSON
 * object. Measured, not asserted.
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { startTestGateway, waitFor } from '../tests/helpers/gateway.ts';
import { transport } from '../tests/helpers/smtp.ts';

const SCAN = path.join(import.meta.dirname, '..', 'tests', 'corpus', 'scans', 'cd-vpcp-58-scan.pdf');
const UNIT = 'vanthu@vpubnd.lamdong.gov.vn';

/** CPU ms of this process and of the children it waited for (/proc/self/stat). */
function cpuMs(): number {
  const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * 10;
}

const round1 = (x: number) => Math.round(x * 10) / 10;

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 1);
  const gw = await startTestGateway({ backend: 'postgres' });
  const results: unknown[] = [];
  const loadAtStart = loadavg().map(round1);
  try {
    for (let i = 0; i < runs; i++) {
      const c0 = cpuMs();
      const info = await transport(gw.smtpPort as number).sendMail({
        from: 'vanthu@ubnd.example.gov.vn',
        to: UNIT,
        subject: `Gửi văn bản ${i + 1}`,
        text: 'Kính gửi Văn phòng UBND tỉnh,\nXin gửi văn bản đính kèm.\n',
        attachments: [{ filename: 'cd-vpcp-58-scan.pdf', content: readFileSync(SCAN) }],
      });
      const accepted = performance.now();
      const id = /queued as (\w+)/.exec(info.response)?.[1];
      if (!id) throw new Error(`no queue id in ${info.response}`);
      let ocrSeen: number | null = null;
      const m = await waitFor(
        async () => {
          const v = (await (await gw.api(`/api/messages/${id}`)).json()) as { state: string; ocr: { pagesTotal: number; status: string } | null };
          if (v.state === 'ocr' && ocrSeen === null) ocrSeen = performance.now();
          return v.state === 'decided' || v.state === 'failed' ? v : null;
        },
        600_000,
        `message ${id} decided`,
      );
      const decided = performance.now();
      results.push({
        state: m.state,
        pages: m.ocr?.pagesTotal ?? null,
        ocr: m.ocr?.status ?? null,
        msAcceptedToDecided: Math.round(decided - accepted),
        msAcceptedToOcrState: ocrSeen === null ? null : Math.round(ocrSeen - accepted),
        cpuMs: cpuMs() - c0,
      });
    }
  } finally {
    await gw.close();
  }
  process.stdout.write(
    `${JSON.stringify({ bench: 'ocr-gateway', file: path.basename(SCAN), goalMs: 10_000, runs: results, loadAverage: { start: loadAtStart, end: loadavg().map(round1) } }, null, 2)}\n`,
  );
}

await main();
process.exit(0);
