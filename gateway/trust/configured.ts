/** The trust store and DNS resolver a deployment configured (config `trust`), shared by the CLI and the pipeline. */
import { resolve } from 'node:path';
import { PROJECT_ROOT, type Config } from '../config/load.ts';
import { loadZoneFile, systemResolver, type DnsResolver } from './dns.ts';
import { anchorsFromEnv, loadTrustStore, type TrustStore } from './store.ts';

const fromRoot = (paths: string[]) => paths.map((p) => resolve(PROJECT_ROOT, p));

/** Anchors: `override` (CLI --trust), else VANTHU_TRUST_ANCHORS, else config; CRLs: config plus `extraCrls`. */
export async function configuredTrust(config: Config, override?: string[], extraCrls: string[] = []): Promise<TrustStore> {
  const envAnchors = anchorsFromEnv();
  const anchors = override ?? (envAnchors.length ? envAnchors : fromRoot(config.trust.anchors));
  return loadTrustStore({ anchors, crls: [...fromRoot(config.trust.crls), ...extraCrls] });
}

/** `trust.dns`: "system" (the gateway's resolver), "off" (mail authentication reports no DNS), or a zone file. */
export async function configuredDns(config: Config): Promise<DnsResolver | undefined> {
  const setting = config.trust.dns;
  if (setting === 'off') return undefined;
  if (setting === 'system') return systemResolver;
  return loadZoneFile(resolve(PROJECT_ROOT, setting));
}
