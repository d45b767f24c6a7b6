/** A pid lock file guarding a directory that only one process may open (PGlite's data dir). */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';

export interface DirLock {
  release(): void;
}

export class LockedError extends Error {
  constructor(
    readonly what: string,
    readonly pid: number,
  ) {
    super(`${what} is in use by process ${pid} (the running gateway?). Stop it, or use the gateway's HTTP API.`);
    this.name = 'LockedError';
  }
}

/** Whether a process with this pid runs on this host (EPERM: it does, under another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function acquireDirLock(dir: string, what: string): DirLock {
  const file = path.join(dir, '.vanthu.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      try {
        writeSync(fd, String(process.pid));
      } finally {
        closeSync(fd); // a failed write (disk full) must not leave the descriptor open
      }
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          try {
            unlinkSync(file);
          } catch {
            /* already gone */
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(readFileSync(file, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && processAlive(pid)) throw new LockedError(what, pid);
      unlinkSync(file); // stale: its process died (kill -9) without releasing it
    }
  }
  throw new Error(`cannot lock ${dir}`);
}
