/**
 * What the console's admin page needs beyond the existing routes: POST /api/messages/{id}/retry
 * (a `failed` message back to the pipeline, permission `messages.retry`: admins) and the status of
 * the SMTP listener and the Haraka relay, added to GET /api/connectors beside the IMAP accounts.
 *
 * Retry does what docs/operations-recovery.md says an operator does by hand: the message goes back
 * to `accepted` with an empty `enqueued_at`, and is queued at once (its old failed job removed
 * first); the stages already done are skipped, the failed one runs again. If Redis does not answer,
 * the outbox sweep queues it on its next pass. A message that is not `failed` answers 409.
 */
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../clock.ts';
import type { Config } from '../config/load.ts';
import type { Logger } from '../log.ts';
import { actorOf } from '../registry/access/policy.ts';
import type { Database } from '../store/db.ts';
import { idParams, principalOf } from './registry-common.ts';

export interface RetryDeps {
  database: Database;
  clock: Clock;
  log: Logger;
  /** Removes the message's ended job and queues it again (IngestQueue.requeue). */
  requeue(ids: string[]): Promise<void>;
}

export function retryRoutes(deps: RetryDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    app.post<{ Params: { id: string } }>(
      '/api/messages/:id/retry',
      {
        config: { permission: 'messages.retry' },
        schema: {
          summary: 'Run a failed message through the pipeline again (admins): back to "accepted", queued at once; the stages already done are skipped',
          params: idParams,
        },
      },
      async (req, reply) => {
        const { id } = req.params;
        const at = deps.clock.now().toISOString();
        const moved = await deps.database.query<{ id: string }>(
          `update inbound_messages set state = 'accepted', enqueued_at = null, updated_at = $2::timestamptz
            where id = $1 and state = 'failed' returning id`,
          [id, at],
        );
        if (!moved.length) {
          const [row] = await deps.database.query<{ state: string }>('select state from inbound_messages where id = $1', [id]);
          if (!row) return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: 'Không tìm thấy thư (message not found)' });
          return reply.code(409).send({
            statusCode: 409,
            error: 'Conflict',
            message: `Chỉ chạy lại được thư bị lỗi; thư này đang "${row.state}" (only a failed message can be retried; this one is ${row.state})`,
          });
        }
        let queued = true;
        try {
          await deps.requeue([id]);
          await deps.database.query('update inbound_messages set enqueued_at = now() where id = $1', [id]);
        } catch (err) {
          queued = false; // the outbox sweep queues it
          deps.log.warn({ id, err: (err as Error).message }, 'retry: could not queue now; the outbox sweep will');
        }
        deps.log.info({ id, by: actorOf(principalOf(req)), queued }, 'failed message sent back to the pipeline');
        return reply.code(202).send({ id, state: 'accepted', queued });
      },
    );
  };
}

export interface ListenerReport {
  smtp: { listening: boolean; host: string; port: number | null; received: number; lastReceivedAt: string | null };
  haraka: { relayTokens: number; received: number; lastReceivedAt: string | null };
  /** Messages stored per intake source (smtp, haraka, imap, api, local, …): count and the latest. */
  sources: Array<{ source: string; received: number; lastReceivedAt: string | null }>;
}

/** The SMTP listener and the Haraka relay, from the process (is it listening) and the stored messages (what came in through each). */
export async function listenerReport(database: Database, config: Config, smtpPort: () => number | null): Promise<ListenerReport> {
  const rows = await database.query<{ source: string; n: number; last: string | Date | null }>(
    'select source, count(*)::int as n, max(received_at) as last from inbound_messages group by source order by source',
    [],
  );
  const sources = rows.map((r) => ({ source: r.source, received: r.n, lastReceivedAt: r.last ? new Date(r.last).toISOString() : null }));
  const of = (s: string) => sources.find((r) => r.source === s) ?? { received: 0, lastReceivedAt: null };
  const port = smtpPort();
  return {
    smtp: { listening: port !== null, host: config.smtp.host, port, ...pick(of('smtp')) },
    haraka: { relayTokens: config.http.tokens.filter((t) => t.role === 'relay').length, ...pick(of('haraka')) },
    sources,
  };
}

const pick = (r: { received: number; lastReceivedAt: string | null }) => ({ received: r.received, lastReceivedAt: r.lastReceivedAt });
