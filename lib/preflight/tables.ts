/**
 * Every table the preflight rules read, in one place, each with the AWS page it was checked against (2026-11-30).
 * Version support windows (EKS, Aurora, ElastiCache, Lambda) are in lib/versions.ts, shared with the layers and the
 * policy pack; globally unique namespaces and their limits are in lib/naming.ts.
 */

import { GLOBAL_NAMESPACES, type GlobalNamespace } from '../naming';

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
// Name limits per resource type: one table.

export interface NameLimit {
  readonly type: string;
  readonly attribute: string;
  readonly min: number;
  readonly max: number;
  /** Characters (and shape) the API accepts, when stricter than "anything". */
  readonly pattern?: RegExp;
  readonly patternText?: string;
  readonly docs: string;
}

const ALNUM_HYPHEN = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;

export const NAME_LIMITS: readonly NameLimit[] = [
  { type: 'aws_s3_bucket', attribute: 'bucket', min: GLOBAL_NAMESPACES['s3-bucket'].min, max: GLOBAL_NAMESPACES['s3-bucket'].max, pattern: /^[a-z0-9][a-z0-9.-]*[a-z0-9]$/, patternText: 'lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit', docs: GLOBAL_NAMESPACES['s3-bucket'].docs },
  { type: 'aws_iam_role', attribute: 'name', min: 1, max: 64, docs: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html' },
  { type: 'aws_iam_policy', attribute: 'name', min: 1, max: 128, docs: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html' },
  { type: 'aws_iam_instance_profile', attribute: 'name', min: 1, max: 128, docs: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html' },
  { type: 'aws_lambda_function', attribute: 'function_name', min: 1, max: 64, docs: 'https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html' },
  { type: 'aws_sqs_queue', attribute: 'name', min: 1, max: 80, pattern: /^[A-Za-z0-9_-]+(\.fifo)?$/, patternText: 'letters, digits, hyphens and underscores', docs: 'https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html' },
  { type: 'aws_sns_topic', attribute: 'name', min: 1, max: 256, pattern: /^[A-Za-z0-9_-]+(\.fifo)?$/, patternText: 'letters, digits, hyphens and underscores', docs: 'https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html' },
  { type: 'aws_lb', attribute: 'name', min: 1, max: 32, pattern: /^(?!internal-)[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/, patternText: 'letters, digits and hyphens, not starting with internal-', docs: 'https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html' },
  { type: 'aws_lb_target_group', attribute: 'name', min: 1, max: 32, pattern: ALNUM_HYPHEN, patternText: 'letters, digits and hyphens', docs: 'https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html' },
  { type: 'aws_dax_cluster', attribute: 'cluster_name', min: 1, max: 20, pattern: /^[A-Za-z](?:[A-Za-z0-9]|-(?!-))*[A-Za-z0-9]$/, patternText: 'a letter first, then letters, digits and single hyphens', docs: 'https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_dax_CreateCluster.html' },
  { type: 'aws_elasticache_replication_group', attribute: 'replication_group_id', min: 1, max: 40, pattern: /^[A-Za-z](?:[A-Za-z0-9]|-(?!-))*[A-Za-z0-9]$/, patternText: 'a letter first, then letters, digits and single hyphens', docs: 'https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateReplicationGroup.html' },
  { type: 'aws_elasticache_user_group', attribute: 'user_group_id', min: 1, max: 40, docs: 'https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateUserGroup.html' },
  { type: 'aws_rds_cluster', attribute: 'cluster_identifier', min: 1, max: 63, pattern: /^[a-z](?:[a-z0-9]|-(?!-))*[a-z0-9]$/, patternText: 'a lowercase letter first, then lowercase letters, digits and single hyphens', docs: 'https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html' },
  { type: 'aws_rds_cluster_instance', attribute: 'identifier', min: 1, max: 63, pattern: /^[a-z](?:[a-z0-9]|-(?!-))*[a-z0-9]$/, patternText: 'a lowercase letter first, then lowercase letters, digits and single hyphens', docs: 'https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html' },
  { type: 'aws_eks_cluster', attribute: 'name', min: 1, max: 100, pattern: /^[0-9A-Za-z][A-Za-z0-9\-_]*$/, patternText: 'letters, digits, hyphens and underscores', docs: 'https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateCluster.html' },
  { type: 'aws_eks_node_group', attribute: 'node_group_name', min: 1, max: 63, docs: 'https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateNodegroup.html' },
  { type: 'aws_sfn_state_machine', attribute: 'name', min: 1, max: 80, docs: 'https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateStateMachine.html' },
  { type: 'aws_cloudwatch_event_rule', attribute: 'name', min: 1, max: 64, docs: 'https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html' },
  { type: 'aws_cloudwatch_event_bus', attribute: 'name', min: 1, max: 256, docs: 'https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateEventBus.html' },
  { type: 'aws_kinesis_firehose_delivery_stream', attribute: 'name', min: 1, max: 64, docs: 'https://docs.aws.amazon.com/firehose/latest/APIReference/API_CreateDeliveryStream.html' },
  { type: 'aws_kinesis_stream', attribute: 'name', min: 1, max: 128, docs: 'https://docs.aws.amazon.com/kinesis/latest/APIReference/API_CreateStream.html' },
  { type: 'aws_backup_vault', attribute: 'name', min: 2, max: 50, pattern: /^[A-Za-z0-9_-]+$/, patternText: 'letters, digits, hyphens and underscores', docs: 'https://docs.aws.amazon.com/aws-backup/latest/devguide/API_CreateBackupVault.html' },
  { type: 'aws_backup_plan', attribute: 'name', min: 1, max: 50, docs: 'https://docs.aws.amazon.com/aws-backup/latest/devguide/API_BackupPlanInput.html' },
  { type: 'aws_cognito_user_pool_domain', attribute: 'domain', min: GLOBAL_NAMESPACES['cognito-domain'].min, max: GLOBAL_NAMESPACES['cognito-domain'].max, pattern: /^(?!.*(aws|amazon|cognito))[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/, patternText: 'lowercase letters, digits and hyphens, without the words aws, amazon or cognito', docs: GLOBAL_NAMESPACES['cognito-domain'].docs },
  { type: 'aws_ssoadmin_permission_set', attribute: 'name', min: 1, max: 32, pattern: /^[\w+=,.@-]+$/, patternText: 'letters, digits and +=,.@-_', docs: 'https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_CreatePermissionSet.html' },
  { type: 'aws_organizations_account', attribute: 'name', min: 1, max: 50, docs: 'https://docs.aws.amazon.com/organizations/latest/APIReference/API_CreateAccount.html' },
  { type: 'aws_cloudfront_origin_access_control', attribute: 'name', min: 1, max: 64, docs: 'https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_OriginAccessControlConfig.html' },
  { type: 'aws_wafv2_web_acl', attribute: 'name', min: 1, max: 128, pattern: /^[\w-]+$/, patternText: 'letters, digits, hyphens and underscores', docs: 'https://docs.aws.amazon.com/waf/latest/APIReference/API_CreateWebACL.html' },
  { type: 'aws_dynamodb_table', attribute: 'name', min: 3, max: 255, pattern: /^[A-Za-z0-9_.-]+$/, patternText: 'letters, digits, underscores, dots and hyphens', docs: 'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html' },
  { type: 'aws_ecr_repository', attribute: 'name', min: 2, max: 256, docs: 'https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepository.html' },
  { type: 'aws_athena_workgroup', attribute: 'name', min: 1, max: 128, pattern: /^[A-Za-z0-9._-]+$/, patternText: 'letters, digits, dots, hyphens and underscores', docs: 'https://docs.aws.amazon.com/athena/latest/APIReference/API_CreateWorkGroup.html' },
  { type: 'aws_launch_template', attribute: 'name', min: 3, max: 128, docs: 'https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateLaunchTemplate.html' },
  { type: 'aws_budgets_budget', attribute: 'name', min: 1, max: 100, docs: 'https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_budgets_Budget.html' },
  { type: 'aws_kms_alias', attribute: 'name', min: 1, max: 256, pattern: /^alias\/(?!aws\/)[A-Za-z0-9/_-]+$/, patternText: 'alias/ then letters, digits, /, _ and - (not alias/aws/)', docs: 'https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html' },
  { type: 'aws_cloudwatch_log_group', attribute: 'name', min: 1, max: 512, docs: 'https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html' },
  { type: 'aws_secretsmanager_secret', attribute: 'name', min: 1, max: 512, docs: 'https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html' },
];

// ---------------------------------------------------------------------------------------------------------------
// Globally unique names: the resources named in a namespace shared with every AWS customer (lib/naming.ts).

export interface GlobalName {
  readonly type: string;
  readonly attribute: string;
  readonly namespace: GlobalNamespace;
}

export const GLOBAL_NAMES: readonly GlobalName[] = [
  { type: 'aws_s3_bucket', attribute: 'bucket', namespace: 's3-bucket' },
  { type: 'aws_cognito_user_pool_domain', attribute: 'domain', namespace: 'cognito-domain' },
];

// ---------------------------------------------------------------------------------------------------------------
// Regions.

/** CloudFront reads viewer certificates from ACM in us-east-1 only; CLOUDFRONT-scope WAF lives there too. */
export const CLOUDFRONT_REGION = 'us-east-1';
