import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { addressBook, loadConfig, type Config } from '../../config/load.ts';
import type { DurableAccept } from '../../accept/durable-accept.ts';
import type { Command } from '../main.ts';
import { parse, UsageError } from '../args.ts';
import { gatewayClient, isUnreachable, readError } from '../gateway-client.ts';
import { outputMode, printAction } from '../output.ts';

const USAGE = 'vanthu ingest <file.eml | folder | "glob">... [--to <unit address>]... [--json]';

/** What a person at a terminal reads (docs/cli.md, "Output"); scripts get the JSON. */
function storedLine(r: { id: string; duplicate?: boolean; queued?: boolean }): string {
  const line = r.duplicate
    ? `Thư này đã có, mã ${r.id}: không lưu lần nữa (already stored: duplicate of ${r.id})`
    : `Đã nhận thư, mã ${r.id}: chờ tách, phân loại và vào sổ (stored as ${r.id}; the pipeline takes it next)`;
  return r.queued === false && !r.duplicate
    ? `${line}\nRedis không trả lời: gateway sẽ xử lý thư khi chạy (Redis did not answer: the gateway queues it when it starts)`
    : line;
}

interface Stored {
  id: string;
  duplicate?: boolean;
  queued?: boolean;
  via: 'gateway' | 'direct';
}

/** One file's result: stored, or why not (`code`: 1 refused or not a message for a unit, 2 unreadable). */
type Outcome = ({ ok: true } & Stored) | { ok: false; code: 1 | 2; error: string };

export const command: Command = {
  summary: 'store message files (a file, a folder, globs) through the same durable path as SMTP',
  async run(args) {
    const { values, positionals } = parse(args, { to: { type: 'string', multiple: true }, json: { type: 'boolean', default: false } }, USAGE);
    if (!positionals.length) throw new UsageError(`missing file\nUsage: ${USAGE}`);
    const to = values.to ?? [];
    const single = positionals.length === 1 && (await kindOf(positionals[0])) !== 'dir' && !isGlob(positionals[0]);
    const config = loadConfig();
    const sink = new Sink(config, to);
    try {
      if (!single) return await batch(sink, positionals, values);
      const file = positionals[0];
      const r = await sink.store(file);
      if (!r.ok) {
        process.stderr.write(`vanthu ingest: ${r.error}\n`);
        return r.code;
      }
      const { ok: _, ...stored } = r;
      printAction(values, stored, () => storedLine(stored));
      return 0;
    } finally {
      await sink.close();
    }
  },
};

async function kindOf(p: string): Promise<'file' | 'dir' | 'other' | 'missing'> {
  try {
    const s = await stat(p);
    return s.isFile() ? 'file' : s.isDirectory() ? 'dir' : 'other';
  } catch {
    return 'missing';
  }
}

const isGlob = (p: string) => /[*?[\]{}]/.test(p);
const MESSAGE_FILE = /\.eml$/i;

/** The files to store, in order: a folder's .eml files (sub-folders included, sorted), files as given, glob matches. */
export async function expandInputs(inputs: string[]): Promise<{ files: string[]; unmatched: string[] }> {
  const files: string[] = [];
  const unmatched: string[] = [];
  for (const input of inputs) {
    const kind = await kindOf(input);
    if (kind === 'dir') {
      const entries = await readdir(input, { recursive: true, withFileTypes: true });
      const found = entries
        .filter((e) => e.isFile() && MESSAGE_FILE.test(e.name))
        .map((e) => path.join(e.parentPath ?? input, e.name))
        .sort((a, b) => a.localeCompare(b));
      if (!found.length) unmatched.push(input);
      files.push(...found);
    } else if (kind === 'missing' && isGlob(input)) {
      const { glob } = await import('tinyglobby');
      const found = (await glob(input, { onlyFiles: true, expandDirectories: false })).sort((a, b) => a.localeCompare(b));
      if (!found.length) unmatched.push(input);
      files.push(...found);
    } else files.push(input); // a file, or one that cannot be read: reported as that file's failure
  }
  return { files: [...new Set(files)], unmatched };
}

/**
 * Many files: one line per file on a terminal as it goes ("[3/40] tệp: đã nhận …"), then a summary;
 * with --json or piped, one JSON summary (the lines go to standard error when that is a terminal).
 * A file that fails is reported and the rest go on; exit 0 when every file was stored (or was a
 * duplicate), 1 when any failed, 2 when nothing matched.
 */
async function batch(sink: Sink, inputs: string[], values: { json?: boolean }): Promise<number> {
  const { files, unmatched } = await expandInputs(inputs);
  for (const u of unmatched) process.stderr.write(`vanthu ingest: ${u}: không có tệp .eml nào (no .eml file matched)\n`);
  if (!files.length) return 2;
  const json = outputMode({ json: values.json }, 'json') === 'json';
  const progress = json ? (process.stderr.isTTY ? process.stderr : null) : process.stdout;
  const width = String(files.length).length;
  const results: Array<{ file: string } & Outcome> = [];
  for (const [i, file] of files.entries()) {
    const r = await sink.store(file);
    results.push({ file, ...r });
    const what = r.ok
      ? r.duplicate
        ? `đã có, mã ${r.id} (duplicate)`
        : `đã nhận, mã ${r.id} (stored)`
      : `LỖI (failed): ${r.error.startsWith(`${file}: `) ? r.error.slice(file.length + 2) : r.error}`;
    progress?.write(`[${String(i + 1).padStart(width)}/${files.length}] ${file}: ${what}\n`);
  }
  const stored = results.filter((r) => r.ok && !r.duplicate).length;
  const duplicates = results.filter((r) => r.ok && r.duplicate).length;
  const failed = results.length - stored - duplicates;
  if (json) {
    const summary = {
      files: files.length,
      stored,
      duplicates,
      failed,
      unmatched,
      results: results.map((r) =>
        r.ok
          ? { file: r.file, id: r.id, duplicate: !!r.duplicate, via: r.via, error: null }
          : { file: r.file, id: null, duplicate: false, via: null, error: r.error },
      ),
    };
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  } else {
    process.stdout.write(
      `Xong ${files.length} tệp: ${stored} đã nhận, ${duplicates} đã có, ${failed} lỗi (${files.length} files: ${stored} stored, ${duplicates} duplicates, ${failed} failed)\n`,
    );
  }
  return failed ? 1 : 0;
}

/**
 * Stores files through the gateway while one answers; with none running, through storage opened
 * here once for all the files (and queued if Redis answers, else the next start's sweep does).
 */
class Sink {
  private direct: Promise<DirectStore> | null = null;
  private gatewayDown = false;

  constructor(
    private readonly config: Config,
    private readonly to: string[],
  ) {}

  async store(file: string): Promise<Outcome> {
    try {
      if (!(await stat(file)).isFile()) throw new Error('not a regular file');
    } catch (err) {
      return { ok: false, code: 2, error: `cannot read ${file}: ${(err as Error).message}` };
    }
    if (!this.gatewayDown) {
      const r = await this.viaGateway(file);
      if (r) return r;
      this.gatewayDown = true;
    }
    this.direct ??= DirectStore.open(this.config);
    return (await this.direct).store(file, this.to);
  }

  /** null: no gateway answers. */
  private async viaGateway(file: string): Promise<Outcome | null> {
    const client = gatewayClient(this.config);
    const query = this.to.map((a) => `to=${encodeURIComponent(a)}`).join('&');
    const upload = createReadStream(file);
    try {
      const body = Readable.toWeb(upload) as unknown as BodyInit;
      const res = await client.request('POST', `/api/messages${query ? `?${query}` : ''}`, { body, headers: { 'content-type': 'message/rfc822' } });
      if (!res.ok) return { ok: false, code: 1, error: `${file}: gateway answered ${res.status}: ${await readError(res)}` };
      return { ok: true, ...((await res.json()) as { id: string; duplicate?: boolean }), via: 'gateway' };
    } catch (err) {
      if (!isUnreachable(err)) throw err;
      return null;
    } finally {
      upload.destroy(); // closes the file also when the request failed before reading it (no gateway)
    }
  }

  async close(): Promise<void> {
    if (this.direct) await (await this.direct).close();
  }
}

/** Storage opened by the command itself (no gateway running). What this needs is loaded here, not when a gateway takes the upload (docs/cli.md). */
class DirectStore {
  private constructor(
    private readonly config: Config,
    private readonly parts: {
      storage: Awaited<ReturnType<typeof import('../../store/storage.ts').openStorage>>;
      accept: DurableAccept;
      queue: InstanceType<typeof import('../../workers/queues.ts').IngestQueue>;
      policy: typeof import('../../registry/access/policy.ts');
      recipients: typeof import('../../mail/recipients.ts');
      outbox: typeof import('../../workers/outbox.ts');
      log: typeof import('../../log.ts');
    },
  ) {}

  static async open(config: Config): Promise<DirectStore> {
    const [policy, { openStorage }, { DurableAccept }, recipients, log, outbox, queues, redis] = await Promise.all([
      import('../../registry/access/policy.ts'),
      import('../../store/storage.ts'),
      import('../../accept/durable-accept.ts'),
      import('../../mail/recipients.ts'),
      import('../../log.ts'),
      import('../../workers/outbox.ts'),
      import('../../workers/queues.ts'),
      import('../../workers/redis.ts'),
    ]);
    const storage = await openStorage(config);
    const accept = new DurableAccept({ database: storage.database, blobs: storage.blobs, maxBytes: config.smtp.maxMessageBytes });
    await accept.init();
    const queue = new queues.IngestQueue(
      queues.producerConnection(config.redis.url ? redis.redisOptionsFromUrl(config.redis.url) : { host: '127.0.0.1', port: 6379 }),
      config.redis.prefix,
    );
    return new DirectStore(config, { storage, accept, queue, policy, recipients, outbox, log });
  }

  async store(file: string, to: string[]): Promise<Outcome> {
    const { storage, accept, queue, policy, recipients, outbox, log } = this.parts;
    const units = addressBook(this.config);
    const source = createReadStream(file);
    let read: Readable | null = null;
    try {
      const { rcptTo, body } = to.length ? { rcptTo: to.map((a) => a.toLowerCase()), body: source } : await recipients.recipientsFromHeaders(source);
      read = body;
      const found = rcptTo.filter((a) => units.has(a)).map((address) => ({ address, unitId: units.get(address)!.id }));
      if (!found.length)
        return {
          ok: false,
          code: 1,
          error: `${file}: no configured unit address among the recipients (${rcptTo.join(', ') || 'none'}); pass --to`,
        };
      // Storage opened directly: the operator (an admin) uploads, for any unit.
      const known = policy.uploadTargets(policy.OPERATOR, found, to.length > 0);
      const r = await accept.accept(body, {
        source: 'cli',
        mailFrom: null,
        rcptTo: known.map((t) => t.address),
        unitIds: [...new Set(known.map((t) => t.unitId))],
        uploadedBy: policy.actorOf(policy.OPERATOR),
        uploadedUnit: null,
      });
      const queued = r.duplicate ? false : await outbox.enqueueAccepted(storage.database, queue, [r.id], log.silentLogger);
      return { ok: true, ...r, via: 'direct', queued };
    } catch (err) {
      return { ok: false, code: 1, error: `${file}: ${(err as Error).message}` };
    } finally {
      // Read to the end on success; on any early return or failure this closes the file, and the
      // header reader's pass-through (its pump then ends early: not an error anyone waits for).
      read?.on('error', () => undefined).destroy();
      source.destroy();
    }
  }

  async close(): Promise<void> {
    const { storage, accept, queue } = this.parts;
    try {
      await accept.close(); // the journal's segment file is closed
      await queue.close();
    } finally {
      await storage.close();
    }
  }
}
