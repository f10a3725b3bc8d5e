/**
 * Runs the rules over one stack's resolved Terraform JSON, applies suppressions, and reports. The PolicyAspect runs it
 * per stack during synth (annotations); lib/synth.ts calls enforcePolicy() before anything is written, which throws
 * PolicyError listing every error finding (independent of CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS).
 */
import { Annotations, TerraformDataSource, TerraformStack, type IAspect } from 'cdktf';
import type { IConstruct } from 'constructs';
import {
  block,
  isObject,
  type Finding,
  type JsonObject,
  type ResourceView,
  type Rule,
  type StackReport,
  type StackView,
  type SuppressedFinding,
  type UnusedSuppression,
} from './model';
import { RULES } from './rules';
import { PolicyError, suppressionProblem, suppressionsOn, whereOf } from './suppress';

interface LayerLike {
  ctx?: { account?: { environment?: string }; localState?: boolean; org?: { project?: { ci?: { githubRepository?: string } } } };
}

function entries(group: unknown, prefix: string): ResourceView[] {
  if (!isObject(group)) return [];
  const views: ResourceView[] = [];
  for (const [type, byName] of Object.entries(group)) {
    if (!isObject(byName)) continue;
    for (const [name, raw] of Object.entries(byName)) {
      if (!isObject(raw)) continue;
      const { ['//']: meta, ...config } = raw;
      const path = isObject(meta) && isObject(meta.metadata) && typeof meta.metadata.path === 'string' ? meta.metadata.path : undefined;
      views.push({ type, name, address: `${prefix}${type}.${name}`, config, path });
    }
  }
  return views;
}

/** A read-only view of a synthesized stack: what Terraform will see. */
export function viewOf(id: string, tf: JsonObject, options: { environment?: string; localStateAllowed?: boolean; githubRepository?: string } = {}): StackView {
  const resources = entries(tf.resource, '');
  const dataSources = entries(tf.data, 'data.');
  const terraform = isObject(tf.terraform) ? tf.terraform : {};
  if (isObject(terraform.backend)) {
    for (const [type, config] of Object.entries(terraform.backend)) {
      resources.push({ type: 'terraform.backend', name: type, address: `terraform.backend.${type}`, config: isObject(config) ? config : {} });
    }
  } else {
    resources.push({ type: 'terraform.backend', name: 'local', address: 'terraform.backend.local', config: {} });
  }
  const providers = isObject(tf.provider) ? tf.provider.aws : undefined;
  for (const config of Array.isArray(providers) ? providers.filter(isObject) : isObject(providers) ? [providers] : []) {
    const alias = typeof config.alias === 'string' ? config.alias : undefined;
    resources.push({ type: 'provider.aws', name: alias ?? 'default', address: alias ? `provider.aws.${alias}` : 'provider.aws', config });
  }
  const environmentTag = resources.filter((r) => r.type === 'provider.aws')
    .map((p) => block(p.config.default_tags)?.tags).find(isObject)?.Environment;
  const byAddress = new Map([...resources, ...dataSources].map((r) => [r.address, r]));
  return {
    id,
    environment: options.environment ?? (typeof environmentTag === 'string' ? environmentTag : undefined),
    localStateAllowed: options.localStateAllowed ?? false,
    githubRepository: options.githubRepository,
    resources,
    dataSources,
    ofType: (...types) => resources.filter((r) => types.includes(r.type)),
    byAddress: (address) => byAddress.get(address),
  };
}

function messages(rule: Rule, resource: ResourceView, stack: StackView): string[] {
  let result;
  try {
    result = rule.check(resource, stack);
  } catch (error) {
    // Fail closed: an unexpected configuration shape is reported, never silently passed.
    return [`rule could not evaluate this resource (${error instanceof Error ? error.message : String(error)}); fix lib/policy/rules or suppress`];
  }
  if (result === undefined || result === null) return [];
  return typeof result === 'string' ? [result] : [...result];
}

/** Runs rules over a view; `suppressionsFor` returns the suppressions covering an address (innermost first). */
export function evaluate(
  stack: StackView,
  rules: readonly Rule[] = RULES,
  suppressionsFor: (resource: ResourceView) => { ruleId: string; reason: string; path: string }[] = () => [],
): { findings: Finding[]; suppressed: SuppressedFinding[]; used: Set<string>; inspected: Record<string, number> } {
  const inspected: Record<string, number> = {};
  const findings: Finding[] = [];
  const suppressed: SuppressedFinding[] = [];
  const used = new Set<string>();
  for (const rule of rules) {
    for (const resource of stack.ofType(...rule.resourceTypes)) {
      inspected[rule.id] = (inspected[rule.id] ?? 0) + 1;
      for (const message of messages(rule, resource, stack)) {
        const finding: Finding = { ruleId: rule.id, severity: rule.severity, stack: stack.id, address: resource.address, path: resource.path, message };
        const suppression = suppressionsFor(resource).find((s) => s.ruleId === rule.id);
        if (suppression) {
          used.add(`${suppression.path}\u0000${rule.id}`);
          suppressed.push({ ...finding, reason: suppression.reason, suppressedAt: suppression.path });
        } else {
          findings.push(finding);
        }
      }
    }
  }
  return { findings, suppressed, used, inspected };
}

const reports = new WeakMap<TerraformStack, StackReport>();

/** Checks one stack (memoized: construct the whole stack before calling it). */
export function checkStack(stack: TerraformStack, rules: readonly Rule[] = RULES): StackReport {
  const cached = rules === RULES ? reports.get(stack) : undefined;
  if (cached) return cached;
  const layer = stack as TerraformStack & LayerLike;
  const view = viewOf(stack.node.id, stack.toTerraform() as JsonObject, {
    environment: layer.ctx?.account?.environment,
    localStateAllowed: layer.ctx?.localState === true,
    githubRepository: layer.ctx?.org?.project?.ci?.githubRepository,
  });

  // Resource address -> construct, and the suppressions declared anywhere in the stack.
  const owners = new Map<string, IConstruct>();
  const declared: { scope: IConstruct; ruleId: string; reason: string }[] = [];
  for (const construct of stack.node.findAll()) {
    const element = construct as IConstruct & { terraformResourceType?: string; friendlyUniqueId?: string };
    if (typeof element.terraformResourceType === 'string' && typeof element.friendlyUniqueId === 'string') {
      const isData = TerraformDataSource.isTerraformDataSource(construct);
      owners.set(`${isData ? 'data.' : ''}${element.terraformResourceType}.${element.friendlyUniqueId}`, construct);
    }
    for (const s of suppressionsOn(construct)) declared.push({ scope: construct, ...s });
  }
  const invalid: Finding[] = declared
    .map((d) => ({ d, problem: suppressionProblem(d.ruleId, d.reason) }))
    .filter((x) => x.problem !== undefined)
    .map(({ d, problem }) => ({ ruleId: 'POL-SUPPRESSION', severity: 'error', stack: stack.node.id, address: d.scope.node.path, path: d.scope.node.path, message: problem! }));
  const valid = declared.filter((d) => suppressionProblem(d.ruleId, d.reason) === undefined);

  const suppressionsFor = (resource: ResourceView) => {
    const owner = owners.get(resource.address);
    const chain = owner ? owner.node.scopes.slice().reverse() : [stack];
    return chain.flatMap((scope) => valid.filter((d) => d.scope === scope).map((d) => ({ ruleId: d.ruleId, reason: d.reason, path: scope.node.path })));
  };
  const { findings, suppressed, used, inspected } = evaluate(view, rules, suppressionsFor);
  const unused: UnusedSuppression[] = valid
    .filter((d) => !used.has(`${d.scope.node.path}\u0000${d.ruleId}`))
    .map((d) => ({ stack: stack.node.id, ruleId: d.ruleId, path: d.scope.node.path, reason: d.reason }));
  const report: StackReport = { stack: stack.node.id, findings: [...invalid, ...findings], suppressed, unused, inspected };
  if (rules === RULES) reports.set(stack, report);
  return report;
}

export function formatFinding(f: Finding): string {
  return `${f.severity === 'error' ? 'ERROR' : 'WARN '} ${f.stack}: ${f.address}: ${f.ruleId} ${f.message}`;
}

/** Adds the pack's findings to the stack as annotations (warnings, errors) when cdktf runs aspects. */
export class PolicyAspect implements IAspect {
  visit(node: IConstruct): void {
    if (!TerraformStack.isStack(node)) return;
    const annotated = node.node.metadata.some((m) => m.type === 'policy-pack:annotated');
    if (annotated) return;
    node.node.addMetadata('policy-pack:annotated', true);
    for (const f of checkStack(node).findings) {
      const text = `${f.ruleId} ${f.address}: ${f.message}`;
      if (f.severity === 'error') Annotations.of(node).addError(text);
      else Annotations.of(node).addWarning(text);
    }
  }
}

/**
 * Checks every stack before anything is written: prints warnings (and stale suppressions) to `log`, then throws
 * PolicyError naming stack, resource address, rule id and message of every error finding.
 */
export function enforcePolicy(stacks: readonly TerraformStack[], log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): StackReport[] {
  const all = stacks.map((s) => ({ stack: s, report: checkStack(s) }));
  for (const { report } of all) {
    for (const f of report.findings.filter((x) => x.severity === 'warning')) log(`policy: ${formatFinding(f)}`);
    for (const u of report.unused) log(`policy: WARN  ${u.stack}: suppression of ${u.ruleId} at ${u.path} matches nothing`);
  }
  const errors = all.flatMap(({ stack, report }) => report.findings.filter((f) => f.severity === 'error').map((f) => ({ stack, f })));
  if (errors.length > 0) {
    throw new PolicyError(
      errors.map(({ stack, f }) => ({ ...whereOf(stack), field: f.address, message: `${f.ruleId} ${f.message}` })),
      `policy pack: ${errors.length} error finding${errors.length === 1 ? '' : 's'} in ` +
      `${new Set(errors.map((e) => e.f.stack)).size} stack(s) (${[...new Set(errors.map((e) => e.f.stack))].join(', ')}); nothing was ` +
      'synthesized (fix the resource, or suppress(construct, ruleId, reason) from lib/policy for a justified exception)',
    );
  }
  return all.map((a) => a.report);
}
