import { requirePermission } from '../../registry/access/policy.ts';
import { loadConfig } from '../../config/load.ts';
import { callRegistry, runCli } from '../registry-client.ts';
import type { Command } from '../main.ts';
import { parse, UsageError } from '../args.ts';
import { printAction, viNumber } from '../output.ts';

const USAGE = 'vanthu audit verify [--json]';

export const command: Command = {
  summary: "check the audit log's hash chain (exit 1 when broken)",
  async run(args) {
    const { values, positionals } = parse(args, { json: { type: 'boolean', default: false } }, USAGE);
    if (positionals[0] !== 'verify') throw new UsageError(`Usage: ${USAGE}`);
    const config = loadConfig();
    return runCli('audit', async () => {
      const r = (await callRegistry(config, {
        method: 'GET',
        path: '/api/audit/verify',
        direct: async (rt, p) => (requirePermission(p, 'audit.verify'), (await import('../../registry/audit.ts')).verifyAudit(rt.db)),
      })) as { ok: boolean; rows?: number; broken?: { seq: number; reason: string } | null };
      printAction(values, r, () =>
        r.ok
          ? `Nhật ký kiểm toán nguyên vẹn: ${viNumber(r.rows ?? 0)} bản ghi, chuỗi băm khớp (audit log intact: ${r.rows ?? 0} rows, hash chain verified)`
          : `Nhật ký kiểm toán BỊ HỎNG tại bản ghi ${r.broken?.seq ?? '?'}: ${r.broken?.reason ?? ''} (audit log broken)`,
      );
      return r.ok ? 0 : 1;
    });
  },
};
