/** Every preflight rule, in report order. */
import type { PreflightRule } from '../engine';
import { backupRules } from './backup';
import { constraintRules } from './constraints';
import { crossAccountRules } from './cross-account';
import { dnsRules } from './dns';
import { identityRules } from './identities';
import { logDeliveryRules } from './log-delivery';
import { orderingRules } from './ordering';
import { podIdentityRules } from './pod-identity';
import { serviceGrantRules } from './service-grants';
import { versionRules } from './versions';

export const PREFLIGHT_RULES: readonly PreflightRule[] = [
  ...identityRules,
  ...podIdentityRules,
  ...serviceGrantRules,
  ...crossAccountRules,
  ...logDeliveryRules,
  ...backupRules,
  ...dnsRules,
  ...constraintRules,
  ...orderingRules,
  ...versionRules,
];

const ID = /^PF-[A-Z0-9]+-\d{3}$/;
const seen = new Set<string>();
for (const rule of PREFLIGHT_RULES) {
  if (!ID.test(rule.id)) throw new Error(`preflight rule id ${rule.id} does not match PF-<AREA>-<NNN>`);
  if (seen.has(rule.id)) throw new Error(`preflight rule id ${rule.id} is registered twice`);
  if (!/^https:\/\/docs\.aws\.amazon\.com\//.test(rule.docs)) throw new Error(`preflight rule ${rule.id} must link an AWS documentation page`);
  seen.add(rule.id);
}

export const PREFLIGHT_RULES_BY_ID: ReadonlyMap<string, PreflightRule> = new Map(PREFLIGHT_RULES.map((r) => [r.id, r]));
