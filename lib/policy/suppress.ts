/**
 * Suppressions: a rule switched off for one construct (and everything under it) with a written reason. They are
 * stored as construct metadata, so they travel with the construct tree to the check, and every one is reported.
 */
import { TerraformStack } from 'cdktf';
import type { IConstruct } from 'constructs';
import { ConfigError, type ConfigProblem } from '../problems';
import { RULES_BY_ID } from './rules';

export const SUPPRESSION_METADATA = 'policy-pack:suppress';
/** A reason shorter than this is not a reason. */
export const MIN_REASON_LENGTH = 10;

export interface Suppression {
  readonly ruleId: string;
  readonly reason: string;
}

/** Errors of the policy pack: error findings, or a malformed suppression. Printed by main.ts like a config error. */
export class PolicyError extends ConfigError {
  constructor(problems: readonly ConfigProblem[], headline: string) {
    super(problems);
    this.name = 'PolicyError';
    this.message = `${headline}:\n${this.message.split('\n').slice(1).join('\n')}`;
  }
}

/** project/account/layer of the stack holding `scope` (a LayerStack), else the stack id as project. */
export function whereOf(scope: IConstruct): Omit<ConfigProblem, 'field' | 'message'> {
  const stack = TerraformStack.of(scope) as TerraformStack & { ctx?: { org?: { project?: { name?: string } }; account?: { name?: string }; layer?: string } };
  const ctx = stack.ctx;
  if (ctx?.org?.project?.name && ctx.account?.name && ctx.layer) {
    return { project: ctx.org.project.name, account: ctx.account.name, layer: ctx.layer };
  }
  return { project: stack.node.id };
}

/** Problem with a suppression's rule id or reason, or undefined when it is well formed. */
export function suppressionProblem(ruleId: unknown, reason: unknown): string | undefined {
  if (typeof ruleId !== 'string' || !RULES_BY_ID.has(ruleId)) return `suppression of unknown rule "${String(ruleId)}"`;
  if (typeof reason !== 'string' || reason.trim().length === 0) return `suppression of ${ruleId} has no reason: write why the rule does not apply here`;
  if (reason.trim().length < MIN_REASON_LENGTH) return `suppression of ${ruleId} has no real reason ("${reason.trim()}"): write why the rule does not apply here`;
  return undefined;
}

/**
 * Switches rule(s) off for `scope` and every resource under it (a resource, a module construct, or the whole stack
 * for stack-level rules such as POL-TF-001), with a mandatory written reason. Refused (PolicyError) without one.
 */
export function suppress(scope: IConstruct, ruleIds: string | readonly string[], reason: string): void {
  for (const ruleId of typeof ruleIds === 'string' ? [ruleIds] : ruleIds) {
    const problem = suppressionProblem(ruleId, reason);
    if (problem) throw new PolicyError([{ ...whereOf(scope), field: scope.node.path, message: problem }], 'policy suppression refused');
    scope.node.addMetadata(SUPPRESSION_METADATA, { ruleId, reason: reason.trim() } satisfies Suppression);
  }
}

/** Suppressions declared directly on one construct. */
export function suppressionsOn(scope: IConstruct): Suppression[] {
  return scope.node.metadata
    .filter((m) => m.type === SUPPRESSION_METADATA)
    .map((m) => m.data as Suppression);
}
