import { OPERATOR, requirePermission } from '../../registry/access/policy.ts';
import type { ConnectorsReport } from '../../app.ts';
import { loadConfig } from '../../config/load.ts';
import type { Command } from '../main.ts';
import { parse, printJson } from '../args.ts';
import { gatewayClient, isUnreachable, readError } from '../gateway-client.ts';

/** Without a running gateway, the configured accounts with their stored progress ("not running"). */
async function offlineReport(): Promise<ConnectorsReport> {
  const config = loadConfig();
  requirePermission(OPERATOR, 'connectors.read'); // storage opened directly: the operator, an admin
  return (await import('../../app.ts')).storedConnectorsReport(config);
}

function printTable(report: ConnectorsReport): void {
  if (!report.imap.length) {
    process.stdout.write('Chưa cấu hình hộp thư IMAP nào (no IMAP accounts configured: see imap.accounts in the config)\n');
    return;
  }
  for (const a of report.imap) {
    process.stdout.write(`${a.id}  ${a.host}:${a.port} (${a.user}) → ${a.unitId} <${a.address}>\n`);
    process.stdout.write(`  trạng thái (state): ${a.state}${a.connected ? ', connected' : ''}${a.idle === false ? ', polling (no IDLE)' : ''}\n`);
    process.stdout.write(`  lần đồng bộ cuối (last sync): ${a.lastSyncAt ?? '-'}\n`);
    if (a.lastError)
      process.stdout.write(`  lỗi gần nhất (last error): ${a.lastError} at ${a.lastErrorAt}${a.nextAttemptAt ? `; retry at ${a.nextAttemptAt}` : ''}\n`);
    process.stdout.write(
      `  since start: ${a.counts.ingested} new, ${a.counts.duplicates} duplicate, ${a.counts.tooLarge} too large, ${a.counts.errors} errors\n`,
    );
    for (const f of a.folders)
      process.stdout.write(
        `  ${f.name}: last UID ${f.lastUid} (UIDVALIDITY ${f.uidValidity ?? '-'}), ${f.ingested} stored, ${f.duplicates} duplicates in total\n`,
      );
  }
}

export const command: Command = {
  summary: 'status of the mailbox connectors (IMAP accounts)',
  async run(args) {
    const { values } = parse(args, { json: { type: 'boolean', default: false } }, 'vanthu connectors [--json]');
    const config = loadConfig();
    let report: ConnectorsReport;
    try {
      const res = await gatewayClient(config).request('GET', '/api/connectors');
      if (!res.ok) {
        process.stderr.write(`vanthu connectors: gateway answered ${res.status}: ${await readError(res)}\n`);
        return 1;
      }
      report = (await res.json()) as ConnectorsReport;
    } catch (err) {
      if (!isUnreachable(err)) throw err;
      report = await offlineReport();
    }
    if (values.json) printJson(report);
    else printTable(report);
    return 0;
  },
};
