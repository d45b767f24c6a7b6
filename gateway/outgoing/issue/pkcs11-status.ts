/**
 * The start-up line about each unit whose issuing key is on a PKCS#11 token (docs/issuance.md,
 * "The key on a token"): the token is opened once, and a wrong module, token, PIN or key is logged
 * with its code — the gateway starts anyway, and issuing for that unit is refused with the same
 * error until the configuration is fixed.
 */
import type { OutgoingConfig } from '../../config/outgoing.ts';
import { IssueError } from './issue-error.ts';
import { openTokenKey } from './pkcs11.ts';

interface StartupLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** Opens the token of every unit configured with one; returns the unit ids whose issuing is off. */
export function checkIssueTokens(outgoing: OutgoingConfig, log: StartupLog): string[] {
  const off: string[] = [];
  for (const [unit, cfg] of Object.entries(outgoing.units)) {
    const token = cfg.issue?.pkcs11;
    if (!cfg.issue || !token) continue;
    try {
      const key = openTokenKey(token, process.env[cfg.issue.passwordEnv] ?? '');
      log.info({ unit, module: token.module, token: token.token ?? null, algorithm: key.algorithm.name }, 'issuing key on PKCS#11 token ready');
    } catch (err) {
      off.push(unit);
      const code = err instanceof IssueError ? err.code : 'outgoing.issue.token';
      log.warn({ unit, code, err: (err as Error).message }, `issuing off for unit ${unit}: the PKCS#11 key is unusable`);
    }
  }
  return off;
}
