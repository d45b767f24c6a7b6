/**
 * Issue 13 §4: the SMTP edge's bookkeeping, without a server (docs/security-smtp.md): how client
 * addresses are counted (IPv6 by its /64), relays matched by address and range, the token bucket of
 * the per-address message rate, replies folded to ASCII, and the configuration checks that keep one
 * address from taking every slot.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../gateway/config/load.ts';
import { AddressList, TokenBuckets, asciiText, clientKey } from '../gateway/smtp/limits.ts';

describe('SMTP edge bookkeeping', () => {
  it('counts IPv4, IPv4-mapped IPv6 as IPv4, and IPv6 by its /64', () => {
    expect(clientKey('192.0.2.7')).toBe('192.0.2.7');
    expect(clientKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(clientKey('2001:db8:1:2:aaaa::1')).toBe(clientKey('2001:db8:1:2:ffff:ffff:ffff:ffff'));
    expect(clientKey('2001:db8:1:2::1')).not.toBe(clientKey('2001:db8:1:3::1'));
    expect(clientKey('::1')).toBe('0:0:0:0::/64');
    expect(clientKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  });

  it('matches relays by address and CIDR range', () => {
    const relays = new AddressList(['127.0.0.1', '10.20.0.0/16', '2001:db8::/32']);
    expect(relays.has('127.0.0.1')).toBe(true);
    expect(relays.has('::ffff:10.20.3.4')).toBe(true);
    expect(relays.has('10.21.0.1')).toBe(false);
    expect(relays.has('2001:db8:ffff::1')).toBe(true);
    expect(relays.has('127.0.0.2')).toBe(false);
    expect(new AddressList([]).has('127.0.0.1')).toBe(false);
  });

  it('refills a token bucket at the configured rate, up to the burst', () => {
    let now = 0;
    const b = new TokenBuckets(60, 3, () => now); // one a second
    expect([b.take('a'), b.take('a'), b.take('a'), b.take('a')]).toEqual([true, true, true, false]);
    expect(b.take('b')).toBe(true); // buckets are per key
    now += 1000;
    expect([b.take('a'), b.take('a')]).toEqual([true, false]);
    now += 3_600_000;
    expect([b.take('a'), b.take('a'), b.take('a'), b.take('a')]).toEqual([true, true, true, false]); // capped at the burst
  });

  it('folds Vietnamese to ASCII and replaces anything else outside it', () => {
    expect(asciiText('không có đơn vị nhận với địa chỉ này')).toBe('khong co don vi nhan voi dia chi nay');
    expect(asciiText('ĐẶNG Văn Ượng — 東京')).toBe('DANG Van Uong - ??');
    expect(asciiText('plain')).toBe('plain');
  });

  it('rejects a per-IP connection limit that would let one address take every slot, and relays that are not addresses', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'vanthu-edge-'));
    const file = (name: string, yaml: string) => {
      writeFileSync(path.join(dir, `${name}.yaml`), yaml);
      return path.join(dir, `${name}.yaml`);
    };
    const load = (yaml: string, name: string) => () => loadConfig({ VANTHU_CONFIG: file(name, yaml) });
    expect(load('smtp:\n  maxClients: 20\n  perIp:\n    maxConnections: 20\n', 'greedy')).toThrow(ConfigError);
    expect(load('smtp:\n  maxClients: 20\n  perIp:\n    maxConnections: 20\n', 'greedy')).toThrow(/smtp\.perIp\.maxConnections/);
    expect(load('smtp:\n  relays:\n    addresses: [relay.example]\n', 'relay')).toThrow(/smtp\.relays\.addresses\[0\]/);
    expect(load('smtp:\n  hostname: mx.sở.vn\n', 'host')).toThrow(/smtp\.hostname/);
    const ok = loadConfig({ VANTHU_CONFIG: file('ok', 'smtp:\n  relays:\n    addresses: [10.20.0.0/16, "2001:db8::/32"]\n') });
    expect(ok.smtp.relays.addresses).toEqual(['10.20.0.0/16', '2001:db8::/32']);
    expect(ok.smtp.perIp.maxConnections).toBe(20);
    rmSync(dir, { recursive: true, force: true });
  });
});
