/**
 * Every table the preflight rules read, in one place, each with the AWS page it was checked against (2026-11-30).
 * Versions (EKS, Aurora, ElastiCache, Lambda) live here until they are merged with lib/versions.ts (another branch).
 */

// ---------------------------------------------------------------------------------------------------------------
// Service-linked roles: name and path per service, and the resources whose creation makes AWS create them.

export interface ServiceLinkedRoleSpec {
  /** Role name, e.g. AWSServiceRoleForAutoScaling. */
  readonly name: string;
  /** Service principal, e.g. autoscaling.amazonaws.com (the path is /aws-service-role/<service>/). */
  readonly service: string;
  /**
   * Resource types whose first creation in an account makes the service create this role itself. A policy in a
   * LATER stack may then name it; one in the same or an earlier stack may not (the role does not exist yet).
   */
  readonly createdImplicitlyBy: readonly string[];
}

/** https://docs.aws.amazon.com/IAM/latest/UserGuide/using-service-linked-roles.html */
export const SERVICE_LINKED_ROLES: readonly ServiceLinkedRoleSpec[] = [
  { name: 'AWSServiceRoleForAutoScaling', service: 'autoscaling.amazonaws.com', createdImplicitlyBy: ['aws_autoscaling_group', 'aws_eks_node_group'] },
  { name: 'AWSServiceRoleForAmazonEKS', service: 'eks.amazonaws.com', createdImplicitlyBy: ['aws_eks_cluster'] },
  { name: 'AWSServiceRoleForAmazonEKSNodegroup', service: 'eks-nodegroup.amazonaws.com', createdImplicitlyBy: ['aws_eks_node_group'] },
  { name: 'AWSServiceRoleForElasticLoadBalancing', service: 'elasticloadbalancing.amazonaws.com', createdImplicitlyBy: ['aws_lb', 'aws_alb'] },
  { name: 'AWSServiceRoleForECS', service: 'ecs.amazonaws.com', createdImplicitlyBy: ['aws_ecs_cluster'] },
  { name: 'AWSServiceRoleForRDS', service: 'rds.amazonaws.com', createdImplicitlyBy: ['aws_rds_cluster', 'aws_db_instance'] },
  { name: 'AWSServiceRoleForElastiCache', service: 'elasticache.amazonaws.com', createdImplicitlyBy: ['aws_elasticache_replication_group', 'aws_elasticache_cluster'] },
  { name: 'AWSServiceRoleForAmazonGuardDuty', service: 'guardduty.amazonaws.com', createdImplicitlyBy: ['aws_guardduty_detector'] },
  { name: 'AWSServiceRoleForSecurityHub', service: 'securityhub.amazonaws.com', createdImplicitlyBy: ['aws_securityhub_account'] },
  { name: 'AWSServiceRoleForAccessAnalyzer', service: 'access-analyzer.amazonaws.com', createdImplicitlyBy: ['aws_accessanalyzer_analyzer'] },
  { name: 'AWSServiceRoleForOrganizations', service: 'organizations.amazonaws.com', createdImplicitlyBy: ['aws_organizations_organization'] },
  { name: 'AWSServiceRoleForCloudTrail', service: 'cloudtrail.amazonaws.com', createdImplicitlyBy: ['aws_cloudtrail'] },
  { name: 'AWSServiceRoleForConfig', service: 'config.amazonaws.com', createdImplicitlyBy: [] },
  { name: 'AWSServiceRoleForBackup', service: 'backup.amazonaws.com', createdImplicitlyBy: ['aws_backup_vault'] },
];

export function serviceLinkedRoleArn(accountId: string, spec: ServiceLinkedRoleSpec): string {
  return `arn:aws:iam::${accountId}:role/aws-service-role/${spec.service}/${spec.name}`;
}

// ---------------------------------------------------------------------------------------------------------------
// What an AWS managed policy allows in the namespaces the layers' deploy roles are short of (iam, organizations).
// Used to check that the role a layer assumes may call what the layer's organisation-wide resources need.

export interface ManagedPolicyGrant {
  /** Allowed action patterns. */
  readonly allow: readonly string[];
  /** Allowed through a NotAction statement: everything except these patterns. */
  readonly allowAllExcept?: readonly string[];
}

/**
 * https://docs.aws.amazon.com/aws-managed-policy/latest/reference/PowerUserAccess.html (v5),
 * .../AdministratorAccess.html, .../ReadOnlyAccess.html, .../IAMReadOnlyAccess.html, .../SecurityAudit.html
 */
export const MANAGED_POLICY_GRANTS: Readonly<Record<string, ManagedPolicyGrant>> = {
  'arn:aws:iam::aws:policy/AdministratorAccess': { allow: ['*'] },
  'arn:aws:iam::aws:policy/PowerUserAccess': {
    allowAllExcept: ['iam:*', 'organizations:*', 'account:*'],
    allow: ['account:GetAccountInformation', 'account:GetPrimaryEmail', 'account:ListRegions', 'iam:CreateServiceLinkedRole',
      'iam:DeleteServiceLinkedRole', 'iam:ListRoles', 'organizations:DescribeOrganization'],
  },
  'arn:aws:iam::aws:policy/ReadOnlyAccess': { allow: ['*:Describe*', '*:Get*', '*:List*', 'organizations:Describe*', 'organizations:List*'] },
  'arn:aws:iam::aws:policy/IAMReadOnlyAccess': { allow: ['iam:Generate*', 'iam:Get*', 'iam:List*', 'iam:Simulate*'] },
  'arn:aws:iam::aws:policy/SecurityAudit': { allow: ['*:Describe*', '*:Get*', '*:List*', 'organizations:Describe*', 'organizations:List*'] },
};

/**
 * IAM and Organizations actions needed to create a resource type, for the namespaces PowerUserAccess leaves out.
 * A condition narrows the entry to a configuration (an organisation aggregator, an organisation analyzer).
 */
export interface RequiredActions {
  readonly type: string;
  readonly when?: (config: Record<string, unknown>) => boolean;
  readonly actions: readonly string[];
  /** The page listing these permissions. */
  readonly docs: string;
}

const ORG_READ = ['organizations:DescribeOrganization', 'organizations:ListAccounts', 'organizations:ListDelegatedAdministrators',
  'organizations:ListAWSServiceAccessForOrganization'];

export const REQUIRED_ACTIONS: readonly RequiredActions[] = [
  {
    type: 'aws_config_configuration_aggregator',
    when: (c) => c.organization_aggregation_source !== undefined,
    actions: [...ORG_READ, 'iam:PassRole'],
    docs: 'https://docs.aws.amazon.com/config/latest/developerguide/set-up-aggregator-cli.html',
  },
  {
    type: 'aws_accessanalyzer_analyzer',
    when: (c) => c.type === 'ORGANIZATION' || c.type === 'ORGANIZATION_UNUSED_ACCESS',
    actions: [...ORG_READ, 'organizations:DescribeAccount'],
    docs: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-getting-started.html',
  },
  { type: 'aws_guardduty_organization_configuration', actions: ORG_READ, docs: 'https://docs.aws.amazon.com/guardduty/latest/ug/organizations_permissions.html' },
  { type: 'aws_securityhub_organization_configuration', actions: ORG_READ, docs: 'https://docs.aws.amazon.com/securityhub/latest/userguide/designate-orgs-admin-account.html' },
  { type: 'aws_iam_role', actions: ['iam:CreateRole', 'iam:TagRole'], docs: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create.html' },
  { type: 'aws_iam_role_policy', actions: ['iam:PutRolePolicy'], docs: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_manage-attach-detach.html' },
  { type: 'aws_iam_role_policy_attachment', actions: ['iam:AttachRolePolicy'], docs: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_manage-attach-detach.html' },
  { type: 'aws_iam_policy', actions: ['iam:CreatePolicy'], docs: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_create.html' },
  { type: 'aws_iam_instance_profile', actions: ['iam:CreateInstanceProfile', 'iam:AddRoleToInstanceProfile'], docs: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-ec2_instance-profiles.html' },
  { type: 'aws_iam_openid_connect_provider', actions: ['iam:CreateOpenIDConnectProvider'], docs: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html' },
  { type: 'aws_iam_service_linked_role', actions: ['iam:CreateServiceLinkedRole'], docs: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/using-service-linked-roles.html' },
  { type: 'aws_iam_account_password_policy', actions: ['iam:UpdateAccountPasswordPolicy'], docs: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_account-policy.html' },
  { type: 'aws_iam_user', actions: ['iam:CreateUser'], docs: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_users_create.html' },
];

// ---------------------------------------------------------------------------------------------------------------
// Name limits and globally unique names live in lib/aws-names.ts (synth checks them too); re-exported for the rules.

export { GLOBAL_NAMES, NAME_LIMITS, type GlobalName, type NameLimit } from '../aws-names';

// ---------------------------------------------------------------------------------------------------------------
// Versions. Dates are the last day of standard support; after it AWS refuses new resources or charges extended support.

export interface SupportWindow {
  /** Version as written in the resource (`1.31`, `16`, `nodejs18.x`). */
  readonly version: string;
  /** ISO date: end of standard support (or Lambda deprecation). */
  readonly standardEnds: string;
  /** ISO date: end of extended support, when there is one. */
  readonly extendedEnds?: string;
}

/** https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html (standard 14 months, extended 12 more). */
export const EKS_VERSIONS: readonly SupportWindow[] = [
  { version: '1.28', standardEnds: '2024-11-26', extendedEnds: '2025-11-26' },
  { version: '1.29', standardEnds: '2025-03-23', extendedEnds: '2026-03-23' },
  { version: '1.30', standardEnds: '2025-07-23', extendedEnds: '2026-07-23' },
  { version: '1.31', standardEnds: '2025-11-26', extendedEnds: '2026-11-26' },
  { version: '1.32', standardEnds: '2026-03-23', extendedEnds: '2027-03-23' },
  { version: '1.33', standardEnds: '2026-07-29', extendedEnds: '2027-07-29' },
  { version: '1.34', standardEnds: '2026-12-02', extendedEnds: '2027-12-02' },
  { version: '1.35', standardEnds: '2027-03-27', extendedEnds: '2028-03-27' },
];

/**
 * Major versions per database engine.
 * https://docs.aws.amazon.com/AmazonRDS/latest/AuroraPostgreSQLReleaseNotes/aurorapostgresql-release-calendar.html
 * https://docs.aws.amazon.com/AmazonRDS/latest/AuroraMySQLReleaseNotes/AuroraMySQL.release-calendars.html
 * https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/engine-versions.html
 */
export const ENGINE_MAJOR_VERSIONS: Readonly<Record<string, readonly SupportWindow[]>> = {
  'aurora-postgresql': [
    { version: '11', standardEnds: '2024-02-29' },
    { version: '12', standardEnds: '2025-02-28' },
    { version: '13', standardEnds: '2026-02-28' },
    { version: '14', standardEnds: '2027-02-28' },
    { version: '15', standardEnds: '2028-02-29' },
    { version: '16', standardEnds: '2029-02-28' },
    { version: '17', standardEnds: '2030-02-28' },
  ],
  'aurora-mysql': [
    { version: '5.7', standardEnds: '2024-10-31' },
  ],
  redis: [
    { version: '4', standardEnds: '2026-01-31' },
    { version: '5', standardEnds: '2026-01-31' },
  ],
};

/** https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html (deprecation dates; creates are blocked later). */
export const LAMBDA_RUNTIMES: readonly SupportWindow[] = [
  { version: 'nodejs16.x', standardEnds: '2024-06-12' },
  { version: 'nodejs18.x', standardEnds: '2025-09-01' },
  { version: 'nodejs20.x', standardEnds: '2026-04-30' },
  { version: 'nodejs22.x', standardEnds: '2027-04-30' },
  { version: 'python3.8', standardEnds: '2024-10-14' },
  { version: 'python3.9', standardEnds: '2025-12-15' },
  { version: 'python3.12', standardEnds: '2028-10-31' },
  { version: 'python3.13', standardEnds: '2029-06-30' },
  { version: 'ruby3.2', standardEnds: '2026-03-31' },
  { version: 'dotnet6', standardEnds: '2024-12-20' },
  { version: 'dotnet8', standardEnds: '2026-11-10' },
  { version: 'go1.x', standardEnds: '2024-01-08' },
  { version: 'java8', standardEnds: '2024-01-08' },
  { version: 'provided', standardEnds: '2024-01-08' },
];

/** A version whose end of support falls within this many days is reported as a warning. */
export const SUPPORT_WARNING_DAYS = 90;

// ---------------------------------------------------------------------------------------------------------------
// Regions.

/** CloudFront reads viewer certificates from ACM in us-east-1 only; CLOUDFRONT-scope WAF lives there too. */
export const CLOUDFRONT_REGION = 'us-east-1';
