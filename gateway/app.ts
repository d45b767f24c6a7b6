/**
 * Assembles a running vanthu from its parts. Role "gateway" receives (SMTP, HTTP, outbox sweep),
 * role "worker" processes queued work, "all" does both in one process (the embedded default).
 */
import type { FastifyInstance } from 'fastify';
import type { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { DurableAccept } from './accept/durable-accept.ts';
import { addinRoutes } from './api/addin.ts';
import { lookupRoutes } from './api/lookup.ts';
import { buildApi } from './api/server.ts';
import { unitRoutes } from './api/units.ts';
import { connectorRoutes, ImapConnectors } from './imap/connectors.ts';
import type { Config } from './config.ts';
import type { Logger } from './log.ts';
import { createSmtpListener, listen, type SmtpListener } from './smtp/server.ts';
import { BlobStore } from './store/blobs.ts';
import { openDatabase, type Database } from './store/db.ts';
import path from 'node:path';
import { startIngestWorker } from '../workers/ingest-worker.ts';
import { enqueueAccepted, OutboxSweeper } from '../workers/outbox.ts';
import { IngestQueue, producerConnection, workerConnection } from '../workers/queues.ts';
import { resolveRedis, type RedisTarget } from '../workers/redis.ts';
import { startRegistry, type RegistryService } from './registry/assemble.ts';
import { systemClock, type Clock } from './clock.ts';
import { startOutgoing, type OutgoingService } from './outgoing/assemble.ts';

export type Role = 'all' | 'gateway' | 'worker';

export interface Vanthu {
  config: Config;
  database: Database;
  blobs: BlobStore;
  redis: RedisTarget;
  accept: DurableAccept | null;
  smtp: SmtpListener | null;
  http: FastifyInstance | null;
  smtpPort: number | null;
  httpPort: number | null;
  /** Books, users, follow-up (gateway/registry). */
  registry: RegistryService | null;
  /** Outgoing documents: sending, delivery, tracking (gateway/outgoing). */
  outgoing: OutgoingService | null;
  stop(): Promise<void>;
}

export class StartupError extends Error {}

export interface Storage {
  database: Database;
  blobs: BlobStore;
  close(): Promise<void>;
}

export async function openStorage(config: Config): Promise<Storage> {
  const database = await openDatabase({ url: config.database.url, dataDir: config.instance.dataDir });
  try {
    await database.migrate();
    const blobs = new BlobStore(path.join(config.instance.dataDir, 'blobs'));
    await blobs.init();
    return {
      database,
      blobs,
      close: () => database.close(),
    };
  } catch (err) {
    await database.close();
    throw err;
  }
}

/** `clock` replaces the system clock everywhere a time reaches a record (tests drive arrival times, deadlines and book years with it). */
export async function startVanthu(config: Config, role: Role, log: Logger, opts: { clock?: Clock } = {}): Promise<Vanthu> {
  if (role !== 'all' && !config.database.url) {
    throw new StartupError(`--role ${role} needs a shared PostgreSQL (DATABASE_URL): the embedded PGlite database lives inside one process.`);
  }
  const clock = opts.clock ?? systemClock;
  const storage = await openStorage(config);
  const { database, blobs } = storage;
  const stops: Array<() => Promise<unknown>> = [() => storage.close()];
  const stop = async () => {
    for (const s of [...stops].reverse()) await s().catch((err) => log.warn({ err: (err as Error).message }, 'error while stopping'));
  };
  try {
    const redis = await resolveRedis(config.redis.url, config.instance.dataDir, log);
    stops.push(() => redis.stop());
    const app: Vanthu = { config, database, blobs, redis, accept: null, smtp: null, http: null, smtpPort: null, httpPort: null, registry: null, outgoing: null, stop };
    app.registry = await startRegistry({ config, database, blobs, redis }, role, log, clock);
    stops.push(() => app.registry!.stop());
    app.outgoing = startOutgoing({ rt: app.registry.rt, blobs, redis }, role, log);
    stops.push(() => app.outgoing!.stop());
    if (role !== 'worker') await startGateway(app, log, stops);
    if (role !== 'gateway') startWorker(app, log, stops);
    return app;
  } catch (err) {
    await stop();
    throw err;
  }
}

async function startGateway(app: Vanthu, log: Logger, stops: Array<() => Promise<unknown>>): Promise<void> {
  const { config, database, blobs } = app;
  const conn = producerConnection(app.redis.options);
  const queue = new IngestQueue(conn, config.redis.prefix);
  stops.push(() => queue.close());
  const accept = new DurableAccept({
    database,
    blobs,
    clock: app.registry?.rt.clock,
    maxBytes: config.smtp.maxMessageBytes,
    unpackIdleMs: config.ingest.unpackIdleMs,
    unpackMaxAgeMs: config.ingest.unpackMaxAgeMs,
    maxPackedBytes: config.ingest.maxPackedBytes,
    onCommitted: (ids) => void enqueueAccepted(database, queue, ids, log),
    onCheckpointError: (err) => log.error({ err: (err as Error).message }, 'accept journal checkpoint or unpacking failed; will retry'),
  });
  const replayed = await accept.init();
  if (replayed) log.warn({ replayed }, 'replayed the accept journal after an unclean stop');
  stops.push(() => accept.close());
  app.accept = accept;
  const sweeper = new OutboxSweeper(database, queue, log, config.ingest.outboxSweepMs, config.ingest.leaseMs);
  sweeper.start();
  stops.push(() => sweeper.stop());

  const imap = new ImapConnectors(config, database, accept, log);
  const http = await buildApi({ config, database, blobs, accept, log, checks: { database: () => database.ping(), redis: () => ping(conn) },
    plugins: [lookupRoutes({ config, database, blobs, accept }), unitRoutes(config), connectorRoutes(imap), ...(app.registry?.api.plugins ?? []), ...(app.outgoing?.plugins ?? [])],
    publicPlugins: [addinRoutes(config), ...(app.registry?.api.publicPlugins ?? [])],
  });
  await http.listen({ port: config.http.port, host: config.http.host });
  app.http = http;
  app.httpPort = (http.server.address() as { port: number }).port;
  stops.push(() => http.close());

  const smtp = createSmtpListener(config, accept, log);
  app.smtpPort = await listen(smtp, config.smtp.port, config.smtp.host);
  app.smtp = smtp;
  stops.push(() => smtp.close());
  // Stops first (stops run in reverse): a poller finishes its batch while storage is still open.
  imap.start();
  stops.push(() => imap.stop());
  log.info({ smtp: `${config.smtp.host}:${app.smtpPort}`, http: `${config.http.host}:${app.httpPort}`, database: database.kind, redis: app.redis.describe }, 'gateway listening');
}

function startWorker(app: Vanthu, log: Logger, stops: Array<() => Promise<unknown>>): void {
  const conn = workerConnection(app.redis.options);
  const worker: Worker = startIngestWorker({ database: app.database, blobs: app.blobs, config: app.config, log, clock: app.registry?.rt.clock ?? systemClock, registry: app.registry?.rt }, conn, app.config.ingest.concurrency);
  stops.push(async () => {
    await worker.close();
    conn.disconnect();
  });
  log.info({ concurrency: app.config.ingest.concurrency }, 'ingest worker running');
}

async function ping(conn: Redis): Promise<void> {
  if ((await conn.ping()) !== 'PONG') throw new Error('redis did not answer PONG');
}
