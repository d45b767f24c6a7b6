/**
 * The HTTP requests issuance makes (the TSA, OCSP responders, CRL distribution points): one time
 * limit for the whole exchange and a size limit checked as the body streams, so an oversized answer
 * is refused before it is held whole.
 */

export type HttpFailure = 'no-answer' | 'status' | 'too-large';

export class HttpFetchError extends Error {
  constructor(
    readonly code: HttpFailure,
    message: string,
  ) {
    super(message);
  }
}

export async function fetchBytes(url: string, init: RequestInit = {}, o: { timeoutMs?: number; maxBytes?: number } = {}): Promise<Buffer> {
  const maxBytes = o.maxBytes ?? 20 * 1024 * 1024;
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(o.timeoutMs ?? 20_000), redirect: 'follow' });
  } catch (err) {
    throw new HttpFetchError('no-answer', (err as Error).message);
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new HttpFetchError('status', `HTTP ${res.status}`);
  }
  const length = Number(res.headers.get('content-length') ?? 0);
  if (length > maxBytes) {
    await res.body?.cancel();
    throw new HttpFetchError('too-large', `${length} bytes, over ${maxBytes}`);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = res.body?.getReader();
  try {
    for (let r = await reader?.read(); r && !r.done; r = await reader?.read()) {
      total += r.value.length;
      if (total > maxBytes) throw new HttpFetchError('too-large', `over ${maxBytes} bytes`);
      chunks.push(r.value);
    }
  } catch (err) {
    await reader?.cancel().catch(() => undefined);
    throw err instanceof HttpFetchError ? err : new HttpFetchError('no-answer', (err as Error).message);
  }
  return Buffer.concat(chunks);
}

/** What went wrong asking `what` at `url`, as the clerk reads it. */
export function answerProblem(what: string, url: string, err: unknown): string {
  if (err instanceof HttpFetchError && err.code === 'status') return `${what} ${url} answered ${err.message}`;
  if (err instanceof HttpFetchError && err.code === 'too-large') return `${what} ${url}: the answer is too large (${err.message})`;
  return `${what} ${url} không trả lời (did not answer): ${(err as Error).message}`;
}
