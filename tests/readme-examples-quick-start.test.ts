/**
 * The README's quick start, run as written (README.md, "Tests"; the list of every example and why
 * some cannot run is tests/helpers/readme.ts, checked by tests/readme-examples.test.ts): the keys
 * its openssl lines make, then a gateway started the way the quick start says (`npm start` on a
 * fresh data directory, embedded defaults, free ports), mail sent to it, what arrived listed, the
 * clerk's next steps, and official documents sent with curl and with `npx vanthu send-document`.
 *
 * What the runs change, and only that: the gateway listens on free loopback ports (VANTHU_SMTP_PORT,
 * VANTHU_HTTP_PORT; `:8080` and `:2525` in a command become those ports); `/etc/vanthu/` is a
 * temporary directory; `npx vanthu` is `node bin/vanthu.mjs` (what npx resolves it to; one example
 * goes through the real npx to show that it does). The gateway's configuration file is the README's
 * own `outgoing:` and `directory:` examples (their keys made by its openssl lines, the placeholder
 * password filled in), the test CA as trust anchor, and a mail transport that never reaches for a
 * real MX. The PKCS#12 export gets its password with -passout (on a terminal it asks for it).
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leaderPdf } from './fixtures/issue/leader.ts';
import { ensureBuiltCli } from './helpers/built-cli.ts';
import { createTestStorage, type TestStorage } from './helpers/databases.ts';
import { TEST_REDIS_URL } from './helpers/gateway.ts';
import { PROJECT_ROOT } from './helpers/paths.ts';
import { freePort } from './helpers/processes.ts';
import { COVERAGE, EXAMPLES, example, keyOf, notRun, QUICK_START, readmeYaml, sh, workspace } from './helpers/readme.ts';

const { work, shimPath } = workspace();
afterAll(() => rmSync(work, { recursive: true, force: true }));
beforeAll(ensureBuiltCli, 120_000);

/** Where /etc/vanthu/ of the README is, and the folder the test-CA lines run in. */
const etc = path.join(work, 'etc-vanthu');
const certs = path.join(work, 'certs');
const adapt = (cmd: string) => cmd.replaceAll('/etc/vanthu/', `${etc}/`);
/** The PKCS#12 password, in place of the README's placeholder `password: "…"`. */
const P12_PASSWORD = 'doi-mat-khau';

describe('keys: the DKIM and S/MIME openssl lines (run first: the gateway below signs with them)', () => {
  beforeAll(() => {
    mkdirSync(etc, { recursive: true });
    mkdirSync(certs, { recursive: true });
  });

  it('makes a DKIM key and prints its TXT record', async () => {
    const gen = await sh(adapt(example('openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out /etc/vanthu/dkim-stc.pem')), {});
    expect(gen.code, gen.stderr).toBe(0);
    const echoKey = EXAMPLES.map(keyOf).find((k) => k.startsWith('echo "vanthu._domainkey.'))!;
    const txt = await sh(adapt(example(echoKey)), {});
    expect(txt.code, txt.stderr).toBe(0);
    expect(txt.stdout).toMatch(/^vanthu\._domainkey\.stc\.lamdong\.gov\.vn\. IN TXT "v=DKIM1; k=rsa; p=MII[A-Za-z0-9+/=]{300,}"\n$/);
  }, 60_000);

  it('makes a test CA and a unit certificate, then the PKCS#12 the configuration names', async () => {
    const keys = Object.keys(COVERAGE).filter((k) => k.startsWith('openssl req') || k.startsWith("printf 'keyUsage") || k.startsWith('openssl x509'));
    expect(keys).toHaveLength(4);
    for (const key of keys) {
      const r = await sh(example(key), {}, { cwd: certs });
      expect(r.code, `${key}\n${r.stderr}`).toBe(0);
    }
    cpSync(path.join(certs, 'ca.pem'), path.join(certs, 'ca-chain.pem')); // the test CA is the whole chain
    const p12 = adapt(example('openssl pkcs12 -export -inkey stc.key -in stc.pem -certfile ca-chain.pem -out /etc/vanthu/stc.p12'));
    const r = await sh(`${p12} -passout 'pass:${P12_PASSWORD}'`, {}, { cwd: certs });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(path.join(etc, 'stc.p12')) && statSync(path.join(etc, 'stc.p12')).size).toBeGreaterThan(1000);
    const read = await sh(`openssl pkcs12 -in ${etc}/stc.p12 -nokeys -passin 'pass:${P12_PASSWORD}'`, {});
    expect(read.stdout).toMatch(/emailAddress ?= ?vanthu@stc\.lamdong\.gov\.vn/);
    expect(read.stdout).toContain('Test CA');
  }, 60_000);

  it('makes the test seal the README configuration issues with', async () => {
    for (const key of [
      "cat > /etc/vanthu/stc-seal.svg <<'SVG'",
      "node -e \"require('sharp')('/etc/vanthu/stc-seal.svg').png().toFile('/etc/vanthu/stc-seal.png')\"",
    ]) {
      const r = await sh(adapt(example(key)), {}, { cwd: PROJECT_ROOT });
      expect(r.code, `${key}\n${r.stderr}`).toBe(0);
    }
    expect(readFileSync(path.join(etc, 'stc-seal.png')).subarray(1, 4).toString('latin1')).toBe('PNG');
  }, 60_000);
});

describe('quick start: `npm start` on embedded defaults, then mail it, list what arrived, send a document', () => {
  let storage: TestStorage;
  let gateway: ReturnType<typeof spawn>;
  let gatewayLog = '';
  let env: Record<string, string>;
  let smtpPort: number;
  let httpPort: number;

  beforeAll(async () => {
    storage = await createTestStorage('pglite'); // a fresh data directory (the migrated template: no initdb to wait for)
    smtpPort = await freePort();
    httpPort = await freePort();
    // The deployment's file over the embedded defaults: the README's `outgoing:` and `directory:`
    // examples (keys from the openssl lines above), the test CA as trust anchor (it signed the leader's
    // PDF), and mail that never looks for real MX hosts from a test machine (port 9 refuses at once).
    const overlay = path.join(work, 'vanthu.yaml');
    writeFileSync(
      overlay,
      [
        adapt(readmeYaml('outgoing:')).replace('password: "…"', `password: "${P12_PASSWORD}"`),
        readmeYaml('directory:'),
        'mail:\n  transport: { kind: smarthost, host: 127.0.0.1, port: 9 }',
        `trust:\n  anchors: [${JSON.stringify(path.join(certs, 'ca.pem'))}]`,
        '',
      ].join('\n'),
    );
    env = {
      VANTHU_CONFIG: overlay,
      VANTHU_DATA_DIR: storage.dataDir,
      VANTHU_SMTP_PORT: String(smtpPort),
      VANTHU_HTTP_PORT: String(httpPort),
      REDIS_URL: TEST_REDIS_URL,
      VANTHU_REDIS_PREFIX: `vtreadme${process.pid}`,
      VANTHU_DNS: 'off',
      VANTHU_LOG_FORMAT: 'json',
      VANTHU_SEAL_PASSWORD: P12_PASSWORD, // the README's issue: block reads the PKCS#12 passphrase from here
      PATH: shimPath,
    };
    const [install, start] = example('npm install && npm start').split(' && ');
    expect([install, start]).toEqual(['npm install', 'npm start']);
    gateway = spawn('bash', ['-c', `exec ${start}`], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
    });
    gateway.stderr!.on('data', (d) => (gatewayLog = (gatewayLog + d).slice(-20_000)));
    const end = Date.now() + 150_000;
    for (;;) {
      if (gateway.exitCode !== null) throw new Error(`npm start exited with ${gateway.exitCode}:\n${gatewayLog}`);
      const ok = await fetch(`http://127.0.0.1:${httpPort}/readyz`, { signal: AbortSignal.timeout(2000) }).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (Date.now() > end) throw new Error(`npm start: /readyz did not answer in time:\n${gatewayLog}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }, 180_000);

  afterAll(async () => {
    if (gateway?.pid && gateway.exitCode === null) {
      const exited = new Promise((r) => gateway.once('exit', r));
      process.kill(-gateway.pid, 'SIGTERM'); // npm and the gateway under it: the group this test started
      const timer = setTimeout(() => gateway.pid && process.kill(-gateway.pid, 'SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    }
    await storage?.cleanup();
  }, 60_000);

  it('answers /healthz and /readyz, and the demo token opens the API', async () => {
    expect((await fetch(`http://127.0.0.1:${httpPort}/healthz`)).status).toBe(200);
    const units = await fetch(`http://127.0.0.1:${httpPort}/api/messages`, { headers: { authorization: 'Bearer vanthu-demo-token' } });
    expect(units.status).toBe(200);
  });

  it('npx vanthu send …: the unit address takes the file (250)', async () => {
    const r = await sh(
      example('npx vanthu send tests/corpus/seeds/002_f4ab35cbab4ebe93.txt --to vanthu@stc.lamdong.gov.vn --subject "Chỉ thị 25/CT-UBND"'),
      env,
    );
    expect(r.code, r.stderr).toBe(0);
    const sent = JSON.parse(r.stdout) as { accepted: string[]; response: string };
    expect(sent.accepted).toEqual(['vanthu@stc.lamdong.gov.vn']);
    expect(sent.response).toMatch(/^250 /);
  }, 90_000);

  it('swaks: the same over plain SMTP', async () => {
    const cmd = example(
      'swaks --server 127.0.0.1:2525 --to vanthu@stc.lamdong.gov.vn --from vanthu@ubnd.bentre.gov.vn --header "Subject: Công văn 123/UBND-VX"',
    ).replace('127.0.0.1:2525', `127.0.0.1:${smtpPort}`);
    const r = await sh(cmd, env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^<[-~] +250 /m);
  }, 90_000);

  it('npx vanthu messages: what arrived, with its subject', async () => {
    const r = await sh(example('npx vanthu messages'), env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Chỉ thị 25/CT-UBND');
  }, 90_000);

  it('curl …/api/messages with the demo token: the same message as JSON', async () => {
    const cmd = example("curl -H 'authorization: Bearer vanthu-demo-token' localhost:8080/api/messages");
    const r = await sh(`${cmd.replace('localhost:8080', `localhost:${httpPort}`)} --silent --show-error --fail`, env);
    expect(r.code, r.stderr).toBe(0);
    const list = JSON.parse(r.stdout) as { items: Array<{ subject: string; rcptTo: string[] }> };
    expect(list.items.map((m) => m.subject)).toContain('Chỉ thị 25/CT-UBND');
  }, 60_000);

  // The clerk's next steps, as the README's "Clerk's CLI" names them: an action prints one line on a
  // terminal and the API's JSON when piped or with --json (docs/cli.md, "Output").
  it('register, done and audit verify: a line on a terminal, JSON piped or with --json', async () => {
    const api = (p: string) => fetch(`http://127.0.0.1:${httpPort}${p}`, { headers: { authorization: 'Bearer vanthu-demo-token' } });
    const list = (await (await api('/api/messages')).json()) as { items: Array<{ id: string; subject: string }> };
    const id = list.items.find((m) => m.subject === 'Chỉ thị 25/CT-UBND')!.id;
    const end = Date.now() + 90_000;
    while (((await (await api(`/api/messages/${id}`)).json()) as { state: string }).state !== 'decided') {
      if (Date.now() > end) throw new Error(`message ${id} not decided in time:\n${gatewayLog}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const onTty = (args: string) => sh(`/usr/bin/script -qec ${JSON.stringify(`npx vanthu ${args}`)} /dev/null`, env);
    const fields = "--set notation=25/CT-UBND --set 'issuer=Ủy ban nhân dân tỉnh Bến Tre' --set issuedDate=2026-03-04 --set 'subject=Chỉ thị 25'";
    const reg = await onTty(`register ${id} ${fields}`);
    expect(reg.code, reg.stdout + reg.stderr).toBe(0);
    expect(reg.stdout).toMatch(
      /^Đã vào sổ đến số 1\/\d{4} \(25\/CT-UBND\) — Chỉ thị 25, Sở Tài chính tỉnh Lâm Đồng.* \(registered as incoming no\. 1\/\d{4}; document \S+\)\r?\n$/,
    );
    const docId = /document (\S+)\)/.exec(reg.stdout)![1];
    const done = await onTty(`done ${docId} --note 'Đã trả lời'`);
    expect(done.stdout).toMatch(/^Đã xử lý xong văn bản số 1\/\d{4} \(25\/CT-UBND\)/);
    const audit = await onTty('audit verify');
    expect(audit.stdout).toMatch(/^Nhật ký kiểm toán nguyên vẹn: [\d.]+ bản ghi/);
    const json = await onTty('audit verify --json');
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true });
    const piped = await sh('npx vanthu audit verify', env);
    expect(JSON.parse(piped.stdout)).toMatchObject({ ok: true, broken: null });
  }, 180_000);

  describe('sending official documents: the curl and send-document examples', () => {
    const sendDir = path.join(work, 'gui');
    const curlKey = Object.keys(COVERAGE).find((k) => k.startsWith('curl -s http://127.0.0.1:8080/api/outgoing'))!;
    const sendKey = Object.keys(COVERAGE).find((k) => k.startsWith('npx vanthu send-document ke-hoach.pdf'))!;
    interface Sent {
      notation: string;
      via?: string;
      warnings: string[];
      urgency: string;
      subject: string;
      deliveries: Array<{ recipient: string; state: string }>;
    }

    beforeAll(async () => {
      // ke-hoach.pdf as the leader signed it: the unit's test certificate stands in for the leader's.
      mkdirSync(sendDir, { recursive: true });
      const leaderP12 = path.join(certs, 'leader.p12');
      const r = await sh(`openssl pkcs12 -export -inkey stc.key -in stc.pem -certfile ca.pem -out ${leaderP12} -passout pass:`, {}, { cwd: certs });
      expect(r.code, r.stderr).toBe(0);
      writeFileSync(path.join(sendDir, 'ke-hoach.pdf'), await leaderPdf(leaderP12));
    }, 60_000);

    const expectSent = (sent: Sent) => {
      expect(sent.notation).toMatch(/^\d+\/KH-STC-VP$/);
      expect(sent.deliveries.map((d) => d.recipient).sort()).toEqual(['vanthu@stp.lamdong.gov.vn', 'vanthu@vpubnd.lamdong.gov.vn']);
    };

    it('curl POST /api/outgoing with the here-document: numbered in the outgoing book, signed, queued', async () => {
      const r = await sh(
        example(curlKey).replace('http://127.0.0.1:8080', `http://127.0.0.1:${httpPort}`),
        { ...env, TOKEN: 'vanthu-demo-token' },
        { cwd: sendDir },
      );
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/"notation"/);
      const sent = JSON.parse(r.stdout) as Sent & { id: string };
      expectSent(sent);
      expect(sent).toMatchObject({ urgency: 'khan', subject: expect.stringMatching(/^\[KHẨN\] Kế hoạch số /) });
      // Issued with the README's test key and seal: number and date in the header, both signatures valid per poppler.
      const auth = { headers: { authorization: 'Bearer vanthu-demo-token' } };
      const files = (await (await fetch(`http://127.0.0.1:${httpPort}/api/outgoing/${sent.id}/files`, auth)).json()) as { files: Array<{ idx: number }> };
      expect(files.files.map((f) => f.idx)).toEqual([0]);
      const issued = path.join(sendDir, 'issued.pdf');
      writeFileSync(issued, Buffer.from(await (await fetch(`http://127.0.0.1:${httpPort}/api/outgoing/${sent.id}/files/0`, auth)).arrayBuffer()));
      const sig = await sh(`pdfsig ${issued}`, {});
      expect(sig.stdout.match(/Signature Validation: Signature is Valid\./g), sig.stdout).toHaveLength(2);
      expect((await sh(`pdftotext -l 1 ${issued} -`, {})).stdout).toContain(`Số: ${sent.notation}`);
    }, 90_000);

    it('npx vanthu send-document …: the same JSON plus via when piped; a line per recipient on a terminal', async () => {
      const cmd = example(sendKey);
      const r = await sh(cmd, env, { cwd: sendDir });
      expect(r.code, r.stderr).toBe(0);
      const sent = JSON.parse(r.stdout) as Sent;
      expectSent(sent);
      expect(sent.via).toBe('gateway');
      expect(sent.urgency).toBe('hoa_toc'); // the mark as a person types it
      const tty = await sh(`/usr/bin/script -qec ${JSON.stringify(cmd)} /dev/null`, env, { cwd: sendDir });
      expect(tty.code, tty.stdout).toBe(0);
      expect(tty.stdout).toMatch(/^Đã vào sổ văn bản đi số \d+\/KH-STC-VP của Sở Tài chính tỉnh Lâm Đồng, chờ gửi 2 nơi/);
      expect(tty.stdout).toContain('→ ');
    }, 120_000);
  });

  it('npx vanthu directory "so tai chinh" (through the real npx): finds Sở Tài chính without diacritics', async () => {
    const r = await sh(example('npx vanthu directory "so tai chinh"'), { ...env, PATH: process.env.PATH ?? '' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Sở Tài chính tỉnh Lâm Đồng');
    expect(r.stdout).toContain('vanthu@stc.lamdong.gov.vn');
  }, 90_000);
});

// Last in the file: tests run in order, so by now every test that runs an example has asked for it.
describe('the quick start, after the runs', () => {
  it('ran every example the list says this file runs', () => {
    expect(notRun(QUICK_START)).toEqual([]);
  });
});
