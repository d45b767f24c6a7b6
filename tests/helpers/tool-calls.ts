/**
 * Counts the runs of external tools: a wrapper per tool on a PATH placed first logs the tool's
 * name, then runs the installed one. Fails (never skips) when a tool is not installed.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface ToolCalls {
  /** The names of the tools run so far, in order. */
  calls(): string[];
  /** Puts PATH back and removes the wrappers. */
  restore(): void;
}

export function wrapTools(tools: string[]): ToolCalls {
  const oldPath = process.env.PATH;
  const dir = mkdtempSync(path.join(tmpdir(), 'vanthu-tools-'));
  const log = path.join(dir, 'calls.log');
  for (const tool of tools) {
    const real = ['/usr/bin', '/bin', '/usr/local/bin'].map((d) => path.join(d, tool)).find((p) => existsSync(p));
    if (!real) throw new Error(`${tool} is not installed`);
    writeFileSync(path.join(dir, tool), `#!/bin/sh\necho ${tool} >> '${log}'\nexec '${real}' "$@"\n`);
    chmodSync(path.join(dir, tool), 0o755);
  }
  process.env.PATH = `${dir}:${oldPath}`;
  return {
    calls: () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : []),
    restore() {
      process.env.PATH = oldPath;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
