/**
 * The gateway side of the add-in: the pane served under /addin/ without a token, the manifest for
 * this gateway, /api/messages/lookup (Message-ID, MIME, ingest), HTTPS with `vanthu certs dev`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../gateway/config/load.ts';
import { BACKENDS } from './helpers/databases.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';

const run = promisify(execFile);
const UNIT = 'vanthu@stc.lamdong.gov.vn';

function message(id: string, body: string, extraHeaders: string[] = [], to = UNIT): string {
  return [
    ...extraHeaders,
    'From: <vanthu@ubnd.bentre.gov.vn>',
    `To: ${to}`,
    'Subject: =?UTF-8?B?Q8O0bmcgdsSDbg==?=',
    `Message-ID: <${id}@ubnd.bentre.gov.vn>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    body,
  ].join('\r\n');
}

describe('add-in served by the gateway', () => {
  let gw: TestGateway;
  const base = () => `http://127.0.0.1:${gw.httpPort}`;
  beforeAll(async () => {
    gw = await startTestGateway({ backend: 'pglite' });
  });
  afterAll(() => gw?.close());

  it('serves the built task pane and its icons without a token', async () => {
    const html = await fetch(`${base()}/addin/taskpane.html`);
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toMatch(/text\/html/);
    expect(html.headers.get('cache-control')).toBe('no-cache');
    const text = await html.text();
    expect(text).toContain('https://appsforoffice.microsoft.com/lib/1/hosted/office.js');
    const script = /src="\.\/(assets\/taskpane-[^"]+\.js)"/.exec(text)?.[1];
    expect(script).toBeTruthy();
    const js = await fetch(`${base()}/addin/${script}`);
    expect(js.status).toBe(200);
    expect(js.headers.get('cache-control')).toContain('immutable');
    const icon = await fetch(`${base()}/addin/assets/icon-80.png`);
    expect(icon.headers.get('content-type')).toBe('image/png');
    expect(
      Buffer.from(await icon.arrayBuffer())
        .subarray(1, 4)
        .toString(),
    ).toBe('PNG');
    expect((await fetch(`${base()}/addin/help.html`)).status).toBe(200);
    expect((await fetch(`${base()}/addin/nothing-here.js`)).status).toBe(404);
    // The pane is public; the API behind it is not.
    expect((await fetch(`${base()}/api/messages`)).status).toBe(401);
  });

  it('serves a manifest pointing at this gateway', async () => {
    const res = await fetch(`${base()}/addin/manifest.xml`);
    expect(res.headers.get('content-type')).toMatch(/application\/xml/);
    const xml = await res.text();
    expect(xml).toContain(`<SourceLocation DefaultValue="${base()}/addin/taskpane.html"/>`);
    expect(xml).toContain(`<AppDomain>${base()}</AppDomain>`);
    expect(xml).not.toContain('localhost:8080');
  });
});

describe.each(BACKENDS)('/api/messages/lookup on %s', (backend) => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ backend });
  });
  afterAll(() => gw?.close());

  const upload = (raw: string) => gw.api(`/api/messages?to=${UNIT}`, { method: 'POST', headers: { 'content-type': 'message/rfc822' }, body: raw });
  const lookup = (raw: string, query = '') =>
    gw.api(`/api/messages/lookup${query}`, { method: 'POST', headers: { 'content-type': 'message/rfc822' }, body: raw });

  it('finds a stored message by Internet Message-ID, with or without angle brackets', async () => {
    const stored = (await (await upload(message('by-id', 'Số: 12/UBND-VX\r\n'))).json()) as { id: string };
    for (const mid of ['<by-id@ubnd.bentre.gov.vn>', 'by-id@ubnd.bentre.gov.vn']) {
      const res = await gw.api(`/api/messages/lookup?messageId=${encodeURIComponent(mid)}`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { found: boolean; match: string; message: { id: string; messageId: string }; stages: Record<string, string> };
      expect(body).toMatchObject({ found: true, match: 'message-id', message: { id: stored.id, messageId: '<by-id@ubnd.bentre.gov.vn>' } });
      expect(typeof body.stages).toBe('object');
    }
    const missing = await gw.api(`/api/messages/lookup?messageId=${encodeURIComponent('<nobody@example.org>')}`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ found: false });
  });

  it('matches a MIME copy by Message-ID and body hash, even with different trace headers', async () => {
    const raw = message('by-mime', 'Kính gửi: Sở Tài chính\r\n');
    const stored = (await (await upload(raw)).json()) as { id: string };
    const exact = await lookup(['Received: from mx.outlook.com by exchange', 'X-MS-Exchange-Organization-SCL: 1', raw].join('\r\n'));
    expect(exact.status).toBe(200);
    expect(await exact.json()).toMatchObject({ found: true, match: 'exact', message: { id: stored.id } });
    // Exchange re-encodes bodies: the Message-ID alone still names the message.
    const reencoded = await lookup(message('by-mime', 'S2nDrW5oIGfhu61pOiBT4bufIFTDoGkgY2jDrW5oDQo=\r\n'));
    expect(await reencoded.json()).toMatchObject({ found: true, match: 'message-id', message: { id: stored.id } });
  });

  it('reports an unknown message as not found, and stores it with ?ingest=1', async () => {
    const raw = message('new-one', 'Số: 99/STC-VP\r\n');
    const miss = await lookup(raw);
    expect(miss.status).toBe(404);
    expect(((await miss.json()) as { message: string }).message).toMatch(/chưa nhận/);
    const first = await lookup(raw, '?ingest=1');
    expect(first.status).toBe(201);
    const created = (await first.json()) as { match: string; message: { id: string; unitIds: string[] } };
    expect(created.match).toBe('ingested');
    expect(created.message.unitIds).toEqual(['stc']);
    const again = await lookup(raw, '?ingest=1');
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ found: true, match: 'exact', message: { id: created.message.id } });
    const raw2 = await gw.api(`/api/messages/${created.message.id}/raw`);
    expect(await raw2.text()).toBe(raw);
  });

  it('explains what is wrong with a request it cannot serve', async () => {
    const foreign = await lookup(message('foreign', 'x\r\n', [], 'someone@gmail.com'), '?ingest=1');
    expect(foreign.status).toBe(422);
    expect(((await foreign.json()) as { message: string }).message).toMatch(/địa chỉ đơn vị/);
    expect((await lookup('', '?ingest=1')).status).toBe(400);
    const anonymous = await fetch(`http://127.0.0.1:${gw.httpPort}/api/messages/lookup?messageId=x%40y`);
    expect(anonymous.status).toBe(401);
  });
});

describe('HTTPS with `vanthu certs dev`', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'vanthu-certs-'));
  let gw: TestGateway | null = null;
  afterAll(async () => {
    await gw?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('makes a CA and a server certificate the gateway serves the pane with', async () => {
    const { stdout } = await run(process.execPath, [path.join(PROJECT_ROOT, 'bin', 'vanthu.mjs'), 'certs', 'dev', '--out', dir, '--host', 'vanthu.test']);
    expect(stdout).toContain('certutil');
    expect(stdout).toContain(`key: ${path.join(dir, 'server.key')}`);
    gw = await startTestGateway({
      backend: 'pglite',
      configure: (c) => (c.http.tls = { key: path.join(dir, 'server.key'), cert: path.join(dir, 'server.crt') }),
    });
    const ca = readFileSync(path.join(dir, 'ca.crt'));
    const got = await new Promise<{ status: number; body: string; authorized: boolean }>((resolve, reject) => {
      https
        .get({ host: '127.0.0.1', port: gw!.httpPort!, path: '/addin/taskpane.html', ca, servername: 'localhost' }, (res) => {
          // The certificate chains to the CA just made (rejectUnauthorized is on by default).
          const authorized = (res.socket as import('node:tls').TLSSocket).authorized;
          let body = '';
          res.on('data', (d) => (body += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body, authorized }));
        })
        .on('error', reject);
    });
    expect(got).toMatchObject({ status: 200, authorized: true });
    expect(got.body).toContain('office.js');
    // A second run keeps the CA people already trust.
    const second = await run(process.execPath, [path.join(PROJECT_ROOT, 'bin', 'vanthu.mjs'), 'certs', 'dev', '--out', dir]);
    expect(second.stdout).toContain('Reused the development CA');
  });

  it('names the config key when a certificate file is missing', async () => {
    const cfgDir = mkdtempSync(path.join(tmpdir(), 'vanthu-tlscfg-'));
    await expect(
      startTestGateway({
        backend: 'pglite',
        configure: (c) => (c.http.tls = { key: path.join(cfgDir, 'missing.key'), cert: path.join(cfgDir, 'missing.crt') }),
      }),
    ).rejects.toThrow(/http\.tls\.key: cannot read .*missing\.key \(ENOENT\)/);
    rmSync(cfgDir, { recursive: true, force: true });
  });
});
