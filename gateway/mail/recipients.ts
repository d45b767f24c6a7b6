/** Reads the header block off a message stream to find its To/Cc addresses, and gives back the whole stream. */
import { PassThrough, type Readable } from 'node:stream';
import { bodyOffset } from './header.ts';

const HEADER_CAP = 256 * 1024;

export function addressesInHeaders(header: string): string[] {
  const unfolded = header.replace(/\r?\n[ \t]+/g, ' ');
  const out: string[] = [];
  for (const m of unfolded.matchAll(/^(?:to|cc|delivered-to|x-original-to):(.*)$/gim)) {
    for (const a of m[1].matchAll(/[^\s<>,;:"]+@[^\s<>,;:"]+/g)) out.push(a[0].toLowerCase());
  }
  return [...new Set(out)];
}

/**
 * The addresses the receiving servers recorded in "Received: … for <address>; …" clauses: where a
 * message was delivered to when no header names that address (a Bcc).
 */
export function receivedForAddresses(header: string): string[] {
  const unfolded = header.replace(/\r?\n[ \t]+/g, ' ');
  const out: string[] = [];
  for (const m of unfolded.matchAll(/^received:(.*)$/gim)) {
    for (const a of m[1].matchAll(/\bfor\s+<?([^\s<>,;:"]+@[^\s<>,;:"]+?)>?(?=[\s;]|$)/gi)) out.push(a[1].toLowerCase());
  }
  return [...new Set(out)];
}

/** `receivedFor`: the addresses of the header's Received "for <…>" clauses (receivedForAddresses). */
export async function recipientsFromHeaders(stream: Readable): Promise<{ rcptTo: string[]; body: Readable; receivedFor: string[] }> {
  const seen: Buffer[] = [];
  let total = 0;
  const it = stream[Symbol.asyncIterator]();
  let done = false;
  while (total < HEADER_CAP) {
    const next = await it.next();
    if (next.done) {
      done = true;
      break;
    }
    seen.push(next.value as Buffer);
    total += (next.value as Buffer).length;
    if (bodyOffset(Buffer.concat(seen)) >= 0) break;
  }
  const head = Buffer.concat(seen);
  const end = bodyOffset(head);
  const headerText = head.subarray(0, end < 0 ? head.length : end).toString('utf8');
  const rcptTo = addressesInHeaders(headerText);
  const receivedFor = receivedForAddresses(headerText);
  const body = new PassThrough();
  body.write(head);
  if (done) body.end();
  else
    void (async () => {
      try {
        for (let n = await it.next(); !n.done; n = await it.next()) if (!body.write(n.value)) await new Promise((r) => body.once('drain', r));
        body.end();
      } catch (err) {
        body.destroy(err as Error);
      }
    })();
  return { rcptTo, body, receivedFor };
}
