/**
 * The act-by-mail key file (key.ts): created once, whole, by whichever process comes first; never
 * seen empty by another process starting at the same moment (docs/act-by-email.md).
 */
import fs from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Config } from '../../config/load.ts';
import { actKey, KEY_FILE } from './key.ts';

const dirs: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const configIn = (dataDir: string) => ({ instance: { dataDir }, registry: { actByMail: { key: '' } } }) as unknown as Config;
const tempDir = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'vanthu-act-key-'));
  dirs.push(d);
  return d;
};

describe('the act-by-mail key file', () => {
  it('is never under its name while its key is being written', () => {
    const dir = tempDir();
    const file = path.join(dir, KEY_FILE);
    const seen: boolean[] = [];
    const write = fs.writeSync;
    vi.spyOn(fs, 'writeSync').mockImplementation(((...args: Parameters<typeof fs.writeSync>) => {
      seen.push(fs.existsSync(file));
      return write(...args);
    }) as typeof fs.writeSync);
    const key = actKey(configIn(dir));
    expect(seen).toEqual([false]);
    expect(fs.readFileSync(file, 'utf8').trim()).toBe(key.toString('utf8'));
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(dir)).toEqual([KEY_FILE]); // no temporary file left
  });

  it('keeps the key another process wrote first', () => {
    const dir = tempDir();
    const first = actKey(configIn(dir));
    expect(first.length).toBeGreaterThanOrEqual(32);
    const writes = vi.spyOn(fs, 'writeSync');
    expect(actKey(configIn(dir)).equals(first)).toBe(true);
    expect(writes).not.toHaveBeenCalled(); // a start that finds the key writes nothing
    expect(fs.readdirSync(dir)).toEqual([KEY_FILE]);
  });

  it('says why when the data directory cannot hold it', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'data'), 'a file, not a directory');
    expect(() => actKey(configIn(path.join(dir, 'data')))).toThrow(/act-by-mail key file .* cannot be read or created \((EEXIST|ENOTDIR)\)/);
  });
});
