/**
 * Bearer-token guard for /api. Config tokens (http.tokens) are service principals with admin
 * rights, so scripts and the CLI keep working; the registry adds user sessions (login tokens)
 * through acceptSessionTokens.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

export interface ApiPrincipal {
  name: string;
  /** Absent for config tokens (service principals); registry users carry their role and unit. */
  user?: {
    id: string;
    email: string;
    role: 'officer' | 'clerk' | 'leader' | 'admin';
    unitId: string;
    department: string | null;
  };
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: ApiPrincipal;
  }
}

type TokenList = Array<{ name: string; token: string }>;
type SessionResolver = (token: string) => Promise<ApiPrincipal | null>;

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

export function bearerGuard(tokens: TokenList) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    const found = m ? tokens.find((t) => same(t.token, m[1])) : undefined;
    if (found) {
      req.principal = { name: found.name };
      return;
    }
    const resolve = sessionResolvers.get(tokens);
    const session = m && resolve ? await resolve(m[1]) : null;
    if (session) {
      req.principal = session;
      return;
    }
    reply.header('www-authenticate', 'Bearer realm="vanthu"');
    return reply.code(401).send({ statusCode: 401, error: 'Unauthorized', message: 'Chưa đăng nhập: thiếu hoặc sai mã truy cập (missing or invalid bearer token)' });
  };
}
