/**
 * withAuditVia (gateway/registry/audit.ts): entries appended inside a run carry its `via`, and the
 * storage is off once no run is in flight — on Node 20 a storage that ran once left async hooks on
 * for every promise of the process (bench/e2e/FINDINGS.md, "Thirteenth round: the main thread").
 */
import { executionAsyncId } from 'node:async_hooks';
import { describe, expect, it } from 'vitest';
import { appendAudits, withAuditVia } from './audit.ts';
import type { Tx } from './db.ts';

/** A transaction that answers the head and records the statements' parameters (no database). */
function fakeTx(): { tx: Tx; params: unknown[][] } {
  const params: unknown[][] = [];
  const tx = {
    execute: async (q: { toQuery?: unknown; queryChunks?: unknown }) => {
      params.push(JSON.parse(JSON.stringify(q, (_k, v) => (typeof v === 'bigint' ? String(v) : v))) as unknown[]);
      return { rows: [{ seq: 1, hash: '0'.repeat(64) }] };
    },
  } as unknown as Tx;
  return { tx, params };
}

/** The async id a promise continuation runs under: 0 when no async hook tracks promises. */
async function continuationAsyncId(): Promise<number> {
  await null;
  return executionAsyncId();
}

const entry = { actor: 'system', action: 'test', entity: 'document', entityId: 'd1', data: { a: 1 } };

describe('withAuditVia', () => {
  it('stamps the entries appended inside it with via, and not those after it', async () => {
    const inside = fakeTx();
    await withAuditVia({ channel: 'console' }, async () => {
      await null;
      await appendAudits(inside.tx, [entry], new Date(0));
    });
    expect(JSON.stringify(inside.params)).toContain('{\\"a\\":1,\\"via\\":{\\"channel\\":\\"console\\"}}');
    const after = fakeTx();
    await appendAudits(after.tx, [entry], new Date(0));
    expect(JSON.stringify(after.params)).not.toContain('via');
  });

  it('keeps via for a run still in flight when another one ends', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow = fakeTx();
    const first = withAuditVia({ channel: 'addin' }, async () => {
      await gate;
      await appendAudits(slow.tx, [entry], new Date(0));
    });
    await withAuditVia({ channel: 'cli' }, async () => undefined);
    release();
    await first;
    expect(JSON.stringify(slow.params)).toContain('\\"via\\":{\\"channel\\":\\"addin\\"}');
  });

  it('leaves no async hook on for the promises made once every run has settled', async () => {
    await withAuditVia({ channel: 'api' }, async () => {
      expect(await continuationAsyncId()).not.toBe(0);
    });
    // Before: the storage stayed on, and every promise of the process paid its hooks ("expected 1010 to be +0").
    expect(await continuationAsyncId()).toBe(0);
  });
});
