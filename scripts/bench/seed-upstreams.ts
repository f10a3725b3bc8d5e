/**
 * Gives every upstream of the measured layers a state to read in the benchmark's sandbox: the contract's mock outputs,
 * as the runner seeds them for an upstream outside its run. A layer planned on its own needs them: an account or
 * organisation plan chains its layers to each other's planned outputs instead, and records no state for a layer whose
 * outputs are unknown until apply. States that hold outputs already are left as they are (seedMockState).
 */
import * as path from 'path';
import { mockOutputs } from '../../lib/contract';
import { modeFromEnv } from '../../lib/mode';
import { backendBucketName, lockTableName, stateKey } from '../../lib/naming';
import { readProjectFolder, resolveOrganisation } from '../../lib/organisation';
import { REPO_ROOT } from '../lib/paths';
import { seedMockState } from '../lib/sandbox';

/** A stack of cdktf.out/layers.json. */
export interface GraphStack { readonly id: string; readonly account: string; readonly accountId: string; readonly layer: string; readonly dependsOn: readonly string[] }

export async function seedUpstreams(
  endpoints: Parameters<typeof seedMockState>[0],
  graph: readonly GraphStack[],
  layers: readonly Pick<GraphStack, 'dependsOn'>[],
): Promise<void> {
  const org = resolveOrganisation(readProjectFolder(path.join(REPO_ROOT, 'projects', 'acme')), modeFromEnv({ SANDBOX: '1' }));
  const byId = new Map(graph.map((n) => [n.id, n]));
  for (const id of new Set(layers.flatMap((n) => n.dependsOn))) {
    const upstream = byId.get(id)!;
    const contract = org.accounts.get(upstream.account)?.layers.get(upstream.layer)?.kind.contract;
    if (!contract) continue;
    const location = { bucket: backendBucketName('acme', upstream.account, upstream.accountId), key: stateKey(upstream.account, upstream.layer), lockTable: lockTableName('acme', upstream.account), stack: id };
    await seedMockState(endpoints, location, mockOutputs(contract));
  }
}
