/**
 * How CLI commands reach state: through the running gateway's HTTP API when one answers (it owns
 * the embedded database), else by opening storage directly.
 */
import type { Config } from '../config/load.ts';

export interface GatewayClient {
  base: string;
  token: string;
  request(method: string, path: string, init?: { body?: BodyInit; headers?: Record<string, string> }): Promise<Response>;
}

export function gatewayClient(config: Config, env: NodeJS.ProcessEnv = process.env): GatewayClient {
  const host = config.http.host === '0.0.0.0' || config.http.host === '::' ? '127.0.0.1' : config.http.host;
  const base = env.VANTHU_API_URL ?? `http://${host.includes(':') ? `[${host}]` : host}:${config.http.port}`;
  // A relay token is for the Haraka plugin only: the CLI takes the first admin one.
  const token = env.VANTHU_API_TOKEN ?? config.http.tokens.find((t) => t.role === 'admin')?.token ?? '';
  return {
    base,
    token,
    request: (method, path, init = {}) =>
      fetch(new URL(path, base), {
        method,
        body: init.body,
        // The channel of what this call records in the audit log (gateway/http/channel.ts).
        headers: { authorization: `Bearer ${token}`, 'x-vanthu-client': 'cli', ...init.headers },
        signal: AbortSignal.timeout(30_000),
        ...(init.body ? { duplex: 'half' } : {}),
      } as RequestInit),
  };
}

/** True when the error means nothing listens there (so the CLI may open storage itself). */
export function isUnreachable(err: unknown): boolean {
  const code = (err as { cause?: { code?: string } })?.cause?.code;
  return code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH';
}

export async function readError(res: Response): Promise<string> {
  const text = await res.text();
  try {
    return (JSON.parse(text) as { message?: string }).message ?? text;
  } catch {
    return text || res.statusText;
  }
}
