/**
 * Large messages are read and parsed one budget's worth at a time (parsed-message.ts parseGate,
 * bench/e2e/FINDINGS.md "Ninth round"): with `ingest.concurrency` jobs of 25 MB messages, their
 * parses no longer hold mailparser's working copies all at once. Small messages never wait.
 */
import { describe, expect, it } from 'vitest';
import type { Config } from '../config/load.ts';
import { DEFAULT_LIMITS_CONFIG } from '../limits.ts';
import type { BlobStore } from '../store/blobs.ts';
import { ByteGate, LARGE_MESSAGE_BYTES, PARSE_BUDGET_BYTES, parsedMessage, parseGate } from './parsed-message.ts';
import type { InboundRow, StageContext } from './pipeline.ts';

const MiB = 1024 * 1024;

describe('ByteGate', () => {
  it('lets work in while it fits the budget, in order, and one larger than the budget alone', async () => {
    const gate = new ByteGate(32);
    const log: string[] = [];
    const job = (name: string, bytes: number) =>
      gate.run(bytes, async () => {
        log.push(`+${name}`);
        await new Promise((r) => setImmediate(r));
        log.push(`-${name}`);
      });
    await Promise.all([job('a', 20), job('b', 20), job('c', 10), job('d', 100), job('e', 5)]);
    // b waits for a; c fits beside b; d (over the budget) waits until nothing runs; e waits behind d.
    expect(log).toEqual(['+a', '-a', '+b', '+c', '-b', '-c', '+d', '-d', '+e', '-e']);
    expect(gate.peak).toBe(32);
  });

  it('frees its bytes when the work fails', async () => {
    const gate = new ByteGate(10);
    await expect(gate.run(10, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await gate.run(10, async () => 'ran')).toBe('ran');
  });
});

describe('parsedMessage', () => {
  const raw = Buffer.from('From: a@x.example\r\nSubject: x\r\n\r\nbody\r\n');
  /** Jobs whose blob reads are logged, for messages the row says are `size` bytes. */
  function jobs(count: number, size: number, log: string[]): StageContext[] {
    return Array.from({ length: count }, (_, i) => {
      const blobs = {
        read: async () => {
          log.push(`read ${i}`);
          await new Promise((r) => setImmediate(r));
          return raw;
        },
      } as unknown as BlobStore;
      return { message: { blobSha256: `m${i}`, size } as InboundRow, blobs, config: { limits: DEFAULT_LIMITS_CONFIG } as Config } as StageContext;
    });
  }
  const parseAll = (ctxs: StageContext[], log: string[]) => Promise.all(ctxs.map((c, i) => parsedMessage(c).then(() => log.push(`parsed ${i}`))));

  it('reads and parses large messages one budget at a time', async () => {
    const log: string[] = [];
    await parseAll(jobs(3, PARSE_BUDGET_BYTES - MiB, log), log);
    // The next job's read starts once the previous parse let go of the gate (its own "parsed" may
    // be logged a microtask later): never three reads before a parse ended.
    expect(log.indexOf('read 1')).toBeGreaterThan(log.indexOf('read 0'));
    expect(log.indexOf('read 2')).toBeGreaterThan(log.indexOf('parsed 0'));
    expect(parseGate.peak).toBe(PARSE_BUDGET_BYTES - MiB);
  });

  it('never holds up small messages', async () => {
    const log: string[] = [];
    await parseAll(jobs(3, LARGE_MESSAGE_BYTES - 1, log), log);
    expect(log.slice(0, 3)).toEqual(['read 0', 'read 1', 'read 2']);
  });
});
