/**
 * Every table the preflight rules read, in one place, each with the AWS page it was checked against (2026-11-30).
 * Version support windows (EKS, Aurora, ElastiCache, Lambda) are in lib/versions.ts, shared with the layers and the
 * policy pack; globally unique namespaces and their limits are in lib/naming.ts; name limits and the names unique per
 * account, region or partition are in lib/aws-names.ts, which synth checks too.
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
  { type: 'aws_inspector2_organization_configuration', actions: ORG_READ, docs: 'https://docs.aws.amazon.com/inspector/latest/user/designating-admin.html' },
  { type: 'aws_inspector2_member_association', actions: ORG_READ, docs: 'https://docs.aws.amazon.com/inspector/latest/user/managing-multiple-accounts.html' },
  { type: 'aws_macie2_organization_configuration', actions: ORG_READ, docs: 'https://docs.aws.amazon.com/macie/latest/user/accounts-mgmt-ao-integrate.html' },
  { type: 'aws_macie2_member', actions: ORG_READ, docs: 'https://docs.aws.amazon.com/macie/latest/user/accounts-mgmt-ao-integrate.html' },
  // The channel role is passed to Chatbot, which assumes it for the channel.
  { type: 'aws_chatbot_slack_channel_configuration', actions: ['iam:PassRole'], docs: 'https://docs.aws.amazon.com/chatbot/latest/adminguide/security_iam_id-based-policy-examples.html' },
  { type: 'aws_chatbot_teams_channel_configuration', actions: ['iam:PassRole'], docs: 'https://docs.aws.amazon.com/chatbot/latest/adminguide/security_iam_id-based-policy-examples.html' },
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
// Regions.

/** CloudFront reads viewer certificates from ACM in us-east-1 only; CLOUDFRONT-scope WAF lives there too. */
export const CLOUDFRONT_REGION = 'us-east-1';
