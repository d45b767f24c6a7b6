/**
 * GET /api/events read as the console reads it (gateway/http/events.ts): the stream's text so far,
 * `until` a pattern is in it, and the ids of the first `documents` event. Read with node:http, whose
 * `destroy` closes the connection at once (a fetch aborted mid-stream may keep it, and then the
 * gateway's stop waits for it).
 */
import http from 'node:http';

export interface EventStream {
  /** Everything received so far. */
  readonly seen: string;
  /** Reads until `what` matches the text received (the stream ending first fails). */
  until(what: RegExp): Promise<void>;
  /** The document ids of the first "documents" event (read until there is one). */
  firstDocuments(): Promise<string[]>;
  close(): void;
}

export async function openEvents(base: string, token: string): Promise<EventStream> {
  const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
    http.get(`${base}/api/events`, { headers: { authorization: `Bearer ${token}` } }, resolve).on('error', reject);
  });
  if (res.statusCode !== 200 || !/^text\/event-stream/.test(res.headers['content-type'] ?? '')) {
    res.destroy();
    throw new Error(`GET /api/events: ${res.statusCode} ${res.headers['content-type']}`);
  }
  res.setEncoding('utf8');
  let seen = '';
  let ended = false;
  let wake = () => {};
  res.on('data', (chunk: string) => {
    seen += chunk;
    wake();
  });
  res.on('close', () => {
    ended = true;
    wake();
  });
  const stream: EventStream = {
    get seen() {
      return seen;
    },
    async until(what) {
      while (!what.test(seen)) {
        if (ended) throw new Error(`stream ended before ${what}: ${seen}`);
        await new Promise<void>((r) => {
          wake = r;
        });
      }
    },
    async firstDocuments() {
      await stream.until(/event: documents\ndata: .*\n\n/);
      return (JSON.parse(/event: documents\ndata: (.*)\n/.exec(seen)![1]) as { documents: string[] }).documents;
    },
    close: () => res.destroy(),
  };
  await stream.until(/event: ready/);
  return stream;
}
