/**
 * Every README example is a test (README.md, "Tests"): the command lines of the README's
 * ```sh blocks and its indented `$ npx vanthu …` examples are read out of README.md, and each is
 * either run here — against a fresh data directory and a gateway started the way the quick start
 * says (`npm start`, embedded defaults, on free ports) — or listed below with the reason it cannot
 * run on a test machine. An example that is neither fails the first test, and so does a listed
 * example the README no longer has: the README cannot drift from what works.
 *
 * What the runs change, and only that: the gateway listens on free loopback ports (VANTHU_SMTP_PORT,
 * VANTHU_HTTP_PORT; `:8080` and `:2525` in a command become those ports); `/etc/vanthu/` is a
 * temporary directory; `npx vanthu` is `node bin/vanthu.mjs` (what npx resolves it to; one example
 * goes through the real npx to show that it does). The gateway's configuration file is the README's
 * own `outgoing:` and `directory:` examples (their keys made by its openssl lines, the placeholder
 * password filled in), the test CA as trust anchor, and a mail transport that never reaches for a
 * real MX. The PKCS#12 export gets its password with -passout (on a terminal it asks for it).
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshBuild, build } from '../bin/build.mjs';
import { createTestStorage, type TestStorage } from './helpers/databases.ts';
import { TEST_REDIS_URL } from './helpers/gateway.ts';
import { BIN, PROJECT_ROOT } from './helpers/paths.ts';
import { freePort } from './helpers/processes.ts';
import { leaderPdf } from './fixtures/issue/leader.ts';
import { documentLabel, namesFrom, printAction, registeredLine } from '../gateway/cli/output.ts';
import { loadConfig } from '../gateway/config/load.ts';

// --- the README's examples ----------------------------------------------------------------------

interface Example {
  /** The command as written, continuation lines joined, trailing comment and `$ ` prompt removed, spaces collapsed. */
  cmd: string;
  /** 1-based line of README.md where it starts. */
  line: number;
}

const SHELL_FENCE = /^```(sh|bash|shell|console)\s*$/;

/** The command lines of the README: ```sh blocks, and indented code lines that start with `$ ` or `npx vanthu`. */
function readmeExamples(markdown: string): Example[] {
  const lines = markdown.split('\n');
  const out: Example[] = [];
  const norm = (s: string) => s.replace(/\s+/g, ' ').trim();
  const stripComment = (s: string) => s.replace(/\s+#\s.*$/, '');
  let i = 0;
  while (i < lines.length) {
    if (SHELL_FENCE.test(lines[i])) {
      i++;
      while (i < lines.length && !/^```\s*$/.test(lines[i])) {
        const start = i;
        let text = stripComment(lines[i]);
        if (!text.trim() || text.trim().startsWith('#')) {
          i++;
          continue;
        }
        while (/\\\s*$/.test(text) && i + 1 < lines.length) text = `${text.replace(/\\\s*$/, '')} ${stripComment(lines[++i])}`;
        const heredoc = /<<-?\s*'?"?(\w+)'?"?/.exec(text);
        if (heredoc) {
          const body: string[] = [];
          while (i + 1 < lines.length && lines[i + 1] !== heredoc[1]) body.push(lines[++i]);
          i++; // the terminator
          text = `${text}\n${body.join('\n')}\n${heredoc[1]}`;
          out.push({ cmd: `${norm(text.split('\n')[0])}\n${body.join('\n')}\n${heredoc[1]}`, line: start + 1 });
        } else out.push({ cmd: norm(text), line: start + 1 });
        i++;
      }
    } else if (/^ {4}(\$ |npx vanthu )/.test(lines[i]) && (i === 0 || !lines[i - 1].trim() || /^ {4}/.test(lines[i - 1]))) {
      out.push({ cmd: norm(lines[i].trim().replace(/^\$ /, '')), line: i + 1 });
    }
    i++;
  }
  return out;
}

const README = readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');
const EXAMPLES = readmeExamples(README);
const hasSwaks = spawnSync('sh', ['-c', 'command -v swaks'], { encoding: 'utf8' }).status === 0;

/**
 * Each README command: the test that runs it, or why it cannot run here. Keys are the commands as
 * readmeExamples gives them (first line only for a here-document).
 */
const COVERAGE: Record<string, { runs: string } | { skip: string }> = {
  // Quick start
  'npm install && npm start': {
    runs: "quick start: `npm start` on a fresh data directory (`npm install` is .ci/run's, before the suite; it checks the lock file)",
  },
  'npm test': { skip: 'the whole suite, which this test is part of (.ci/run runs it)' },
  'npx vanthu send tests/corpus/seeds/002_f4ab35cbab4ebe93.txt --to vanthu@stc.lamdong.gov.vn --subject "Chỉ thị 25/CT-UBND"': { runs: 'quick start' },
  'swaks --server 127.0.0.1:2525 --to vanthu@stc.lamdong.gov.vn --from vanthu@ubnd.bentre.gov.vn --header "Subject: Công văn 123/UBND-VX"': hasSwaks
    ? { runs: 'quick start' }
    : { skip: 'swaks is not installed on this machine (Debian package swaks); `npx vanthu send` above mails the same way' },
  'npx vanthu messages': { runs: 'quick start' },
  'npx vanthu demo': { skip: 'runs for about a minute with its own gateway: tests/demo.test.ts runs it (with --keep, to check the PDF)' },
  'npx vanthu demo --keep /tmp/vanthu-demo && pdfsig /tmp/vanthu-demo/issued.pdf': {
    skip: 'tests/demo.test.ts runs it with a temporary folder for /tmp/vanthu-demo and checks what pdfsig prints',
  },
  "curl -H 'authorization: Bearer vanthu-demo-token' localhost:8080/api/messages": { runs: 'quick start' },
  // Production
  'export DATABASE_URL=postgres://vanthu@db.internal/vanthu REDIS_URL=redis://redis.internal:6379': {
    skip: 'names production hosts (db.internal, redis.internal); `migrate` below runs against a fresh local PostgreSQL database instead',
  },
  'npx vanthu migrate': { runs: 'migrate on PostgreSQL' },
  'npx vanthu start --role gateway': {
    skip: 'a long-running server for a production MX host; tests/roles.test.ts runs the gateway and worker roles as separate processes',
  },
  'npx vanthu start --role worker': { skip: 'a long-running worker for production hosts; tests/roles.test.ts runs it' },
  // Sending official documents
  'curl -s http://127.0.0.1:8080/api/outgoing -H "Authorization: Bearer $TOKEN" -H \'content-type: application/json\' -d @- <<JSON': {
    runs: 'quick start, with a ke-hoach.pdf the leader signed (test CA) and the keys of the openssl lines',
  },
  'npx vanthu send-document ke-hoach.pdf --to "Văn phòng UBND tỉnh Lâm Đồng" --to vanthu@stp.lamdong.gov.vn --subject "Kiểm tra quyết toán ngân sách năm 2026" --type KH --signer "Nguyễn Văn An" --edxml --smime --unit stc':
    { runs: 'quick start, as the curl line' },
  'npx vanthu directory "so tai chinh"': { runs: 'quick start (through the real npx)' },
  // Keys
  'openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out /etc/vanthu/dkim-stc.pem': { runs: 'keys' },
  'echo "vanthu._domainkey.stc.lamdong.gov.vn. IN TXT \\"v=DKIM1; k=rsa; p=$(openssl pkey -in /etc/vanthu/dkim-stc.pem -pubout -outform der | base64 -w0)\\""':
    {
      runs: 'keys',
    },
  'openssl pkcs12 -export -inkey stc.key -in stc.pem -certfile ca-chain.pem -out /etc/vanthu/stc.p12': {
    runs: 'keys (after the test CA lines, with ca.pem as the chain and the password given with -passout: it asks on a terminal)',
  },
  'openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 3650 -subj "/CN=Test CA" -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign':
    { runs: 'keys' },
  'openssl req -new -newkey rsa:2048 -nodes -utf8 -keyout stc.key -out stc.csr -subj "/CN=Văn thư Sở Tài chính/emailAddress=vanthu@stc.lamdong.gov.vn"': {
    runs: 'keys',
  },
  "printf 'keyUsage=critical,digitalSignature,nonRepudiation\\nextendedKeyUsage=emailProtection\\nsubjectAltName=email:vanthu@stc.lamdong.gov.vn\\n' > stc.ext":
    {
      runs: 'keys',
    },
  'openssl x509 -req -in stc.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 365 -extfile stc.ext -out stc.pem': { runs: 'keys' },
  // Classification and signatures (indented examples)
  'npx vanthu classify tests/corpus/two-page.pdf': { runs: 'classify, with the output the README shows' },
  'npx vanthu verify [--trust <pem-file-or-dir>]... [--crl <file>]... [--dns <zonefile>] <file.eml|.pdf|.xml>': {
    skip: 'a synopsis, not a command; tests/trust-cli.test.ts runs verify with each option',
  },
  'npx vanthu verify --dns zone.txt cong-van.eml': {
    skip: "an illustration: zone.txt and cong-van.eml stand for the reader's own files (a signed message and its DNS zone); tests/trust-cli.test.ts verifies such pairs",
  },
};

const keyOf = (e: Example) => e.cmd.split('\n')[0];

/** The examples a test asked for, to check at the end that each listed as run was run. */
const ran = new Set<string>();

/** The README's command by its coverage key (fails the calling test when the README no longer has it). */
function example(key: string): string {
  ran.add(key);
  const found = EXAMPLES.find((e) => keyOf(e) === key);
  if (!found) throw new Error(`README.md no longer has the example: ${key}`);
  return found.cmd;
}

describe('the README and the list of its examples', () => {
  it('finds the examples', () => {
    expect(EXAMPLES.length).toBeGreaterThan(15);
    expect(EXAMPLES.map(keyOf)).toContain('npx vanthu messages');
  });

  it('every README command is run by this test or listed with the reason it cannot run here', () => {
    const uncovered = EXAMPLES.filter((e) => !(keyOf(e) in COVERAGE)).map((e) => `README.md:${e.line}: ${keyOf(e)}`);
    expect(uncovered, 'add each to COVERAGE in tests/readme-examples.test.ts: a test that runs it, or why it cannot run here').toEqual([]);
  });

  it('lists no example the README does not have', () => {
    const keys = new Set(EXAMPLES.map(keyOf));
    expect(Object.keys(COVERAGE).filter((k) => !keys.has(k))).toEqual([]);
  });
});

// --- running them -------------------------------------------------------------------------------

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A directory whose `npx` runs `npx vanthu …` as `node bin/vanthu.mjs …` (and anything else through the real npx). */
function npxShim(dir: string): string {
  const bin = path.join(dir, 'shim');
  mkdirSync(bin, { recursive: true });
  const realNpx = spawnSync('sh', ['-c', 'command -v npx'], { encoding: 'utf8' }).stdout.trim();
  writeFileSync(path.join(bin, 'npx'), `#!/bin/sh\nif [ "$1" = vanthu ]; then shift; exec "${process.execPath}" "${BIN}" "$@"; fi\nexec "${realNpx}" "$@"\n`);
  chmodSync(path.join(bin, 'npx'), 0o755);
  return bin;
}

/** Runs a README command line with bash in the project root. */
function sh(command: string, env: Record<string, string>, opts: { cwd?: string; timeoutMs?: number } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const p = spawn('bash', ['-c', command], { cwd: opts.cwd ?? PROJECT_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), opts.timeoutMs ?? 90_000);
    p.once('error', reject);
    p.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const work = mkdtempSync(path.join(tmpdir(), 'vanthu-readme-'));
const shimPath = `${npxShim(work)}:${process.env.PATH}`;
afterAll(() => rmSync(work, { recursive: true, force: true }));

// The compiled CLI, as users run it (a stale build would send every child through tsx).
beforeAll(async () => {
  for (let i = 0; i < 20 && !freshBuild(); i++) if (!(await build())) await new Promise((r) => setTimeout(r, 500));
}, 120_000);

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
});

/** A ```yaml block of the README by its first line (the configuration examples the gateway below runs with). */
function readmeYaml(firstLine: string): string {
  const blocks = [...README.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
  const found = blocks.find((b) => b.split('\n')[0].trim() === firstLine);
  if (!found) throw new Error(`README.md has no yaml example starting with ${firstLine}`);
  return found;
}

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

  it.skipIf(!hasSwaks)(
    'swaks: the same over plain SMTP',
    async () => {
      const cmd = example(
        'swaks --server 127.0.0.1:2525 --to vanthu@stc.lamdong.gov.vn --from vanthu@ubnd.bentre.gov.vn --header "Subject: Công văn 123/UBND-VX"',
      ).replace('127.0.0.1:2525', `127.0.0.1:${smtpPort}`);
      const r = await sh(cmd, env);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/<~ 250 /);
    },
    90_000,
  );

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
  it.skipIf(!existsSync('/usr/bin/script'))(
    'register, done and audit verify: a line on a terminal, JSON piped or with --json',
    async () => {
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
    },
    180_000,
  );

  describe('sending official documents: the curl and send-document examples', () => {
    const sendDir = path.join(work, 'gui');
    const curlKey = Object.keys(COVERAGE).find((k) => k.startsWith('curl -s http://127.0.0.1:8080/api/outgoing'))!;
    const sendKey = Object.keys(COVERAGE).find((k) => k.startsWith('npx vanthu send-document ke-hoach.pdf'))!;
    interface Sent {
      notation: string;
      via?: string;
      warnings: string[];
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
      expectSent(JSON.parse(r.stdout) as Sent);
    }, 90_000);

    it('npx vanthu send-document …: the same JSON plus via when piped; a line per recipient on a terminal', async () => {
      const cmd = example(sendKey);
      const r = await sh(cmd, env, { cwd: sendDir });
      expect(r.code, r.stderr).toBe(0);
      const sent = JSON.parse(r.stdout) as Sent;
      expectSent(sent);
      expect(sent.via).toBe('gateway');
      if (!existsSync('/usr/bin/script')) return;
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

describe('production: migrate a PostgreSQL database', () => {
  let storage: TestStorage;
  beforeAll(async () => void (storage = await createTestStorage('postgres')), 60_000);
  afterAll(() => storage?.cleanup());

  it('npx vanthu migrate on a fresh database (DATABASE_URL as the README exports it, pointing at a local server)', async () => {
    const env = { DATABASE_URL: storage.databaseUrl!, VANTHU_DATA_DIR: storage.dataDir, PATH: shimPath };
    const r = await sh(example('npx vanthu migrate'), env);
    expect(r.code, r.stderr).toBe(0);
    const again = await sh(example('npx vanthu migrate'), env); // idempotent
    expect(again.code, again.stderr).toBe(0);
  }, 120_000);
});

describe('classify: the output the README shows', () => {
  it("npx vanthu classify tests/corpus/two-page.pdf prints the README's JSON (fields may be added)", async () => {
    const r = await sh(example('npx vanthu classify tests/corpus/two-page.pdf'), { PATH: shimPath });
    expect(r.code, r.stderr).toBe(0);
    // The indented JSON that follows the command in the README.
    const lines = README.split('\n');
    const at = lines.findIndex((l) => l.trim() === '$ npx vanthu classify tests/corpus/two-page.pdf');
    const shown: string[] = [];
    for (let i = at + 1; i < lines.length && /^ {4}/.test(lines[i]); i++) shown.push(lines[i]);
    const expected = JSON.parse(shown.join('\n')) as Record<string, unknown>;
    expect(JSON.parse(r.stdout)).toMatchObject(expected);
  }, 90_000);
});

describe('action lines (docs/cli.md, "Output")', () => {
  const doc = {
    id: '01JDOC',
    unitId: 'stc',
    status: 'assigned',
    bookYear: 2026,
    bookNumber: 12,
    notation: '9/UBND-VP',
    subject: 'Thư  cảm ơn',
    department: 'ns',
  };

  it('name the book number, notation, summary, unit and department by name', () => {
    const names = namesFrom(loadConfig({}));
    expect(documentLabel(doc)).toBe('số 12/2026 (9/UBND-VP) — Thư cảm ơn');
    expect(documentLabel({ ...doc, bookNumber: null, notation: null, subject: null })).toBe('01JDOC');
    expect(registeredLine(doc, names)).toBe(
      'Đã vào sổ đến số 12/2026 (9/UBND-VP) — Thư cảm ơn, Sở Tài chính tỉnh Lâm Đồng → Phòng Quản lý ngân sách (registered as incoming no. 12/2026; document 01JDOC)',
    );
    expect(registeredLine({ ...doc, bookNumber: null, status: 'review' }, names)).toBe('Chưa vào sổ, trạng thái: review (not registered; document 01JDOC)');
  });

  it('are printed on a terminal; JSON with --json or off one', () => {
    const out: string[] = [];
    const write = process.stdout.write;
    process.stdout.write = ((chunk: string) => (out.push(chunk), true)) as typeof process.stdout.write;
    try {
      printAction({}, { ok: true }, () => 'một dòng', { isTTY: true });
      printAction({ json: true }, { ok: true }, () => 'một dòng', { isTTY: true });
      printAction({}, { ok: true }, () => ['a', 'b'], { isTTY: false });
    } finally {
      process.stdout.write = write;
    }
    expect(out).toEqual(['một dòng\n', '{\n  "ok": true\n}\n', '{\n  "ok": true\n}\n']);
  });
});

// Last in the file: tests run in order, so by now every test that runs an example has asked for it.
describe('the README and the list of its examples, after the runs', () => {
  it('ran every example the list says is run', () => {
    const claimed = Object.entries(COVERAGE)
      .filter(([, c]) => 'runs' in c)
      .map(([k]) => k);
    expect(claimed.filter((k) => !ran.has(k))).toEqual([]);
  });
});
