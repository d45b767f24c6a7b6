import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { addressBook, ConfigError, loadConfig } from './load.ts';

function withFile(yaml: string): NodeJS.ProcessEnv {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'vanthu-cfg-')), 'vanthu.yaml');
  writeFileSync(file, yaml);
  return { VANTHU_CONFIG: file };
}

function errorOf(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('loads the embedded defaults: two demo units with their published addresses', () => {
    const cfg = loadConfig({});
    expect(cfg.units.map((u) => u.id)).toEqual(['vpubnd', 'stc']);
    expect(addressBook(cfg).get('taichinh@lamdong.gov.vn')?.id).toBe('stc');
    expect(cfg.smtp.port).toBe(2525);
  });

  it('gives the embedded database a 16 MiB page cache unless told otherwise (docs/operations.md, "Memory")', () => {
    expect(loadConfig({}).database.embeddedSharedBuffersMb).toBe(16);
    expect(loadConfig(withFile('database:\n  url: null\n')).database.embeddedSharedBuffersMb).toBe(16);
  });

  it('deep-merges VANTHU_CONFIG over the defaults and applies environment overrides last', () => {
    const env = { ...withFile('smtp:\n  port: 25\nhttp:\n  port: 9000\n'), VANTHU_HTTP_PORT: '9100', DATABASE_URL: 'postgres://db/vanthu' };
    const cfg = loadConfig(env);
    expect(cfg.smtp.port).toBe(25);
    expect(cfg.smtp.hostname).toBe('mx.demo.lamdong.gov.vn');
    expect(cfg.http.port).toBe(9100);
    expect(cfg.database.url).toBe('postgres://db/vanthu');
  });

  it('names the file, the key path and what was expected', () => {
    const env = withFile('smtp:\n  port: "twenty-five"\n');
    const err = errorOf(env);
    expect(err.file).toBe(env.VANTHU_CONFIG);
    expect(err.key).toBe('smtp.port');
    expect(err.message).toMatch(/expected number/);
  });

  it('rejects unknown keys (typos) by name', () => {
    expect(errorOf(withFile('smtp:\n  prot: 25\n')).key).toBe('smtp.prot');
  });

  it('rejects malformed unit ids, bad addresses and an address claimed by two units', () => {
    expect(errorOf(withFile('units:\n  - id: Bad Id\n    name: X\n    addresses: [a@b.gov.vn]\n')).key).toBe('units[0].id');
    expect(errorOf(withFile('units:\n  - id: x\n    name: X\n    addresses: [not-an-address]\n')).key).toBe('units[0].addresses[0]');
    const twice = errorOf(withFile('units:\n  - id: a\n    name: A\n    addresses: [v@x.gov.vn]\n  - id: b\n    name: B\n    addresses: [V@x.gov.vn]\n'));
    expect(twice.key).toBe('units[1].addresses');
    expect(twice.message).toMatch(/already used by unit "a"/);
  });

  it('reports unreadable files, broken YAML and non-numeric environment ports', () => {
    expect(errorOf({ VANTHU_CONFIG: '/nonexistent/vanthu.yaml' }).message).toMatch(/cannot read file \(ENOENT\)/);
    expect(errorOf(withFile('smtp: [\n')).message).toMatch(/not valid YAML/);
    expect(errorOf({ VANTHU_SMTP_PORT: 'abc' }).file).toBe('environment VANTHU_SMTP_PORT');
  });
});
