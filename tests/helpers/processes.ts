/** Child processes for tests: the vanthu CLI as a real process, a private redis-server, free ports. */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { BIN, PROJECT_ROOT } from './paths.ts';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export interface Child {
  proc: ChildProcess;
  stderr(): string;
  exited: Promise<number | null>;
}

/**
 * The environment for third-party servers (Redis, Dovecot, Chromium): the host's real clock. The
 * suite is also run under faketime to prove vanthu never reads the wall clock where its own clock
 * belongs (docs/testing.md); those servers are not ours, and some (jemalloc in redis-server) break
 * under libfaketime's preload.
 */
export function realClockEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out = { ...env };
  for (const k of Object.keys(out)) if (k === 'LD_PRELOAD' || k.startsWith('FAKETIME') || k === 'DONT_FAKE_MONOTONIC') delete out[k];
  return out;
}

export function spawnChild(cmd: string, args: string[], env: Record<string, string> = {}, opts: { realClock?: boolean } = {}): Child {
  const base = opts.realClock ? realClockEnv() : process.env;
  const proc = spawn(cmd, args, { cwd: PROJECT_ROOT, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (d) => (err = (err + d.toString()).slice(-20_000)));
  proc.stdout!.resume();
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return { proc, stderr: () => err, exited };
}

/** `node bin/vanthu.mjs <args>` with the given environment. */
export function spawnVanthu(args: string[], env: Record<string, string>): Child {
  return spawnChild(process.execPath, [BIN, ...args], env);
}

export async function waitForHttp(url: string, child: Child, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (child.proc.exitCode !== null) throw new Error(`process exited (${child.proc.exitCode}) before ${url} answered:\n${child.stderr()}`);
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(1000) })).ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms:\n${child.stderr()}`);
}

export async function killHard(child: Child): Promise<void> {
  if (child.proc.exitCode === null && child.proc.signalCode === null) {
    child.proc.kill('SIGKILL');
    await child.exited;
  }
}

/** A redis-server of the test's own on a loopback port (fails the test if redis-server is missing). */
export async function startRedis(port: number, dir: string): Promise<Child> {
  const child = spawnChild(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    {},
    { realClock: true },
  );
  const end = Date.now() + 10_000;
  while (Date.now() < end) {
    if (child.proc.exitCode !== null) throw new Error(`redis-server exited: ${child.stderr()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.end('PING\r\n');
      });
      s.once('data', (d) => resolve(d.toString().startsWith('+PONG')));
      s.once('error', () => resolve(false));
    });
    if (ok) return child;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('redis-server did not start');
}

/** Whether a process of that pid exists (signal 0; a zombie not yet reaped still counts). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
