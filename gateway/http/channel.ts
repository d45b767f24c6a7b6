/**
 * Which client an API call came from, written into every audit entry the call appends
 * (`data.via.channel`, gateway/registry/audit.ts withAuditVia): the web console, the Outlook add-in
 * and the CLI name themselves in the `x-vanthu-client` header; any other caller (a script with a
 * token) is `api`. Replies to notices carry `mail` (gateway/registry/replies/handle.ts). The header
 * is the client's word, not proven: it tells the usage report which interface people work in
 * (docs/console.md, "Báo cáo"); it decides nothing. So it is recorded as a claim — `via.claimed:
 * true` beside the channel a header named — and the report marks every channel but `mail` (set by
 * the gateway itself when it takes in a reply) as unverified.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { withAuditVia } from '../registry/audit.ts';

export const CLIENT_HEADER = 'x-vanthu-client';
/** Every channel an audit entry may name; `unknown`: written before channels were recorded, or by the pipeline. */
export const CHANNELS = ['console', 'addin', 'mail', 'cli', 'api'] as const;
export type Channel = (typeof CHANNELS)[number];
const CLIENTS: readonly string[] = ['console', 'addin', 'cli'];

export function channelOf(header: string | string[] | undefined): Channel {
  const v = (Array.isArray(header) ? header[0] : header)?.trim().toLowerCase();
  return v && CLIENTS.includes(v) ? (v as Channel) : 'api';
}

/** What an API call's audit entries record of where it came from: a channel a header named is a claim. */
export function auditVia(header: string | string[] | undefined): { channel: Channel; claimed?: true } {
  const channel = channelOf(header);
  return channel === 'api' ? { channel } : { channel, claimed: true };
}

type Handler = (this: FastifyInstance, req: FastifyRequest, reply: FastifyReply) => unknown;

/** Runs each /api handler inside withAuditVia({ channel }), so what it records says where it was done. */
export function installAuditChannel(app: FastifyInstance): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    if (route.url !== '/api' && !route.url.startsWith('/api/')) return;
    const handler = route.handler as Handler;
    route.handler = function (this: FastifyInstance, req: FastifyRequest, reply: FastifyReply) {
      return withAuditVia(auditVia(req.headers[CLIENT_HEADER]), async () => handler.call(this, req, reply));
    } as RouteOptions['handler'];
  });
}
