/**
 * Test helper, for the stage tests only (parsed-message.test.ts, pool/pool.test.ts): a migrated
 * PGlite database, a blob store and a configuration whose trust anchor is the test PKI (no DNS),
 * with inbound messages stored as the intake stores them and the StageContext of one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import type { ManualClock } from '../clock.ts';
import { loadConfig, type Config } from '../config/load.ts';
import { silentLogger } from '../log.ts';
import { BlobStore } from '../store/blobs.ts';
import { openDatabase, type Database } from '../store/db.ts';
import { newId } from '../store/ids.ts';
import { inboundMessages } from '../store/schema.ts';
import { createTestStorage, type TestStorage } from '../../tests/helpers/databases.ts';
import { ensureFixtures, type Fixtures } from '../../tests/fixtures/trust/make-fixtures.ts';
import type { InboundRow, StageContext } from './pipeline.ts';

export interface StageBench<B extends BlobStore = BlobStore> {
  fx: Fixtures;
  config: Config;
  database: Database;
  blobs: B;
  /** Stores `raw` and its inbound row (source "api", no recipients), as received. */
  message(raw: Buffer): Promise<InboundRow>;
  /** The inbound row as it is stored now. */
  row(id: string): Promise<InboundRow>;
  /** The context a stage runs `m` in, on `clock`. */
  ctxOf(m: InboundRow, clock: ManualClock, extra?: Partial<StageContext>): StageContext;
  close(): Promise<void>;
}

/** Opens it all; `blobsAt` makes the blob store (default a plain BlobStore) in a fresh folder named `prefix…`. */
export async function openStageBench<B extends BlobStore = BlobStore>(prefix: string, blobsAt?: (root: string) => B): Promise<StageBench<B>> {
  const fx = await ensureFixtures();
  const base = loadConfig({});
  // No DNS from a unit test; the test CA is the trust anchor.
  const config: Config = { ...base, trust: { ...base.trust, dns: 'off', anchors: [fx.pki.root], crls: [fx.pki.crl] } };
  const storage: TestStorage = await createTestStorage('pglite');
  const database = await openDatabase({ url: storage.databaseUrl, dataDir: storage.dataDir });
  await database.migrate();
  const blobRoot = mkdtempSync(path.join(tmpdir(), prefix));
  const blobs = blobsAt ? blobsAt(blobRoot) : (new BlobStore(blobRoot) as B);
  await blobs.init();
  return {
    fx,
    config,
    database,
    blobs,
    async message(raw) {
      const { sha256 } = await blobs.put(raw);
      const id = newId();
      const [row] = await database.db
        .insert(inboundMessages)
        .values({ id, source: 'api', messageId: `<${id}@test>`, contentHash: id, blobSha256: sha256, size: raw.length, rcptTo: [], unitIds: [] })
        .returning();
      return row;
    },
    row: async (id) => (await database.db.select().from(inboundMessages).where(eq(inboundMessages.id, id)))[0],
    ctxOf: (m, clock, extra = {}) => ({ message: m, database, blobs, config, log: silentLogger, clock, results: {}, ...extra }),
    async close() {
      await database.close();
      await storage.cleanup();
      rmSync(blobRoot, { recursive: true, force: true });
    },
  };
}
