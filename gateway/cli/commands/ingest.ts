import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { addressBook, loadConfig, type Config } from '../../config/load.ts';
import type { DurableAccept } from '../../accept/durable-accept.ts';
import type { Command } from '../main.ts';
import { parse, UsageError } from '../args.ts';
import { gatewayClient, isUnreachable, readError } from '../gateway-client.ts';
import { printAction } from '../output.ts';

const USAGE = 'vanthu ingest <file.eml> [--to <unit address>]... [--json]';

/** What a person at a terminal reads (docs/cli.md, "Output"); scripts get the JSON. */
function storedLine(r: { id: string; duplicate?: boolean; queued?: boolean }): string {
  const line = r.duplicate
    ? `Thư này đã có, mã ${r.id}: không lưu lần nữa (already stored: duplicate of ${r.id})`
    : `Đã nhận thư, mã ${r.id}: chờ tách, phân loại và vào sổ (stored as ${r.id}; the pipeline takes it next)`;
  return r.queued === false && !r.duplicate
    ? `${line}\nRedis không trả lời: gateway sẽ xử lý thư khi chạy (Redis did not answer: the gateway queues it when it starts)`
    : line;
}

export const command: Command = {
  summary: 'store a message file through the same durable path as SMTP',
  async run(args) {
    const { values, positionals } = parse(args, { to: { type: 'string', multiple: true }, json: { type: 'boolean', default: false } }, USAGE);
    const file = positionals[0];
    if (!file) throw new UsageError(`missing file\nUsage: ${USAGE}`);
    try {
      if (!(await stat(file)).isFile()) throw new Error('not a regular file');
    } catch (err) {
      process.stderr.write(`vanthu ingest: cannot read ${file}: ${(err as Error).message}\n`);
      return 2;
    }
    const config = loadConfig();
    const to = values.to ?? [];
    const client = gatewayClient(config);
    const query = to.map((a) => `to=${encodeURIComponent(a)}`).join('&');
    const upload = createReadStream(file);
    try {
      const body = Readable.toWeb(upload) as unknown as BodyInit;
      const res = await client.request('POST', `/api/messages${query ? `?${query}` : ''}`, { body, headers: { 'content-type': 'message/rfc822' } });
      if (!res.ok) {
        process.stderr.write(`vanthu ingest: ${file}: gateway answered ${res.status}: ${await readError(res)}\n`);
        return 1;
      }
      const stored = { ...((await res.json()) as { id: string; duplicate?: boolean }), via: 'gateway' };
      printAction(values, stored, () => storedLine(stored));
      return 0;
    } catch (err) {
      if (!isUnreachable(err)) throw err;
    } finally {
      upload.destroy(); // closes the file also when the request failed before reading it (no gateway)
    }
    return ingestDirect(config, file, to, values);
  },
};

/**
 * No gateway running: store it ourselves, and queue it if Redis answers (else the next start's
 * sweep does). What this needs is loaded here, not when a gateway takes the upload (docs/cli.md).
 */
async function ingestDirect(config: Config, file: string, to: string[], values: { json?: boolean }): Promise<number> {
  const [{ OPERATOR, actorOf, uploadTargets }, { openCliStorage }, { DurableAccept }, { recipientsFromHeaders }, { silentLogger }, outbox, queues, redis] =
    await Promise.all([
      import('../../registry/access/policy.ts'),
      import('../storage.ts'),
      import('../../accept/durable-accept.ts'),
      import('../../mail/recipients.ts'),
      import('../../log.ts'),
      import('../../workers/outbox.ts'),
      import('../../workers/queues.ts'),
      import('../../workers/redis.ts'),
    ]);
  const { enqueueAccepted } = outbox;
  const { IngestQueue, producerConnection } = queues;
  const { redisOptionsFromUrl } = redis;
  const units = addressBook(config);
  const source = createReadStream(file);
  try {
    const { rcptTo, body } = to.length ? { rcptTo: to.map((a) => a.toLowerCase()), body: source } : await recipientsFromHeaders(source);
    const found = rcptTo.filter((a) => units.has(a)).map((address) => ({ address, unitId: units.get(address)!.id }));
    if (!found.length) {
      process.stderr.write(`vanthu ingest: ${file}: no configured unit address among the recipients (${rcptTo.join(', ') || 'none'}); pass --to\n`);
      return 1;
    }
    const storage = await openCliStorage(config);
    const { database, blobs } = storage;
    try {
      const accept = new DurableAccept({ database, blobs, maxBytes: config.smtp.maxMessageBytes });
      await accept.init();
      // Storage opened directly: the operator (an admin) uploads, for any unit.
      const known = uploadTargets(OPERATOR, found, to.length > 0);
      let r: Awaited<ReturnType<DurableAccept['accept']>>;
      try {
        r = await accept.accept(body, {
          source: 'cli',
          mailFrom: null,
          rcptTo: known.map((t) => t.address),
          unitIds: [...new Set(known.map((t) => t.unitId))],
          uploadedBy: actorOf(OPERATOR),
          uploadedUnit: null,
        });
      } finally {
        await accept.close(); // also after a failure: the journal's segment file is closed
      }
      const queue = new IngestQueue(
        producerConnection(config.redis.url ? redisOptionsFromUrl(config.redis.url) : { host: '127.0.0.1', port: 6379 }),
        config.redis.prefix,
      );
      let queued = false;
      try {
        queued = r.duplicate ? false : await enqueueAccepted(database, queue, [r.id], silentLogger);
      } finally {
        await queue.close();
      }
      const stored = { ...r, via: 'direct', queued };
      printAction(values, stored, () => storedLine(stored));
      return 0;
    } finally {
      await storage.close();
    }
  } finally {
    source.destroy(); // read to the end on success; on any early return or failure this closes the file
  }
}
