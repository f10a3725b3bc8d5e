/**
 * Builds the organisation in memory in REAL mode (providers with assume_role and allowed_account_ids, S3 backends
 * with a role), whatever SANDBOX says: the sandbox drops roles, and the preflight is about what real AWS will see.
 * Nothing is written: cdktf's App needs an output folder, so a temporary one is used and removed.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { JsonObject } from '../policy/model';
import type { Mode } from '../mode';
import { sortAccounts } from '../organisation';
import { buildApp } from '../synth';
import { buildModel, type OrganisationInput, type OrgModel } from './model';

export const REAL_MODE: Mode = { bootstrap: false, bootstrapStateDir: path.join(os.tmpdir(), 'preflight-bootstrap') };

export interface LoadOptions {
  readonly projectsDir: string;
  /** Only this project. @default every project */
  readonly project?: string;
  /** Day support windows are judged on, `YYYY-MM-DD`. @default today */
  readonly today?: string;
}

export interface Loaded {
  readonly models: readonly OrgModel[];
  /** Time to construct and resolve every stack (synth), milliseconds. */
  readonly synthMs: number;
}

/** One model per project (each project is its own organisation). */
export function loadOrganisations(options: LoadOptions): Loaded {
  const started = process.hrtime.bigint();
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'preflight-'));
  try {
    const { stacks, graph } = buildApp({ projectsDir: options.projectsDir, mode: REAL_MODE, outdir, project: options.project, policy: false });
    const nodes = new Map(graph.map((n) => [n.id, n]));
    const byProject = new Map<string, OrganisationInput['stacks'][number][]>();
    const orgs = new Map<string, (typeof stacks)[number]['ctx']['org']>();
    for (const stack of stacks) {
      const node = nodes.get(stack.node.id)!;
      const org = stack.ctx.org;
      orgs.set(org.project.name, org);
      const list = byProject.get(org.project.name) ?? [];
      list.push({
        id: node.id,
        account: node.account,
        layer: node.layer,
        kind: node.kind,
        region: node.region,
        stateful: node.stateful,
        dependsOn: node.dependsOn,
        tf: stack.toTerraform() as JsonObject,
      });
      byProject.set(org.project.name, list);
    }
    const models = [...byProject.entries()].map(([name, list]) => {
      const org = orgs.get(name)!;
      const management = org.accounts.has('management') ? 'management' : undefined;
      return buildModel({
        project: {
          name,
          primaryRegion: org.project.primaryRegion,
          drRegion: org.project.drRegion,
          bootstrapRoleName: org.project.bootstrapRoleName,
          managementAccount: management,
          accounts: sortAccounts(org).map((a) => ({
            name: a.name, id: a.id, email: a.email, environment: a.environment, region: a.region, deployRoleName: a.deployRoleName,
          })),
        },
        stacks: list,
        today: options.today,
      });
    });
    return { models, synthMs: Number(process.hrtime.bigint() - started) / 1e6 };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}
