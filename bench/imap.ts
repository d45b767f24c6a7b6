/**
 * bench:imap — sync of a large mailbox through DurableAccept.
 *
 * APPENDs N realistic Vietnamese official mails (5–20 KB, multipart with a PDF attachment) into a
 * Dovecot mailbox started here (not timed), then times one vanthu sync of the folder — batched
 * FETCH over one connection, every message durably accepted (fsync + row + WAL fsync, group
 * commit) into a fresh embedded PGlite store, keyword set on the server, last UID recorded per
 * batch — and checks that every message is stored exactly once.
 * Usage: npm run bench:imap [-- --messages 10000 --batch 200]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { eq, sql } from 'drizzle-orm';
import { ImapFlow } from 'imapflow';
import { DurableAccept } from '../gateway/accept/durable-accept.ts';
import { openStorage } from '../gateway/store/storage.ts';
import { loadConfig } from '../gateway/config/load.ts';
import { imapSectionSchema } from '../gateway/config/imap.ts';
import { clientOptions } from '../gateway/imap/poller.ts';
import { FolderStateStore } from '../gateway/imap/state.ts';
import { FolderSync } from '../gateway/imap/sync.ts';
import { silentLogger } from '../gateway/log.ts';
import { inboundMessages } from '../gateway/store/schema.ts';
import { officialMail, startDovecot } from '../tests/helpers/dovecot.ts';

const { values } = parseArgs({ options: { messages: { type: 'string', default: '10000' }, batch: { type: 'string', default: '200' } } });
const MESSAGES = Number(values.messages);
const BATCH = Number(values.batch);
const USER = 'vanthu@stc.lamdong.gov.vn';
const PASSWORD = 'bench-secret';
const APPENDERS = 8;

async function fill(port: number): Promise<{ bytes: number; seconds: number }> {
  const t0 = performance.now();
  let next = 0;
  let bytes = 0;
  await Promise.all(
    Array.from({ length: APPENDERS }, async () => {
      const c = new ImapFlow({ host: '127.0.0.1', port, secure: false, doSTARTTLS: false, auth: { user: USER, pass: PASSWORD }, logger: false });
      await c.connect();
      while (next < MESSAGES) {
        const i = next++;
        const raw = officialMail(i, USER, 5 + (i % 16), 'bench');
        bytes += raw.length;
        await c.append('INBOX', raw);
      }
      await c.logout();
    }),
  );
  return { bytes, seconds: (performance.now() - t0) / 1000 };
}

async function main(): Promise<void> {
  const dovecot = await startDovecot([{ user: USER, password: PASSWORD }]);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'vanthu-bench-imap-'));
  try {
    const filled = await fill(dovecot.port);
    const config = loadConfig({ VANTHU_DATA_DIR: dataDir });
    const storage = await openStorage(config);
    const { database, blobs } = storage;
    const accept = new DurableAccept({ database, blobs, maxBytes: config.smtp.maxMessageBytes });
    await accept.init();
    const account = imapSectionSchema.parse({
      accounts: [{ id: 'bench', host: '127.0.0.1', port: dovecot.port, tls: { mode: 'none' }, user: USER, password: PASSWORD, unit: 'stc', batchSize: BATCH }],
    }).accounts[0];
    const state = new FolderStateStore(database);

    const t0 = performance.now();
    const client = new ImapFlow(clientOptions(account));
    await client.connect();
    const counts = await new FolderSync(client, 'INBOX', {
      accept,
      state,
      account,
      target: { unitId: 'stc', address: USER },
      log: silentLogger,
      stopping: () => false,
    }).run();
    const seconds = (performance.now() - t0) / 1000;
    await client.logout();

    const [{ n }] = await database.db.select({ n: sql<number>`count(*)::int` }).from(inboundMessages).where(eq(inboundMessages.source, 'imap'));
    const folder = await state.load('bench', 'INBOX');
    await accept.close();
    await storage.close();
    if (n !== MESSAGES || counts.ingested !== MESSAGES || folder?.lastUid !== MESSAGES) {
      throw new Error(`expected ${MESSAGES} stored messages, got rows=${n} ingested=${counts.ingested} lastUid=${folder?.lastUid}`);
    }
    process.stdout.write(
      JSON.stringify({
        bench: 'imap',
        messages: MESSAGES,
        seconds: Number(seconds.toFixed(2)),
        messagesPerSecond: Math.round(MESSAGES / seconds),
        megabytesPerSecond: Number((filled.bytes / 1e6 / seconds).toFixed(1)),
        avgMessageBytes: Math.round(filled.bytes / MESSAGES),
        batchSize: BATCH,
        database: database.kind,
        appendSeconds: Number(filled.seconds.toFixed(2)),
        targetSeconds: 60,
      }) + '\n',
    );
  } finally {
    await dovecot.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`bench:imap failed: ${err instanceof Error ? err.stack : err}\n`);
  process.exit(1);
});
