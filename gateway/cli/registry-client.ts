/**
 * How the registry's CLI commands reach it: through the running gateway's API (it owns the
 * embedded database; the token is VANTHU_API_TOKEN — a login token acts with that user's role —
 * or the first admin config token) — the authorisation policy applies to it as to any API call —
 * else by opening storage directly as the operator (gateway/registry/access/policy.ts OPERATOR, an admin:
 * whoever can read the configuration and the data directory administers the installation).
 * Changes made directly are picked up by the follow-up sweep of the next running worker.
 */
import type { Config } from '../config/load.ts';
import { gatewayClient, isUnreachable, readError } from './gateway-client.ts';
import { AccessDenied, OPERATOR, type Principal } from '../registry/access/policy.ts';
import { RegistryError } from '../registry/errors.ts';
import type { RegistryRuntime } from '../registry/runtime.ts';

export const CLI_PRINCIPAL: Principal = OPERATOR;

export interface RegistryCall<T> {
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  /** Binary answer (a printed book): the bytes instead of JSON. */
  raw?: boolean;
  direct(rt: RegistryRuntime, p: Principal): Promise<T>;
}

/** A refusal from the registry (the gateway's HTTP status, or the same status when run directly). */
export class CliFailure extends Error {
  readonly code: string;
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.code = `registry:${status}`;
  }
}

export async function callRegistry<T>(config: Config, call: RegistryCall<T>): Promise<T | Buffer> {
  try {
    const init = call.body === undefined ? {} : { body: JSON.stringify(call.body), headers: { 'content-type': 'application/json' } };
    const res = await gatewayClient(config).request(call.method, call.path, init);
    if (!res.ok) throw new CliFailure(res.status, `gateway answered ${res.status}: ${await readError(res)}`);
    return call.raw ? Buffer.from(await res.arrayBuffer()) : ((await res.json()) as T);
  } catch (err) {
    if (!isUnreachable(err)) throw err;
  }
  // No gateway: storage opened here, loading only what this path needs (docs/cli.md, "Fast start").
  const [{ openStorage }, { createRuntime }, { silentLogger }, { withAuditVia }] = await Promise.all([
    import('../store/storage.ts'),
    import('../registry/runtime.ts'),
    import('../log.ts'),
    import('../registry/audit.ts'),
  ]);
  const storage = await openStorage(config);
  try {
    const rt = createRuntime({ database: storage.database, config, log: silentLogger, blobs: storage.blobs });
    // What it records says it was done at the command line (as the gateway does for its API, gateway/http/channel.ts).
    return await withAuditVia({ channel: 'cli' }, () => call.direct(rt, CLI_PRINCIPAL));
  } catch (err) {
    if (err instanceof RegistryError || err instanceof AccessDenied) throw new CliFailure(err.status, err.message);
    throw err;
  } finally {
    await storage.close();
  }
}

/** Runs a command body, printing a CliFailure as one line on stderr with exit code 1. */
export async function runCli(name: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (err) {
    if (!(err instanceof CliFailure)) throw err;
    process.stderr.write(`vanthu ${name}: ${err.message}\n`);
    return 1;
  }
}

/** "--set field=value" pairs → corrections; "field=" clears the field. */
export function corrections(pairs: string[] | undefined): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const p of pairs ?? []) {
    const i = p.indexOf('=');
    if (i <= 0) throw new CliFailure(2, `--set expects field=value, got "${p}"`);
    out[p.slice(0, i)] = p.slice(i + 1) || null;
  }
  return out;
}
