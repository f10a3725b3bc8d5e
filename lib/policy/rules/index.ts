/** Every rule of the built-in pack, in report order. */
import type { Rule } from '../model';
import { auditRules } from './audit';
import { backupRules } from './backup';
import { baselineRules } from './baseline';
import { containerRules } from './containers';
import { dataRules } from './data';
import { edgeRules } from './edge';
import { eksAddonRules } from './eks-addons';
import { networkRules } from './network';
import { networkAccessRules } from './network-access';
import { s3Rules } from './s3';
import { securityServiceRules } from './security-services';
import { stackRules } from './stack';
import { workloadRules } from './workloads';

export const RULES: readonly Rule[] = [
  ...stackRules,
  ...s3Rules,
  ...networkRules,
  ...networkAccessRules,
  ...auditRules,
  ...dataRules,
  ...backupRules,
  ...containerRules,
  ...eksAddonRules,
  ...edgeRules,
  ...workloadRules,
  ...baselineRules,
  ...securityServiceRules,
];

const ID = /^POL-[A-Z0-9]+-\d{3}$/;
const seen = new Set<string>();
for (const rule of RULES) {
  if (!ID.test(rule.id)) throw new Error(`policy rule id ${rule.id} does not match POL-<SERVICE>-<NNN>`);
  if (seen.has(rule.id)) throw new Error(`policy rule id ${rule.id} is registered twice`);
  seen.add(rule.id);
}

export const RULES_BY_ID: ReadonlyMap<string, Rule> = new Map(RULES.map((r) => [r.id, r]));
