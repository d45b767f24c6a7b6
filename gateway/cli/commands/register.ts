import { loadConfig } from '../../config/load.ts';
import { callRegistry, corrections, runCli } from '../registry-client.ts';
import { present } from '../../registry/books/detail.ts';
import { registerMessage } from '../../registry/workflow/workflow.ts';
import type { Command } from '../main.ts';
import { parse, printJson, UsageError } from '../args.ts';

const USAGE = 'vanthu register <message-id> [--set field=value]...';

export const command: Command = {
  summary: 'register the waiting document(s) of an inbound message in the incoming book',
  async run(args) {
    const { values, positionals } = parse(args, { set: { type: 'string', multiple: true } }, USAGE);
    const id = positionals[0];
    if (!id) throw new UsageError(`missing message id\nUsage: ${USAGE}`);
    const config = loadConfig();
    return runCli('register', async () => {
      const fix = corrections(values.set);
      printJson(
        await callRegistry(config, {
          method: 'POST',
          path: `/api/messages/${id}/register`,
          body: { corrections: fix },
          direct: async (rt, p) => ({ items: (await registerMessage(rt, p, id, fix)).map(present) }),
        }),
      );
      return 0;
    });
  },
};
