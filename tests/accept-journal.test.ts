/**
 * Recovery of the accept journal against a real database: a batch whose journal append was
 * fsync'd but whose row never made it (the process died) is restored on the next start, and its
 * raw bytes, kept in the journal, become a loose blob when unpacked.
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { DurableAccept } from '../gateway/accept/durable-accept.ts';
import { openStorage } from '../gateway/store/storage.ts';
import { loadConfig } from '../gateway/config/load.ts';
import { inboundMessages } from '../gateway/store/schema.ts';
import { stampedName } from '../gateway/store/stamped-names.ts';
import { BACKENDS, createTestStorage, type TestStorage } from './helpers/databases.ts';
import { testEnv } from './helpers/gateway.ts';

const cleanups: TestStorage[] = [];
afterEach(async () => {
  for (const s of cleanups.splice(0)) await s.cleanup();
});

const raw = (id: string) => Buffer.from(`From: a@b.gov.vn\r\nTo: vanthu@stc.lamdong.gov.vn\r\nMessage-ID: <${id}@b.gov.vn>\r\n\r\nNội dung ${id}\r\n`);
const envelope = { source: 'cli' as const, mailFrom: null, rcptTo: ['vanthu@stc.lamdong.gov.vn'], unitIds: ['stc'] };

describe.each(BACKENDS)('accept journal recovery on %s', (backend) => {
  it('restores the row of a journaled batch that never reached the database, and keeps its bytes', async () => {
    const ts = await createTestStorage(backend);
    cleanups.push(ts);
    const config = loadConfig(testEnv(ts));
    const storage = await openStorage(config);
    // No timed checkpoint either (every 2 s by default): on a loaded machine one came between the
    // accept and the simulated death, trimmed the journal, and left nothing to restore.
    const accept = new DurableAccept({ database: storage.database, blobs: storage.blobs, maxBytes: 1 << 20, checkpointMs: 3_600_000 });
    await accept.init();
    const first = await accept.accept(Readable.from([raw('kept')]), envelope);
    // Simulate a death right after the journal fsync: remove what came after it.
    const [row] = await storage.database.db.select().from(inboundMessages).where(eq(inboundMessages.id, first.id));
    await storage.database.db.delete(inboundMessages).where(eq(inboundMessages.id, first.id));
    // Small messages are not written out as loose blobs on the accept path.
    expect(existsSync(storage.blobs.pathOf(row.blobSha256))).toBe(false);
    // No close(): a checkpoint would trim the journal, as a clean stop does.
    await storage.close();

    const again = await openStorage(config);
    try {
      const recovering = new DurableAccept({ database: again.database, blobs: again.blobs, maxBytes: 1 << 20 });
      expect(await recovering.init()).toBe(1);
      const [restored] = await again.database.db.select().from(inboundMessages).where(eq(inboundMessages.id, first.id));
      expect(restored.messageId).toBe('<kept@b.gov.vn>');
      expect(restored.state).toBe('accepted');
      expect((await again.blobs.read(row.blobSha256)).equals(raw('kept'))).toBe(true);
      // The sender's retry of the same message is a duplicate of the restored row.
      const retry = await recovering.accept(Readable.from([raw('kept')]), envelope);
      expect(retry).toEqual({ id: first.id, duplicate: true });
      expect(await recovering.unpackAll()).toBeGreaterThanOrEqual(1);
      expect(existsSync(again.blobs.pathOf(row.blobSha256))).toBe(true);
      expect((await again.blobs.read(row.blobSha256)).equals(raw('kept'))).toBe(true);
      await recovering.close();
    } finally {
      await again.close();
    }
  });

  it('removes temp files a crash left behind, but not ones still being written', async () => {
    const ts = await createTestStorage(backend);
    cleanups.push(ts);
    const storage = await openStorage(loadConfig(testEnv(ts)));
    try {
      // Temp files are named by their creation time (gateway/store/stamped-names.ts).
      const stale = path.join(storage.blobs.tmpDir, `${(Date.now() - 2 * 3600_000).toString(36)}-crashed-large-message`);
      const fresh = path.join(storage.blobs.tmpDir, stampedName('arriving-now'));
      writeFileSync(stale, 'half a message');
      writeFileSync(fresh, 'a message still arriving');
      const accept = new DurableAccept({ database: storage.database, blobs: storage.blobs, maxBytes: 1 << 20 });
      await accept.init();
      expect(existsSync(stale)).toBe(false);
      expect(existsSync(fresh)).toBe(true);
      await accept.close();
    } finally {
      await storage.close();
    }
  });
});
