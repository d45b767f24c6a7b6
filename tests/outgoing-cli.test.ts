/**
 * `vanthu send-document` and `vanthu directory` as real processes: against a running gateway
 * (POST /api/outgoing, delivered to an SMTP sink), with clear errors that number nothing, and
 * with no gateway running (the CLI opens the embedded database itself; the gateway started
 * afterwards delivers what it queued).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVanthu, type Vanthu } from '../gateway/app.ts';
import { loadConfig, type Config } from '../gateway/config/load.ts';
import { silentLogger } from '../gateway/log.ts';
import { outgoingView } from '../gateway/outgoing/tracking.ts';
import { createTestStorage, type TestStorage } from './helpers/databases.ts';
import { startTestGateway, testEnv, waitFor, type TestGateway } from './helpers/gateway.ts';
import { startMailSink, type MailSink } from './helpers/mail-sink.ts';
import { runVanthu } from './helpers/cli-run.ts';
import { freePort } from './helpers/processes.ts';

const vanthu = runVanthu;

interface Sent {
  id: string;
  notation: string;
  documentId: string | null;
  warnings: string[];
  via: string;
  deliveries: Array<{ recipient: string; state: string }>;
}

const dir = mkdtempSync(path.join(tmpdir(), 'vanthu-cli-out-'));
const pdf = path.join(dir, 'ke-hoach.pdf');
writeFileSync(pdf, '%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
const DIRECTORY = [
  { name: 'Sở Tư pháp tỉnh Lâm Đồng', address: 'vanthu@stp.lamdong.gov.vn', organId: '000.00.20.H41', aliases: ['Sở Tư pháp tỉnh Bình Thuận'] },
  { name: 'Sở Tư pháp tỉnh Đồng Nai', address: 'vanthu@stp.dongnai.gov.vn', organId: '000.00.20.H19', aliases: [] },
];

function configure(cfg: Config, sinkPort: number): void {
  cfg.mail.transport = { kind: 'smarthost', host: '127.0.0.1', port: sinkPort, secure: false, requireTls: false, user: null, pass: null };
  cfg.mail.from = 'notice@stc.lamdong.gov.vn';
  cfg.directory = DIRECTORY;
  cfg.outgoing.units.stc = { codeSuffix: 'STC-VP', dkim: null, smime: null };
  cfg.outgoing.delivery = { attempts: 3, backoffMs: 200, concurrency: 2 };
}

describe('vanthu send-document against a running gateway', () => {
  let sink: MailSink;
  let gw: TestGateway;
  let env: Record<string, string>;

  beforeAll(async () => {
    sink = await startMailSink();
    gw = await startTestGateway({ backend: 'pglite', configure: (cfg) => configure(cfg, sink.port) });
    env = { VANTHU_API_URL: `http://127.0.0.1:${gw.httpPort}`, VANTHU_API_TOKEN: gw.token };
  }, 60_000);

  afterAll(async () => {
    await gw?.close();
    await sink?.close();
  });

  it('refuses bad invocations with messages naming the file or option, numbering nothing', async () => {
    // Seven processes at once: each pays the CLI's start-up, none depends on another.
    const send = (...args: string[]) => vanthu(['send-document', ...args], env);
    const [missing, noTo, noSubject, unknown, ambiguous, badType, noUnit] = await Promise.all([
      send(path.join(dir, 'khong-co.pdf'), '--to', 'vanthu@stp.lamdong.gov.vn', '--subject', 'X', '--unit', 'stc'),
      send(pdf, '--subject', 'X', '--unit', 'stc'),
      send(pdf, '--to', 'vanthu@stp.lamdong.gov.vn', '--unit', 'stc'),
      send(pdf, '--to', 'Sở Xây dựng tỉnh Cà Mau', '--subject', 'X', '--unit', 'stc'),
      send(pdf, '--to', 'so tu phap', '--subject', 'X', '--unit', 'stc'),
      send(pdf, '--to', 'vanthu@stp.lamdong.gov.vn', '--subject', 'X', '--type', 'XYZ', '--unit', 'stc'),
      send(pdf, '--to', 'vanthu@stp.lamdong.gov.vn', '--subject', 'X'),
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('khong-co.pdf');
    expect(missing.stdout).toBe('');

    expect(noTo.code).toBe(2);
    expect(noTo.stderr).toMatch(/--to/);

    expect(noSubject.code).toBe(2);
    expect(noSubject.stderr).toMatch(/--subject/);

    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/Sở Xây dựng tỉnh Cà Mau.*unknown recipient/);

    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stderr).toMatch(/ambiguous recipient/);
    expect(ambiguous.stderr).toContain('Sở Tư pháp tỉnh Lâm Đồng; Sở Tư pháp tỉnh Đồng Nai');

    expect(badType.code).toBe(1);
    expect(badType.stderr).toMatch(/typeCode.*XYZ/);

    expect(noUnit.code).toBe(1);
    expect(noUnit.stderr).toMatch(/unit/);

    // None of the refused sends took a number of the outgoing book.
    const book = (await (await gw.api('/api/outgoing?unit=stc')).json()) as { items: unknown[] };
    expect(book.items).toEqual([]);
  }, 60_000);

  it('sends to a directory name and an unknown address, prints the result, delivers both', async () => {
    const run = await vanthu(
      [
        'send-document',
        pdf,
        '--to',
        'so tu phap lam dong',
        '--to',
        'vanthu@ubnd.example.vn',
        '--subject',
        'Kế hoạch kiểm tra ngân sách năm 2027',
        '--type',
        'KH',
        '--signer',
        'Nguyễn Văn An',
        '--edxml',
        '--unit',
        'stc',
      ],
      env,
    );
    expect(run.code, run.stderr).toBe(0);
    const sent = JSON.parse(run.stdout) as Sent;
    expect(sent.via).toBe('gateway');
    expect(sent.notation).toBe('1/KH-STC-VP');
    expect(sent.documentId).toContain('1/KH-STC-VP');
    expect(sent.deliveries.map((d) => [d.recipient, d.state])).toEqual([
      ['vanthu@stp.lamdong.gov.vn', 'queued'],
      ['vanthu@ubnd.example.vn', 'queued'],
    ]);
    expect(sent.warnings).toHaveLength(1);
    expect(sent.warnings[0]).toMatch(/vanthu@ubnd\.example\.vn.*not in the directory/);

    const mails = await waitFor(
      () => (sink.to('vanthu@stp.lamdong.gov.vn').length && sink.to('vanthu@ubnd.example.vn').length ? sink.mails : null),
      20_000,
      'both deliveries',
    );
    const mail = mails.find((m) => m.to.includes('vanthu@stp.lamdong.gov.vn'))!;
    expect(mail.subject).toBe('Kế hoạch số 1/KH-STC-VP: Kế hoạch kiểm tra ngân sách năm 2027');
    expect(mail.attachments.map((a) => a.filename)).toEqual(['edxml.xml', 'ke-hoach.pdf']);
    const view = await waitFor(
      async () => {
        const v = (await (await gw.api(`/api/outgoing/${sent.id}`)).json()) as Sent;
        return v.deliveries.every((d) => d.state === 'sent') ? v : null;
      },
      20_000,
      'both recipients sent',
    );
    expect(view.deliveries).toHaveLength(2);
  }, 60_000);

  it('searches the directory from the command line', async () => {
    const run = await vanthu(['directory', 'so tu phap'], env);
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout) as { items: Array<{ address: string; organId: string | null }>; via: string };
    expect(out.via).toBe('gateway');
    expect(out.items.map((i) => i.address).sort()).toEqual(['vanthu@stp.dongnai.gov.vn', 'vanthu@stp.lamdong.gov.vn']);
    const old = JSON.parse((await vanthu(['directory', 'binh thuan'], env)).stdout) as { items: Array<{ organId: string }> };
    expect(old.items.map((i) => i.organId)).toEqual(['000.00.20.H41']);
  }, 30_000);
});

describe('vanthu send-document with no gateway running', () => {
  let sink: MailSink;
  let storage: TestStorage;
  let app: Vanthu | null = null;

  beforeAll(async () => {
    sink = await startMailSink();
    storage = await createTestStorage('pglite');
  }, 60_000);

  afterAll(async () => {
    await app?.stop();
    await storage?.cleanup();
    await sink?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('numbers and queues through the database itself; the gateway started later delivers it', async () => {
    const configFile = path.join(dir, 'direct.yaml');
    writeFileSync(
      configFile,
      [
        'directory:',
        ...DIRECTORY.map((d) => `  - { name: "${d.name}", address: "${d.address}", organId: "${d.organId}" }`),
        'mail:',
        '  from: notice@stc.lamdong.gov.vn',
        `  transport: { kind: smarthost, host: 127.0.0.1, port: ${sink.port}, secure: false, requireTls: false }`,
        'outgoing:',
        '  units:',
        '    stc: { codeSuffix: STC-VP }',
        '  delivery: { attempts: 3, backoffMs: 200, concurrency: 1 }',
        '',
      ].join('\n'),
    );
    const env = testEnv(storage, { VANTHU_CONFIG: configFile, VANTHU_API_URL: `http://127.0.0.1:${await freePort()}` });

    // Without a gateway the CLI acts as an admin service: it must be told which unit sends.
    const noUnit = await vanthu(['send-document', pdf, '--to', 'vanthu@stp.lamdong.gov.vn', '--subject', 'Báo cáo quý'], env);
    expect(noUnit.code).toBe(1);
    expect(noUnit.stderr).toMatch(/--unit/);

    const run = await vanthu(
      [
        'send-document',
        pdf,
        '--to',
        'Sở Tư pháp tỉnh Đồng Nai',
        '--subject',
        'Báo cáo tình hình quý IV',
        '--type',
        'BC',
        '--unit',
        'stc',
        '--confirm-unsigned',
      ],
      env,
    );
    expect(run.code, run.stderr).toBe(0);
    const sent = JSON.parse(run.stdout) as Sent;
    expect(sent).toMatchObject({ via: 'direct', notation: '1/BC-STC-VP', warnings: [] });
    expect(sent.deliveries).toMatchObject([{ recipient: 'vanthu@stp.dongnai.gov.vn', state: 'queued' }]);
    const offline = JSON.parse((await vanthu(['directory', 'dong nai'], env)).stdout) as { via: string; items: Array<{ address: string }> };
    expect(offline).toMatchObject({ via: 'config', items: [{ address: 'vanthu@stp.dongnai.gov.vn' }] });

    // The gateway opens the same database and Redis prefix and hands the queued document over.
    app = await startVanthu(loadConfig(env), 'all', silentLogger);
    const mail = await waitFor(() => sink.to('vanthu@stp.dongnai.gov.vn')[0], 20_000, 'delivery by the started gateway');
    expect(mail.subject).toBe('Báo cáo số 1/BC-STC-VP: Báo cáo tình hình quý IV');
    const { deliveries } = await waitFor(
      async () => {
        const [v] = await outgoingView(app!.database.db, { id: sent.id });
        return v?.deliveries[0].state === 'sent' ? v : null;
      },
      10_000,
      'state sent',
    );
    expect(deliveries[0].response).toMatch(/^250/);
  }, 90_000);
});
