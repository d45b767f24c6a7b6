/**
 * Login throttle: consecutive failed logins are counted per account (the e-mail as typed, known
 * or not, so the answer never tells which accounts exist) and per client IP. When either count
 * reaches its limit the key is blocked; each further block of the same key within
 * `historySeconds` lasts twice as long as the one before (blockSeconds, 2×, 4× … up to
 * maxBlockSeconds). A blocked key is answered 429 with Retry-After and its password is not even
 * checked. A good password clears the account's count and history (the IP's stays).
 *
 * Counters live in Redis (rate-limiter-flexible), so gateways sharing a Redis share them; while
 * Redis is unreachable an in-process limiter with the same limits stands in.
 */
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RegistryConfig } from '../../config/registry.ts';

type Settings = RegistryConfig['loginThrottle'];

interface Dimension {
  name: 'account' | 'ip';
  failures: RateLimiterAbstract;
  blocks: RateLimiterAbstract;
  limit: number;
}

export interface ThrottleVerdict {
  /** Seconds until the next attempt may be made; 0 when not blocked. */
  retryAfter: number;
  /** Which key is blocked. */
  by: Array<'account' | 'ip'>;
}

const isRes = (v: unknown): v is RateLimiterRes => v instanceof RateLimiterRes;

export class LoginThrottle {
  private readonly dims: Dimension[];

  constructor(
    private readonly settings: Settings,
    redis: Redis | null,
    prefix: string,
  ) {
    const make = (name: string, points: number, duration: number): RateLimiterAbstract => {
      const opts = { keyPrefix: `${prefix}:login:${name}`, points, duration };
      const memory = new RateLimiterMemory(opts);
      return redis ? new RateLimiterRedis({ ...opts, storeClient: redis, rejectIfRedisNotReady: true, insuranceLimiter: memory }) : memory;
    };
    const dim = (name: 'account' | 'ip', limit: number): Dimension => ({
      name,
      limit,
      failures: make(`${name}:fail`, limit, settings.windowSeconds),
      // How many blocks this key earned lately: the next one lasts 2^n × blockSeconds.
      blocks: make(`${name}:blocks`, 1_000_000, settings.historySeconds),
    });
    this.dims = [dim('account', settings.accountFailures), dim('ip', settings.ipFailures)];
  }

  private keys(account: string, ip: string): Record<'account' | 'ip', string> {
    return { account: account.trim().toLowerCase(), ip };
  }

  /** Whether an attempt may be made now. */
  async check(account: string, ip: string): Promise<ThrottleVerdict> {
    const keys = this.keys(account, ip);
    let ms = 0;
    const by: ThrottleVerdict['by'] = [];
    for (const d of this.dims) {
      const res = await d.failures.get(keys[d.name]);
      if (res && res.consumedPoints > d.limit) {
        by.push(d.name);
        ms = Math.max(ms, res.msBeforeNext);
      }
    }
    return { retryAfter: by.length ? Math.max(1, Math.ceil(ms / 1000)) : 0, by };
  }

  /** Counts a failed attempt; blocks the keys whose limit it reached. Returns the verdict for the next attempt. */
  async failed(account: string, ip: string): Promise<ThrottleVerdict> {
    const keys = this.keys(account, ip);
    for (const d of this.dims) {
      const key = keys[d.name];
      const consumed = await d.failures.consume(key).then(
        (r) => r.consumedPoints,
        (r: unknown) => {
          if (isRes(r)) return r.consumedPoints; // already over the limit (concurrent attempts)
          throw r;
        },
      );
      if (consumed < d.limit) continue;
      const earlier = await d.blocks.consume(key).then(
        (r) => r.consumedPoints,
        (r: unknown) => (isRes(r) ? r.consumedPoints : 1),
      );
      const seconds = Math.min(this.settings.blockSeconds * 2 ** Math.min(earlier - 1, 30), this.settings.maxBlockSeconds);
      await d.failures.block(key, seconds);
    }
    return this.check(account, ip);
  }

  /** A good password: the account starts afresh. */
  async succeeded(account: string): Promise<void> {
    const key = this.keys(account, '').account;
    const account_ = this.dims.find((d) => d.name === 'account')!;
    await Promise.all([account_.failures.delete(key), account_.blocks.delete(key)]);
  }
}
