/**
 * Every file the gateway opens is closed again, on every path (issue 13 §6): accepts small and
 * large, over the size limit, uploads cut off mid-body or refused (422, 413), raw downloads read
 * to the end or abandoned after the first chunk (from a pack and from a loose file), a blob that
 * has gone missing, the worker's reads, and unpacking. The gateway runs in this process, so its
 * descriptors are this process's: /proc/self/fd is read before and after. Afterwards no descriptor
 * may point into the blob store (exact), and the process's total may not have grown past a small
 * slack (sockets of other kinds come and go: Redis, PGlite's files). A FileHandle left open and
 * later closed by the garbage collector (Node warns "Closing file descriptor N on garbage
 * collection") fails the test too, whenever the collector happens to run.
 *
 * Run alone: `npx vitest run tests/file-handles.test.ts` (Linux: needs /proc). It also runs in
 * `npm test` with the other suites.
 */
import { readdirSync, readlinkSync, rmSync } from 'node:fs';
import http from 'node:http';
import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inboundMessages } from '../gateway/store/schema.ts';
import { startTestGateway, waitFor, type TestGateway } from './helpers/gateway.ts';
import { plainMail } from './helpers/mime.ts';
import { transport } from './helpers/smtp.ts';

const UNIT = 'vanthu@stc.lamdong.gov.vn';
const MAX = 3 * 1024 * 1024;
/** Sockets and database files that may legitimately come or go between the two counts. */
const SLACK = 8;

/** Paths of this process's open descriptors (sockets and pipes as "socket:[…]", "pipe:[…]"). */
function openFds(): string[] {
  const out: string[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      out.push(readlinkSync(`/proc/self/fd/${fd}`));
    } catch {
      /* the directory's own descriptor, closed by now */
    }
  }
  return out;
}

const under = (root: string) => openFds().filter((p) => p.startsWith(root + '/') || p === root);

/** A raw HTTP request on its own connection (no keep-alive pool), so nothing lingers on the client side. */
function request(
  gw: TestGateway,
  method: string,
  path: string,
  opts: { body?: Buffer; abortAfterBytes?: number; readFirstChunkOnly?: boolean } = {},
): Promise<{ status: number | null; bytes: number }> {
  return new Promise((resolve) => {
    const req = http.request({
      host: '127.0.0.1',
      port: gw.httpPort!,
      method,
      path,
      agent: false,
      headers: { authorization: `Bearer ${gw.token}`, 'content-type': 'message/rfc822', connection: 'close' },
    });
    let settled = false;
    const done = (status: number | null, bytes: number) => {
      if (!settled) {
        settled = true;
        resolve({ status, bytes });
      }
    };
    req.on('error', () => done(null, 0));
    req.on('response', (res) => {
      let bytes = 0;
      res.on('data', (d: Buffer) => {
        bytes += d.length;
        if (opts.readFirstChunkOnly) {
          req.destroy(); // the reader goes away mid-download
          done(res.statusCode ?? null, bytes);
        }
      });
      res.on('end', () => done(res.statusCode ?? null, bytes));
      res.on('error', () => done(res.statusCode ?? null, bytes));
      res.on('close', () => done(res.statusCode ?? null, bytes));
    });
    if (opts.abortAfterBytes !== undefined && opts.body) {
      req.write(opts.body.subarray(0, opts.abortAfterBytes), () => setTimeout(() => req.destroy(), 50));
    } else req.end(opts.body);
  });
}

const mail = (id: string, bytes: number, to = UNIT) => plainMail(id, to, ['Kính gửi: Sở Tài chính tỉnh Lâm Đồng', 'x'.repeat(bytes)]);

describe('file handles (PGlite, all roles in this process)', () => {
  let gw: TestGateway;
  let blobsRoot: string;

  /** Node closes a FileHandle nobody closed when it is garbage-collected, and says so: each such warning is a leak. */
  const collected: string[] = [];
  const onWarning = (w: Error) => {
    if (/Closing file descriptor \d+ on garbage collection/.test(w.message)) collected.push(w.message);
  };

  beforeAll(async () => {
    process.on('warning', onWarning);
    gw = await startTestGateway({
      backend: 'pglite',
      configure: (c) => {
        c.smtp.maxMessageBytes = MAX;
        c.ingest.unpackIdleMs = 600_000; // small messages stay packed until the test unpacks them
      },
    });
    blobsRoot = gw.blobs.root;
  });
  afterAll(async () => {
    process.off('warning', onWarning);
    await gw?.close();
  });

  async function settled(ids: string[]): Promise<void> {
    await waitFor(
      async () => {
        const rows = await gw.database.db.select({ state: inboundMessages.state }).from(inboundMessages).where(inArray(inboundMessages.id, ids));
        return rows.length === ids.length && rows.every((r) => r.state === 'decided' || r.state === 'failed');
      },
      60_000,
      'the pipeline to finish with every message',
    );
  }

  async function smtp(id: string, bytes: number): Promise<string | null> {
    try {
      const info = await transport(gw.smtpPort!).sendMail({ envelope: { from: 'vanthu@ubnd.bentre.gov.vn', to: [UNIT] }, raw: mail(id, bytes) });
      return /queued as ([0-9A-Z]{26})/.exec(info.response)![1];
    } catch (err) {
      expect((err as Error).message).toMatch(/552/);
      return null;
    }
  }

  it('closes every file it opens on the accept, read and unpack paths, failures included', async () => {
    // Warm-up: every path once, so long-lived descriptors (database files, connections) are open before the baseline.
    const warm = [(await smtp('warm-small', 2000))!, (await smtp('warm-large', 1_500_000))!];
    await settled(warm);
    await request(gw, 'GET', `/api/messages/${warm[1]}/raw`);
    await gw.accept!.unpackAll();
    await waitFor(() => under(blobsRoot).length === 0, 10_000, 'no blob-store descriptors after the warm-up');
    const baseline = openFds().length;

    const ids: string[] = [];
    // Small messages (journal, packs) and large ones (temp file, fsync, rename).
    for (let i = 0; i < 6; i++) ids.push((await smtp(`small-${i}`, 20_000))!);
    for (let i = 0; i < 3; i++) ids.push((await smtp(`large-${i}`, 1_500_000))!);
    // Over the limit: the spool's temp file is opened past 1 MiB, then discarded.
    for (let i = 0; i < 4; i++) expect(await smtp(`huge-${i}`, MAX + 100_000)).toBeNull();
    const body = Buffer.from(mail('upload', 2_000_000));
    // Uploads cut off mid-body (past the 1 MiB in-memory part: the temp file is open when the socket dies).
    for (let i = 0; i < 8; i++) await request(gw, 'POST', `/api/messages?to=${encodeURIComponent(UNIT)}`, { body, abortAfterBytes: 1_400_000 });
    // Refused uploads: no unit among the recipients (422), too large (413).
    const stranger = Buffer.from(mail('stranger', 2_000_000, 'someone@example.org'));
    for (let i = 0; i < 5; i++) expect((await request(gw, 'POST', '/api/messages', { body: stranger })).status).toBe(422);
    const tooBig = Buffer.from(mail('too-big', MAX + 100_000));
    for (let i = 0; i < 3; i++) expect((await request(gw, 'POST', `/api/messages?to=${encodeURIComponent(UNIT)}`, { body: tooBig })).status).toBe(413);
    expect((await request(gw, 'POST', `/api/messages?to=${encodeURIComponent(UNIT)}`, { body })).status).toBe(201);

    await settled(ids);
    // Raw downloads while small messages are still packed, and of loose large ones: whole, and abandoned.
    for (const id of [ids[0], ids[6]]) {
      const whole = await request(gw, 'GET', `/api/messages/${id}/raw`);
      expect([whole.status, whole.bytes > 10_000]).toEqual([200, true]);
      for (let i = 0; i < 4; i++) await request(gw, 'GET', `/api/messages/${id}/raw`, { readFirstChunkOnly: true });
    }
    // A blob that has gone missing answers with an error, and opens nothing that stays open.
    const [gone] = await gw.database.db.select().from(inboundMessages).where(eq(inboundMessages.id, ids[7]));
    rmSync(gw.blobs.pathOf(gone.blobSha256));
    for (let i = 0; i < 3; i++) expect((await request(gw, 'GET', `/api/messages/${ids[7]}/raw`)).status).toBeGreaterThanOrEqual(500);
    await expect(gw.blobs.read(gone.blobSha256)).rejects.toThrow(/ENOENT/);
    await expect(gw.blobs.stream(gone.blobSha256)).rejects.toThrow(/ENOENT/);
    // Unpacking writes the packed ones out as loose files and deletes the packs; then read them loose, and drop a stream unread.
    expect(await gw.accept!.unpackAll()).toBeGreaterThan(0);
    for (let i = 0; i < 3; i++) await request(gw, 'GET', `/api/messages/${ids[1]}/raw`, { readFirstChunkOnly: true });
    const [loose] = await gw.database.db.select().from(inboundMessages).where(eq(inboundMessages.id, ids[2]));
    for (let i = 0; i < 5; i++) (await gw.blobs.stream(loose.blobSha256)).destroy();
    await gw.accept!.unpackAll(); // settles the journal: its open segment is closed

    await waitFor(() => under(blobsRoot).length === 0, 15_000, `no descriptor left open in the blob store (open: ${JSON.stringify(under(blobsRoot))})`);
    await waitFor(() => openFds().length <= baseline + SLACK, 15_000, `the descriptor count back near its baseline of ${baseline}`);
    await new Promise((r) => setImmediate(r));
    expect(collected).toEqual([]);
  }, 180_000);
});
