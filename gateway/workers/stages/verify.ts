/**
 * Stage "verify": checks every signature layer of the stored raw message (mail authentication with
 * the SMTP session's data, S/MIME, PDF and edXML attachments) against the configured trust store.
 * The result is the `vanthu verify` report shape plus `signedRevisions` (the signed revisions of
 * PDFs changed after signing, kept as blobs). The trust store is loaded once per process. The raw
 * bytes and the attachments are those the job already read and parsed (parsed-message.ts,
 * docs/architecture.md "One parse per job").
 */
import type { Config } from '../../config/load.ts';
import { configuredDns, configuredTrust } from '../../trust/configured.ts';
import { verifyMessage, type DnsResolver, type SignedRevision, type TrustStore, type VerifyReport } from '../../trust/index.ts';
import { PermanentError, VanthuError } from '../../errors.ts';
import type { Stage, StageContext, StoredRevision } from '../pipeline.ts';
import { parsedMessage, rawMessage, releaseMime } from '../parsed-message.ts';
import { pooledVerify } from '../pool/job.ts';

const loaded = new WeakMap<Config, Promise<{ trust: TrustStore; dns: DnsResolver | undefined }>>();

function trustFor(config: Config) {
  let p = loaded.get(config);
  if (!p) {
    p = (async () => ({ trust: await configuredTrust(config), dns: await configuredDns(config) }))();
    p.catch(() => loaded.delete(config)); // a fixed config file is picked up on the next attempt
    loaded.set(config, p);
  }
  return p;
}

/** verifyMessage on this thread, with the job's raw bytes and parse. */
async function verifyHere(ctx: StageContext): Promise<{ report: VerifyReport; revisions: SignedRevision[] }> {
  const { message, config, clock } = ctx;
  const { trust, dns } = await trustFor(config);
  const raw = await rawMessage(ctx);
  // Without a parse (mailparser gave up, a limit now lower than when the parse stage ran)
  // verifyMessage parses the attachments itself and says what it could not read, as it always did.
  const attachments = (await parsedMessage(ctx).catch(() => null))?.mail.attachments;
  const smtp = message.remoteIp ? { ip: message.remoteIp, helo: message.helo ?? '', mailFrom: message.mailFrom ?? '' } : undefined;
  const revisions: SignedRevision[] = [];
  const opts = { trust, dns, smtp, now: clock.now(), onSignedRevision: (r: SignedRevision) => revisions.push(r) };
  return { report: await verifyMessage(raw, opts, attachments), revisions };
}

export const verifyStage: Stage<'verify'> = {
  name: 'verify',
  doneState: 'verified',
  async run(ctx) {
    const { blobs } = ctx;
    // With a CPU pool verification runs on the job's thread, on the parse kept there (pool/job.ts).
    const { report, revisions } = await (ctx.pool ? pooledVerify(ctx, ctx.pool) : verifyHere(ctx)).catch((err: unknown) => {
      // verifyMessage turns what it can into verdicts; what still escapes is a function of the bytes: not retried.
      throw err instanceof VanthuError
        ? err
        : new PermanentError('verify-failed', `signature verification failed: ${(err as Error)?.message ?? String(err)}`, { cause: err });
    });
    // No later stage reads the raw message or its parse (docs/architecture.md "One parse per job").
    releaseMime(ctx);
    // A PDF changed after signing: the bytes its signature covers are kept beside it, so a clerk
    // can open exactly what was signed (GET /api/documents/:id/signed-revision).
    const signedRevisions: StoredRevision[] = [];
    for (const { bytes, ...r } of revisions) {
      await blobs.put(bytes);
      signedRevisions.push(r);
    }
    return { ...report, signedRevisions };
  },
};
