import { loadConfig } from '../../config/load.ts';
import { openStorage } from '../../store/storage.ts';
import type { Command } from '../main.ts';
import { printJson } from '../args.ts';

export const command: Command = {
  summary: 'apply database migrations (also done on start)',
  async run() {
    const config = loadConfig();
    const storage = await openStorage(config);
    await storage.close();
    printJson({ ok: true, database: storage.database.kind });
    return 0;
  },
};
