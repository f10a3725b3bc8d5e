import type { Construct } from 'constructs';
import { defineContract } from '../lib/contract';
import { LayerStack, type FieldProblem } from '../lib/layer-stack';
import type { LayerContext } from '../lib/model';
import { declaresLayer } from '../lib/layer-presence';
import { FieldProblems, integerBetween, knownAccount } from '../lib/validators';
import {
  applicationBoundaryStatements, operationsRoleName, operationsStatements, provisioningRoleName, provisioningStatements,
} from '../modules/platform-roles';
import { ManagedPolicy, Role } from '../modules/role';
import { baseNetworkContract } from './base-network';
import { developerPlatformContract } from './developer-platform';
import { eksContract } from './eks';
import { fargateContract } from './fargate';

export interface PlatformAccessConfig {
  /** Account holding the developer-platform layer. @default 'shared' */
  readonly platformAccount?: string;
  /** Longest session of the two roles, seconds. @default 3600 */
  readonly maxSessionDurationSeconds?: number;
}

export const platformAccessContract = defineContract('platform-access', {
  provisioning_role_arn: { description: 'Role the platform pipelines assume to provision applications here', mock: 'arn:aws:iam::111111111111:role/acme-mock-platform-provisioning' },
  operations_role_arn: { description: 'Role the platform (Backstage) assumes to show and operate applications here', mock: 'arn:aws:iam::111111111111:role/acme-mock-platform-operations' },
  permissions_boundary_arn: { description: 'Boundary every application role created by the platform must carry', mock: 'arn:aws:iam::111111111111:policy/acme-mock-platform-apps-boundary' },
});

/**
 * The developer platform's way into a workload account: a provisioning role trusted only by the platform's pipeline
 * role and an operations role trusted only by the platform (Backstage) role, both limited to this account's VPC,
 * ECS cluster and EKS cluster. No AdministratorAccess, no PowerUserAccess; application roles the pipeline creates
 * must carry a permissions boundary and live under their own path.
 */
export class PlatformAccess extends LayerStack {
  static readonly contract = platformAccessContract;

  static validate(config: PlatformAccessConfig, ctx: LayerContext): FieldProblem[] {
    const problems = new FieldProblems();
    const platform = config.platformAccount ?? 'shared';
    problems.check('platformAccount', knownAccount(ctx.org, platform));
    if (platform === ctx.account.name) problems.add('platformAccount', 'the platform account cannot be its own workload account');
    problems.check('maxSessionDurationSeconds', integerBetween(config.maxSessionDurationSeconds ?? 3600, 3600, 43200, 'seconds'));
    return problems.list;
  }

  constructor(scope: Construct, ctx: LayerContext, config: PlatformAccessConfig) {
    super(scope, ctx);
    const { account, region, org } = ctx;
    const id = account.id;
    const platform = this.remote(developerPlatformContract, { account: config.platformAccount ?? 'shared' });
    const network = this.remote(baseNetworkContract);
    const vpcArn = `arn:aws:ec2:${region}:${id}:vpc/${network.get('vpc_id')}`;
    const fargate = declaresLayer(ctx, fargateContract) ? this.remote(fargateContract) : undefined;
    const eks = declaresLayer(ctx, eksContract) ? this.remote(eksContract) : undefined;
    const clusters = {
      ecs: fargate ? { arn: fargate.get('cluster_arn'), name: fargate.get('cluster_name'), albName: fargate.get('alb_name') } : undefined,
      eks: eks ? { arn: eks.get('cluster_arn'), name: eks.get('cluster_name') } : undefined,
    };
    const duration = config.maxSessionDurationSeconds ?? 3600;

    const boundary = new ManagedPolicy(this, 'apps-boundary', {
      name: this.resourceName('platform-apps-boundary'),
      description: 'Ceiling of every application role created by the developer platform',
    });
    for (const statement of applicationBoundaryStatements()) boundary.addToPolicy(statement);

    const provisioning = new Role(this, 'provisioning', {
      name: provisioningRoleName(org.project.name, account.name),
      description: 'Assumed by the developer platform pipelines to provision applications',
      maxSessionDuration: duration,
      assumedBy: { principals: platform.get('pipeline_role_arn'), sid: 'PlatformPipelineOnly' },
      policyName: 'provision-applications',
    });
    for (const statement of provisioningStatements({ region, accountId: id, vpcArn, ...clusters, boundaryArn: boundary.arn })) provisioning.addToPolicy(statement);

    const operations = new Role(this, 'operations', {
      name: operationsRoleName(org.project.name, account.name),
      description: 'Assumed by the developer platform (Backstage) to show and operate applications',
      maxSessionDuration: duration,
      assumedBy: { principals: platform.get('platform_role_arn'), sid: 'PlatformOnly' },
      policyName: 'operate-applications',
    });
    for (const statement of operationsStatements({ region, accountId: id, ...clusters })) operations.addToPolicy(statement);

    this.publish(platformAccessContract, {
      provisioning_role_arn: provisioning.arn,
      operations_role_arn: operations.arn,
      permissions_boundary_arn: boundary.arn,
    });
  }
}
