/**
 * The server key of reply tokens (docs/act-by-email.md): `registry.actByMail.key` when configured,
 * else 32 random bytes kept in <dataDir>/act-by-mail.key (mode 0600), written on first use by
 * whichever process gets there first. The key is never logged, printed or stored elsewhere.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../../config/load.ts';
import { TransientError } from '../../errors.ts';

export const KEY_FILE = 'act-by-mail.key';

/** The key file could not be read or written: worth another try once the data directory is fixed. */
export class ActKeyError extends TransientError {
  constructor(file: string, cause: unknown) {
    super('act-key', `the act-by-mail key file ${file} cannot be read or created (${(cause as NodeJS.ErrnoException)?.code ?? cause})`, { cause });
    this.name = 'ActKeyError';
  }
}

const keys = new WeakMap<Config, Buffer>();

export function actKey(config: Config): Buffer {
  const known = keys.get(config);
  if (known) return known;
  const configured = config.registry.actByMail.key;
  const key = configured ? Buffer.from(configured.normalize('NFC'), 'utf8') : keyFromFile(path.join(config.instance.dataDir, KEY_FILE));
  keys.set(config, key);
  return key;
}

function keyFromFile(file: string): Buffer {
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    try {
      // 'wx': never overwrite a key another process wrote first (tokens already sent depend on it).
      writeFileSync(file, `${randomBytes(32).toString('base64url')}\n`, { flag: 'wx', mode: 0o600 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const text = readFileSync(file, 'utf8').trim();
    if (text.length < 32) throw Object.assign(new Error('key file too short'), { code: 'ESHORT' });
    return Buffer.from(text, 'utf8');
  } catch (err) {
    throw new ActKeyError(file, err);
  }
}
