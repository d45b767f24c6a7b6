/**
 * A real Haraka for a test (docs/testing.md): `haraka -i <dir>` makes its home, the test writes
 * smtp.ini, plugins and vanthu.ini, links the plugin folder gateway/haraka in as plugins/vanthu
 * (the documented install), and runs `haraka -c <dir>` in one process on a free loopback port.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Config } from '../../gateway/config/load.ts';
import { PROJECT_ROOT } from './paths.ts';
import { freePort, killHard, spawnChild, type Child } from './processes.ts';

const HARAKA_BIN = path.join(PROJECT_ROOT, 'node_modules', 'Haraka', 'bin', 'haraka');
export const PLUGIN_DIR = path.join(PROJECT_ROOT, 'gateway', 'haraka');

/** The Haraka plugin's credential: a config token with role relay (the only one that may hand over an SMTP envelope). */
export const RELAY_TOKEN = 'haraka-relay-token-for-tests';

/** startTestGateway's `configure`: adds the relay token next to the admin one. */
export function addRelayToken(cfg: Config): void {
  cfg.http.tokens = [...cfg.http.tokens, { name: 'haraka', token: RELAY_TOKEN, role: 'relay' }];
}

export interface TestHaraka {
  port: number;
  dir: string;
  child: Child;
  stop(): Promise<void>;
}

export interface HarakaOptions {
  /** [main] of config/vanthu.ini. */
  vanthu: Record<string, string | number | boolean>;
}

async function waitForGreeting(port: number, child: Child, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (child.proc.exitCode !== null) break;
    const ok = await new Promise<boolean>((resolve) => {
      const sock = net.connect(port, '127.0.0.1');
      sock.once('data', (d) => {
        sock.end('QUIT\r\n');
        resolve(d.toString().startsWith('220'));
      });
      sock.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`haraka did not greet on 127.0.0.1:${port} (exit ${child.proc.exitCode}):\n${child.stderr()}`);
}

export async function startHaraka(opts: HarakaOptions): Promise<TestHaraka> {
  const dir = path.join(mkdtempSync(path.join(tmpdir(), 'vanthu-haraka-')), 'haraka');
  execFileSync(process.execPath, [HARAKA_BIN, '-i', dir], { stdio: 'ignore' });
  const port = await freePort();
  writeFileSync(path.join(dir, 'config', 'smtp.ini'), `listen=127.0.0.1:${port}\nnodes=0\n`);
  writeFileSync(path.join(dir, 'config', 'me'), 'mx.haraka.test\n');
  writeFileSync(path.join(dir, 'config', 'log.ini'), '[main]\nlevel=info\ntimestamps=false\n');
  writeFileSync(path.join(dir, 'config', 'plugins'), 'vanthu\n');
  writeFileSync(
    path.join(dir, 'config', 'vanthu.ini'),
    `[main]\n${Object.entries(opts.vanthu)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n')}\n`,
  );
  symlinkSync(PLUGIN_DIR, path.join(dir, 'plugins', 'vanthu'));
  const child = spawnChild(process.execPath, [HARAKA_BIN, '-c', dir]);
  let out = '';
  child.proc.stdout!.on('data', (d) => (out = (out + d.toString()).slice(-20_000)));
  try {
    await waitForGreeting(port, child);
  } catch (err) {
    await killHard(child);
    throw new Error(`${(err as Error).message}\n${out}`);
  }
  return {
    port,
    dir,
    child,
    async stop() {
      await killHard(child);
      rmSync(path.dirname(dir), { recursive: true, force: true });
    },
  };
}
