/**
 * Who a bearer token is. Config tokens (http.tokens) are service principals with their configured
 * role (`admin`, the default, or `relay` for the Haraka plugin); the registry adds user sessions
 * (login tokens) through acceptSessionTokens. What a principal may do is decided by
 * gateway/registry/access/policy.ts, enforced for every route by the hook in server.ts.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { servicePrincipal, type Principal, type RouteAccess, type ServiceRole } from '../registry/access/policy.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the access hook for every route that is not public. */
    principal?: Principal;
  }
  interface FastifyContextConfig {
    /** Every /api route declares what it needs (gateway/registry/access/policy.ts); the server refuses to start otherwise. */
    permission?: RouteAccess;
  }
}

export type TokenList = Array<{ name: string; token: string; role?: ServiceRole }>;
type SessionResolver = (token: string) => Promise<Principal | null>;

// Keyed by the config's token list: the guard is built from it alone, and each running gateway
// (tests start several in one process) has its own list and its own database.
const sessionResolvers = new WeakMap<TokenList, SessionResolver>();

export function acceptSessionTokens(tokens: TokenList, resolve: SessionResolver): void {
  sessionResolvers.set(tokens, resolve);
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function bearerToken(req: FastifyRequest): string | null {
  return /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? null;
}

/** The principal behind the request's bearer token, or null (none, unknown, expired). */
export async function authenticate(tokens: TokenList, req: FastifyRequest): Promise<Principal | null> {
  const token = bearerToken(req);
  if (!token) return null;
  const found = tokens.find((t) => same(t.token, token));
  if (found) return servicePrincipal(found.name, found.role ?? 'admin');
  const resolve = sessionResolvers.get(tokens);
  return resolve ? resolve(token) : null;
}

export const UNAUTHENTICATED = {
  statusCode: 401,
  error: 'Unauthorized',
  message: 'Chưa đăng nhập: thiếu hoặc sai mã truy cập (missing or invalid bearer token)',
};
