/**
 * `vanthu demo` (README "Quick demo", issue 18): one gateway on the embedded defaults serves two
 * units in a temporary folder. Unit A (Văn phòng UBND tỉnh) issues a công văn its Chủ tịch signed —
 * number and date written in, the unit's signature and red seal over the leader's — and sends it
 * to unit B (Sở Tài chính), which it reaches by local delivery. B's pipeline verifies both
 * signatures and registers it in B's incoming book; B's receipt comes back to A's outgoing book.
 * Each step is printed as it happens; the exit code is 0 only when every step did what it says.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startVanthu, type Vanthu } from '../../app.ts';
import { systemClock } from '../../clock.ts';
import { createLogger, silentLogger } from '../../log.ts';
import type { Command } from '../main.ts';
import { parse, printJson } from '../args.ts';
import { localTime } from '../output.ts';
import { demoConfig, ISSUER, makeDemoFiles, RECEIVER, SEAL_PASSWORD, SEAL_PASSWORD_ENV } from './demo-setup.ts';

const USAGE = 'vanthu demo [--keep DIR] [--json] [--verbose]';

type Signature = { layer: string; verdict: string; signer: { commonName: string | null } | null; changesAfterSigning: string; attachment: string | null };
type Delivery = { recipient: string; state: string; response: string | null; evidence: Array<{ state: string; inboundId: string; note: string | null }> };
type Outcome = {
  unitId: string;
  action: string;
  documentId: string | null;
  status: string | null;
  bookYear: number | null;
  bookNumber: number | null;
  reasons: string[];
};

export class DemoFailure extends Error {
  readonly code = 'demo.failed';
}

export interface DemoSummary {
  dir: string;
  notation: string;
  issuedPdf: string;
  delivery: string[];
  signatures: Array<{ signer: string | null; verdict: string; changesAfterSigning: string }>;
  registered: { unit: string; bookYear: number | null; bookNumber: number | null; status: string | null };
  receipt: string;
  ok: boolean;
}

async function waitUntil<T>(what: string, fn: () => Promise<T | null | undefined>, timeoutMs = 60_000): Promise<T> {
  const end = performance.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (performance.now() > end) throw new DemoFailure(`quá thời gian chờ: ${what} (timed out waiting for ${what})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

class Api {
  constructor(
    private readonly app: Vanthu,
    private readonly token: string,
  ) {}

  async call<T>(route: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
    const res = await fetch(`http://127.0.0.1:${this.app.httpPort}${route}`, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${this.token}`, ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
    });
    if (!res.ok) throw new DemoFailure(`${init.method ?? 'GET'} ${route}: ${res.status} ${await res.text()}`);
    const type = res.headers.get('content-type') ?? '';
    return (type.includes('json') ? await res.json() : Buffer.from(await res.arrayBuffer())) as T;
  }
}

export async function runDemo(dir: string, say: (line: string) => void, verbose: boolean): Promise<DemoSummary> {
  say(`vanthu demo — hai đơn vị trên một cổng (two units on one gateway)\n  thư mục (folder): ${dir}`);
  const files = await makeDemoFiles(dir, () => systemClock.now());
  say(
    `1. Khóa thử nghiệm và con dấu (test keys and seal, openssl): CA, lãnh đạo Nguyễn Văn An, đơn vị ${ISSUER.id} (EC P-256, PKCS#12 mật khẩu "${SEAL_PASSWORD}")`,
  );
  say(`2. Lãnh đạo ký văn bản (leader signed): ${path.relative(dir, files.leaderPdf)}`);
  process.env[SEAL_PASSWORD_ENV] = SEAL_PASSWORD;
  const config = demoConfig(files, process.env);
  const app = await startVanthu(config, 'all', verbose ? createLogger('demo') : silentLogger);
  try {
    say(`3. Cổng chạy (gateway running): SMTP 127.0.0.1:${app.smtpPort}, HTTP 127.0.0.1:${app.httpPort}, ${app.database.kind}, Redis ${app.redis.describe}`);
    const api = new Api(app, config.http.tokens[0].token);
    const pdf = await readFile(files.leaderPdf);
    const sent = await api.call<{ id: string; notation: string; createdAt: string; deliveries: Delivery[] }>('/api/outgoing', {
      method: 'POST',
      body: {
        unit: ISSUER.id,
        to: [RECEIVER.name],
        subject: 'Triển khai chuyển đổi số năm 2026',
        signer: 'Nguyễn Văn An',
        document: { filename: 'cong-van.pdf', contentType: 'application/pdf', content: pdf.toString('base64') },
      },
    });
    say(`4. Ban hành (issued) ${ISSUER.id} → ${RECEIVER.id}: số ${sent.notation}, ${localTime(sent.createdAt)}`);

    const outgoing = () => api.call<{ deliveries: Delivery[] }>(`/api/outgoing/${sent.id}`);
    const delivered = await waitUntil('delivery', async () => (await outgoing()).deliveries.find((d) => d.state === 'delivered' || d.state === 'received'));
    const inboundId = delivered.evidence.find((e) => e.state === 'delivered')?.inboundId;
    if (!inboundId) throw new DemoFailure(`not delivered locally: ${JSON.stringify(delivered)}`);
    say(`5. Chuyển tới (delivered to) ${delivered.recipient}: ${delivered.state} — ${delivered.response}`);

    type Detail = {
      state: string;
      attachments: Array<{ idx: number; filename: string | null }>;
      stages: { verify?: { result: { signatures: Signature[] } | null } };
      outcome: Outcome[];
    };
    const detail = await waitUntil('B to decide', async () => {
      const d = await api.call<Detail>(`/api/messages/${inboundId}`);
      return d.outcome.length ? d : null;
    });
    const pdfSignatures = (detail.stages.verify?.result?.signatures ?? []).filter((s) => s.layer === 'pdf');
    say(`6. ${RECEIVER.id} kiểm tra chữ ký (verified by the receiver):`);
    for (const s of pdfSignatures)
      say(`     ${s.signer?.commonName ?? '?'}: ${s.verdict}${s.changesAfterSigning === 'none' ? '' : ` (thay đổi sau khi ký: ${s.changesAfterSigning})`}`);
    const attachment = detail.attachments.find((a) => a.filename?.toLowerCase().endsWith('.pdf'));
    const issuedPdf = path.join(dir, 'issued.pdf');
    if (attachment) writeFileSync(issuedPdf, await api.call<Buffer>(`/api/messages/${inboundId}/attachments/${attachment.idx}`));

    let outcome = detail.outcome[0];
    if (outcome.action === 'review' && outcome.documentId) {
      say(`   chờ duyệt (to review): ${outcome.reasons.join('; ')} — văn thư ${RECEIVER.id} duyệt (the clerk approves)`);
      await api.call(`/api/documents/${outcome.documentId}/approve`, { method: 'POST', body: {} });
    }
    outcome = await waitUntil('registration at B', async () => {
      const o = (await api.call<Detail>(`/api/messages/${inboundId}`)).outcome[0];
      return o?.bookNumber ? o : null;
    });
    say(`7. Vào sổ văn bản đến của ${RECEIVER.id} (registered in B's incoming book): số đến ${outcome.bookNumber}/${outcome.bookYear}, ${outcome.status}`);

    const receipt = await waitUntil('receipt at A', async () => (await outgoing()).deliveries.find((d) => d.state === 'received' || d.state === 'handled'));
    say(`8. Giấy báo nhận về ${ISSUER.id} (receipt back in A's outgoing book): ${receipt.evidence.map((e) => e.state).join(' → ')}`);

    const ok =
      pdfSignatures.length === 2 &&
      pdfSignatures.every((s) => s.verdict === 'valid' && s.changesAfterSigning !== 'forbidden') &&
      Boolean(outcome.bookNumber) &&
      receipt.evidence.some((e) => e.state === 'delivered');
    say(ok ? 'Kết quả (result): OK' : 'Kết quả (result): KHÔNG ĐẠT (failed)');
    return {
      dir,
      notation: sent.notation,
      issuedPdf,
      delivery: receipt.evidence.map((e) => e.state),
      signatures: pdfSignatures.map((s) => ({ signer: s.signer?.commonName ?? null, verdict: s.verdict, changesAfterSigning: s.changesAfterSigning })),
      registered: { unit: RECEIVER.id, bookYear: outcome.bookYear, bookNumber: outcome.bookNumber, status: outcome.status },
      receipt: receipt.state,
      ok,
    };
  } finally {
    await app.stop();
  }
}

export const command: Command = {
  summary: 'demo: two units on one gateway, a signed document issued from one to the other',
  async run(args) {
    const { values } = parse(args, { keep: { type: 'string' }, json: { type: 'boolean' }, verbose: { type: 'boolean' } }, USAGE);
    const dir = values.keep ? path.resolve(values.keep) : mkdtempSync(path.join(tmpdir(), 'vanthu-demo-'));
    mkdirSync(dir, { recursive: true });
    const say = values.json ? () => undefined : (line: string) => process.stdout.write(`${line}\n`);
    try {
      const summary = await runDemo(dir, say, Boolean(values.verbose));
      // Without --keep the folder is removed below: its paths would name nothing.
      if (values.json) printJson(values.keep ? summary : { ...summary, dir: null, issuedPdf: null });
      return summary.ok ? 0 : 1;
    } finally {
      if (!values.keep) rmSync(dir, { recursive: true, force: true });
    }
  },
};
