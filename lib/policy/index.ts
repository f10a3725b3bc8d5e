/** The built-in policy pack: rules over synthesized stacks, suppressions with reasons, an aspect and a report. */
export { checkStack, enforcePolicy, evaluate, formatFinding, PolicyAspect, viewOf } from './engine';
export type { Finding, Rule, Severity, StackReport, StackView, ResourceView, SuppressedFinding, UnusedSuppression } from './model';
export { RULES, RULES_BY_ID } from './rules';
export { PolicyError, suppress, MIN_REASON_LENGTH } from './suppress';
