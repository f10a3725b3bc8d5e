import { TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { LayerStack, type FieldProblem } from '../lib/layer-stack';

/**
 * Refuses a module's props that break the rules of its `<module>PropProblems` function, next to the resources they
 * configure. Layers call the same function from `validate()` (nested under their config field), so a bad config is
 * refused before any construct exists; this is the guard for callers that did not.
 *
 * Inside a layer the problems join the organisation's other problems, named after project, account and layer and
 * prefixed with the module's place in the layer (`acme/apps-prd/serverless: fn-api.logRetentionDays: 400 is not ...`),
 * and the synth is refused before anything is written. Outside a layer (a test stack) they throw at once.
 */
export function refuseProblems(scope: Construct, id: string, problems: readonly FieldProblem[]): void {
  if (problems.length === 0) return;
  const stack = TerraformStack.of(scope);
  const where = [...scope.node.scopes.slice(1).map((s) => s.node.id).filter((s) => s !== stack.node.id), id].join('/');
  if (stack instanceof LayerStack) {
    const { org, account, layer } = stack.ctx;
    for (const p of problems) {
      org.problems.report({ project: org.project.name, account: account.name, layer }, p.field ? `${where}.${p.field}` : where, p.message);
    }
    return;
  }
  throw new Error(`${where}: ${problems.map((p) => (p.field ? `${p.field}: ${p.message}` : p.message)).join('; ')}`);
}
