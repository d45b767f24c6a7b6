/**
 * The unit's issuing key on a PKCS#11 token (docs/issuance.md, "The key on a token"), with SoftHSM
 * in a temporary folder: keys made by openssl and certified by the test PKI's intermediate CA are
 * imported with `softhsm2-util --import`, then the key files are deleted — whatever signs after
 * that can only be the token. An RSA key whose certificate (and the CA's) is on the token, and an EC
 * P-256 key whose certificate comes from a PEM file. The issued PDF verifies with pdfsig and with
 * vanthu's verifier; a wrong module, token, PIN or key is an IssueError with its code, and a PIN
 * the token refused is not tried again.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { X509Certificate, verify } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Certificate } from 'pkijs';
import type * as Pkcs11js from 'pkcs11js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { outgoingConfigSchema } from '../gateway/config/outgoing.ts';
import { closeIssueTokens, issueDocument, IssueError, loadIssueKeys, type IssueKey } from '../gateway/outgoing/issue/issue.ts';
import { cadesDetached } from '../gateway/outgoing/issue/pades.ts';
import { checkIssueTokens } from '../gateway/outgoing/issue/pkcs11-status.ts';
import { checkSigners, parseSignedData } from '../gateway/trust/cms.ts';
import { verifyDocument, type TrustStore } from '../gateway/trust/index.ts';
import { leaderPdf, sealPng } from './fixtures/issue/leader.ts';
import { ensureFixtures, type Fixtures } from './fixtures/trust/make-fixtures.ts';
import { fixtureStore } from './fixtures/trust/store.ts';

const MODULE = '/usr/lib/softhsm/libsofthsm2.so';
const TOKEN = 'Văn thư thử';
const PIN = '246810';
const PIN_ENV = 'VANTHU_TEST_TOKEN_PIN';
/** The signing time: a second after the fixtures' CAs begin (they are made on first use), so every certificate is valid then. */
let AT: Date;

let fx: Fixtures;
let trust: TrustStore;
let dir: string;
let seal: string;
const certs: Record<'rsa' | 'ec', string> = { rsa: '', ec: '' };

const file = (name: string) => join(dir, name);
const openssl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
const softhsm = (args: string[]) => execFileSync('softhsm2-util', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });

/** A key made by openssl, certified by the fixtures' intermediate CA, imported into the token; the key file is then deleted. */
function tokenKey(name: string, keyArgs: string[], id: string, cn: string): void {
  const inter = dirname(fx.pki.intermediate);
  openssl(['genpkey', ...keyArgs, '-out', `${name}.key`]);
  openssl(['req', '-new', '-utf8', '-key', `${name}.key`, '-subj', `/C=VN/O=Ủy ban nhân dân tỉnh Lâm Đồng/CN=${cn}`, '-out', `${name}.csr`]);
  // `openssl ca` with its own database here (the fixtures' CA folder is shared), valid from before AT.
  mkdirSync(file(`ca-${name}`));
  writeFileSync(file(`ca-${name}/index.txt`), '');
  writeFileSync(file(`ca-${name}/serial`), name === 'rsa' ? '7a01\n' : '7e01\n');
  writeFileSync(
    file(`ca-${name}.cnf`),
    `[ca]\ndefault_ca=d\n[d]\ndatabase=${file(`ca-${name}/index.txt`)}\nnew_certs_dir=${file(`ca-${name}`)}\nserial=${file(`ca-${name}/serial`)}\n` +
      'default_md=sha256\npolicy=p\nunique_subject=no\npreserve=yes\n[p]\ncommonName=supplied\norganizationName=optional\ncountryName=optional\n' +
      '[v3]\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n',
  );
  openssl([
    'ca',
    '-batch',
    '-utf8',
    '-config',
    `ca-${name}.cnf`,
    '-cert',
    fx.pki.intermediate,
    '-keyfile',
    join(inter, 'inter.key'),
    '-extensions',
    'v3',
    '-startdate',
    '20250101000000Z',
    '-enddate',
    '20350101000000Z',
    '-notext',
    '-in',
    `${name}.csr`,
    '-out',
    `${name}.pem`,
  ]);
  softhsm(['--import', `${name}.key`, '--token', TOKEN, '--label', name, '--id', id, '--pin', PIN]);
  rmSync(file(`${name}.key`));
  certs[name as 'rsa' | 'ec'] = file(`${name}.pem`);
}

/** Certificate objects on the token (softhsm2-util imports keys only), through the same library. */
function putCertificates(items: Array<{ pem: string; id: string; label: string }>): void {
  const pkcs11 = createRequire(import.meta.url)('pkcs11js') as typeof Pkcs11js;
  const p11 = new pkcs11.PKCS11();
  p11.load(MODULE);
  p11.C_Initialize();
  try {
    const slot = p11.C_GetSlotList(true).find((s) => p11.C_GetTokenInfo(s).label.trim() === TOKEN)!;
    const session = p11.C_OpenSession(slot, pkcs11.CKF_SERIAL_SESSION | pkcs11.CKF_RW_SESSION);
    p11.C_Login(session, pkcs11.CKU_USER, PIN);
    for (const { pem, id, label } of items) {
      const der = new X509Certificate(readFileSync(pem)).raw;
      const subject = Buffer.from(Certificate.fromBER(new Uint8Array(der)).subject.toSchema().toBER());
      p11.C_CreateObject(session, [
        { type: pkcs11.CKA_CLASS, value: pkcs11.CKO_CERTIFICATE },
        { type: pkcs11.CKA_CERTIFICATE_TYPE, value: pkcs11.CKC_X_509 },
        { type: pkcs11.CKA_TOKEN, value: true },
        { type: pkcs11.CKA_ID, value: Buffer.from(id, 'hex') },
        { type: pkcs11.CKA_LABEL, value: label },
        { type: pkcs11.CKA_SUBJECT, value: subject },
        { type: pkcs11.CKA_VALUE, value: der },
      ]);
    }
    p11.C_CloseSession(session);
  } finally {
    p11.C_Finalize();
    p11.close();
  }
}

beforeAll(async () => {
  fx = await ensureFixtures();
  trust = await fixtureStore(fx);
  AT = new Date(Date.parse(new X509Certificate(readFileSync(fx.pki.intermediate)).validFrom) + 1000);
  dir = mkdtempSync(join(tmpdir(), 'vanthu-p11-'));
  mkdirSync(file('tokens'));
  writeFileSync(file('softhsm2.conf'), `directories.tokendir = ${file('tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  process.env.SOFTHSM2_CONF = file('softhsm2.conf');
  process.env[PIN_ENV] = PIN;
  softhsm(['--init-token', '--free', '--label', TOKEN, '--pin', PIN, '--so-pin', '13579135']);
  tokenKey('rsa', ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'], 'a1', 'Văn thư RSA trên token');
  tokenKey('ec', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'], 'e1', 'Văn thư EC trên token');
  putCertificates([
    { pem: certs.rsa, id: 'a1', label: 'rsa' },
    { pem: fx.pki.intermediate, id: 'ca', label: 'intermediate CA' },
  ]);
  seal = file('seal.png');
  writeFileSync(seal, await sealPng());
}, 120_000);

afterEach(() => closeIssueTokens());

afterAll(() => {
  closeIssueTokens();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

type TokenCfg = { token?: string; keyLabel?: string; keyId?: string; certificate?: string; module?: string };

function keysFor(token: TokenCfg, passwordEnv = PIN_ENV) {
  return loadIssueKeys({
    codeSuffix: 'UBND-VP',
    issue: { place: 'Lâm Đồng', pkcs11: { module: MODULE, token: TOKEN, ...token }, passwordEnv, seal, sealMm: 38 },
  } as Parameters<typeof loadIssueKeys>[0]);
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(IssueError);
    return (err as IssueError).code;
  }
  throw new Error('no error');
}

async function issueWith(key: IssueKey) {
  const out = await issueDocument(await leaderPdf(fx.pki.signer.p12), {
    ...keysFor({ keyLabel: 'rsa' }),
    key,
    notation: '125/UBND-VP',
    issuedDate: '2026-03-05',
    unitName: 'Ủy ban nhân dân tỉnh Lâm Đồng',
    now: AT,
  });
  const pdf = file(`issued-${key.algorithm.name}.pdf`);
  writeFileSync(pdf, out.pdf);
  const r = spawnSync('pdfsig', [pdf], { encoding: 'utf8' });
  return { pdf: out.pdf, pdfsig: `${r.stdout}${r.stderr}` };
}

describe('the issuing key on a PKCS#11 token (SoftHSM)', () => {
  it('RSA key with its certificate and the CA on the token: the leader-signed PDF is issued, pdfsig and the verifier say valid', async () => {
    expect(existsSync(file('rsa.key'))).toBe(false); // only the token holds the key
    const { key } = keysFor({ keyLabel: 'rsa' });
    expect('privateKey' in key).toBe(false);
    expect(key.algorithm.name).toBe('RSASSA-PKCS1-v1_5');
    expect(key.certificate.equals(new X509Certificate(readFileSync(certs.rsa)).raw)).toBe(true);
    expect(key.chain.map((c) => new X509Certificate(c).subject)).toEqual([new X509Certificate(readFileSync(fx.pki.intermediate)).subject]);

    const { pdf, pdfsig } = await issueWith(key);
    expect(pdfsig.match(/Signature Validation: Signature is Valid\./g)).toHaveLength(2);
    expect(pdfsig).toMatch(/Signer Certificate Common Name: Văn thư RSA trên token/);
    const reports = verifyDocument(pdf, 'pdf', { trust }).signatures;
    expect(reports.map((s) => s.verdict)).toEqual(['valid', 'valid']);
    expect(reports[0].changesAfterSigning).toBe('permitted');
  }, 60_000);

  it('EC P-256 key on the token, certificate from a PEM file: ECDSA/SHA-256, valid for pdfsig and the verifier', async () => {
    const pem = file('ec-chain.pem');
    writeFileSync(pem, Buffer.concat([readFileSync(certs.ec), readFileSync(fx.pki.intermediate)]));
    const { key } = keysFor({ keyId: 'e1', certificate: pem });
    expect(key.algorithm).toEqual({ name: 'ECDSA', namedCurve: 'P-256' });
    expect(key.chain).toHaveLength(1);
    const { pdf, pdfsig } = await issueWith(key);
    expect(pdfsig.match(/Signature Validation: Signature is Valid\./g)).toHaveLength(2);
    expect(pdfsig).toMatch(/Signer Certificate Common Name: Văn thư EC trên token/);
    expect(verifyDocument(pdf, 'pdf', { trust }).signatures.map((s) => s.verdict)).toEqual(['valid', 'valid']);
  }, 60_000);

  it('signs several CMS at once on one session (one operation at a time), each valid; the session is reused', async () => {
    const { key } = keysFor({ keyLabel: 'rsa' });
    expect(keysFor({ keyLabel: 'rsa' }).key).toBe(key);
    const contents = ['một', 'hai', 'ba', 'bốn'].map((t) => Buffer.from(`văn bản ${t}`));
    const signed = await Promise.all(contents.map((c) => cadesDetached(c, key)));
    signed.forEach((cms, i) => {
      expect(checkSigners(parseSignedData(cms), [contents[i]])[0].findings.filter((f) => f.verdict !== 'valid')).toEqual([]);
    });
    // Eight asked in the same tick: each C_SignInit waits for the C_Sign before it (else CKR_OPERATION_ACTIVE).
    const cert = new X509Certificate(key.certificate).publicKey;
    const data = Array.from({ length: 8 }, (_, i) => Buffer.from(`bản ${i}`));
    const signatures = await Promise.all(data.map((d) => key.sign(d)));
    expect(signatures.map((sig, i) => verify('sha256', data[i], cert, sig))).toEqual(data.map(() => true));
  });

  it('a session the token lost fails with outgoing.issue.token_sign, and the next issuance opens a new one', async () => {
    const { key } = keysFor({ keyLabel: 'rsa' });
    const lost = key as unknown as { p11: Pkcs11js.PKCS11; session: Buffer };
    lost.p11.C_CloseSession(lost.session);
    await expect(cadesDetached(Buffer.from('x'), key)).rejects.toMatchObject({ code: 'outgoing.issue.token_sign' });
    const again = keysFor({ keyLabel: 'rsa' }).key;
    expect(again).not.toBe(key);
    const cms = await cadesDetached(Buffer.from('x'), again);
    expect(checkSigners(parseSignedData(cms), [Buffer.from('x')])[0].findings.filter((f) => f.verdict !== 'valid')).toEqual([]);
  });

  it('a wrong PIN is outgoing.issue.token_pin, and the same wrong PIN is not tried again (the token would lock)', () => {
    process.env.VANTHU_TEST_WRONG_PIN = '000000';
    expect(codeOf(() => keysFor({ keyLabel: 'rsa' }, 'VANTHU_TEST_WRONG_PIN'))).toBe('outgoing.issue.token_pin');
    expect(() => keysFor({ keyLabel: 'rsa' }, 'VANTHU_TEST_WRONG_PIN')).toThrow(/already refused this PIN/);
    // The right PIN still opens it.
    expect(keysFor({ keyLabel: 'rsa' }).key.algorithm.name).toBe('RSASSA-PKCS1-v1_5');
  });

  it('names what is wrong: module, token, key, certificate', () => {
    expect(codeOf(() => keysFor({ module: file('no-such-module.so') }))).toBe('outgoing.issue.token_module');
    expect(codeOf(() => keysFor({ token: 'không có' }))).toBe('outgoing.issue.token_not_found');
    expect(codeOf(() => keysFor({ keyLabel: 'no such key' }))).toBe('outgoing.issue.token_key');
    expect(codeOf(() => keysFor({}))).toBe('outgoing.issue.token_key'); // two keys: one must be named
    expect(codeOf(() => keysFor({ keyLabel: 'ec' }))).toBe('outgoing.issue.token_certificate'); // no certificate on the token
    // A certificate of another key: the probe signature does not verify.
    expect(codeOf(() => keysFor({ keyLabel: 'ec', certificate: fx.pki.ecdsa.cert }))).toBe('outgoing.issue.token_certificate');
  });

  it('config: issue takes a pkcs12 file or a pkcs11 token, exactly one of them', () => {
    const parse = (issue: object) => outgoingConfigSchema.safeParse({ units: { ubnd: { issue: { place: 'Lâm Đồng', seal, ...issue } } } });
    const token = { module: MODULE, token: TOKEN, keyId: 'a1' };
    const ok = parse({ pkcs11: token });
    expect(ok.success).toBe(true);
    expect(ok.data?.units.ubnd.issue?.pkcs11).toEqual(token);
    expect(parse({ pkcs12: 'unit.p12' }).success).toBe(true);
    expect(parse({ pkcs12: 'unit.p12', pkcs11: token }).error?.issues[0].message).toMatch(/either pkcs12 or pkcs11/);
    expect(parse({}).success).toBe(false);
    expect(parse({ pkcs11: { ...token, keyId: 'xyz' } }).success).toBe(false);
  });

  it('at start-up, a unit whose token key is unusable is logged with its code and issuing is off for it only', () => {
    process.env.VANTHU_TEST_WRONG_PIN = '111111';
    const lines: Array<{ level: string; obj: Record<string, unknown>; msg: string }> = [];
    const log = {
      info: (obj: object, msg: string) => lines.push({ level: 'info', obj: obj as Record<string, unknown>, msg }),
      warn: (obj: object, msg: string) => lines.push({ level: 'warn', obj: obj as Record<string, unknown>, msg }),
    };
    const unit = (passwordEnv: string) => ({
      issue: { place: 'Lâm Đồng', pkcs11: { module: MODULE, token: TOKEN, keyLabel: 'rsa' }, passwordEnv, seal, sealMm: 38 },
    });
    // PKCS#11 logs a process in per token: the PIN is checked by the first login, so the wrong one comes first here.
    const off = checkIssueTokens({ units: { so: unit('VANTHU_TEST_WRONG_PIN'), ubnd: unit(PIN_ENV) } } as never, log);
    expect(off).toEqual(['so']);
    expect(lines.map((l) => [l.level, l.obj.unit, l.obj.code ?? null])).toEqual([
      ['warn', 'so', 'outgoing.issue.token_pin'],
      ['info', 'ubnd', null],
    ]);
  });
});
