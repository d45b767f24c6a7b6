/**
 * Stage "verify": checks every signature layer of the stored raw message (mail authentication with
 * the SMTP session's data, S/MIME, PDF and edXML attachments) against the configured trust store.
 * The result is the `vanthu verify` report shape. The trust store is loaded once per process.
 */
import type { Config } from '../../gateway/config.ts';
import { configuredDns, configuredTrust } from '../../gateway/trust/configured.ts';
import { verifyMessage, type DnsResolver, type TrustStore } from '../../gateway/trust/index.ts';
import type { Stage } from '../pipeline.ts';

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

export const verifyStage: Stage = {
  name: 'verify',
  doneState: 'verified',
  async run({ message, blobs, config, clock }) {
    const { trust, dns } = await trustFor(config);
    const raw = await blobs.read(message.blobSha256);
    const smtp = message.remoteIp ? { ip: message.remoteIp, helo: message.helo ?? '', mailFrom: message.mailFrom ?? '' } : undefined;
    return verifyMessage(raw, { trust, dns, smtp, now: clock.now() });
  },
};
