import { loadConfig } from '../../config/load.ts';
import { openCliStorage } from '../storage.ts';
import type { Command } from '../main.ts';
import { printJson } from '../args.ts';

export const command: Command = {
  summary: 'apply database migrations (also done on start)',
  async run() {
    const config = loadConfig();
    const storage = await openCliStorage(config);
    await storage.close();
    printJson({ ok: true, database: storage.database.kind });
    return 0;
  },
};
