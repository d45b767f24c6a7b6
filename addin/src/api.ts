/**
 * The gateway's HTTP API as the pane uses it. The pane is served by the gateway itself (/addin/),
 * so the API is on the same origin at ../api/. Every failure becomes an ApiError whose kind says
 * what the person should do next (see state.ts: problemFor).
 */
export type ErrorKind = 'unreachable' | 'unauthenticated' | 'forbidden' | 'not-found' | 'invalid' | 'conflict' | 'server';

export class ApiError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly status: number,
    message: string,
    /** The answer's JSON body, when it had one (e.g. the recipients' candidates of a 400). */
    readonly body: unknown = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function kindForStatus(status: number): ErrorKind {
  if (status === 401) return 'unauthenticated';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not-found';
  if (status === 409) return 'conflict';
  if (status >= 400 && status < 500) return 'invalid';
  return 'server';
}

export interface RequestOptions {
  method?: string;
  json?: unknown;
  raw?: Uint8Array;
  query?: Record<string, string | undefined>;
}

export class Api {
  /** The gateway's clock minus this computer's, from the Date header of its last answer. */
  private skewMs = 0;

  constructor(
    readonly base: string,
    private token: string | null = null,
    private readonly fetcher: typeof fetch = (...a) => fetch(...a),
  ) {}

  /**
   * The time by the gateway's clock: deadlines are counted on the server's calendar, so a PC whose
   * clock is off by a day must not show an item as overdue (or not) differently from the books.
   */
  now(): Date {
    return new Date(Date.now() + this.skewMs);
  }

  setToken(token: string | null): void {
    this.token = token;
  }

  async request<T>(path: string, opts: RequestOptions = {}): Promise<T> {
    const url = new URL(path.replace(/^\//, ''), this.base);
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let body: BodyInit | undefined;
    if (opts.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.json);
    } else if (opts.raw) {
      headers['content-type'] = 'message/rfc822';
      body = opts.raw as unknown as BodyInit;
    }
    let res: Response;
    try {
      res = await this.fetcher(url, { method: opts.method ?? (body ? 'POST' : 'GET'), headers, body });
    } catch (err) {
      throw new ApiError('unreachable', 0, (err as Error).message);
    }
    const served = Date.parse(res.headers.get('date') ?? '');
    if (Number.isFinite(served)) this.skewMs = served - Date.now();
    const text = await res.text();
    let data: unknown = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      data = null;
    }
    if (!res.ok) {
      const message = (data as { message?: string } | null)?.message ?? (text.slice(0, 200) || res.statusText);
      throw new ApiError(kindForStatus(res.status), res.status, message, data);
    }
    return data as T;
  }
}

/**
 * A fetch that names the client in `x-vanthu-client` ("addin", "console"): the gateway records it
 * as the channel of the audit entries the call writes (gateway/http/channel.ts), so the usage
 * report can tell the add-in from the console.
 */
export function clientFetch(client: 'addin' | 'console'): typeof fetch {
  return (input, init = {}) => fetch(input, { ...init, headers: { ...(init.headers as Record<string, string> | undefined), 'x-vanthu-client': client } });
}

/** The API base for a pane served at <origin>/<prefix>/addin/taskpane.html. */
export function apiBase(location: string): string {
  return new URL('../', location).href;
}
