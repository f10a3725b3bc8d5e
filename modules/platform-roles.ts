/**
 * The developer platform's roles in workload accounts. Their names are shared by the developer platform (shared account)
 * and the platform-access layer of each workload account, so either side can build the other's role ARNs without reading
 * its state (which would be a cycle); their permissions are the statements below, scoped to the account's cluster and
 * VPC, with the actions from modules/perms.ts. platform-access grants them (`grantProvisioning`, `grantOperations`,
 * `grantApplicationBoundary`, or the statement functions themselves).
 */
import { resourceName } from '../lib/naming';
import {
  APPLICATION_DATA_PLANE_ACTIONS, BOUNDARY_LIFT_ACTIONS, ECS_SERVICE_MANAGE_ACTIONS, ECS_SERVICE_OPERATE_ACTIONS, ECS_TASK_DEFINITION_ACTIONS,
  EKS_CLUSTER_DESCRIBE_ACTIONS, EKS_CLUSTER_READ_ACTIONS, IDENTITY_AND_ACCOUNT_ACTIONS, LOAD_BALANCER_ROUTE_ACTIONS, LOG_GROUP_MANAGE_ACTIONS,
  LOG_QUERY_RESULT_ACTIONS, LOG_READ_ACTIONS, PLATFORM_DISCOVERY_ACTIONS, ROLE_CREATE_ACTIONS, ROLE_MANAGE_ACTIONS, ROLE_PASS_ACTIONS,
  SECURITY_GROUP_CREATE_ACTIONS, SECURITY_GROUP_MANAGE_ACTIONS,
} from './perms';
import { oneOrMany, type Grantable, type PolicyStatement } from './policy';

/** Role in a workload account that the platform's pipeline assumes to provision application resources. */
export function provisioningRoleName(project: string, account: string): string {
  return resourceName(project, account, 'platform-provisioning');
}

/** Role in a workload account that the platform (Backstage) assumes to show and operate applications. */
export function operationsRoleName(project: string, account: string): string {
  return resourceName(project, account, 'platform-operations');
}

/** Path of the application roles the provisioning role may create (always with the platform's permissions boundary). */
export const APPLICATION_ROLE_PATH = '/platform-apps/';

// --- What the platform's roles may do in a workload account (the platform-access layer creates them) ----------------

export interface ClusterRef {
  readonly arn: string;
  readonly name: string;
}

/** The account the roles live in and the clusters (from the fargate and eks layers) they are limited to. */
export interface PlatformScope {
  readonly region: string;
  readonly accountId: string;
  /** The ECS cluster and its shared ALB. @default - the account runs no fargate layer */
  readonly ecs?: ClusterRef & { readonly albName: string };
  /** @default - the account runs no eks layer */
  readonly eks?: ClusterRef;
}

function clusterStatements(s: PlatformScope, write: boolean): PolicyStatement[] {
  const statements: PolicyStatement[] = [];
  if (s.ecs) {
    const arn = (type: string) => `arn:aws:ecs:${s.region}:${s.accountId}:${type}/${s.ecs?.name}/*`;
    statements.push({
      Sid: write ? 'ManageServicesOfTheCluster' : 'OperateServicesOfTheCluster',
      Effect: 'Allow',
      Action: [...(write ? ECS_SERVICE_MANAGE_ACTIONS : ECS_SERVICE_OPERATE_ACTIONS)],
      Resource: [s.ecs.arn, arn('service'), arn('task')],
    });
  }
  if (s.eks) {
    statements.push({
      Sid: write ? 'DescribeEksCluster' : 'ReadEksCluster',
      Effect: 'Allow',
      Action: [...(write ? EKS_CLUSTER_DESCRIBE_ACTIONS : EKS_CLUSTER_READ_ACTIONS)],
      Resource: [s.eks.arn, `arn:aws:eks:${s.region}:${s.accountId}:nodegroup/${s.eks.name}/*/*`],
    });
  }
  return statements;
}

/** What the pipelines need to deploy an application into the account's cluster and VPC, and nothing else. */
export function provisioningStatements(s: PlatformScope & { readonly vpcArn: string; readonly boundaryArn: string }): PolicyStatement[] {
  const { region, accountId } = s;
  const appRoles = `arn:aws:iam::${accountId}:role${APPLICATION_ROLE_PATH}*`;
  const sgs = `arn:aws:ec2:${region}:${accountId}:security-group/*`;
  const elb = `arn:aws:elasticloadbalancing:${region}:${accountId}`;
  return [
    { Sid: 'Discover', Effect: 'Allow', Action: [...PLATFORM_DISCOVERY_ACTIONS], Resource: '*' },
    // RegisterTaskDefinition has no resource-level permissions.
    { Sid: 'TaskDefinitions', Effect: 'Allow', Action: [...ECS_TASK_DEFINITION_ACTIONS], Resource: '*' },
    ...clusterStatements(s, true),
    { Sid: 'SecurityGroupsInTheVpc', Effect: 'Allow', Action: oneOrMany(SECURITY_GROUP_CREATE_ACTIONS), Resource: [sgs, s.vpcArn] },
    {
      Sid: 'SecurityGroupRulesInTheVpc',
      Effect: 'Allow',
      Action: [...SECURITY_GROUP_MANAGE_ACTIONS],
      Resource: sgs,
      Condition: { ArnEquals: { 'ec2:Vpc': s.vpcArn } },
    },
    ...(s.ecs
      ? [{
          Sid: 'RoutesOnTheSharedAlb',
          Effect: 'Allow' as const,
          Action: [...LOAD_BALANCER_ROUTE_ACTIONS],
          // Rules only on the listeners of the fargate layer's ALB; target groups of any name (they hold no traffic until a rule points at them).
          Resource: [`${elb}:targetgroup/*/*`, `${elb}:listener/app/${s.ecs.albName}/*/*`, `${elb}:listener-rule/app/${s.ecs.albName}/*/*/*`],
        }]
      : []),
    {
      Sid: 'ApplicationLogGroups',
      Effect: 'Allow',
      Action: [...LOG_GROUP_MANAGE_ACTIONS],
      Resource: `arn:aws:logs:${region}:${accountId}:log-group:/ecs/*`,
    },
    {
      Sid: 'ApplicationRolesWithBoundary',
      Effect: 'Allow',
      Action: [...ROLE_CREATE_ACTIONS],
      Resource: appRoles,
      Condition: { StringEquals: { 'iam:PermissionsBoundary': s.boundaryArn } },
    },
    {
      Sid: 'ManageApplicationRoles',
      Effect: 'Allow',
      Action: [...ROLE_MANAGE_ACTIONS],
      Resource: appRoles,
    },
    {
      Sid: 'PassApplicationRolesToEcs',
      Effect: 'Allow',
      Action: oneOrMany(ROLE_PASS_ACTIONS),
      Resource: appRoles,
      Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
    },
    {
      Sid: 'NeverLiftTheBoundary',
      Effect: 'Deny',
      Action: [...BOUNDARY_LIFT_ACTIONS],
      Resource: '*',
    },
  ];
}

/** What Backstage needs to show an application's state and restart or scale it. */
export function operationsStatements(s: PlatformScope): PolicyStatement[] {
  const { region, accountId } = s;
  return [
    { Sid: 'Discover', Effect: 'Allow', Action: [...PLATFORM_DISCOVERY_ACTIONS], Resource: '*' },
    ...clusterStatements(s, false),
    {
      Sid: 'ReadApplicationLogs',
      Effect: 'Allow',
      Action: [...LOG_READ_ACTIONS],
      Resource: `arn:aws:logs:${region}:${accountId}:log-group:/ecs/*`,
    },
    { Sid: 'QueryResults', Effect: 'Allow', Action: [...LOG_QUERY_RESULT_ACTIONS], Resource: '*' },
  ];
}

/** The most an application role created by the platform can ever do: data-plane actions only, never IAM. */
export function applicationBoundaryStatements(): PolicyStatement[] {
  return [
    {
      Sid: 'ApplicationDataPlane',
      Effect: 'Allow',
      Action: [...APPLICATION_DATA_PLANE_ACTIONS],
      Resource: '*',
    },
    { Sid: 'NoIdentityOrAccountChanges', Effect: 'Deny', Action: [...IDENTITY_AND_ACCOUNT_ACTIONS], Resource: '*' },
  ];
}

// --- The same permissions as grants, for a layer building the roles with modules/role.ts ---------------------------

/** Grants the provisioning role's permissions (`provisioningStatements`) to a role or managed policy. */
export function grantProvisioning(grantee: Grantable, s: PlatformScope & { readonly vpcArn: string; readonly boundaryArn: string }): void {
  for (const statement of provisioningStatements(s)) grantee.addToPolicy(statement);
}

/** Grants the operations role's permissions (`operationsStatements`) to a role or managed policy. */
export function grantOperations(grantee: Grantable, s: PlatformScope): void {
  for (const statement of operationsStatements(s)) grantee.addToPolicy(statement);
}

/** Makes a managed policy the application roles' permissions boundary (`applicationBoundaryStatements`). */
export function grantApplicationBoundary(grantee: Grantable): void {
  for (const statement of applicationBoundaryStatements()) grantee.addToPolicy(statement);
}
