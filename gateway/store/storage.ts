/**
 * The gateway's storage opened on its own: the database (migrated) and the blob store. The gateway
 * (app.ts) and the CLI's commands when no gateway answers open it the same way; the CLI loads only
 * this, not app.ts and every adapter with it (docs/cli.md, "Fast start").
 */
import path from 'node:path';
import type { Config } from '../config/load.ts';
import { BlobStore } from './blobs.ts';
import { openDatabase, type Database } from './db.ts';

export interface Storage {
  database: Database;
  blobs: BlobStore;
  close(): Promise<void>;
}

export async function openStorage(config: Config): Promise<Storage> {
  const database = await openDatabase({ url: config.database.url, dataDir: config.instance.dataDir, sharedBuffersMb: config.database.embeddedSharedBuffersMb });
  try {
    await database.migrate();
    const blobs = new BlobStore(path.join(config.instance.dataDir, 'blobs'));
    await blobs.init();
    return { database, blobs, close: () => database.close() };
  } catch (err) {
    await database.close();
    throw err;
  }
}
