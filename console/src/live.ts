/**
 * Live lists: the console listens to GET /api/events (server-sent events, gateway/http/events.ts)
 * while a list that changes under the person's eyes is open (the review queue, my work), and
 * refreshes it when documents they may see changed — no reload. EventSource cannot send the bearer
 * token, so the stream is read with fetch and parsed with eventsource-parser. A dropped stream is
 * opened again after a pause, and the list refreshed then (changes may have been missed meanwhile).
 */
import { createParser } from 'eventsource-parser';

export interface LiveFeed {
  close(): void;
}

export interface LiveOptions {
  /** The gateway's base URL (where /api is). */
  base: string;
  token: () => string | null;
  /** Runs once per burst of changes (and after a reconnect). */
  onChange: () => void;
  /** Pause before opening a dropped stream again. */
  retryMs?: number;
  /** Changes arriving within this many ms are one refresh. */
  settleMs?: number;
}

export function listen(opts: LiveOptions): LiveFeed {
  const abort = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let retry: ReturnType<typeof setTimeout> | undefined;
  const changed = () => {
    clearTimeout(timer);
    timer = setTimeout(() => !abort.signal.aborted && opts.onChange(), opts.settleMs ?? 150);
  };
  const connect = async (again: boolean): Promise<void> => {
    const token = opts.token();
    if (!token || abort.signal.aborted) return;
    try {
      const res = await fetch(new URL('api/events', opts.base), {
        headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
        signal: abort.signal,
        cache: 'no-store',
      });
      // Not allowed (403) or signed out (401): nothing to listen to; the page itself says why.
      if (res.status === 401 || res.status === 403 || !res.body) return;
      if (!res.ok) throw new Error(String(res.status));
      const parser = createParser({
        onEvent: (ev) => {
          if (ev.event === 'ready') {
            document.documentElement.dataset.live = 'on';
            if (again) changed();
          } else if (ev.event === 'documents') changed();
        },
      });
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        parser.feed(value);
      }
    } catch {
      if (abort.signal.aborted) return;
    }
    document.documentElement.dataset.live = 'off';
    if (!abort.signal.aborted) retry = setTimeout(() => void connect(true), opts.retryMs ?? 3000);
  };
  void connect(false);
  return {
    close() {
      abort.abort();
      clearTimeout(timer);
      clearTimeout(retry);
      delete document.documentElement.dataset.live;
    },
  };
}
