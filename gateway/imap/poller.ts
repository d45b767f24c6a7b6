/**
 * One IMAP account: one connection, kept open. Syncs every watched folder, then waits in IDLE on
 * the first folder (imapflow falls back to NOOP polling when the server has no IDLE) until new
 * mail, the poll interval, or a dropped connection; reconnects with doubling back-off. Only while
 * it holds the account's lease (lease.ts): otherwise it stands by. Its status feeds
 * GET /api/connectors.
 */
import type { ImapFlow, ImapFlowOptions } from 'imapflow';
import type { DurableAccept } from '../accept/durable-accept.ts';
import type { Logger } from '../log.ts';
import type { ImapAccountConfig, ResolvedTarget } from '../config/imap.ts';
import type { Lease } from './lease.ts';
import type { FolderStateStore } from './state.ts';
import { FolderSync, type SyncCounts } from './sync.ts';
import type { ReplyRouter } from './replies.ts';

/** `standby`: another gateway holds the account's lease and polls it. */
export type AccountState = 'standby' | 'connecting' | 'syncing' | 'idle' | 'backoff' | 'stopped';

export interface AccountStatus {
  id: string;
  host: string;
  port: number;
  user: string;
  unitId: string;
  address: string;
  folders: string[];
  state: AccountState;
  connected: boolean;
  /** Whether the server offers IDLE (null until connected once). */
  idle: boolean | null;
  lastSyncAt: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
  /** Consecutive failed attempts; the next wait is backoffMs. */
  failures: number;
  backoffMs: number | null;
  nextAttemptAt: string | null;
  /** Since this process started. */
  counts: SyncCounts & { connects: number; errors: number };
}

export interface PollerDeps {
  accept: DurableAccept;
  state: FolderStateStore;
  log: Logger;
  backoffMinMs: number;
  backoffMaxMs: number;
  leaseMs: number;
  /** Officers' replies to act+ addresses among the mailbox's messages (replies.ts). */
  replies?: ReplyRouter | null;
}

export function clientOptions(a: ImapAccountConfig): ImapFlowOptions {
  return {
    host: a.host,
    port: portOf(a),
    secure: a.tls.mode === 'secure',
    doSTARTTLS: a.tls.mode === 'starttls' ? true : a.tls.mode === 'none' ? false : undefined,
    tls: { rejectUnauthorized: a.tls.verify },
    auth: a.accessToken ? { user: a.user, accessToken: a.accessToken } : { user: a.user, pass: a.password ?? '' },
    logger: false,
    disableAutoIdle: true,
    // Re-issue IDLE before servers' 30-minute inactivity limit.
    maxIdleTime: 10 * 60_000,
    connectionTimeout: 30_000,
    greetingTimeout: 16_000,
    socketTimeout: 5 * 60_000,
    clientInfo: { name: 'vanthu' },
  };
}

export function portOf(a: ImapAccountConfig): number {
  return a.port ?? (a.tls.mode === 'secure' ? 993 : 143);
}

/** The status of an account that has not done anything yet. */
export function baseStatus(account: ImapAccountConfig, target: ResolvedTarget): AccountStatus {
  return {
    id: account.id,
    host: account.host,
    port: portOf(account),
    user: account.user,
    unitId: target.unitId,
    address: target.address,
    folders: [...account.folders],
    state: 'connecting',
    connected: false,
    idle: null,
    lastSyncAt: null,
    lastError: null,
    lastErrorAt: null,
    failures: 0,
    backoffMs: null,
    nextAttemptAt: null,
    counts: { ingested: 0, duplicates: 0, tooLarge: 0, connects: 0, errors: 0 },
  };
}

/** Human-readable cause, with the server's own words when it gave any (auth failures do). */
export function describeError(err: unknown): string {
  const e = err as { message?: string; responseText?: string; authenticationFailed?: boolean; code?: string; serverResponseCode?: string };
  if (e?.authenticationFailed) return `Đăng nhập IMAP thất bại (authentication failed)${e.responseText ? `: ${e.responseText}` : ''}`;
  const detail = [e?.responseText, e?.serverResponseCode, e?.code].filter(Boolean).join(' / ');
  return `${e?.message ?? String(err)}${detail && !String(e?.message).includes(detail) ? ` (${detail})` : ''}`;
}

export class AccountPoller {
  private stopped = false;
  private client: ImapFlow | null = null;
  private wake: (() => void) | null = null;
  /** New mail was announced (EXISTS) since the current sync round began. */
  private dirty = false;
  private loop: Promise<void> | null = null;
  private readonly status: AccountStatus;

  constructor(
    private readonly account: ImapAccountConfig,
    private readonly target: ResolvedTarget,
    private readonly deps: PollerDeps,
    private readonly lease: Lease,
  ) {
    this.status = baseStatus(account, target);
  }

  start(): void {
    this.loop ??= this.run();
  }

  snapshot(): AccountStatus {
    return { ...this.status, counts: { ...this.status.counts }, folders: [...this.status.folders] };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    // A sync in progress finishes its current batch (stopping() is checked between batches);
    // anything else (connecting, idling) can be cut at once.
    if (this.status.state !== 'syncing') this.client?.close();
    await Promise.race([this.loop, new Promise((r) => setTimeout(r, 10_000).unref())]);
    this.client?.close();
    await this.loop?.catch(() => undefined);
    await this.lease.release().catch(() => undefined); // the next gateway need not wait for it to lapse
    this.status.state = 'stopped';
    this.status.connected = false;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      if (!(await this.lease.acquire().catch(() => false))) {
        this.status.state = 'standby';
        await this.pause(this.deps.leaseMs / 3);
        continue;
      }
      const renewal = setInterval(() => void this.renew(), this.deps.leaseMs / 3);
      try {
        await this.session();
      } catch (err) {
        if (!this.stopped) this.recordError(err);
      } finally {
        clearInterval(renewal);
        this.client?.close();
        this.client = null;
        this.status.connected = false;
      }
      if (this.stopped) break;
      await this.backoff();
    }
  }

  /** Keeps the lease while connected; a lease lost (database away, or taken after a lapse) ends the session. */
  private async renew(): Promise<void> {
    if (await this.lease.acquire().catch(() => false)) return;
    this.deps.log.warn({ account: this.account.id }, 'imap lease lost; another gateway may poll this account now');
    this.client?.close();
  }

  private async session(): Promise<void> {
    const { log } = this.deps;
    this.status.state = 'connecting';
    // imapflow loads with the first session: a gateway without IMAP accounts never needs it (docs/operations.md, "Memory").
    const { ImapFlow: Flow } = await import('imapflow');
    const client = new Flow(clientOptions(this.account));
    this.client = client;
    // Without a listener an 'error' event would kill the process; the close that follows ends the session.
    client.on('error', (err: Error) => log.debug({ account: this.account.id, err: err.message }, 'imap connection error'));
    // Listening for the whole session: mail announced during a sync must not wait for the next poll.
    client.on('exists', () => {
      this.dirty = true;
      this.wake?.();
    });
    await client.connect();
    this.status.connected = true;
    this.status.counts.connects++;
    this.status.idle = client.capabilities.has('IDLE');
    log.info({ account: this.account.id, host: this.account.host, idle: this.status.idle }, 'imap connected');
    if (this.account.afterIngest === 'move') await ensureFolder(client, this.account.moveTo!);
    while (!this.stopped && client.usable) {
      this.status.state = 'syncing';
      this.dirty = false;
      for (const folder of this.account.folders) {
        if (this.stopped) break;
        await new FolderSync(client, folder, {
          ...this.deps,
          account: this.account,
          target: this.target,
          stopping: () => this.stopped,
          onBatch: (c) => this.count(c),
        }).run();
      }
      this.status.lastSyncAt = new Date().toISOString();
      this.status.failures = 0;
      this.status.backoffMs = null;
      this.status.nextAttemptAt = null;
      if (this.stopped) break;
      this.status.state = 'idle';
      await this.waitForMail(client);
    }
  }

  /** Resolves on new mail in any watched folder, the poll interval, a closed connection, or stop(). */
  private async waitForMail(client: ImapFlow): Promise<void> {
    if (this.account.folders.length > 1) {
      const lock = await client.getMailboxLock(this.account.folders[0]);
      lock.release();
    }
    let done: () => void = () => undefined;
    const woken = new Promise<void>((resolve) => (done = resolve));
    const timer = setTimeout(done, this.account.pollIntervalMs);
    this.wake = done;
    client.on('close', done);
    try {
      if (this.dirty || !client.usable) return;
      // idle() returns when the next command breaks it; failures surface on that command.
      client.idle().catch(() => undefined);
      await woken;
    } finally {
      clearTimeout(timer);
      client.off('close', done);
      this.wake = null;
    }
  }

  private count(c: SyncCounts): void {
    this.status.counts.ingested += c.ingested;
    this.status.counts.duplicates += c.duplicates;
    this.status.counts.tooLarge += c.tooLarge;
  }

  private recordError(err: unknown): void {
    const message = describeError(err);
    this.status.lastError = message;
    this.status.lastErrorAt = new Date().toISOString();
    this.status.failures++;
    this.status.counts.errors++;
    this.deps.log.warn({ account: this.account.id, err: message, failures: this.status.failures }, 'imap account failed');
  }

  /** Waits min·2^(failures-1), capped; a clean disconnect (no failure) retries after the minimum. */
  private async backoff(): Promise<void> {
    const { backoffMinMs, backoffMaxMs } = this.deps;
    const ms = Math.min(backoffMaxMs, backoffMinMs * 2 ** Math.max(0, this.status.failures - 1));
    this.status.state = 'backoff';
    this.status.backoffMs = ms;
    this.status.nextAttemptAt = new Date(Date.now() + ms).toISOString();
    await this.pause(ms);
  }

  /** Sleeps, or less when stop() wakes it. */
  private async pause(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wake = null;
  }
}

async function ensureFolder(client: ImapFlow, name: string): Promise<void> {
  const list = await client.list();
  if (!list.some((f) => f.path === name)) await client.mailboxCreate(name);
}
