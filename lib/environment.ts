/**
 * What an account's `environment` means for sizing and protection. One definition, used by the layers (defaults such
 * as two Aurora instances, multi-AZ caches, protection of stateful resources) and by the policy pack (production-only
 * rules), so "production" never means two different things.
 */
import type { ResolvedAccount } from './model';

/** Environment names that count as production. `prd` is the project's own; the others are common spellings. */
export const PRODUCTION_ENVIRONMENTS: ReadonlySet<string> = new Set(['prd', 'prod', 'production']);

/** True when the account runs production workloads: production sizing and `protect` on by default. */
export function isProduction(account: Pick<ResolvedAccount, 'environment'>): boolean {
  return PRODUCTION_ENVIRONMENTS.has(account.environment);
}
