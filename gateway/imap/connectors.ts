/**
 * The IMAP connectors of a gateway: one poller per configured account, started with the gateway
 * and stopped before storage closes, and the report behind GET /api/connectors and
 * `vanthu connectors`.
 */
import type { DurableAccept } from '../accept/durable-accept.ts';
import type { Config } from '../config/load.ts';
import type { Logger } from '../log.ts';
import type { Database } from '../store/db.ts';
import { resolveTarget, type ImapAccountConfig, type ResolvedTarget } from '../config/imap.ts';
import { AccountPoller, baseStatus, type AccountStatus } from './poller.ts';
import { LeaseStore } from './lease.ts';
import { FolderStateStore } from './state.ts';
import { replyRouter } from './replies.ts';

export interface FolderReport {
  name: string;
  uidValidity: number | null;
  lastUid: number;
  /** Totals over the life of this vanthu (persisted). */
  ingested: number;
  duplicates: number;
  lastSyncAt: string | null;
}

export type AccountReport = Omit<AccountStatus, 'folders' | 'state'> & {
  state: AccountStatus['state'] | 'disabled' | 'not running';
  folders: FolderReport[];
};

export interface ConnectorsReport {
  imap: AccountReport[];
}

function target(a: ImapAccountConfig, config: Config): ResolvedTarget {
  const t = resolveTarget(a, config.units);
  if (typeof t === 'string') throw new Error(`imap account ${a.id}: ${t}`); // loadConfig has already checked this
  return t;
}

export class ImapConnectors {
  private readonly pollers = new Map<string, AccountPoller>();
  private readonly state: FolderStateStore;
  readonly leases: LeaseStore;

  constructor(
    private readonly config: Config,
    database: Database,
    accept: DurableAccept,
    log: Logger,
  ) {
    this.state = new FolderStateStore(database);
    this.leases = new LeaseStore(database, config.imap.leaseMs);
    const { backoffMinMs, backoffMaxMs, leaseMs } = config.imap;
    const deps = { accept, state: this.state, log: log.child({ component: 'imap' }), backoffMinMs, backoffMaxMs, leaseMs, replies: replyRouter(config) };
    for (const a of config.imap.accounts) if (a.enabled) this.pollers.set(a.id, new AccountPoller(a, target(a, config), deps, this.leases.forAccount(a.id)));
  }

  get size(): number {
    return this.pollers.size;
  }

  start(): void {
    for (const p of this.pollers.values()) p.start();
  }

  async stop(): Promise<void> {
    await Promise.all([...this.pollers.values()].map((p) => p.stop()));
  }

  report(): Promise<ConnectorsReport> {
    return connectorsReport(this.config, this.state, (id) => this.pollers.get(id)?.snapshot() ?? null);
  }
}

/** Live status where a poller runs, else what the configuration and the stored bookkeeping say. */
export async function connectorsReport(config: Config, state: FolderStateStore, live: (id: string) => AccountStatus | null): Promise<ConnectorsReport> {
  const imap: AccountReport[] = [];
  for (const a of config.imap.accounts) {
    const stored = new Map((await state.loadAll(a.id)).map((f) => [f.folder, f]));
    const folders = a.folders.map((name): FolderReport => {
      const f = stored.get(name);
      return {
        name,
        uidValidity: f?.uidValidity ?? null,
        lastUid: f?.lastUid ?? 0,
        ingested: f?.ingested ?? 0,
        duplicates: f?.duplicates ?? 0,
        lastSyncAt: f?.lastSyncAt?.toISOString() ?? null,
      };
    });
    const status = live(a.id);
    if (status) {
      imap.push({ ...status, folders });
      continue;
    }
    imap.push({
      ...baseStatus(a, target(a, config)),
      state: a.enabled ? 'not running' : 'disabled',
      lastSyncAt:
        folders
          .map((f) => f.lastSyncAt)
          .filter(Boolean)
          .sort()
          .pop() ?? null,
      folders,
    });
  }
  return { imap };
}
