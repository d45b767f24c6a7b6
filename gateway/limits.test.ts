import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config/load.ts';
import { classifyLimits, DEFAULT_LIMITS } from './documents/limits.ts';
import { DEFAULT_LIMITS_CONFIG } from './limits.ts';

describe('limits: in the configuration', () => {
  it('config/default.yaml states exactly the defaults the code has', () => {
    expect(loadConfig({}).limits).toEqual(DEFAULT_LIMITS_CONFIG);
    expect(classifyLimits(loadConfig({}).limits)).toEqual(DEFAULT_LIMITS);
  });

  it('an override changes what it names and keeps the rest; a bad value stops start-up with its key', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'vanthu-limits-'));
    try {
      const file = path.join(dir, 'v.yaml');
      writeFileSync(file, 'limits:\n  mimeParts: 50\n  read:\n    pdfPages: 4\n');
      const l = loadConfig({ VANTHU_CONFIG: file }).limits;
      expect(l).toEqual({ ...DEFAULT_LIMITS_CONFIG, mimeParts: 50, read: { ...DEFAULT_LIMITS_CONFIG.read, pdfPages: 4 } });
      writeFileSync(file, 'limits:\n  pdfStreamBytes: -1\n');
      expect(() => loadConfig({ VANTHU_CONFIG: file })).toThrow(ConfigError);
      expect(() => loadConfig({ VANTHU_CONFIG: file })).toThrow(/limits\.pdfStreamBytes/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
