/**
 * `vanthu certs dev`: a local certificate authority and a server certificate signed by it, so the
 * gateway can serve the Outlook add-in over HTTPS on a development machine. The CA is kept and
 * reused (trust it once); the server certificate is made anew each run.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadConfig, PROJECT_ROOT } from '../../config/load.ts';
import type { Command } from '../main.ts';
import { parse, UsageError } from '../args.ts';

const run = promisify(execFile);
const USAGE = 'vanthu certs dev [--out dir] [--host name]... [--days N]';

export interface DevCerts {
  dir: string;
  caCert: string;
  caKey: string;
  cert: string;
  key: string;
  hosts: string[];
  caCreated: boolean;
}

async function openssl(args: string[]): Promise<void> {
  try {
    await run('openssl', args, { timeout: 60_000 });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new Error('openssl is not installed (apt-get install openssl)');
    throw new Error(`openssl ${args[0]} failed: ${(e.stderr ?? e.message).trim()}`);
  }
}

/** Makes (or reuses) the CA and issues a server certificate for the hosts. */
export async function makeDevCerts(dir: string, extraHosts: string[], days: number): Promise<DevCerts> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const f = (n: string) => path.join(dir, n);
  const caCreated = !(existsSync(f('ca.crt')) && existsSync(f('ca.key')));
  if (caCreated) {
    await openssl([
      'req',
      '-x509',
      '-new',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-sha256',
      '-days',
      '3650',
      '-keyout',
      f('ca.key'),
      '-out',
      f('ca.crt'),
      '-subj',
      '/O=vanthu/CN=vanthu development CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE,pathlen:0',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
  }
  const hosts = [...new Set(['localhost', '127.0.0.1', '::1', ...extraHosts])];
  const san = hosts.map((h) => (isIP(h) ? `IP:${h}` : `DNS:${h}`)).join(',');
  writeFileSync(
    f('server.ext'),
    `basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=${san}\n`,
  );
  await openssl(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', `/O=vanthu/CN=${hosts[0]}`]);
  await openssl([
    'x509',
    '-req',
    '-in',
    f('server.csr'),
    '-CA',
    f('ca.crt'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-sha256',
    '-days',
    String(days),
    '-extfile',
    f('server.ext'),
    '-out',
    f('server.crt'),
  ]);
  rmSync(f('server.csr'), { force: true });
  return { dir, caCert: f('ca.crt'), caKey: f('ca.key'), cert: f('server.crt'), key: f('server.key'), hosts, caCreated };
}

function instructions(c: DevCerts): string {
  const rel = (p: string) => (p.startsWith(PROJECT_ROOT + path.sep) ? path.relative(PROJECT_ROOT, p) : p);
  return [
    `${c.caCreated ? 'Made' : 'Reused'} the development CA: ${c.caCert}`,
    `Server certificate for ${c.hosts.join(', ')}: ${c.cert} (key ${c.key})`,
    '',
    'Serve HTTPS: put this in your config file (VANTHU_CONFIG) and restart the gateway:',
    '  http:',
    '    tls:',
    `      key: ${rel(c.key)}`,
    `      cert: ${rel(c.cert)}`,
    '',
    'Trust the CA once on each machine that runs Outlook (Tin cậy CA trên máy chạy Outlook):',
    `  Windows:  certutil -user -addstore Root "${c.caCert}"`,
    `  macOS:    sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain "${c.caCert}"`,
    `  Debian/Ubuntu: sudo cp "${c.caCert}" /usr/local/share/ca-certificates/vanthu-dev-ca.crt && sudo update-ca-certificates`,
    'Keep ca.key private: anyone holding it can make certificates this machine trusts.',
  ].join('\n');
}

export const command: Command = {
  summary: 'make a local CA and an HTTPS certificate for development (for the Outlook add-in)',
  async run(args) {
    const { values, positionals } = parse(
      args,
      { out: { type: 'string' }, host: { type: 'string', multiple: true }, days: { type: 'string', default: '397' } },
      USAGE,
    );
    if (positionals[0] !== 'dev' || positionals.length !== 1) throw new UsageError(`expected the sub-command "dev"\nUsage: ${USAGE}`);
    const days = Number(values.days);
    // Browsers refuse server certificates valid for more than 398 days.
    if (!Number.isInteger(days) || days < 1 || days > 398)
      throw new UsageError(`--days must be a whole number from 1 to 398, got "${values.days}"\nUsage: ${USAGE}`);
    const dir = path.resolve(values.out ?? path.join(loadConfig().instance.dataDir, 'certs'));
    const certs = await makeDevCerts(dir, values.host ?? [], days);
    process.stdout.write(instructions(certs) + '\n');
    return 0;
  },
};
