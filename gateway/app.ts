/**
 * The composition root (docs/architecture.md): the one module that knows every layer. It reads
 * nothing itself: given the config, it opens the store, builds the domain's runtime, the queues
 * and workers of the pipeline and the adapters (SMTP, IMAP, HTTP, the one mail transport), hands
 * each the parts it needs, and starts what the process role asks for. Role "gateway" receives
 * (SMTP, HTTP, outbox sweep), role "worker" processes queued work, "all" does both in one process
 * (the embedded default).
 */
import type { FastifyInstance } from 'fastify';
import type { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { DurableAccept } from './accept/durable-accept.ts';
import { addinRoutes } from './http/addin.ts';
import { attachmentRoutes } from './http/attachments.ts';
import { consoleRoutes } from './http/console.ts';
import { lookupRoutes } from './http/lookup.ts';
import { buildApi } from './http/server.ts';
import { unitRoutes } from './http/units.ts';
import { connectorsReport, ImapConnectors, type ConnectorsReport } from './imap/connectors.ts';
import { FolderStateStore } from './imap/state.ts';
import { openStorage } from './store/storage.ts';
import { startEmbeddedVacuum } from './store/vacuum.ts';
import { connectorRoutes } from './http/connectors.ts';
import { listenerReport, retryRoutes } from './http/admin-ops.ts';
import { DocumentEventHub, eventRoutes } from './http/events.ts';
import { GatewayMetrics, metricsRoutes } from './http/metrics.ts';
import { statusRoutes } from './http/status.ts';
import { readPipelineStatus } from './workers/backlog.ts';
import type { Config } from './config/load.ts';
import type { Logger } from './log.ts';
import { createSmtpListener, listen, type SmtpListener } from './smtp/server.ts';
import { BlobStore } from './store/blobs.ts';
import { openDatabase, type Database } from './store/db.ts';
import path from 'node:path';
import { startIngestWorker } from './workers/ingest-worker.ts';
import { configuredPool } from './workers/pool/pool.ts';
import { enqueueAccepted, OutboxSweeper } from './workers/outbox.ts';
import { IngestQueue, producerConnection, workerConnection } from './workers/queues.ts';
import { resolveRedis, type RedisTarget } from './workers/redis.ts';
import { systemClock, type Clock } from './clock.ts';
import { createRuntime, type RegistryRuntime } from './registry/runtime.ts';
import { actKey } from './registry/replies/key.ts';
import type { Mailer } from './registry/ports.ts';
import { FollowupScheduler } from './workers/followup.ts';
import { startFollowupWorker } from './workers/followup-jobs.ts';
import { DeliveryQueue, startDeliveryWorker } from './workers/delivery.ts';
import { repairIssuing } from './outgoing/issuance-claim.ts';
import { closeIssueTokens } from './outgoing/issue/pkcs11.ts';
import { checkIssueTokens } from './outgoing/issue/pkcs11-status.ts';
import { registryApi } from './http/registry-routes.ts';
import { reviewRoutes } from './http/review.ts';
import { routingRoutes } from './http/routing.ts';
import { outgoingRoutes } from './http/outgoing.ts';
import { addinSendRoutes } from './http/addin-send.ts';
import { issuanceQueueRoutes } from './http/addin-send-queue.ts';
import { overviewRoutes } from './http/overview.ts';
import { reportRoutes } from './http/reports.ts';
import { createMailer } from './notify/mailer.ts';
import { probeOcr } from './documents/ocr/index.ts';
import { OcrQueue, ocrTools, startOcrWorker } from './workers/ocr.ts';
import { LocalFirstTransport } from './notify/local.ts';
import { startMemoryTrim, type MemoryTrimmer } from './memory-trim.ts';
import { stopInReverse, type StopStep } from './shutdown.ts';

/** What one process runs (not a user's role: that is UserRole, gateway/config/registry.ts). */
export type ProcessRole = 'all' | 'gateway' | 'worker';

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
  /** Books, users, follow-up (gateway/registry): its runtime and the follow-up scheduler. */
  registry: { rt: RegistryRuntime; followup: FollowupScheduler } | null;
  /** The one mail transport (gateway/notify) and the registry's mailer on it. */
  mail: { transport: LocalFirstTransport; mailer: Mailer };
  /** Outgoing documents: the delivery queue (gateway/workers/delivery.ts). */
  outgoing: { queue: DeliveryQueue } | null;
  /** Prometheus metrics of this process (GET /metrics), the document changes live lists hear (GET /api/events), the idle trim (memory-trim.ts). */
  telemetry: { metrics: GatewayMetrics; events: DocumentEventHub; trim: MemoryTrimmer | null };
  stop(): Promise<void>;
}

export class StartupError extends Error {}

export type { ConnectorsReport };

/** The IMAP accounts with their stored progress, for `vanthu connectors` when no gateway runs. */
export async function storedConnectorsReport(config: Config): Promise<ConnectorsReport> {
  const storage = await openStorage(config);
  try {
    return await connectorsReport(config, new FolderStateStore(storage.database), () => null);
  } finally {
    await storage.close();
  }
}

/** `clock` replaces the system clock everywhere a time reaches a record (tests drive arrival times, deadlines and book years with it). */
export async function startVanthu(config: Config, role: ProcessRole, log: Logger, opts: { clock?: Clock } = {}): Promise<Vanthu> {
  if (role !== 'all' && !config.database.url) {
    throw new StartupError(`--role ${role} needs a shared PostgreSQL (DATABASE_URL): the embedded PGlite database lives inside one process.`);
  }
  const clock = opts.clock ?? systemClock;
  const storage = await openStorage(config);
  const { database, blobs } = storage;
  const stops: StopStep[] = [() => storage.close()];
  const stop = () => stopInReverse(stops, log);
  try {
    // PGlite has no autovacuum: dead row versions and stale statistics are this process's to clear.
    const vacuum = startEmbeddedVacuum(database, log);
    stops.push(async () => vacuum?.stop());
    const redis = await resolveRedis(config.redis.url, config.instance.dataDir, log);
    stops.push(() => redis.stop());
    // Issuing keys on PKCS#11 tokens: a start-up line per unit (docs/issuance.md); sessions closed last.
    checkIssueTokens(config.outgoing, log);
    stops.push(async () => closeIssueTokens());
    // Mail for this gateway's own units goes into their incoming pipeline (local delivery, notify/local.ts).
    const transport = new LocalFirstTransport(config);
    const rt = createRuntime({ database, config, log: log.child({ component: 'registry' }), clock, blobs });
    // The reply-token key exists from the first start on (configured, or generated into the data dir: docs/act-by-email.md).
    if (config.registry.actByMail.enabled) actKey(config);
    const mailer = createMailer(rt.db, config, rt.clock, transport);
    stops.push(async () => transport.close());
    const metrics = new GatewayMetrics();
    const trim = startMemoryTrim(log, metrics.registry);
    stops.push(async () => trim?.stop());
    const app: Vanthu = {
      config,
      database,
      blobs,
      redis,
      accept: null,
      smtp: null,
      http: null,
      smtpPort: null,
      httpPort: null,
      registry: null,
      mail: { transport, mailer },
      outgoing: null,
      telemetry: { metrics, events: eventHub(redis.options, config, stops), trim },
      stop,
    };
    app.registry = { rt, followup: await startFollowup(app, rt, role, log, stops) };
    app.outgoing = { queue: startDelivery(app, rt, role, log, stops) };
    if (role !== 'worker') await startGateway(app, log, stops);
    if (role !== 'gateway') await startWorker(app, log, stops);
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
    onCommitted: (ids) => {
      app.telemetry.metrics.accepted(ids.length);
      app.telemetry.trim?.work();
      void enqueueAccepted(database, queue, ids, log);
    },
    onCheckpointError: (err) => log.error({ err: (err as Error).message }, 'accept journal checkpoint or unpacking failed; will retry'),
  });
  const replayed = await accept.init();
  if (replayed) log.warn({ replayed }, 'replayed the accept journal after an unclean stop');
  stops.push(() => accept.close());
  app.accept = accept;
  app.mail.transport.attach(accept);
  stops.push(async () => app.mail.transport.attach(null));
  const ocrQueue = new OcrQueue(producerConnection(app.redis.options), config.redis.prefix);
  stops.push(() => ocrQueue.close());
  const sweeper = new OutboxSweeper(database, queue, log, config.ingest.outboxSweepMs, config.ingest.leaseMs, { queue: ocrQueue, enabled: config.ocr.enabled });
  sweeper.start();
  stops.push(() => sweeper.stop());

  const imap = new ImapConnectors(config, database, accept, log);
  const rt = app.registry!.rt;
  const pipelineStatus = () => readPipelineStatus(database, rt.clock, { ingest: queue, ocr: ocrQueue });
  // This process serves the live lists: it hears the changes of every process (workers too) through Redis.
  const subscriber = workerConnection(app.redis.options);
  app.telemetry.events.listen(subscriber);
  stops.push(async () => subscriber.disconnect());
  const registry = registryApi(rt, conn, app.mail.mailer);
  const http = await buildApi({
    config,
    database,
    blobs,
    accept,
    log,
    clock: rt.clock,
    checks: { database: () => database.ping(), redis: () => ping(conn) },
    plugins: [
      lookupRoutes({ config, database, blobs, accept }),
      unitRoutes(config),
      attachmentRoutes({ database, blobs }),
      // IMAP accounts, and the SMTP listener and Haraka relay beside them (http/admin-ops.ts).
      connectorRoutes({ report: async () => ({ ...(await imap.report()), ...(await listenerReport(database, config, () => app.smtpPort)) }) }),
      statusRoutes(pipelineStatus),
      retryRoutes({ database, clock: rt.clock, log, requeue: (ids) => queue.requeue(ids) }),
      ...registry.plugins,
      reviewRoutes(rt, app.mail.transport),
      routingRoutes(rt),
      outgoingRoutes(rt, blobs, (ids) => app.outgoing!.queue.enqueue(ids)),
      addinSendRoutes(rt, blobs, (ids) => app.outgoing!.queue.enqueue(ids)),
      issuanceQueueRoutes(rt, blobs, (ids) => app.outgoing!.queue.enqueue(ids)),
      overviewRoutes(rt),
      reportRoutes(rt),
    ],
    publicPlugins: [
      metricsRoutes(app.telemetry.metrics, pipelineStatus),
      eventRoutes(app.telemetry.events, database),
      addinRoutes(config),
      consoleRoutes(config),
      ...registry.publicPlugins,
    ],
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
  log.info(
    { smtp: `${config.smtp.host}:${app.smtpPort}`, http: `${config.http.host}:${app.httpPort}`, database: database.kind, redis: app.redis.describe },
    'gateway listening',
  );
}

async function startWorker(app: Vanthu, log: Logger, stops: Array<() => Promise<unknown>>): Promise<void> {
  const conn = workerConnection(app.redis.options);
  // The classify stage hands scans to the "ocr" queue (docs/ocr.md); closed after the worker.
  const ocrQueue = app.config.ocr.enabled ? new OcrQueue(producerConnection(app.redis.options), app.config.redis.prefix) : undefined;
  if (ocrQueue) stops.push(() => ocrQueue.close());
  // The parse, classify and verify stages' CPU work (docs/architecture.md, "The CPU pool"); closed after the worker.
  const pool = configuredPool(app.config.ingest, log);
  if (pool) stops.push(() => pool.close());
  const worker: Worker = startIngestWorker(
    {
      database: app.database,
      blobs: app.blobs,
      config: app.config,
      log,
      clock: app.registry?.rt.clock ?? systemClock,
      registry: app.registry?.rt,
      mailer: app.mail.mailer,
      transport: app.mail.transport,
      ocrQueue,
      pool,
      metrics: app.telemetry.metrics,
      events: app.telemetry.events,
    },
    conn,
    app.config.ingest.concurrency,
  );
  app.telemetry.trim?.watch(worker);
  stops.push(async () => {
    await worker.close();
    conn.disconnect();
  });
  log.info({ concurrency: app.config.ingest.concurrency, cpuThreads: pool?.size ?? 0 }, 'ingest worker running');
  await startOcr(app, log, stops);
}

/**
 * The OCR worker (docs/ocr.md), and the start-up line saying whether OCR is on and why not. It
 * runs even when tesseract is missing: the scans that wait get their "không có OCR" reason from
 * it, and installing tesseract later needs no restart.
 */
async function startOcr(app: Vanthu, log: Logger, stops: Array<() => Promise<unknown>>): Promise<void> {
  const { config } = app;
  if (!config.ocr.enabled) {
    log.info({ ocr: false }, 'OCR off (ocr.enabled: false): scans go to review with "không có OCR"');
    return;
  }
  const probe = await probeOcr(ocrTools(config));
  if (probe.available)
    log.info(
      { ocr: true, tesseract: probe.version, langs: probe.langs, pdf: probe.pdf, pdfReason: probe.pdfReason, concurrency: config.ocr.concurrency },
      'OCR on',
    );
  else log.warn({ ocr: false, reason: probe.reason }, 'OCR off: tesseract cannot run here; scans go to review with the reason');
  const conn = workerConnection(app.redis.options);
  const ingest = new IngestQueue(producerConnection(app.redis.options), config.redis.prefix);
  const deps = { database: app.database, blobs: app.blobs, config, log: log.child({ component: 'ocr' }), clock: app.registry?.rt.clock ?? systemClock, ingest };
  const ocr = startOcrWorker(deps, conn);
  app.telemetry.trim?.watch(ocr.worker);
  stops.push(async () => {
    await ocr.close();
    conn.disconnect();
    await ingest.close();
  });
}

/**
 * The follow-up scheduler (every role: API changes and the register stage both kick it) and, in a
 * worker, the follow-up worker that sends reminders, escalations, receipts and digests.
 */
async function startFollowup(
  app: Vanthu,
  rt: RegistryRuntime,
  role: ProcessRole,
  log: Logger,
  stops: Array<() => Promise<unknown>>,
): Promise<FollowupScheduler> {
  const conn = producerConnection(app.redis.options);
  const followup = new FollowupScheduler(rt, conn, app.config.redis.prefix);
  stops.push(async () => {
    await followup.close();
    conn.disconnect();
  });
  if (role === 'gateway') return followup;
  const workerConn = workerConnection(app.redis.options);
  const worker = startFollowupWorker({ rt, mailer: app.mail.mailer, blobs: app.blobs }, workerConn, app.config.redis.prefix);
  app.telemetry.trim?.watch(worker);
  stops.push(async () => {
    // A mail job stuck on a slow remote server must not hold the shutdown: after a grace period
    // the worker is closed by force and the job runs again later (its mail key prevents a resend
    // once the first attempt had finished).
    let timer: NodeJS.Timeout | undefined;
    const force = new Promise<void>((resolve) => (timer = setTimeout(() => void worker.close(true).then(resolve, resolve), 5000)));
    await Promise.race([worker.close(), force]);
    clearTimeout(timer);
    workerConn.disconnect();
  });
  await followup.start(true);
  log.debug({}, 'follow-up worker running');
  return followup;
}

/** The delivery queue (the API enqueues) and, in a worker, the delivery worker with its sweep. */
function startDelivery(app: Vanthu, rt: RegistryRuntime, role: ProcessRole, log: Logger, stops: Array<() => Promise<unknown>>): DeliveryQueue {
  const queue = new DeliveryQueue(producerConnection(app.redis.options), app.config);
  stops.push(() => queue.close());
  if (role === 'gateway') return queue;
  const conn = workerConnection(app.redis.options);
  const worker = startDeliveryWorker(
    {
      db: rt.db,
      blobs: app.blobs,
      config: app.config,
      log: log.child({ component: 'delivery' }),
      mailer: app.mail.mailer,
      transport: app.mail.transport,
      now: () => rt.clock.now(),
      events: app.telemetry.events,
    },
    conn,
  );
  app.telemetry.trim?.watch(worker);
  const run = () => {
    void queue.sweep(rt.db).catch((err: unknown) => log.warn({ err: (err as Error).message }, 'delivery sweep failed'));
    // Drafts a crash left "issuing" are issued or given back to the clerk (docs/issuance.md, "A crash while issuing").
    void repairIssuing(rt, app.blobs, (ids) => queue.enqueue(ids)).catch((err: unknown) => log.warn({ err: (err as Error).message }, 'issuance repair failed'));
  };
  run();
  const sweep = setInterval(run, app.config.ingest.outboxSweepMs * 6);
  stops.push(async () => {
    clearInterval(sweep);
    await worker.close();
    conn.disconnect();
  });
  return queue;
}

/** Document changes go through Redis publish/subscribe (gateway/http/events.ts): a worker's changes reach the gateway's streams. */
function eventHub(options: RedisTarget['options'], config: Config, stops: Array<() => Promise<unknown>>): DocumentEventHub {
  const publisher = producerConnection(options);
  const hub = new DocumentEventHub(publisher, `${config.redis.prefix}:document-events`);
  stops.push(async () => {
    await hub.close();
    publisher.disconnect();
  });
  return hub;
}

async function ping(conn: Redis): Promise<void> {
  if ((await conn.ping()) !== 'PONG') throw new Error('redis did not answer PONG');
}
