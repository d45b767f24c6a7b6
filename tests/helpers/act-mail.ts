/**
 * For the act-by-e-mail suites (docs/act-by-email.md): the officers' mail domain with a DKIM key a
 * local zone file publishes (with DMARC p=reject and an SPF that never passes from loopback, so
 * DKIM alone decides), replies as an officer's mail client writes them, and a gateway whose
 * registry mails go to a capturing SMTP sink.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { startVanthu, type Vanthu } from '../../gateway/app.ts';
import type { ManualClock } from '../../gateway/clock.ts';
import { loadConfig, type Config } from '../../gateway/config/load.ts';
import { dkimSignMessage } from '../../gateway/outgoing/sign.ts';
import { silentLogger } from '../../gateway/log.ts';
import type { ReplyResult } from '../../gateway/registry/replies/handle.ts';
import { documents } from '../../gateway/registry/schema.ts';
import { inboundMessages, messageStages } from '../../gateway/store/schema.ts';
import { processMessage } from '../../gateway/workers/ingest-worker.ts';
import { createTestStorage, type Backend, type TestStorage } from './databases.ts';
import { testEnv, waitFor } from './gateway.ts';
import { startMailSink, type MailSink, type SunkMail } from './mail-sink.ts';
import { classification, configureRegistry, insertStage, VALID } from './registry-fixtures.ts';
import { transport } from './smtp.ts';

export const UNIT = 'vanthu@stc.lamdong.gov.vn';
export const SENDER = 'vanthu@ubnd.bentre.gov.vn';
export const OFFICER = 'officer@stc.lamdong.gov.vn';
export const OTHER = 'binh@stc.lamdong.gov.vn';
export const LEADER = 'leader@stc.lamdong.gov.vn';
export const DOMAIN = 'stc.lamdong.gov.vn';
const SELECTOR = 'vt2026';

const dir = mkdtempSync(path.join(tmpdir(), 'vanthu-act-'));
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const DKIM_KEY = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
export const ZONE = path.join(dir, 'zone.txt');
const spki = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
const txt = (s: string) =>
  s
    .match(/.{1,200}/g)!
    .map((c) => `"${c}"`)
    .join(' ');
writeFileSync(
  ZONE,
  [
    `${SELECTOR}._domainkey.${DOMAIN} TXT ${txt(`v=DKIM1; k=rsa; p=${spki}`)}`,
    `_dmarc.${DOMAIN} TXT "v=DMARC1; p=reject; adkim=r; aspf=r"`,
    `${DOMAIN} TXT "v=spf1 -all"`,
    '',
  ].join('\n'),
);

/** Signed at the time the reply is dated (docs/issuance.md, "The mail's DKIM signature: one signing time"). */
const SIGNED_AT = new Date('2026-11-23T03:00:00Z');
async function dkim(raw: string): Promise<string> {
  return (await dkimSignMessage(Buffer.from(raw), { domain: DOMAIN, selector: SELECTOR, privateKey: DKIM_KEY }, SIGNED_AT)).toString();
}

export interface Reply {
  from?: string;
  to: string;
  body: string;
  /** Local part of the Message-ID. */
  id: string;
  subject?: string;
  headers?: string[];
  /** false: no DKIM signature (DMARC then fails). */
  sign?: boolean;
  pdf?: Buffer;
}

/** A reply as a mail client writes it: the officer's text, then the quoted notice. */
export async function replyMail(r: Reply): Promise<string> {
  const head = [
    `From: Cán bộ <${r.from ?? OFFICER}>`,
    `To: ${r.to}`,
    `Subject: ${r.subject ?? 'Re: Giao xử lý văn bản'}`,
    `Message-ID: <${r.id}@${DOMAIN}>`,
    'Date: Mon, 23 Nov 2026 10:00:00 +0700',
    'MIME-Version: 1.0',
    ...(r.headers ?? []),
  ];
  const quoted = `${r.body}\r\n\r\nVào Th 2, 23 thg 11, 2026 lúc 09:00 Văn thư <${UNIT}> đã viết:\r\n> Kính gửi Cán bộ officer,\r\n> xong\r\n`;
  const text = ['Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', quoted];
  const raw = r.pdf
    ? [
        ...head,
        'Content-Type: multipart/mixed; boundary="b1"',
        '',
        '--b1',
        ...text,
        '--b1',
        'Content-Type: application/pdf; name="bao-cao.pdf"',
        'Content-Disposition: attachment; filename="bao-cao.pdf"',
        'Content-Transfer-Encoding: base64',
        '',
        r.pdf.toString('base64'),
        '--b1--',
        '',
      ].join('\r\n')
    : [...head, ...text].join('\r\n');
  return r.sign === false ? raw : dkim(raw);
}

export const replyToOf = (m: SunkMail) => (m.headers.get('reply-to') as { value: Array<{ address: string }> } | undefined)?.value[0]?.address ?? null;
export const keyOf = (m: SunkMail) => m.headers.get('x-vanthu-key') as string | undefined;

export interface ActGateway {
  app: Vanthu;
  sink: MailSink;
  /** A document arrives over SMTP (optionally with a PDF), is registered and routed to OFFICER; its id. `over`: fields of its classification (a giấy mời's meeting). */
  arrive(id: string, pdf?: Buffer, over?: Partial<NonNullable<ReturnType<typeof classification>['document']>>): Promise<string>;
  /** Sends a reply over SMTP, waits for the pipeline to decide: the stage's result and the answer mailed (if any). */
  send(r: Reply, raw?: string): Promise<{ inbound: string; result: ReplyResult; answer: SunkMail | undefined; response: string }>;
  close(): Promise<void>;
}

/** `configure`: further edits before start (a relay token, IMAP accounts: tests/act-by-email-intake.test.ts). */
export async function startActGateway(backend: Backend, clock: ManualClock, configure?: (config: Config) => void): Promise<ActGateway> {
  const sink = await startMailSink();
  const storage: TestStorage = await createTestStorage(backend);
  const config = loadConfig(testEnv(storage));
  config.ingest.outboxSweepMs = 200;
  configureRegistry(config);
  config.trust.dns = ZONE;
  config.mail = {
    from: UNIT,
    transport: { kind: 'smarthost', host: '127.0.0.1', port: sink.port, secure: false, requireTls: false, user: null, pass: null },
    alertTo: [],
  };
  configure?.(config);
  const app = await startVanthu(config, 'all', silentLogger, { clock });
  const { db } = app.database;
  for (const [email, role, name] of [
    [LEADER, 'leader', 'Lãnh đạo Sở'],
    [OFFICER, 'officer', 'Nguyễn Văn An'],
    [OTHER, 'officer', 'Trần Thị Bình'],
  ]) {
    const res = await fetch(`http://127.0.0.1:${app.httpPort}/api/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${config.http.tokens[0].token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ email, role, name, unit: 'stc', department: 'ns', password: 'mật khẩu 2026' }),
    });
    if (res.status !== 201) throw new Error(`user ${email}: ${res.status} ${await res.text()}`);
  }
  const decided = (id: string) =>
    waitFor(async () => (await db.select().from(inboundMessages).where(eq(inboundMessages.id, id)))[0]?.state === 'decided', 20_000, 'decided');

  return {
    app,
    sink,
    async arrive(id, pdf, over = {}) {
      const head = [`From: Văn thư UBND <${SENDER}>`, `To: ${UNIT}`, `Subject: Công văn ${id}`, `Message-ID: <${id}@ubnd.bentre.gov.vn>`, 'MIME-Version: 1.0'];
      const body = pdf
        ? ['Content-Type: multipart/mixed; boundary="b1"', '', '--b1', 'Content-Type: text/plain', '', 'Gui kem van ban.', '--b1']
            .concat([
              'Content-Type: application/pdf; name="vb.pdf"',
              'Content-Disposition: attachment; filename="vb.pdf"',
              'Content-Transfer-Encoding: base64',
              '',
            ])
            .concat([pdf.toString('base64'), '--b1--', ''])
        : ['Content-Type: text/plain; charset=utf-8', '', 'Số: 123/UBND-VX', ''];
      const info = await transport(app.smtpPort!).sendMail({ envelope: { from: SENDER, to: [UNIT] }, raw: [...head, ...body].join('\r\n') });
      const inbound = /queued as ([0-9A-Z]{26})/.exec(info.response)![1];
      await decided(inbound);
      // The lead's classify/verify results, as tests/registry-flow.test.ts gives them: a signed official document routed to OFFICER.
      await insertStage(
        db,
        inbound,
        'classify',
        classification({ notation: `${id}/UBND-VX`, subject: 'Hướng dẫn xây dựng dự toán ngân sách năm 2027', ...over }),
      );
      await insertStage(db, inbound, 'verify', VALID);
      await processMessage({ database: app.database, blobs: app.blobs, config, log: silentLogger, clock, registry: app.registry!.rt }, inbound, ['register']);
      await app.registry!.followup.settle();
      return (await db.select().from(documents).where(eq(documents.inboundId, inbound)))[0].id;
    },
    async send(r, raw) {
      const info = await transport(app.smtpPort!).sendMail({ envelope: { from: r.from ?? OFFICER, to: [r.to] }, raw: raw ?? (await replyMail(r)) });
      const inbound = /queued as ([0-9A-Z]{26})/.exec(info.response)![1];
      await decided(inbound);
      const [stage] = await db
        .select()
        .from(messageStages)
        .where(and(eq(messageStages.messageId, inbound), eq(messageStages.stage, 'act-by-mail')));
      // The answer is sent inside the stage: by the time the message is decided it is in the sink.
      return { inbound, result: stage?.result as ReplyResult, answer: sink.mails.find((m) => keyOf(m) === `act:${inbound}`), response: info.response };
    },
    async close() {
      await app.stop();
      await storage.cleanup();
      await sink.close();
    },
  };
}
