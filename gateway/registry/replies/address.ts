/** The Reply-To of an actionable mail: act+<token>@<the unit's domain> (docs/act-by-email.md). */
import { actAddress } from '../../config/act-by-mail.ts';
import type { RegistryRuntime } from '../runtime.ts';
import { actKey } from './key.ts';
import { issueToken, type TokenClaim } from './token.ts';

/** null when act by e-mail is off or the unit is unknown: the mail then simply has no Reply-To. */
export function replyAddress(rt: RegistryRuntime, unitId: string, claim: Omit<TokenClaim, 'expiresOn'>): string | null {
  const cfg = rt.config.registry.actByMail;
  const unit = rt.config.units.find((u) => u.id === unitId);
  if (!cfg.enabled || !unit) return null;
  return actAddress(unit, issueToken(actKey(rt.config), claim, rt.clock.now(), cfg.ttlDays));
}
