/**
 * Document changes reach the live lists of every process through one PUBLISH a window (the first
 * change at once, those after it at the window's end), not one per change (gateway/http/events.ts; bench/e2e/FINDINGS.md, "Eleventh round: Redis"): a burst of
 * decided messages cost Redis a PUBLISH each, and each stream a refresh. Real Redis; the
 * publisher's commands are counted on its own connection (ioredis sendCommand).
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DocumentEventHub } from '../gateway/http/events.ts';
import { workerConnection } from '../gateway/workers/queues.ts';
import type { DocumentChange } from '../gateway/workers/telemetry.ts';
import { TEST_REDIS_OPTIONS } from './helpers/gateway.ts';

const options = TEST_REDIS_OPTIONS;

describe('document events', () => {
  const channel = `doc-events-${process.pid}-${performance.now().toString(36)}`;
  let publisher: Redis;
  let hub: DocumentEventHub;
  const sent: string[] = [];
  const heard: DocumentChange[][] = [];

  beforeAll(async () => {
    publisher = new Redis(options);
    const send = publisher.sendCommand.bind(publisher);
    publisher.sendCommand = ((command: { name: string }) => {
      sent.push(command.name);
      return send(command as never);
    }) as typeof publisher.sendCommand;
    hub = new DocumentEventHub(publisher, channel);
    hub.listen(workerConnection(options));
    hub.on((changes) => heard.push(changes));
    for (let i = 0; i < 500; i++) {
      const [, n] = (await publisher.call('pubsub', 'numsub', channel)) as [string, number];
      if (Number(n) > 0) break;
      await new Promise((r) => setTimeout(r, 10));
    }
  }, 30_000);
  afterAll(async () => {
    await hub?.close();
    publisher?.disconnect();
  });

  it('publishes a change at once and those that follow within the window together, each document once', async () => {
    sent.length = 0;
    const changes = Array.from({ length: 10 }, (_, i) => ({ unitId: i % 2 ? 'stc' : 'vp', documentId: `doc-${i}` }));
    for (const c of changes) hub.changed([c]);
    hub.changed([changes[3]]); // named twice: goes once
    hub.changed([]);
    expect(sent).toEqual(['publish']); // the first, at once
    for (let i = 0; i < 500 && heard.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    expect(sent).toEqual(['publish', 'publish']);
    expect(heard).toEqual([changes.slice(0, 1), changes.slice(1)]);
  });

  it('publishes what is waiting when it closes', async () => {
    const own = new DocumentEventHub(publisher, channel, 60_000);
    heard.length = 0;
    sent.length = 0;
    own.changed([{ unitId: 'stc', documentId: 'first' }]);
    own.changed([{ unitId: 'stc', documentId: 'late' }]);
    expect(sent).toEqual(['publish']);
    await own.close();
    for (let i = 0; i < 500 && heard.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    expect(sent).toEqual(['publish', 'publish']);
    expect(heard).toEqual([[{ unitId: 'stc', documentId: 'first' }], [{ unitId: 'stc', documentId: 'late' }]]);
  });
});
