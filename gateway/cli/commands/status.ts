/**
 * vanthu status: is the pipeline keeping up (docs/operations.md, "Is the pipeline keeping up?").
 * Asks the running gateway (GET /api/status); with none answering, reads the database directly —
 * then without queue depths (those live in Redis, behind the gateway).
 */
import { OPERATOR, requirePermission } from '../../registry/access/policy.ts';
import { loadConfig } from '../../config/load.ts';
import { systemClock } from '../../clock.ts';
import type { PipelineStatus } from '../../workers/backlog.ts';
import type { Command } from '../main.ts';
import { parse, printJson } from '../args.ts';
import { gatewayClient, isUnreachable, readError } from '../gateway-client.ts';
import { localTime } from '../output.ts';

async function offlineStatus(): Promise<PipelineStatus> {
  const config = loadConfig();
  requirePermission(OPERATOR, 'status.read'); // storage opened directly: the operator, an admin
  const { openStorage } = await import('../../store/storage.ts');
  const { readPipelineStatus } = await import('../../workers/backlog.ts');
  const storage = await openStorage(config);
  try {
    const status = await readPipelineStatus(storage.database, systemClock, null);
    return { ...status, queuesError: 'gateway not running: queue depths unknown' };
  } finally {
    await storage.close();
  }
}

/** "3 min 20 s", "2 h 5 min": an age a person reads at a glance. */
export function humanAge(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
  return `${Math.floor(seconds / 86_400)} ngày (days) ${Math.floor((seconds % 86_400) / 3600)} h`;
}

function printText(s: PipelineStatus): void {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const states = Object.entries(s.byState)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  out(`Chưa xử lý xong (undecided): ${s.undecided}${states ? ` — ${states}` : ''}`);
  if (s.oldestUndecided) {
    const o = s.oldestUndecided;
    out(
      `Thư chờ lâu nhất (oldest undecided): ${o.id} (${o.state}), nhận lúc (received) ${localTime(o.receivedAt)}, đã chờ (waiting) ${humanAge(o.ageSeconds)}`,
    );
  }
  out(`Lỗi cần xem (failed): ${s.failed}`);
  if (s.queues)
    for (const [name, counts] of Object.entries(s.queues))
      out(
        `Hàng đợi (queue) ${name}: ${Object.entries(counts)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}`,
      );
  else out(`Hàng đợi (queues): không rõ (unknown) — ${s.queuesError ?? ''}`);
}

export const command: Command = {
  summary: 'is the pipeline keeping up: undecided messages, the oldest one, queue depths',
  async run(args) {
    const { values } = parse(args, { json: { type: 'boolean', default: false } }, 'vanthu status [--json]');
    const config = loadConfig();
    let status: PipelineStatus;
    try {
      const res = await gatewayClient(config).request('GET', '/api/status');
      if (!res.ok) {
        process.stderr.write(`vanthu status: gateway answered ${res.status}: ${await readError(res)}\n`);
        return 1;
      }
      status = (await res.json()) as PipelineStatus;
    } catch (err) {
      if (!isUnreachable(err)) throw err;
      status = await offlineStatus();
    }
    if (values.json) printJson(status);
    else printText(status);
    return 0;
  },
};
