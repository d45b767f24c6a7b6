/**
 * The bookkeeping behind the SMTP edge limits (gateway/smtp/edge.ts), kept free of sockets so it
 * can be tested on its own: which "address" a client counts as, which addresses are relays, open
 * connections per address, a token bucket per address for messages, and ASCII replies.
 */
import net from 'node:net';

/**
 * The address a client is counted under. IPv4-mapped IPv6 (`::ffff:192.0.2.1`, what a dual-stack
 * listener reports) is its IPv4 address; other IPv6 addresses count by their /64, the smallest
 * block a site is normally given, so one host cannot dodge per-address limits by walking through
 * the 2^64 addresses of its own subnet.
 */
export function clientKey(address: string): string {
  const ip = plainAddress(address);
  if (!net.isIPv6(ip)) return ip;
  return `${expandIPv6(ip)
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`;
}

/** The address without a zone id, IPv4-mapped IPv6 as IPv4. */
export function plainAddress(address: string): string {
  const ip = address.split('%')[0];
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return mapped ? mapped[1] : ip;
}

/** The eight 16-bit groups of a valid IPv6 address (as Node reports it: `::` and embedded IPv4 allowed). */
function expandIPv6(ip: string): number[] {
  let text = ip;
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number);
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const h = head ? head.split(':') : [];
  const t = tail === undefined ? [] : tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return groups.map((g) => parseInt(g, 16));
}

/** Matches client addresses against configured addresses and CIDR ranges (Node's net.BlockList). */
export class AddressList {
  private readonly list = new net.BlockList();
  private readonly empty: boolean;

  constructor(entries: string[]) {
    this.empty = entries.length === 0;
    for (const entry of entries) {
      const [ip, bits] = entry.split('/');
      const type = net.isIPv6(ip) ? 'ipv6' : 'ipv4';
      if (bits === undefined) this.list.addAddress(ip, type);
      else this.list.addSubnet(ip, Number(bits), type);
    }
  }

  has(address: string): boolean {
    if (this.empty) return false;
    const ip = plainAddress(address);
    return this.list.check(ip, net.isIPv6(ip) ? 'ipv6' : 'ipv4');
  }
}

/** Open connections per client key, and in total. */
export class ConnectionCounts {
  private readonly perKey = new Map<string, number>();
  total = 0;

  of(key: string): number {
    return this.perKey.get(key) ?? 0;
  }

  /** Counts one more connection for `key`; returns the function that uncounts it (safe to call twice). */
  open(key: string): () => void {
    this.perKey.set(key, this.of(key) + 1);
    this.total++;
    let open = true;
    return () => {
      if (!open) return;
      open = false;
      this.total--;
      const n = this.of(key) - 1;
      if (n > 0) this.perKey.set(key, n);
      else this.perKey.delete(key);
    };
  }
}

/**
 * One token bucket per client key: `burst` tokens to start with, refilled at `perMinute` a minute,
 * one taken per message. Buckets are created on first use and forgotten once full again, so memory
 * follows the number of recently active senders. `now` is a monotonic millisecond clock.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly perMs: number;
  private takes = 0;

  constructor(
    perMinute: number,
    private readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.perMs = perMinute / 60_000;
  }

  /** Takes a token for `key`: false when the bucket is empty (the sender is over its rate). */
  take(key: string): boolean {
    const t = this.now();
    if (++this.takes % 1024 === 0) this.forgetFull(t);
    let b = this.buckets.get(key);
    if (!b) {
      b = { tokens: this.burst, at: t };
      this.buckets.set(key, b);
    } else {
      b.tokens = Math.min(this.burst, b.tokens + (t - b.at) * this.perMs);
      b.at = t;
    }
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  get size(): number {
    return this.buckets.size;
  }

  private forgetFull(t: number): void {
    for (const [key, b] of this.buckets) if (b.tokens + (t - b.at) * this.perMs >= this.burst) this.buckets.delete(key);
  }
}

/**
 * Reply text for a client that has not negotiated SMTPUTF8: Vietnamese letters lose their
 * diacritics ("không có đơn vị" → "khong co don vi"), anything else outside printable ASCII becomes
 * "?". RFC 6531 allows UTF-8 in replies only to a client that asked for SMTPUTF8.
 */
export function asciiText(text: string): string {
  if (isAscii(text)) return text;
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .replace(/[–—]/g, '-')
    .replace(/[^\x20-\x7e]/g, '?');
}

export function isAscii(text: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(text);
}
