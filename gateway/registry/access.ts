/**
 * The registry's view of the authorisation policy. The policy itself — roles, permissions, unit
 * scope, secrecy, the 403/404 rule — lives in gateway/access/policy.ts, the single decision point
 * for every route and CLI command; this module only re-exports it for the registry's modules.
 */
export {
  authorizeDocument,
  authorizeUnit,
  canSeeDocument,
  documentListScope,
  forbidden,
  hasPermission,
  hidden,
  requirePermission,
  unitScope,
  type DocumentFacts,
  type Permission,
  type Principal,
} from '../access/policy.ts';
