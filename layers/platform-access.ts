import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import type { Construct } from 'constructs';
import { defineContract } from '../lib/contract';
import { LayerStack, type FieldProblem } from '../lib/layer-stack';
import type { LayerContext } from '../lib/model';
import { declaresLayer } from '../lib/layer-presence';
import { APPLICATION_ROLE_PATH, operationsRoleName, provisioningRoleName } from '../modules/platform-roles';
import { policyDocument, type PolicyStatement } from '../modules/policy';
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
    const problems: FieldProblem[] = [];
    const platform = config.platformAccount ?? 'shared';
    if (!ctx.org.accounts.has(platform)) problems.push({ field: 'platformAccount', message: `unknown account "${platform}"` });
    else if (platform === ctx.account.name) problems.push({ field: 'platformAccount', message: 'the platform account cannot be its own workload account' });
    const duration = config.maxSessionDurationSeconds ?? 3600;
    if (duration < 3600 || duration > 43200) problems.push({ field: 'maxSessionDurationSeconds', message: `${duration} must be between 3600 and 43200` });
    return problems;
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

    const boundary = new IamPolicy(this, 'apps-boundary', {
      name: this.resourceName('platform-apps-boundary'),
      description: 'Ceiling of every application role created by the developer platform',
      policy: policyDocument(applicationBoundaryStatements()),
    });

    const provisioning = new IamRole(this, 'provisioning', {
      name: provisioningRoleName(org.project.name, account.name),
      description: 'Assumed by the developer platform pipelines to provision applications',
      maxSessionDuration: duration,
      assumeRolePolicy: policyDocument([{ Sid: 'PlatformPipelineOnly', Effect: 'Allow', Principal: { AWS: platform.get('pipeline_role_arn') }, Action: 'sts:AssumeRole' }]),
    });
    new IamRolePolicy(this, 'provisioning-policy', {
      role: provisioning.name,
      name: 'provision-applications',
      policy: policyDocument(provisioningStatements({ region, accountId: id, vpcArn, ...clusters, boundaryArn: boundary.arn })),
    });

    const operations = new IamRole(this, 'operations', {
      name: operationsRoleName(org.project.name, account.name),
      description: 'Assumed by the developer platform (Backstage) to show and operate applications',
      maxSessionDuration: duration,
      assumeRolePolicy: policyDocument([{ Sid: 'PlatformOnly', Effect: 'Allow', Principal: { AWS: platform.get('platform_role_arn') }, Action: 'sts:AssumeRole' }]),
    });
    new IamRolePolicy(this, 'operations-policy', {
      role: operations.name,
      name: 'operate-applications',
      policy: policyDocument(operationsStatements({ region, accountId: id, ...clusters })),
    });

    this.publish(platformAccessContract, {
      provisioning_role_arn: provisioning.arn,
      operations_role_arn: operations.arn,
      permissions_boundary_arn: boundary.arn,
    });
  }
}

interface ClusterRef {
  readonly arn: string;
  readonly name: string;
}

/** The account the roles live in and the clusters (from the fargate and eks layers) they are limited to. */
interface Scope {
  readonly region: string;
  readonly accountId: string;
  /** The ECS cluster and its shared ALB. @default - the account runs no fargate layer */
  readonly ecs?: ClusterRef & { readonly albName: string };
  /** @default - the account runs no eks layer */
  readonly eks?: ClusterRef;
}

const READ_ONLY_DISCOVERY = [
  'ec2:DescribeVpcs', 'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups', 'ec2:DescribeSecurityGroupRules',
  'ec2:DescribeNetworkInterfaces', 'ec2:DescribeRouteTables', 'ecs:DescribeTaskDefinition', 'ecs:ListTaskDefinitions',
  'ecs:ListClusters', 'elasticloadbalancing:DescribeLoadBalancers', 'elasticloadbalancing:DescribeListeners',
  'elasticloadbalancing:DescribeRules', 'elasticloadbalancing:DescribeTargetGroups', 'elasticloadbalancing:DescribeTargetHealth',
  'elasticloadbalancing:DescribeTags', 'tag:GetResources', 'cloudwatch:GetMetricData', 'cloudwatch:ListMetrics',
  'cloudwatch:DescribeAlarms', 'logs:DescribeLogGroups',
];

function clusterStatements(s: Scope, write: boolean): PolicyStatement[] {
  const statements: PolicyStatement[] = [];
  if (s.ecs) {
    const arn = (type: string) => `arn:aws:ecs:${s.region}:${s.accountId}:${type}/${s.ecs?.name}/*`;
    statements.push({
      Sid: write ? 'ManageServicesOfTheCluster' : 'OperateServicesOfTheCluster',
      Effect: 'Allow',
      Action: write
        ? ['ecs:CreateService', 'ecs:UpdateService', 'ecs:DeleteService', 'ecs:DescribeServices', 'ecs:TagResource', 'ecs:ListTasks', 'ecs:DescribeTasks']
        : ['ecs:UpdateService', 'ecs:DescribeServices', 'ecs:ListServices', 'ecs:ListTasks', 'ecs:DescribeTasks', 'ecs:DescribeClusters', 'ecs:StopTask'],
      Resource: [s.ecs.arn, arn('service'), arn('task')],
    });
  }
  if (s.eks) {
    statements.push({
      Sid: write ? 'DescribeEksCluster' : 'ReadEksCluster',
      Effect: 'Allow',
      Action: write ? ['eks:DescribeCluster'] : ['eks:DescribeCluster', 'eks:ListNodegroups', 'eks:DescribeNodegroup', 'eks:ListAddons'],
      Resource: [s.eks.arn, `arn:aws:eks:${s.region}:${s.accountId}:nodegroup/${s.eks.name}/*/*`],
    });
  }
  return statements;
}

/** What the pipelines need to deploy an application into the account's cluster and VPC, and nothing else. */
export function provisioningStatements(s: Scope & { readonly vpcArn: string; readonly boundaryArn: string }): PolicyStatement[] {
  const { region, accountId } = s;
  const appRoles = `arn:aws:iam::${accountId}:role${APPLICATION_ROLE_PATH}*`;
  const sgs = `arn:aws:ec2:${region}:${accountId}:security-group/*`;
  const elb = `arn:aws:elasticloadbalancing:${region}:${accountId}`;
  return [
    { Sid: 'Discover', Effect: 'Allow', Action: READ_ONLY_DISCOVERY, Resource: '*' },
    // RegisterTaskDefinition has no resource-level permissions.
    { Sid: 'TaskDefinitions', Effect: 'Allow', Action: ['ecs:RegisterTaskDefinition', 'ecs:DeregisterTaskDefinition', 'ecs:TagResource'], Resource: '*' },
    ...clusterStatements(s, true),
    { Sid: 'SecurityGroupsInTheVpc', Effect: 'Allow', Action: 'ec2:CreateSecurityGroup', Resource: [sgs, s.vpcArn] },
    {
      Sid: 'SecurityGroupRulesInTheVpc',
      Effect: 'Allow',
      Action: ['ec2:AuthorizeSecurityGroupIngress', 'ec2:AuthorizeSecurityGroupEgress', 'ec2:RevokeSecurityGroupIngress', 'ec2:RevokeSecurityGroupEgress', 'ec2:DeleteSecurityGroup', 'ec2:CreateTags'],
      Resource: sgs,
      Condition: { ArnEquals: { 'ec2:Vpc': s.vpcArn } },
    },
    ...(s.ecs
      ? [{
          Sid: 'RoutesOnTheSharedAlb',
          Effect: 'Allow' as const,
          Action: [
            'elasticloadbalancing:CreateTargetGroup', 'elasticloadbalancing:DeleteTargetGroup', 'elasticloadbalancing:ModifyTargetGroup',
            'elasticloadbalancing:ModifyTargetGroupAttributes', 'elasticloadbalancing:CreateRule', 'elasticloadbalancing:DeleteRule',
            'elasticloadbalancing:ModifyRule', 'elasticloadbalancing:AddTags',
          ],
          // Rules only on the listeners of the fargate layer's ALB; target groups of any name (they hold no traffic until a rule points at them).
          Resource: [`${elb}:targetgroup/*/*`, `${elb}:listener/app/${s.ecs.albName}/*/*`, `${elb}:listener-rule/app/${s.ecs.albName}/*/*/*`],
        }]
      : []),
    {
      Sid: 'ApplicationLogGroups',
      Effect: 'Allow',
      Action: ['logs:CreateLogGroup', 'logs:PutRetentionPolicy', 'logs:AssociateKmsKey', 'logs:TagResource', 'logs:DeleteLogGroup'],
      Resource: `arn:aws:logs:${region}:${accountId}:log-group:/ecs/*`,
    },
    {
      Sid: 'ApplicationRolesWithBoundary',
      Effect: 'Allow',
      Action: ['iam:CreateRole', 'iam:PutRolePolicy', 'iam:AttachRolePolicy', 'iam:PutRolePermissionsBoundary'],
      Resource: appRoles,
      Condition: { StringEquals: { 'iam:PermissionsBoundary': s.boundaryArn } },
    },
    {
      Sid: 'ManageApplicationRoles',
      Effect: 'Allow',
      Action: ['iam:GetRole', 'iam:GetRolePolicy', 'iam:DeleteRolePolicy', 'iam:DetachRolePolicy', 'iam:DeleteRole', 'iam:TagRole', 'iam:ListRolePolicies', 'iam:ListAttachedRolePolicies'],
      Resource: appRoles,
    },
    {
      Sid: 'PassApplicationRolesToEcs',
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: appRoles,
      Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
    },
    {
      Sid: 'NeverLiftTheBoundary',
      Effect: 'Deny',
      Action: ['iam:DeleteRolePermissionsBoundary', 'iam:CreatePolicyVersion', 'iam:SetDefaultPolicyVersion'],
      Resource: '*',
    },
  ];
}

/** What Backstage needs to show an application's state and restart or scale it. */
export function operationsStatements(s: Scope): PolicyStatement[] {
  const { region, accountId } = s;
  return [
    { Sid: 'Discover', Effect: 'Allow', Action: READ_ONLY_DISCOVERY, Resource: '*' },
    ...clusterStatements(s, false),
    {
      Sid: 'ReadApplicationLogs',
      Effect: 'Allow',
      Action: ['logs:GetLogEvents', 'logs:FilterLogEvents', 'logs:DescribeLogStreams', 'logs:StartQuery'],
      Resource: `arn:aws:logs:${region}:${accountId}:log-group:/ecs/*`,
    },
    { Sid: 'QueryResults', Effect: 'Allow', Action: ['logs:GetQueryResults', 'logs:StopQuery'], Resource: '*' },
  ];
}

/** The most an application role created by the platform can ever do: data-plane actions only, never IAM. */
function applicationBoundaryStatements(): PolicyStatement[] {
  return [
    {
      Sid: 'ApplicationDataPlane',
      Effect: 'Allow',
      Action: [
        'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query', 'dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem',
        's3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:ListBucket',
        'sqs:SendMessage', 'sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sns:Publish',
        'secretsmanager:GetSecretValue', 'ssm:GetParameter', 'ssm:GetParameters', 'kms:Decrypt', 'kms:GenerateDataKey',
        'logs:CreateLogStream', 'logs:PutLogEvents', 'xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'cloudwatch:PutMetricData',
        'ecr:GetAuthorizationToken', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability',
      ],
      Resource: '*',
    },
    { Sid: 'NoIdentityOrAccountChanges', Effect: 'Deny', Action: ['iam:*', 'organizations:*', 'account:*', 'sts:AssumeRole'], Resource: '*' },
  ];
}
