/**
 * The server key of reply tokens (docs/act-by-email.md): `registry.actByMail.key` when configured,
 * else 32 random bytes kept in <dataDir>/act-by-mail.key (mode 0600), written on first use by
 * whichever process gets there first. The key is never logged, printed or stored elsewhere.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
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
    fs.mkdirSync(path.dirname(file), { recursive: true });
    if (!fs.existsSync(file)) createOnce(file, `${randomBytes(32).toString('base64url')}\n`);
    const text = fs.readFileSync(file, 'utf8').trim();
    if (text.length < 32) throw Object.assign(new Error('key file too short'), { code: 'ESHORT' });
    return Buffer.from(text, 'utf8');
  } catch (err) {
    throw new ActKeyError(file, err);
  }
}

/**
 * Creates `file` with `content` unless it exists, never overwriting a key another process wrote
 * first (tokens already sent depend on it). The content is written and fsync'd under a temporary
 * name, then linked to `file` (which fails if it exists): a process starting at the same moment
 * sees no file or the whole key, never the empty file an exclusive create shows between its open
 * and its write (the roles of `vanthu start --role` started together read "key file too short").
 */
function createOnce(file: string, content: string): void {
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = fs.openSync(tmp, 'wx', 0o600);
  try {
    fs.writeSync(fd, content);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.linkSync(tmp, file);
    const dir = fs.openSync(path.dirname(file), 'r');
    try {
      fs.fsyncSync(dir);
    } finally {
      fs.closeSync(dir);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}
