/**
 * The developer platform's roles in workload accounts. Their names are shared by the developer platform (shared account)
 * and the platform-access layer of each workload account, so either side can build the other's role ARNs without reading
 * its state (which would be a cycle); their permissions are the statements below, which platform-access grants.
 */
import { resourceName } from '../lib/naming';
import type { PolicyStatement } from './policy';

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

const READ_ONLY_DISCOVERY = [
  'ec2:DescribeVpcs', 'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups', 'ec2:DescribeSecurityGroupRules',
  'ec2:DescribeNetworkInterfaces', 'ec2:DescribeRouteTables', 'ecs:DescribeTaskDefinition', 'ecs:ListTaskDefinitions',
  'ecs:ListClusters', 'elasticloadbalancing:DescribeLoadBalancers', 'elasticloadbalancing:DescribeListeners',
  'elasticloadbalancing:DescribeRules', 'elasticloadbalancing:DescribeTargetGroups', 'elasticloadbalancing:DescribeTargetHealth',
  'elasticloadbalancing:DescribeTags', 'tag:GetResources', 'cloudwatch:GetMetricData', 'cloudwatch:ListMetrics',
  'cloudwatch:DescribeAlarms', 'logs:DescribeLogGroups',
];

function clusterStatements(s: PlatformScope, write: boolean): PolicyStatement[] {
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
export function provisioningStatements(s: PlatformScope & { readonly vpcArn: string; readonly boundaryArn: string }): PolicyStatement[] {
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
export function operationsStatements(s: PlatformScope): PolicyStatement[] {
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
export function applicationBoundaryStatements(): PolicyStatement[] {
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
