/**
 * Storage for a CLI command when no gateway answers: the same steps as openStorage in app.ts
 * (database, migrations, blob store) without loading app.ts, which would load every adapter and
 * worker — seconds of module loading for a command that reads one table (docs/cli.md, "Fast start").
 * Loaded lazily by the commands, only on that path.
 */
import path from 'node:path';
import type { Config } from '../config/load.ts';
import { BlobStore } from '../store/blobs.ts';
import { openDatabase, type Database } from '../store/db.ts';

export interface CliStorage {
  database: Database;
  blobs: BlobStore;
  close(): Promise<void>;
}

export async function openCliStorage(config: Config): Promise<CliStorage> {
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
