/**
 * What `vanthu demo` makes before it starts the gateway (README "Quick demo"): a test PKI made with
 * the openssl command line (a root CA, the leader's certificate and the issuing unit's, both EC
 * P-256, as PKCS#12 — the unit's with a Vietnamese password), a red seal drawn with sharp, the
 * leader-signed công văn, and the embedded default configuration with the unit's issuance and the
 * test CA as trust anchor. Nothing here is a real key; everything lives in the demo's folder.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { loadConfig, type Config } from '../../config/load.ts';
import { loadIssueKey } from '../../outgoing/issue/keys.ts';
import { sampleSignedDocument } from '../../outgoing/issue/sample.ts';

/** The unit that issues (A) and the one that receives (B): the two units of config/default.yaml. */
export const ISSUER = { id: 'vpubnd', codeSuffix: 'UBND-VP', place: 'Lâm Đồng' };
export const RECEIVER = { id: 'stc', name: 'Sở Tài chính tỉnh Lâm Đồng' };
/** The unit key's PKCS#12 password: not ASCII on purpose (PKCS#12 reads it as BMPString and UTF-8). */
export const SEAL_PASSWORD = 'mật khẩu thử nghiệm';
export const SEAL_PASSWORD_ENV = 'VANTHU_DEMO_SEAL_PASSWORD';

export interface DemoFiles {
  dir: string;
  ca: string;
  leaderP12: string;
  unitP12: string;
  seal: string;
  leaderPdf: string;
}

export class DemoSetupError extends Error {
  readonly code = 'demo.setup';
}

function openssl(dir: string, args: string[]): void {
  try {
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const stderr = String((err as { stderr?: Buffer }).stderr ?? (err as Error).message);
    throw new DemoSetupError(`openssl ${args[0]} thất bại (failed): ${stderr.trim()}`);
  }
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'];

/** A certificate signed by the demo CA, exported as PKCS#12 with OpenSSL 3's defaults (PBES2/AES). */
function person(dir: string, name: string, subject: string, password: string): string {
  openssl(dir, ['req', '-new', ...EC, '-nodes', '-utf8', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject]);
  writeFileSync(path.join(dir, `${name}.ext`), 'basicConstraints=CA:false\nkeyUsage=critical,digitalSignature,nonRepudiation\n');
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '730',
    '-sha256',
    '-extfile',
    `${name}.ext`,
    '-out',
    `${name}.pem`,
  ]);
  openssl(dir, [
    'pkcs12',
    '-export',
    '-inkey',
    `${name}.key`,
    '-in',
    `${name}.pem`,
    '-certfile',
    'ca.pem',
    '-out',
    `${name}.p12`,
    '-passout',
    `pass:${password}`,
  ]);
  return path.join(dir, `${name}.p12`);
}

const SEAL_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="400" height="400">
  <circle cx="200" cy="200" r="190" fill="none" stroke="#d0021b" stroke-width="12"/>
  <circle cx="200" cy="200" r="150" fill="none" stroke="#d0021b" stroke-width="5"/>
  <polygon points="200,120 219,177 279,177 231,212 249,270 200,235 151,270 169,212 121,177 181,177" fill="#d0021b"/>
</svg>`;

/**
 * Keys, seal and the leader-signed document in `dir/keys` and `dir`. `now` is read when the leader
 * signs, after the certificates exist: a signing time before a certificate's notBefore is "expired".
 */
export async function makeDemoFiles(dir: string, now: () => Date): Promise<DemoFiles> {
  const keys = path.join(dir, 'keys');
  mkdirSync(keys, { recursive: true });
  openssl(keys, [
    'req',
    '-x509',
    ...EC,
    '-nodes',
    '-utf8',
    '-days',
    '3650',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-subj',
    '/C=VN/O=vanthu demo/CN=Demo Root CA (thử nghiệm)',
    '-addext',
    'basicConstraints=critical,CA:true',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  const leaderP12 = person(keys, 'leader', '/C=VN/O=Ủy ban nhân dân tỉnh Lâm Đồng/CN=Nguyễn Văn An', '');
  const unitP12 = person(keys, 'unit', '/C=VN/O=Ủy ban nhân dân tỉnh Lâm Đồng/CN=Ủy ban nhân dân tỉnh Lâm Đồng', SEAL_PASSWORD);
  const seal = path.join(keys, 'seal.png');
  await sharp(Buffer.from(SEAL_SVG)).png().toFile(seal);
  const leaderPdf = path.join(dir, 'leader-signed.pdf');
  const pdf = await sampleSignedDocument(
    {
      body: ['ỦY BAN NHÂN DÂN', 'TỈNH LÂM ĐỒNG'],
      place: ISSUER.place,
      subject: 'triển khai chuyển đổi số năm 2026',
      to: RECEIVER.name,
      paragraphs: ['Ủy ban nhân dân tỉnh đề nghị Sở Tài chính bố trí kinh phí chuyển đổi số năm 2026.'],
      capacity: ['TM. ỦY BAN NHÂN DÂN', 'CHỦ TỊCH'],
      signer: 'Nguyễn Văn An',
      at: now(),
    },
    loadIssueKey(leaderP12, ''),
  );
  writeFileSync(leaderPdf, pdf);
  return { dir, ca: path.join(keys, 'ca.pem'), leaderP12, unitP12, seal, leaderPdf };
}

/**
 * The embedded defaults (config/default.yaml, whatever VANTHU_CONFIG says) in the demo's data
 * folder, on free ports, with the issuing unit's key and seal. Nothing leaves the machine: mail
 * between the two units is delivered locally, anything else goes to a port that refuses.
 */
export function demoConfig(files: DemoFiles, env: NodeJS.ProcessEnv): Config {
  const config = loadConfig({
    VANTHU_DATA_DIR: path.join(files.dir, 'data'),
    VANTHU_SMTP_PORT: '0',
    VANTHU_HTTP_PORT: '0',
    VANTHU_DNS: 'off',
    VANTHU_REDIS_PREFIX: `vanthu-demo-${randomBytes(4).toString('hex')}`,
    ...(env.REDIS_URL ? { REDIS_URL: env.REDIS_URL } : {}),
  });
  config.http.tokens = [{ name: 'demo', token: randomBytes(18).toString('base64url'), role: 'admin' }];
  config.mail.localDelivery = true;
  config.mail.transport = { kind: 'smarthost', host: '127.0.0.1', port: 9, secure: false, requireTls: false, user: null, pass: null };
  config.trust.anchors = [files.ca];
  config.ocr.enabled = false; // the sample has a text layer
  config.ingest.outboxSweepMs = 500;
  config.registry.followup.sweepMs = 500;
  config.outgoing.requireSigned = true;
  config.outgoing.delivery = { attempts: 3, backoffMs: 500, concurrency: 2 };
  config.outgoing.units[ISSUER.id] = {
    codeSuffix: ISSUER.codeSuffix,
    dkim: null,
    smime: null,
    issue: { place: ISSUER.place, pkcs12: files.unitP12, passwordEnv: SEAL_PASSWORD_ENV, seal: files.seal, sealMm: 38 },
  };
  return config;
}
