/**
 * The one place vanthu reaches past smtp-server's documented API. Everything else in gateway/smtp
 * uses documented options, the on* handlers, and `server.connect(socket, { id })` (documented since
 * smtp-server 1.16: "pass already established sockets to the server").
 *
 * Why it is needed: the edge (edge.ts) must be able to
 *   1. end a session on its own timeouts and at shutdown, with a 421 reply, at a moment when no
 *      handler is running (the handlers can only answer the command in progress), and
 *   2. see every reply line before it is written, so a client that did not negotiate SMTPUTF8
 *      never receives a byte >= 0x80, including from smtp-server's own replies, some of which echo
 *      what the client sent (e.g. "Error: duplicate <PARAM> parameter").
 * smtp-server has no public hook for either. Its per-session SMTPConnection has both: `send()` is
 * the library's single write site for replies (its source says so), and a 421 through it also
 * closes the connection in the library's orderly way (suppressing the write mid-STARTTLS, closing
 * the DATA stream, half-close deadline). `send`, `close`, `id` and `session` are declared public
 * in the library's own type declarations; what is not documented is how to get the object:
 * `server.connections`, the set of live connections. That lookup, and wrapping `send`, is all
 * this module does.
 *
 * tests/smtp-seam.test.ts fails if smtp-server changes any of this: no `connections` set, no
 * connection with our id right after connect(), a reply that does not pass through `send`, or a
 * 421 through `send` that does not close the connection. `attach` also checks the shape at run
 * time and throws, so a changed library fails at the first connection instead of misbehaving.
 */
import type net from 'node:net';
import type { SMTPServer, SMTPServerSession } from 'smtp-server';

/** What vanthu uses of smtp-server's SMTPConnection (declared public in smtp-server/lib/smtp-connection.d.ts). */
interface LibraryConnection {
  id: string;
  session: SMTPServerSession;
  send(code: number, data?: string | string[] | null, context?: string | false): void;
  close(): void;
}

/** Rewrites a reply's text lines before smtp-server writes them. */
export type ReplyFilter = (code: number, lines: string[]) => string[];
/** Called once each reply has been written (the place to end a session after a reply). */
export type AfterReply = (code: number) => void;

/** A live smtp-server session, as the edge sees it. */
export interface SessionHandle {
  readonly id: string;
  /** The session object smtp-server passes to the on* handlers of this connection. */
  readonly session: SMTPServerSession;
  /** Sends an unsolicited `421 <text>` (RFC 5321 §3.8) and closes the connection. */
  closeWith421(text: string): void;
}

export class SmtpLibraryChanged extends Error {
  constructor(what: string) {
    super(`smtp-server no longer works as gateway/smtp/connection-seam.ts expects: ${what}`);
    this.name = 'SmtpLibraryChanged';
  }
}

/**
 * Hands an accepted socket to smtp-server under our session id and returns the session's handle;
 * every reply of the session passes through `filter` first, and `after` runs once it is written.
 */
export function attach(server: SMTPServer, socket: net.Socket, id: string, filter: ReplyFilter, after?: AfterReply): SessionHandle {
  server.connect(socket, { id });
  const connections = (server as unknown as { connections?: unknown }).connections;
  if (!(connections instanceof Set)) throw new SmtpLibraryChanged('SMTPServer#connections is not a Set');
  let conn: LibraryConnection | undefined;
  for (const c of connections as Set<LibraryConnection>) if (c.id === id) conn = c;
  if (!conn) throw new SmtpLibraryChanged('no connection with the given id after connect()');
  if (typeof conn.send !== 'function' || typeof conn.close !== 'function' || typeof conn.session !== 'object') {
    throw new SmtpLibraryChanged('SMTPConnection has no send()/close()/session');
  }
  const live = conn;
  const send = live.send;
  live.send = function (code, data, context) {
    const lines = data == null ? [] : Array.isArray(data) ? data.map(String) : [String(data)];
    const out = filter(code, lines);
    send.call(this, code, Array.isArray(data) ? out : data == null ? data : out.join(' '), context);
    after?.(code);
  };
  return {
    id,
    get session() {
      return live.session;
    },
    closeWith421(text: string) {
      live.send(421, text, false);
      live.close();
    },
  };
}
