/**
 * Starts the OCR tools from a small helper process (spawner-child.mjs) instead of the gateway's own
 * process. libuv starts a child with a plain fork: the kernel copies the parent's page tables, so a
 * spawn from a 350 MB gateway blocks its event loop 15 ms against 6–7 ms from a 50 MB process
 * (docs/ocr.md, "Started from a small helper"). The helper is started once, on the first call, and
 * again on the next call after it died. It hands the child's standard output (and input, when there is
 * one) over as file descriptors: the gateway reads the child's pipe itself, no byte goes through
 * the helper. Standard error, a few KiB, comes back with the exit status.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { memoryReleased } from '../../memory-released.ts';

/** A tool's process as runTool sees it, started directly or by the helper. */
export interface ToolChild extends EventEmitter {
  /** SIGKILL, if it still runs. */
  kill(): void;
  on(event: 'spawn', fn: (pid: number) => void): this;
  on(event: 'stdout', fn: (chunk: Buffer) => void): this;
  on(event: 'stderr', fn: (text: string) => void): this;
  on(event: 'error', fn: (err: NodeJS.ErrnoException) => void): this;
  /** Once the process has exited and its standard output has closed. */
  on(event: 'close', fn: (code: number | null, signal: NodeJS.Signals | null) => void): this;
}

export interface StartOptions {
  env: NodeJS.ProcessEnv;
  input?: readonly Uint8Array[];
}

/** Where the helper's entry is: plain JavaScript next to this file, in the sources and for the compiled CLI alike. */
const ENTRY = fileURLToPath(new URL('./spawner-child.mjs', import.meta.url));

interface Call {
  child: HelperChild;
  /** The helper running it: when that one dies, only its own calls fail. */
  helper: ChildProcess;
  input?: readonly Uint8Array[];
}

class HelperChild extends EventEmitter implements ToolChild {
  pid: number | undefined;
  stdout: Socket | null = null;
  exited: [number | null, NodeJS.Signals | null] | null = null;
  outClosed = false;
  closed = false;
  constructor(
    private readonly spawner: Spawner,
    readonly id: number,
  ) {
    super();
  }
  kill(): void {
    if (!this.exited && !this.closed) this.spawner.kill(this);
  }
  /** 'close' once both the exit status has come and the output pipe has closed. */
  settle(): void {
    if (this.closed || !this.exited || !this.outClosed) return;
    this.closed = true;
    this.spawner.done(this.id);
    this.emit('close', this.exited[0], this.exited[1]);
  }
}

/** How long a helper with nothing to run is kept (ms): then it exits, and its ~45 MB go back (docs/ocr.md). */
export const SPAWNER_IDLE_MS = 30_000;

/** One helper process and the calls it runs. */
export class Spawner {
  private helper: ChildProcess | null = null;
  private idle: NodeJS.Timeout | undefined;
  private envIds = new WeakMap<object, number>();
  private calls = new Map<number, Call>();
  private seq = 0;
  /** Helper processes started so far (for tests and the bench). */
  started = 0;

  constructor(private readonly idleMs = SPAWNER_IDLE_MS) {}

  /** The helper's pid, or null when none runs (tests kill it). */
  get pid(): number | null {
    return this.helper?.pid ?? null;
  }

  start(file: string, args: string[], opts: StartOptions): ToolChild {
    clearTimeout(this.idle);
    const helper = this.ensure();
    const id = ++this.seq;
    const child = new HelperChild(this, id);
    this.calls.set(id, { child, helper, input: opts.input });
    if (this.calls.size === 1) this.ref(true);
    let env = this.envIds.get(opts.env);
    if (env === undefined) {
      env = ++this.seq;
      this.envIds.set(opts.env, env);
      helper.send({ t: 'env', env, vars: opts.env });
    }
    helper.send({ t: 'run', id, file, args, env, stdin: opts.input !== undefined });
    return child;
  }

  kill(child: HelperChild): void {
    if (this.helper?.connected) this.helper.send({ t: 'kill', id: child.id });
  }

  done(id: number): void {
    this.calls.delete(id);
    if (this.calls.size > 0) return;
    this.ref(false);
    clearTimeout(this.idle);
    this.idle = setTimeout(() => {
      if (this.calls.size === 0) this.stop();
    }, this.idleMs).unref();
  }

  /** Ends the helper (its children are killed by it); the next call starts another. */
  stop(): void {
    if (this.helper?.connected) this.helper.disconnect();
  }

  private ref(on: boolean): void {
    const h = this.helper;
    if (!h) return;
    const channel = h.channel as { ref(): void; unref(): void } | undefined;
    if (on) {
      h.ref();
      channel?.ref();
    } else {
      h.unref();
      channel?.unref();
    }
  }

  private ensure(): ChildProcess {
    // One whose channel has closed is on its way out ('exit' follows): its calls fail there, new ones go to another.
    if (this.helper?.connected) return this.helper;
    const helper = spawn(process.execPath, ['--max-old-space-size=32', ENTRY], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      // Plain Node: not the TypeScript loader or the inspector the gateway may have been started with.
      env: { ...process.env, NODE_OPTIONS: undefined },
      serialization: 'json',
      // Its own process group, which its tools join: if it dies, one kill of the group ends them all,
      // even one whose pid has not reached us yet.
      detached: true,
    });
    this.started++;
    this.helper = helper;
    this.envIds = new WeakMap();
    helper.on('message', (msg: HelperMessage, handle?: Socket) => this.onMessage(msg, handle));
    helper.on('error', () => {});
    helper.on('exit', () => this.onHelperExit(helper));
    this.ref(this.calls.size > 0);
    return helper;
  }

  private onMessage(msg: HelperMessage, handle?: Socket): void {
    const call = this.calls.get(msg.id);
    if (!call) {
      handle?.destroy();
      return;
    }
    const { child } = call;
    if (msg.t === 'out' && handle) {
      child.pid = msg.pid;
      child.stdout = handle;
      handle.on('data', (chunk: Buffer) => child.emit('stdout', chunk));
      handle.on('error', () => {});
      handle.on('close', () => {
        child.outClosed = true;
        child.settle();
      });
      child.emit('spawn', msg.pid);
    } else if (msg.t === 'in' && handle) {
      // A child that exits before reading all of it closes the pipe: EPIPE is no failure of its own.
      handle.on('error', () => {});
      const parts = call.input ?? [];
      for (const part of parts.slice(0, -1)) handle.write(part);
      handle.end(parts[parts.length - 1]);
      call.input = undefined;
    } else if (msg.t === 'failed') {
      const err: NodeJS.ErrnoException = new Error(msg.message);
      err.code = msg.code ?? undefined;
      child.emit('error', err);
      child.exited = [null, null];
      child.outClosed = true;
      child.settle();
    } else if (msg.t === 'exit') {
      if (msg.stderr) child.emit('stderr', msg.stderr);
      child.exited = [msg.code, msg.signal];
      child.settle();
    }
  }

  /** The helper died: its process group (the tools it started) is killed and their calls fail; the next call starts another helper. */
  private onHelperExit(helper: ChildProcess): void {
    if (this.helper === helper) this.helper = null;
    memoryReleased();
    if (helper.pid !== undefined)
      try {
        process.kill(-helper.pid, 'SIGKILL');
      } catch {
        /* no tool left in its group */
      }
    for (const call of [...this.calls.values()]) {
      const { child } = call;
      if (call.helper !== helper || child.exited) continue;
      const err: NodeJS.ErrnoException = new Error('the spawn helper exited');
      err.code = 'EHELPER';
      child.emit('error', err);
      child.exited = [null, 'SIGKILL'];
      if (!child.stdout) child.outClosed = true;
      child.settle();
    }
  }
}

type HelperMessage =
  | { t: 'out'; id: number; pid: number }
  | { t: 'in'; id: number }
  | { t: 'failed'; id: number; code: string | null; message: string }
  | { t: 'exit'; id: number; code: number | null; signal: NodeJS.Signals | null; stderr: string };
