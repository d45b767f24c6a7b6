/**
 * The README's examples, for the tests that run them (README.md, "Tests"): the command lines of its
 * ```sh blocks and its indented `$ npx vanthu …` examples read out of README.md, the list of what
 * each one is (which test file runs it, or why it cannot run on a test machine), and running a
 * command line the way a reader would, with bash in the project root.
 *
 * tests/readme-examples.test.ts checks the list against the README (an example in neither fails,
 * and so does a listed one the README no longer has); each file that runs examples checks at its
 * end that it ran every one the list gives it. What the runs change, and only that, is said in
 * tests/readme-examples-quick-start.test.ts.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BIN, PROJECT_ROOT } from './paths.ts';

// --- the README's examples ----------------------------------------------------------------------

export interface Example {
  /** The command as written, continuation lines joined, trailing comment and `$ ` prompt removed, spaces collapsed. */
  cmd: string;
  /** 1-based line of README.md where it starts. */
  line: number;
}

const SHELL_FENCE = /^```(sh|bash|shell|console)\s*$/;

/** The command lines of the README: ```sh blocks, and indented code lines that start with `$ ` or `npx vanthu`. */
export function readmeExamples(markdown: string): Example[] {
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

export const README = readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');
export const EXAMPLES = readmeExamples(README);

/** The test files that run README examples (in tests/). */
export const MAIN = 'readme-examples.test.ts';
export const QUICK_START = 'readme-examples-quick-start.test.ts';

/**
 * Each README command: the test that runs it (`runs`, in the file `by`), or why it cannot run here.
 * Keys are the commands as readmeExamples gives them (first line only for a here-document).
 */
export const COVERAGE: Record<string, { runs: string; by: typeof MAIN | typeof QUICK_START } | { skip: string }> = {
  // Quick start
  'npm install && npm start': {
    runs: "quick start: `npm start` on a fresh data directory (`npm install` is .ci/run's, before the suite; it checks the lock file)",
    by: QUICK_START,
  },
  'npm test': { skip: 'the whole suite, which this test is part of (.ci/run runs it)' },
  'npx vanthu send tests/corpus/seeds/002_f4ab35cbab4ebe93.txt --to vanthu@stc.lamdong.gov.vn --subject "Chỉ thị 25/CT-UBND"': {
    runs: 'quick start',
    by: QUICK_START,
  },
  'swaks --server 127.0.0.1:2525 --to vanthu@stc.lamdong.gov.vn --from vanthu@ubnd.bentre.gov.vn --header "Subject: Công văn 123/UBND-VX"': {
    runs: 'quick start (swaks is the Debian package swaks; .ci/run installs it)',
    by: QUICK_START,
  },
  'npx vanthu messages': { runs: 'quick start', by: QUICK_START },
  'npx vanthu demo': { skip: 'runs for about a minute with its own gateway: tests/demo.test.ts runs it (with --keep, to check the PDF)' },
  'npx vanthu demo --keep /tmp/vanthu-demo && pdfsig /tmp/vanthu-demo/issued.pdf': {
    skip: 'tests/demo.test.ts runs it with a temporary folder for /tmp/vanthu-demo and checks what pdfsig prints',
  },
  "curl -H 'authorization: Bearer vanthu-demo-token' localhost:8080/api/messages": { runs: 'quick start', by: QUICK_START },
  // Production
  'export DATABASE_URL=postgres://vanthu@db.internal/vanthu REDIS_URL=redis://redis.internal:6379': {
    skip: 'names production hosts (db.internal, redis.internal); `migrate` below runs against a fresh local PostgreSQL database instead',
  },
  'npx vanthu migrate': { runs: 'migrate on PostgreSQL', by: MAIN },
  'npx vanthu start --role gateway': {
    skip: 'a long-running server for a production MX host; tests/roles.test.ts runs the gateway and worker roles as separate processes',
  },
  'npx vanthu start --role worker': { skip: 'a long-running worker for production hosts; tests/roles.test.ts runs it' },
  // Sending official documents
  'curl -s http://127.0.0.1:8080/api/outgoing -H "Authorization: Bearer $TOKEN" -H \'content-type: application/json\' -d @- <<JSON': {
    runs: 'quick start, with a ke-hoach.pdf the leader signed (test CA) and the keys of the openssl lines',
    by: QUICK_START,
  },
  'npx vanthu send-document ke-hoach.pdf --to "Văn phòng UBND tỉnh Lâm Đồng" --to vanthu@stp.lamdong.gov.vn --subject "Kiểm tra quyết toán ngân sách năm 2026" --type KH --signer "Nguyễn Văn An" --urgency "hỏa tốc" --edxml --smime --unit stc':
    { runs: 'quick start, as the curl line', by: QUICK_START },
  'npx vanthu directory "so tai chinh"': { runs: 'quick start (through the real npx)', by: QUICK_START },
  // Keys
  'openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out /etc/vanthu/dkim-stc.pem': { runs: 'keys', by: QUICK_START },
  'echo "vanthu._domainkey.stc.lamdong.gov.vn. IN TXT \\"v=DKIM1; k=rsa; p=$(openssl pkey -in /etc/vanthu/dkim-stc.pem -pubout -outform der | base64 -w0)\\""':
    {
      runs: 'keys',
      by: QUICK_START,
    },
  'openssl pkcs12 -export -inkey stc.key -in stc.pem -certfile ca-chain.pem -out /etc/vanthu/stc.p12': {
    runs: 'keys (after the test CA lines, with ca.pem as the chain and the password given with -passout: it asks on a terminal)',
    by: QUICK_START,
  },
  'openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 3650 -subj "/CN=Test CA" -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign':
    { runs: 'keys', by: QUICK_START },
  'openssl req -new -newkey rsa:2048 -nodes -utf8 -keyout stc.key -out stc.csr -subj "/CN=Văn thư Sở Tài chính/emailAddress=vanthu@stc.lamdong.gov.vn"': {
    runs: 'keys',
    by: QUICK_START,
  },
  "printf 'keyUsage=critical,digitalSignature,nonRepudiation\\nextendedKeyUsage=emailProtection\\nsubjectAltName=email:vanthu@stc.lamdong.gov.vn\\n' > stc.ext":
    {
      runs: 'keys',
      by: QUICK_START,
    },
  'openssl x509 -req -in stc.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 365 -extfile stc.ext -out stc.pem': { runs: 'keys', by: QUICK_START },
  "cat > /etc/vanthu/stc-seal.svg <<'SVG'": { runs: 'keys: the seal the README configuration issues with', by: QUICK_START },
  "node -e \"require('sharp')('/etc/vanthu/stc-seal.svg').png().toFile('/etc/vanthu/stc-seal.png')\"": { runs: 'keys', by: QUICK_START },
  // Classification and signatures (indented examples)
  'npx vanthu classify tests/corpus/two-page.pdf': { runs: 'classify, with the output the README shows', by: MAIN },
  'npx vanthu verify [--trust <pem-file-or-dir>]... [--crl <file>]... [--dns <zonefile>] <file.eml|.pdf|.xml>': {
    skip: 'a synopsis, not a command; tests/trust-cli.test.ts runs verify with each option',
  },
  'npx vanthu verify --dns zone.txt cong-van.eml': {
    skip: "an illustration: zone.txt and cong-van.eml stand for the reader's own files (a signed message and its DNS zone); tests/trust-cli.test.ts verifies such pairs",
  },
};

export const keyOf = (e: Example) => e.cmd.split('\n')[0];

/** The examples a test asked for, to check at the end that each listed as run was run. */
const ran = new Set<string>();

/** The README's command by its coverage key (fails the calling test when the README no longer has it). */
export function example(key: string): string {
  ran.add(key);
  const found = EXAMPLES.find((e) => keyOf(e) === key);
  if (!found) throw new Error(`README.md no longer has the example: ${key}`);
  return found.cmd;
}

/** The examples the list says `file` runs that it has not asked for (so far: call it last in that file). */
export function notRun(file: typeof MAIN | typeof QUICK_START): string[] {
  return Object.entries(COVERAGE)
    .filter(([key, c]) => 'runs' in c && c.by === file && !ran.has(key))
    .map(([key]) => key);
}

// --- running them -------------------------------------------------------------------------------

export interface Run {
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

/** A temporary folder for a file's runs, and a PATH whose `npx` is the shim (the caller removes `work` after its runs). */
export function workspace(): { work: string; shimPath: string } {
  const work = mkdtempSync(path.join(tmpdir(), 'vanthu-readme-'));
  return { work, shimPath: `${npxShim(work)}:${process.env.PATH}` };
}

/** Runs a README command line with bash in the project root. */
export function sh(command: string, env: Record<string, string>, opts: { cwd?: string; timeoutMs?: number } = {}): Promise<Run> {
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

/** A ```yaml block of the README by its first line (the configuration examples the quick start's gateway runs with). */
export function readmeYaml(firstLine: string): string {
  const blocks = [...README.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
  const found = blocks.find((b) => b.split('\n')[0].trim() === firstLine);
  if (!found) throw new Error(`README.md has no yaml example starting with ${firstLine}`);
  return found;
}
