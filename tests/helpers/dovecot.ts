/**
 * A real Dovecot IMAP server for a test: its own config, passwd-file users and maildir under a
 * temp directory, listening on a free loopback port. Runs in the foreground (-F) as a child of the
 * test process so stop() can wait for it to exit. See docs/testing.md for why the user settings.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import type { Config } from '../../gateway/config/load.ts';
import { freePort, realClockEnv } from './processes.ts';

export interface DovecotUser {
  user: string;
  password: string;
}

export interface TestDovecot {
  port: number;
  /** Implicit-TLS port when started with { tls: true } (self-signed certificate for "localhost"), else null. */
  tlsPort: number | null;
  dir: string;
  /** A connected, authenticated client for seeding or inspecting a mailbox; logout() it after use. */
  connect(user: string): Promise<ImapFlow>;
  log(): string;
  stop(): Promise<void>;
}

const DOVECOT = process.env.DOVECOT_BIN ?? '/usr/sbin/dovecot';

function ownerIds(name: string): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  if (!line) throw new Error(`system user "${name}" is missing: install dovecot-imapd (apt-get install dovecot-imapd)`);
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

function sslSettings(dir: string, tlsPort: number | null): string {
  if (tlsPort === null) return 'ssl = no\n';
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=localhost', '-keyout', `${dir}/key.pem`, '-out', `${dir}/cert.pem`],
    { stdio: 'ignore' },
  );
  return `ssl = yes\nssl_cert = <${dir}/cert.pem\nssl_key = <${dir}/key.pem\n`;
}

function config(dir: string, port: number, tlsPort: number | null): string {
  return `base_dir = ${dir}/run
state_dir = ${dir}/state
protocols = imap
listen = 127.0.0.1
${sslSettings(dir, tlsPort)}disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = dovenull
default_internal_user = dovecot
default_internal_group = dovecot
first_valid_uid = 1
mail_location = maildir:${dir}/mail/%u/Maildir
mail_fsync = never
log_path = ${dir}/dovecot.log
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/passwd
}
userdb {
  driver = static
  args = uid=dovecot gid=dovecot home=${dir}/mail/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = ${tlsPort ?? 0}
  }
}
protocol imap {
  mail_max_userip_connections = 200
}
# A test that logs in with a wrong password must not slow every other login from 127.0.0.1.
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
`;
}

async function waitForGreeting(port: number, child: ChildProcess, logFile: string, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (child.exitCode !== null) break;
    const ok = await new Promise<boolean>((resolve) => {
      const sock = net.connect(port, '127.0.0.1');
      sock.once('data', (d) => {
        sock.destroy();
        resolve(d.toString().startsWith('* OK'));
      });
      sock.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  const log = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
  throw new Error(`dovecot did not answer on 127.0.0.1:${port} (exit code ${child.exitCode}); log:\n${log}`);
}

export async function startDovecot(users: DovecotUser[], opts: { tls?: boolean } = {}): Promise<TestDovecot> {
  const dir = mkdtempSync(path.join(tmpdir(), 'vanthu-dovecot-'));
  // The login and mail processes run as dovenull/dovecot: they must be able to reach their dirs.
  chmodSync(dir, 0o755);
  const owner = ownerIds('dovecot');
  mkdirSync(path.join(dir, 'mail'));
  chownSync(path.join(dir, 'mail'), owner.uid, owner.gid);
  writeFileSync(path.join(dir, 'passwd'), users.map((u) => `${u.user}:{PLAIN}${u.password}\n`).join(''));
  const port = await freePort();
  const confFile = path.join(dir, 'dovecot.conf');
  const tlsPort = opts.tls ? await freePort() : null;
  writeFileSync(confFile, config(dir, port, tlsPort));
  const logFile = path.join(dir, 'dovecot.log');
  const child = spawn(DOVECOT, ['-F', '-c', confFile], { stdio: ['ignore', 'ignore', 'pipe'], env: realClockEnv() });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  try {
    await waitForGreeting(port, child, logFile);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${(err as Error).message}\n${stderr}`);
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    port,
    tlsPort,
    dir,
    async connect(user) {
      const u = users.find((x) => x.user === user);
      if (!u) throw new Error(`no test user ${user}`);
      const client = new ImapFlow({ host: '127.0.0.1', port, secure: false, doSTARTTLS: false, auth: { user: u.user, pass: u.password }, logger: false });
      client.on('error', () => undefined);
      await client.connect();
      return client;
    },
    log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const SENTENCES = [
  'Thực hiện Chỉ thị số 25/CT-UBND ngày 18 tháng 7 năm 2012 của Ủy ban nhân dân tỉnh về đẩy mạnh ứng dụng công nghệ thông tin trong hoạt động của cơ quan nhà nước.',
  'Sở Thông tin và Truyền thông đề nghị các cơ quan, đơn vị sử dụng thư điện tử công vụ trong trao đổi văn bản điện tử.',
  'Đề nghị các đơn vị báo cáo kết quả thực hiện về Sở Tài chính trước ngày 30 tháng 11 năm 2026 để tổng hợp, báo cáo Ủy ban nhân dân tỉnh.',
  'Văn bản điện tử được ký số bằng chứng thư số của cơ quan, tổ chức theo quy định tại Nghị định số 30/2020/NĐ-CP về công tác văn thư.',
  'Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, các đơn vị phản ánh về Văn phòng Ủy ban nhân dân tỉnh để được hướng dẫn.',
  'Giao Sở Nội vụ chủ trì, phối hợp với các sở, ban, ngành và Ủy ban nhân dân các huyện, thành phố theo dõi, đôn đốc việc thực hiện.',
];

/** A realistic official mail (công văn) of about `kb` KB: UTF-8 text body plus a base64 "PDF" attachment. */
export function officialMail(i: number, to: string, kb = 8, tag = 'mail'): string {
  const subject = `Công văn số ${i}/UBND-VX về việc triển khai văn bản điện tử`;
  const text: string[] = ['Kính gửi: Sở Tài chính tỉnh Lâm Đồng', '', `Số: ${i}/UBND-VX`];
  let size = 0;
  for (let k = 0; size < kb * 350; k++) {
    const line = SENTENCES[(i + k) % SENTENCES.length];
    text.push(line);
    size += Buffer.byteLength(line);
  }
  text.push('', 'TM. ỦY BAN NHÂN DÂN', 'KT. CHỦ TỊCH', 'PHÓ CHỦ TỊCH', 'Nguyễn Thị Thanh Hà');
  const pdf = Buffer.alloc(kb * 480, `%PDF-1.4 văn bản ${i} `)
    .toString('base64')
    .replace(/.{76}/g, '$&\r\n');
  return [
    'From: =?UTF-8?Q?V=C4=83n_th=C6=B0_UBND_t=E1=BB=89nh_B=E1=BA=BFn_Tre?= <vanthu@ubnd.bentre.gov.vn>',
    `To: ${to}`,
    `Subject: =?UTF-8?B?${Buffer.from(subject).toString('base64')}?=`,
    `Message-ID: <${tag}-${i}@ubnd.bentre.gov.vn>`,
    'Date: Mon, 23 Nov 2026 09:00:00 +0700',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b1"',
    '',
    '--b1',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    text.join('\r\n').normalize('NFC'),
    '--b1',
    `Content-Type: application/pdf; name="${i}-UBND-VX.pdf"`,
    'Content-Transfer-Encoding: base64',
    `Content-Disposition: attachment; filename="${i}-UBND-VX.pdf"`,
    '',
    pdf,
    '--b1--',
    '',
  ].join('\r\n');
}

type ImapAccount = Config['imap']['accounts'][number];

/** An IMAP account of the gateway's config on this Dovecot (plain IMAP on loopback), unit "stc" by default. */
export function dovecotAccount(dovecot: TestDovecot, a: { id: string; user: string } & Partial<ImapAccount>): ImapAccount {
  return {
    host: '127.0.0.1',
    port: dovecot.port,
    tls: { mode: 'none', verify: true },
    accessToken: null,
    unit: 'stc',
    address: null,
    folders: ['INBOX'],
    afterIngest: 'keyword',
    moveTo: null,
    pollIntervalMs: 60_000,
    batchSize: 10,
    enabled: true,
    ...a,
  } as ImapAccount;
}
