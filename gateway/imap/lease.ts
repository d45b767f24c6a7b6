/**
 * One gateway at a time polls an IMAP account. Gateways sharing a database race for a lease row;
 * the holder renews it well before it lapses, and when the holder stops or dies another gateway
 * takes the account over once the lease has run out — at once if the holder was a process of
 * this host that has died (a restart after kill -9). Times are the database's, so hosts' clocks
 * need not agree. (Two pollers would not store anything twice — the accept de-duplicates — but
 * they would fetch everything twice and race each other marking or moving messages.)
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../store/db.ts';
import { processAlive } from '../store/lock.ts';
import { imapLeases } from './schema.ts';

export interface Lease {
  /** Takes or renews the lease; false when another gateway holds it. */
  acquire(): Promise<boolean>;
  release(): Promise<void>;
}

export class LeaseStore {
  /** This process, as lease owner. */
  readonly owner = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;

  constructor(
    private readonly database: Database,
    private readonly ttlMs: number,
  ) {}

  forAccount(accountId: string): Lease {
    return { acquire: () => this.acquire(accountId), release: () => this.release(accountId) };
  }

  async acquire(accountId: string): Promise<boolean> {
    const t = imapLeases;
    const rows = await this.database.db
      .insert(t)
      .values({ accountId, owner: this.owner, expiresAt: this.expiry() })
      .onConflictDoUpdate({
        target: t.accountId,
        set: { owner: sql`excluded.owner`, expiresAt: sql`excluded.expires_at` },
        setWhere: sql`${t.owner} = excluded.owner or ${t.expiresAt} < now()`,
      })
      .returning({ owner: t.owner });
    if (rows.length === 1) return true;
    const [held] = await this.database.db.select({ owner: t.owner }).from(t).where(eq(t.accountId, accountId));
    if (!held || !deadHere(held.owner)) return false;
    const taken = await this.database.db
      .update(t)
      .set({ owner: this.owner, expiresAt: this.expiry() })
      .where(and(eq(t.accountId, accountId), eq(t.owner, held.owner)))
      .returning({ owner: t.owner });
    return taken.length === 1;
  }

  /** A lease runs out this long after the database's now. */
  private expiry() {
    return sql`now() + ${this.ttlMs} * interval '1 millisecond'`;
  }

  async release(accountId: string): Promise<void> {
    await this.database.db.delete(imapLeases).where(and(eq(imapLeases.accountId, accountId), eq(imapLeases.owner, this.owner)));
  }
}

/** An owner "<host>:<pid>:<random>" that was a process of this host and is gone. */
function deadHere(owner: string): boolean {
  const parts = owner.split(':');
  const pid = Number(parts.at(-2));
  return parts.slice(0, -2).join(':') === hostname() && Number.isInteger(pid) && pid !== process.pid && !processAlive(pid);
}
