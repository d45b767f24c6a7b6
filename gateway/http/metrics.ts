/**
 * Prometheus metrics (prom-client) at GET /metrics. `GatewayMetrics` implements the pipeline's
 * `PipelineMetrics` port (gateway/workers/telemetry.ts): messages accepted, decided by outcome,
 * stage latencies, signature verdicts. This module also counts authentication failures (failed and
 * throttled logins, requests with a missing or unknown token) from the responses it sees, and at
 * each scrape reads the queue depths (GET /api/status's numbers: messages by state, failed, jobs
 * per queue, the oldest undecided message's age). Node's default process metrics come with it.
 *
 * Who may scrape: permission `metrics.read` (gateway/registry/access/policy.ts) — admins (session
 * or admin service token) and service tokens of role `metrics` (http.tokens, for a Prometheus
 * server: it can read /metrics and nothing else). The numbers count over every unit and name no
 * record. Each gateway has its own registry (tests run several in one process).
 */
import type { FastifyInstance } from 'fastify';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { PipelineStatus } from '../workers/backlog.ts';
import type { PipelineMetrics, StageStatus } from '../workers/telemetry.ts';
import type { StageName } from '../workers/pipeline.ts';

/** Stage times: from a millisecond (a parse) to minutes (OCR of a long scan). */
const STAGE_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

export type AuthFailure = 'login' | 'login_throttled' | 'token';

export class GatewayMetrics implements PipelineMetrics {
  readonly registry = new Registry();
  private readonly acceptedTotal: Counter;
  private readonly decidedTotal: Counter<'outcome'>;
  private readonly verdictsTotal: Counter<'verdict'>;
  private readonly stageSeconds: Histogram<'stage' | 'status'>;
  private readonly authFailures: Counter<'kind'>;
  private readonly byState: Gauge<'state'>;
  private readonly queueJobs: Gauge<'queue' | 'state'>;
  private readonly oldestAge: Gauge;

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.acceptedTotal = new Counter({
      name: 'vanthu_messages_accepted_total',
      help: 'Messages committed by the durable accept (SMTP, IMAP, upload)',
      registers,
    });
    this.decidedTotal = new Counter({
      name: 'vanthu_messages_decided_total',
      help: "Messages decided for a unit, by the registry's action (register, review, quarantine, link, keep, drop)",
      labelNames: ['outcome'],
      registers,
    });
    this.verdictsTotal = new Counter({
      name: 'vanthu_verify_verdicts_total',
      help: "Messages by the verify stage's overall signature verdict",
      labelNames: ['verdict'],
      registers,
    });
    this.stageSeconds = new Histogram({
      name: 'vanthu_stage_duration_seconds',
      help: 'Time of one run of a pipeline stage, by stage and how it ended (done, stopped, failed, awaiting)',
      labelNames: ['stage', 'status'],
      buckets: STAGE_BUCKETS,
      registers,
    });
    this.authFailures = new Counter({
      name: 'vanthu_auth_failures_total',
      help: 'Refused authentication: login (wrong e-mail or password), login_throttled (429), token (missing, unknown or expired bearer token)',
      labelNames: ['kind'],
      registers,
    });
    this.byState = new Gauge({
      name: 'vanthu_messages',
      help: 'Inbound messages not yet decided by state, and failed ones (state="failed")',
      labelNames: ['state'],
      registers,
    });
    this.queueJobs = new Gauge({ name: 'vanthu_queue_jobs', help: 'Jobs per queue and state (ingest, ocr)', labelNames: ['queue', 'state'], registers });
    this.oldestAge = new Gauge({ name: 'vanthu_oldest_undecided_age_seconds', help: 'Age of the oldest undecided message (0: none)', registers });
  }

  accepted(count: number): void {
    this.acceptedTotal.inc(count);
  }

  stage(name: StageName, seconds: number, status: StageStatus): void {
    this.stageSeconds.observe({ stage: name, status }, seconds);
  }

  verdict(verdict: string): void {
    this.verdictsTotal.inc({ verdict });
  }

  decided(outcome: string): void {
    this.decidedTotal.inc({ outcome });
  }

  authFailed(kind: AuthFailure): void {
    this.authFailures.inc({ kind });
  }

  /** Queue depths as GET /api/status reads them; a state that emptied shows 0, not its last value. */
  setDepths(status: PipelineStatus): void {
    this.byState.reset();
    for (const [state, n] of Object.entries(status.byState)) this.byState.set({ state }, n);
    this.byState.set({ state: 'failed' }, status.failed);
    this.queueJobs.reset();
    for (const [queue, counts] of Object.entries(status.queues ?? {})) for (const [state, n] of Object.entries(counts)) this.queueJobs.set({ queue, state }, n);
    this.oldestAge.set(status.oldestUndecided?.ageSeconds ?? 0);
  }
}

/** GET /metrics and the hook that counts refused authentication; `depths` reads the backlog at each scrape. */
export function metricsRoutes(metrics: GatewayMetrics, depths: () => Promise<PipelineStatus>) {
  return async (app: FastifyInstance): Promise<void> => {
    app.addHook('onResponse', async (req, reply) => {
      const login = req.routeOptions.url === '/api/auth/login';
      if (reply.statusCode === 401) metrics.authFailed(login ? 'login' : 'token');
      else if (login && reply.statusCode === 429) metrics.authFailed('login_throttled');
    });
    app.get(
      '/metrics',
      {
        config: { permission: 'metrics.read' },
        schema: {
          summary: 'Prometheus metrics (text exposition format): messages accepted and decided, stage latencies, verdicts, queue depths, auth failures',
        },
      },
      async (_req, reply) => {
        // The backlog is read from the database and Redis at each scrape; a failure leaves the last values.
        await depths().then(
          (s) => metrics.setDepths(s),
          () => undefined,
        );
        return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
      },
    );
  };
}
