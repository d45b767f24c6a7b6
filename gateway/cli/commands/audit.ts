import { requirePermission } from '../../registry/access/policy.ts';
import { loadConfig } from '../../config/load.ts';
import { callRegistry, runCli } from '../registry-client.ts';
import type { Command } from '../main.ts';
import { parse, printJson, UsageError } from '../args.ts';

const USAGE = 'vanthu audit verify';

export const command: Command = {
  summary: "check the audit log's hash chain (exit 1 when broken)",
  async run(args) {
    const { positionals } = parse(args, {}, USAGE);
    if (positionals[0] !== 'verify') throw new UsageError(`Usage: ${USAGE}`);
    const config = loadConfig();
    return runCli('audit', async () => {
      const r = (await callRegistry(config, {
        method: 'GET',
        path: '/api/audit/verify',
        direct: async (rt, p) => (requirePermission(p, 'audit.verify'), (await import('../../registry/audit.ts')).verifyAudit(rt.db)),
      })) as { ok: boolean };
      printJson(r);
      return r.ok ? 0 : 1;
    });
  },
};
