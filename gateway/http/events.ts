/**
 * Live lists: GET /api/events, server-sent events telling the console that documents of a unit
 * changed, so the review queue and "my work" refresh without a reload (console/src/live.ts).
 *
 * `DocumentEventHub` implements the pipeline's `DocumentEvents` port (gateway/workers/telemetry.ts)
 * over Redis publish/subscribe, so a change made by a worker process reaches the gateway process
 * that holds the browser's stream. Changes come from the register stage (a message decided: a new
 * review item, a registered document) and from the API's document actions (approve, reject,
 * assign, status, deadline, comment, forward — and an officer's extension request and a leader's
 * decision on it: the hook below publishes after a successful POST) — and from a reply to a notice
 * that ran its command (the act-by-mail stage: an extension asked, done, a comment by mail).
 * An action that changes documents beyond its own — "Chuyển" makes one in the receiving unit —
 * names them in `req.documentChanges`, published with it, so the receiving unit's queue refreshes.
 *
 * What a stream carries is the policy's (`eventScope`, gateway/registry/access/policy.ts, permission
 * `documents.read`): the unit's changes (admins: every unit, or `?unit=`), and for officers only
 * documents assigned to them. An event names the unit and the document ids, nothing else; the
 * console then asks the API for the list, which applies the policy again. `?once=true` answers the
 * `ready` event and ends (a check that the stream is allowed, used by monitoring and the
 * authorisation tests).
 */
import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { eventScope } from '../registry/access/policy.ts';
import type { Database } from '../store/db.ts';
import type { DocumentChange, DocumentEvents } from '../workers/telemetry.ts';
import { principalOf } from './registry-common.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Documents a POST changed besides the one in its path (another unit's), for the live lists. */
    documentChanges?: DocumentChange[];
  }
}

type Listener = (changes: DocumentChange[]) => void;

/** Changes that follow a published one within this window go out together (the console settles 150 ms itself, console/src/live.ts). */
export const EVENT_BATCH_MS = 250;

export class DocumentEventHub implements DocumentEvents {
  private readonly listeners = new Set<Listener>();
  private subscriber: Redis | null = null;
  /** Changes waiting for the window's end, by unit and document (one change named twice goes once). */
  private pending = new Map<string, DocumentChange>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly publisher: Redis,
    private readonly channel: string,
    private readonly batchMs = EVENT_BATCH_MS,
  ) {}

  /**
   * Publishes to every process: a change at once, and the changes that follow it within `batchMs`
   * together at the window's end — a burst of decided messages is one PUBLISH (and one refresh per
   * stream) a window, not one per message (bench/e2e/FINDINGS.md, "Eleventh round: Redis"). A
   * Redis that does not answer loses the event (a list is refreshed on the next one, or on reload).
   */
  changed(changes: DocumentChange[]): void {
    for (const c of changes) this.pending.set(`${c.unitId}\u0000${c.documentId}`, c);
    if (!this.timer) this.flush();
  }

  /** Publishes the changes waiting now, and opens a window in which the next ones wait (close: the last ones). */
  flush(last = false): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.pending.size) return;
    const changes = [...this.pending.values()];
    this.pending = new Map();
    void this.publisher.publish(this.channel, JSON.stringify(changes)).catch(() => undefined);
    if (last) return;
    this.timer = setTimeout(() => this.flush(), this.batchMs);
    this.timer.unref();
  }

  /**
   * Starts receiving (the process that serves streams); `connection` becomes a subscriber
   * connection. Not awaited: a gateway starts while Redis is down, and ioredis subscribes again
   * whenever it reconnects.
   */
  listen(connection: Redis): void {
    this.subscriber = connection;
    connection.on('message', (channel: string, text: string) => {
      if (channel !== this.channel) return;
      let changes: DocumentChange[];
      try {
        changes = JSON.parse(text) as DocumentChange[];
      } catch {
        return;
      }
      for (const l of this.listeners) l(changes);
    });
    connection.subscribe(this.channel).catch(() => undefined);
  }

  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.flush(true);
    this.listeners.clear();
    this.subscriber?.disconnect();
    this.subscriber = null;
  }
}

const frame = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

/** Documents whose actions change lists: POST /api/documents/{id}/… */
const DOCUMENT_ACTION = /^\/api\/documents\/:id\/[a-z-]+$/;
/** Extension requests — an officer's (POST /api/deadline-requests), a leader's decision (…/{id}/grant|refuse) — change their document's lists. */
const REQUEST_ACTION = /^\/api\/deadline-requests(?:\/:id\/[a-z]+)?$/;

export function eventRoutes(hub: DocumentEventHub, database: Database, opts: { keepAliveMs?: number } = {}) {
  return async (app: FastifyInstance): Promise<void> => {
    const open = new Set<PassThrough>();
    // Streams never end by themselves: closing the server ends them first.
    app.addHook('preClose', async () => {
      for (const s of open) s.end();
      open.clear();
    });
    app.addHook('onResponse', async (req, reply) => {
      const url = req.routeOptions.url ?? '';
      if (req.method !== 'POST' || reply.statusCode >= 300) return;
      let id: string | undefined;
      if (DOCUMENT_ACTION.test(url)) id = (req.params as { id?: string }).id;
      else if (REQUEST_ACTION.test(url)) {
        const request = (req.params as { id?: string }).id;
        const asked = request
          ? await database.query<{ document_id: string }>('select document_id from deadline_requests where id = $1', [request]).catch(() => [])
          : [];
        id = request ? asked[0]?.document_id : (req.body as { document?: string } | undefined)?.document;
      }
      if (!id) return;
      const rows = await database.query<{ unit_id: string }>('select unit_id from documents where id = $1', [id]).catch(() => []);
      hub.changed([...(rows[0] ? [{ unitId: rows[0].unit_id, documentId: id }] : []), ...(req.documentChanges ?? [])]);
    });

    app.get<{ Querystring: { unit?: string; once?: boolean } }>(
      '/api/events',
      {
        config: { permission: 'documents.read' },
        schema: {
          summary:
            'Server-sent events: "documents" when documents you may see changed (your unit; officers: documents assigned to you), so lists refresh. ?once=true answers "ready" and ends',
          querystring: { type: 'object', properties: { unit: { type: 'string' }, once: { type: 'boolean' } }, additionalProperties: false },
        },
      },
      async (req, reply) => {
        const scope = eventScope(principalOf(req), req.query.unit);
        const stream = new PassThrough();
        reply.type('text/event-stream; charset=utf-8').header('cache-control', 'no-cache, no-transform').header('x-accel-buffering', 'no');
        stream.write(`retry: 3000\n${frame('ready', { unit: scope.unitId })}`);
        if (req.query.once) {
          stream.end();
          return reply.send(stream);
        }
        const forward = async (changes: DocumentChange[]) => {
          let ids = changes.filter((c) => scope.unitId === null || c.unitId === scope.unitId).map((c) => c.documentId);
          if (ids.length && scope.assigneeId !== null) {
            const mine = await database
              .query<{ id: string }>('select id from documents where id = any($1::text[]) and assignee_id = $2', [ids, scope.assigneeId])
              .catch(() => []);
            ids = mine.map((r) => r.id);
          }
          if (ids.length && !stream.writableEnded) stream.write(frame('documents', { documents: [...new Set(ids)] }));
        };
        const off = hub.on((changes) => void forward(changes));
        // A comment line now and then keeps proxies from closing a quiet stream.
        const ping = setInterval(() => stream.write(': ping\n\n'), opts.keepAliveMs ?? 25_000);
        open.add(stream);
        req.raw.on('close', () => {
          off();
          clearInterval(ping);
          open.delete(stream);
          stream.end();
        });
        return reply.send(stream);
      },
    );
  };
}
