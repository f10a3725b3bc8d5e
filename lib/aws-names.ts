/**
 * What AWS accepts as resource names, in one place: length and characters per resource type and name attribute, the
 * namespaces shared with every AWS customer, the names unique per account or per account and region, and the settings
 * an account has exactly one of. Synth checks every synthesized resource against these tables (lib/resource-names.ts);
 * the preflight (lib/preflight/rules/constraints.ts) reads them too. Each row names the AWS page it was checked against.
 */

import { GLOBAL_NAMESPACES, type GlobalNamespace } from './naming';

// ---------------------------------------------------------------------------------------------------------------
// Name limits per resource type: one table.

export interface NameLimit {
  readonly type: string;
  /** The name's attribute; a dotted path reaches into a block (`export.name`). */
  readonly attribute: string;
  readonly min: number;
  readonly max: number;
  /** Characters (and shape) the API accepts, when stricter than "anything". */
  readonly pattern?: RegExp;
  readonly patternText?: string;
  readonly docs: string;
}

const ALNUM_HYPHEN = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;
/** Letters, digits and hyphens anywhere (Network Firewall resource names). */
const ALNUM_HYPHEN_ANY = /^[A-Za-z0-9-]+$/;

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
  // Names of the other resource kinds the layers create.
  { type: 'aws_accessanalyzer_analyzer', attribute: 'analyzer_name', min: 1, max: 255, pattern: /^[A-Za-z][A-Za-z0-9_.-]*$/, patternText: 'a letter, then letters, digits, _ . and -', docs: 'https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_CreateAnalyzer.html' },
  { type: 'aws_apigatewayv2_api', attribute: 'name', min: 1, max: 128, docs: 'https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis.html' },
  { type: 'aws_apigatewayv2_stage', attribute: 'name', min: 1, max: 128, docs: 'https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html' },
  { type: 'aws_apigatewayv2_authorizer', attribute: 'name', min: 1, max: 128, docs: 'https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-authorizers.html' },
  { type: 'aws_appautoscaling_policy', attribute: 'name', min: 1, max: 256, docs: 'https://docs.aws.amazon.com/autoscaling/application/APIReference/API_PutScalingPolicy.html' },
  { type: 'aws_autoscaling_group', attribute: 'name', min: 1, max: 255, docs: 'https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_CreateAutoScalingGroup.html' },
  { type: 'aws_autoscaling_policy', attribute: 'name', min: 1, max: 255, docs: 'https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_PutScalingPolicy.html' },
  { type: 'aws_autoscaling_schedule', attribute: 'scheduled_action_name', min: 1, max: 255, docs: 'https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_PutScheduledUpdateGroupAction.html' },
  { type: 'aws_backup_selection', attribute: 'name', min: 1, max: 50, pattern: /^[A-Za-z0-9_.-]+$/, patternText: 'letters, digits, _ . and -', docs: 'https://docs.aws.amazon.com/aws-backup/latest/devguide/API_BackupSelection.html' },
  { type: 'aws_cloudfront_distribution', attribute: 'comment', min: 0, max: 128, docs: 'https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_DistributionConfig.html' },
  { type: 'aws_cloudfront_origin_access_control', attribute: 'description', min: 0, max: 256, docs: 'https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_OriginAccessControlConfig.html' },
  { type: 'aws_cloudfront_response_headers_policy', attribute: 'name', min: 1, max: 128, pattern: /^[A-Za-z0-9_-]+$/, patternText: 'letters, digits, - and _', docs: 'https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_ResponseHeadersPolicyConfig.html' },
  { type: 'aws_cloudtrail', attribute: 'name', min: 3, max: 128, pattern: /^[A-Za-z0-9](?:[A-Za-z0-9]|[._-](?![._-]))*[A-Za-z0-9]$/, patternText: 'letters, digits, . _ and - (no two in a row), starting and ending with a letter or digit', docs: 'https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_CreateTrail.html' },
  { type: 'aws_cloudwatch_dashboard', attribute: 'dashboard_name', min: 1, max: 255, pattern: /^[A-Za-z0-9_-]+$/, patternText: 'letters, digits, - and _', docs: 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutDashboard.html' },
  { type: 'aws_cloudwatch_event_rule', attribute: 'description', min: 0, max: 512, docs: 'https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html' },
  { type: 'aws_cloudwatch_log_metric_filter', attribute: 'name', min: 1, max: 512, pattern: /^[^:*]+$/, patternText: 'any characters but : and *', docs: 'https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutMetricFilter.html' },
  { type: 'aws_cloudwatch_log_stream', attribute: 'name', min: 1, max: 512, pattern: /^[^:*]+$/, patternText: 'any characters but : and *', docs: 'https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogStream.html' },
  { type: 'aws_cloudwatch_metric_alarm', attribute: 'alarm_name', min: 1, max: 255, docs: 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html' },
  { type: 'aws_cognito_user_pool', attribute: 'name', min: 1, max: 128, pattern: /^[\w\s+=,.@-]+$/, patternText: 'letters, digits, spaces and +=,.@_-', docs: 'https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPool.html' },
  { type: 'aws_cognito_user_pool_client', attribute: 'name', min: 1, max: 128, pattern: /^[\w\s+=,.@-]+$/, patternText: 'letters, digits, spaces and +=,.@_-', docs: 'https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPoolClient.html' },
  { type: 'aws_config_configuration_aggregator', attribute: 'name', min: 1, max: 256, pattern: /^[\w-]+$/, patternText: 'letters, digits, _ and -', docs: 'https://docs.aws.amazon.com/config/latest/APIReference/API_PutConfigurationAggregator.html' },
  { type: 'aws_config_configuration_recorder', attribute: 'name', min: 1, max: 256, docs: 'https://docs.aws.amazon.com/config/latest/APIReference/API_ConfigurationRecorder.html' },
  { type: 'aws_config_delivery_channel', attribute: 'name', min: 1, max: 256, docs: 'https://docs.aws.amazon.com/config/latest/APIReference/API_DeliveryChannel.html' },
  { type: 'aws_db_subnet_group', attribute: 'name', min: 1, max: 255, pattern: /^(?!default$)[a-z0-9 ._-]+$/, patternText: 'lowercase letters, digits, spaces, . _ and - (not "default")', docs: 'https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBSubnetGroup.html' },
  { type: 'aws_ecs_cluster', attribute: 'name', min: 1, max: 255, pattern: /^[A-Za-z0-9_-]+$/, patternText: 'letters, digits, - and _', docs: 'https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateCluster.html' },
  { type: 'aws_ecs_service', attribute: 'name', min: 1, max: 255, pattern: /^[A-Za-z0-9_-]+$/, patternText: 'letters, digits, - and _', docs: 'https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html' },
  { type: 'aws_ecs_task_definition', attribute: 'family', min: 1, max: 255, pattern: /^[A-Za-z0-9_-]+$/, patternText: 'letters, digits, - and _', docs: 'https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html' },
  { type: 'aws_ecr_repository_creation_template', attribute: 'description', min: 0, max: 256, docs: 'https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepositoryCreationTemplate.html' },
  { type: 'aws_elasticache_subnet_group', attribute: 'name', min: 1, max: 255, pattern: /^[A-Za-z0-9-]+$/, patternText: 'letters, digits and hyphens', docs: 'https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateCacheSubnetGroup.html' },
  { type: 'aws_elasticache_user', attribute: 'user_id', min: 1, max: 1024, pattern: /^[A-Za-z][A-Za-z0-9-]*$/, patternText: 'a letter, then letters, digits and hyphens', docs: 'https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateUser.html' },
  { type: 'aws_glue_catalog_database', attribute: 'name', min: 1, max: 255, docs: 'https://docs.aws.amazon.com/glue/latest/webapi/API_DatabaseInput.html' },
  { type: 'aws_glue_catalog_database', attribute: 'description', min: 0, max: 2048, docs: 'https://docs.aws.amazon.com/glue/latest/webapi/API_DatabaseInput.html' },
  { type: 'aws_glue_crawler', attribute: 'name', min: 1, max: 255, docs: 'https://docs.aws.amazon.com/glue/latest/webapi/API_CreateCrawler.html' },
  { type: 'aws_glue_security_configuration', attribute: 'name', min: 1, max: 255, docs: 'https://docs.aws.amazon.com/glue/latest/webapi/API_CreateSecurityConfiguration.html' },
  { type: 'aws_iam_role', attribute: 'description', min: 0, max: 1000, docs: 'https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html' },
  { type: 'aws_iam_policy', attribute: 'description', min: 0, max: 1000, docs: 'https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreatePolicy.html' },
  { type: 'aws_iam_role_policy', attribute: 'name', min: 1, max: 128, pattern: /^[\w+=,.@-]+$/, patternText: 'letters, digits and +=,.@_-', docs: 'https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutRolePolicy.html' },
  { type: 'aws_identitystore_group', attribute: 'display_name', min: 1, max: 1024, docs: 'https://docs.aws.amazon.com/singlesignon/latest/IdentityStoreAPIReference/API_CreateGroup.html' },
  { type: 'aws_identitystore_group', attribute: 'description', min: 0, max: 1024, docs: 'https://docs.aws.amazon.com/singlesignon/latest/IdentityStoreAPIReference/API_CreateGroup.html' },
  { type: 'aws_kms_key', attribute: 'description', min: 0, max: 8192, docs: 'https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html' },
  { type: 'aws_lambda_alias', attribute: 'name', min: 1, max: 128, pattern: /^(?!\d+$)[A-Za-z0-9_-]+$/, patternText: 'letters, digits, - and _ (not only digits)', docs: 'https://docs.aws.amazon.com/lambda/latest/api/API_CreateAlias.html' },
  { type: 'aws_lambda_alias', attribute: 'description', min: 0, max: 256, docs: 'https://docs.aws.amazon.com/lambda/latest/api/API_CreateAlias.html' },
  { type: 'aws_lambda_function', attribute: 'description', min: 0, max: 256, docs: 'https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html' },
  { type: 'aws_lambda_permission', attribute: 'statement_id', min: 1, max: 100, pattern: /^[A-Za-z0-9_-]+$/, patternText: 'letters, digits, - and _', docs: 'https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html' },
  { type: 'aws_launch_template', attribute: 'description', min: 0, max: 255, docs: 'https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateLaunchTemplate.html' },
  { type: 'aws_athena_workgroup', attribute: 'description', min: 0, max: 1024, docs: 'https://docs.aws.amazon.com/athena/latest/APIReference/API_CreateWorkGroup.html' },
  { type: 'aws_apigatewayv2_stage', attribute: 'description', min: 0, max: 1024, docs: 'https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-stages.html' },
  { type: 'aws_organizations_organizational_unit', attribute: 'name', min: 1, max: 128, docs: 'https://docs.aws.amazon.com/organizations/latest/APIReference/API_CreateOrganizationalUnit.html' },
  { type: 'aws_organizations_policy', attribute: 'name', min: 1, max: 128, docs: 'https://docs.aws.amazon.com/organizations/latest/APIReference/API_CreatePolicy.html' },
  { type: 'aws_organizations_policy', attribute: 'description', min: 0, max: 512, docs: 'https://docs.aws.amazon.com/organizations/latest/APIReference/API_CreatePolicy.html' },
  { type: 'aws_rds_cluster', attribute: 'database_name', min: 1, max: 63, pattern: /^[A-Za-z][A-Za-z0-9_]*$/, patternText: 'a letter, then letters, digits and underscores', docs: 'https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html' },
  { type: 'aws_cloudfront_response_headers_policy', attribute: 'comment', min: 0, max: 128, docs: 'https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_ResponseHeadersPolicyConfig.html' },
  { type: 'aws_rds_cluster_parameter_group', attribute: 'name', min: 1, max: 255, pattern: /^[a-z](?:[a-z0-9.]|-(?!-))*[a-z0-9]$/, patternText: 'a lowercase letter first, then lowercase letters, digits, dots and single hyphens', docs: 'https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBClusterParameterGroup.html' },
  { type: 'aws_route53_zone', attribute: 'comment', min: 0, max: 256, docs: 'https://docs.aws.amazon.com/Route53/latest/APIReference/API_HostedZoneConfig.html' },
  { type: 'aws_secretsmanager_secret', attribute: 'description', min: 0, max: 2048, docs: 'https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html' },
  { type: 'aws_security_group', attribute: 'name', min: 1, max: 255, pattern: /^(?!sg-)[\x20-\x7E]+$/, patternText: 'printable ASCII, not starting with sg-', docs: 'https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html' },
  { type: 'aws_security_group', attribute: 'description', min: 0, max: 255, pattern: /^[A-Za-z0-9 ._\-:/()#,@[\]+=&;{}!$*]*$/, patternText: 'letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*', docs: 'https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html' },
  { type: 'aws_vpc_security_group_ingress_rule', attribute: 'description', min: 0, max: 255, docs: 'https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_IpPermission.html' },
  { type: 'aws_vpc_security_group_egress_rule', attribute: 'description', min: 0, max: 255, docs: 'https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_IpPermission.html' },
  { type: 'aws_ssoadmin_permission_set', attribute: 'description', min: 1, max: 700, docs: 'https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_CreatePermissionSet.html' },
  { type: 'aws_wafv2_web_acl', attribute: 'description', min: 1, max: 256, docs: 'https://docs.aws.amazon.com/waf/latest/APIReference/API_CreateWebACL.html' },
  // Cost anomalies and the CUR 2.0 export (cost layer), chat channels (security layer). The backup layer's vault, plan
  // and selection are above. Inspector, Macie (monitoring layers) and Route 53 zone associations (dns-association,
  // transit-routes) create no named resources: enablers, delegations, memberships and associations only.
  { type: 'aws_ce_anomaly_monitor', attribute: 'name', min: 0, max: 1024, docs: 'https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_AnomalyMonitor.html' },
  { type: 'aws_ce_anomaly_subscription', attribute: 'name', min: 0, max: 1024, docs: 'https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_AnomalySubscription.html' },
  { type: 'aws_bcmdataexports_export', attribute: 'export.name', min: 1, max: 128, pattern: /^[0-9A-Za-z!\-_.*'()]+$/, patternText: "letters, digits and !-_.*'()", docs: 'https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_DataExports_Export.html' },
  { type: 'aws_bcmdataexports_export', attribute: 'export.description', min: 0, max: 1024, docs: 'https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_DataExports_Export.html' },
  { type: 'aws_chatbot_slack_channel_configuration', attribute: 'configuration_name', min: 1, max: 128, pattern: /^[A-Za-z0-9_-]+$/, patternText: 'letters, digits, - and _', docs: 'https://docs.aws.amazon.com/chatbot/latest/APIReference/API_CreateSlackChannelConfiguration.html' },
  { type: 'aws_chatbot_teams_channel_configuration', attribute: 'configuration_name', min: 1, max: 128, pattern: /^[A-Za-z0-9_-]+$/, patternText: 'letters, digits, - and _', docs: 'https://docs.aws.amazon.com/chatbot/latest/APIReference/API_CreateMicrosoftTeamsChannelConfiguration.html' },
  // Network inspection (network-firewall layer): firewall, policy and rule groups share one name rule.
  { type: 'aws_networkfirewall_firewall', attribute: 'name', min: 1, max: 128, pattern: ALNUM_HYPHEN_ANY, patternText: 'letters, digits and hyphens', docs: 'https://docs.aws.amazon.com/network-firewall/latest/APIReference/API_CreateFirewall.html' },
  { type: 'aws_networkfirewall_firewall', attribute: 'description', min: 0, max: 512, docs: 'https://docs.aws.amazon.com/network-firewall/latest/APIReference/API_CreateFirewall.html' },
  { type: 'aws_networkfirewall_firewall_policy', attribute: 'name', min: 1, max: 128, pattern: ALNUM_HYPHEN_ANY, patternText: 'letters, digits and hyphens', docs: 'https://docs.aws.amazon.com/network-firewall/latest/APIReference/API_CreateFirewallPolicy.html' },
  { type: 'aws_networkfirewall_firewall_policy', attribute: 'description', min: 0, max: 512, docs: 'https://docs.aws.amazon.com/network-firewall/latest/APIReference/API_CreateFirewallPolicy.html' },
  { type: 'aws_networkfirewall_rule_group', attribute: 'name', min: 1, max: 128, pattern: ALNUM_HYPHEN_ANY, patternText: 'letters, digits and hyphens', docs: 'https://docs.aws.amazon.com/network-firewall/latest/APIReference/API_CreateRuleGroup.html' },
  { type: 'aws_networkfirewall_rule_group', attribute: 'description', min: 0, max: 512, docs: 'https://docs.aws.amazon.com/network-firewall/latest/APIReference/API_CreateRuleGroup.html' },
  // Client VPN (client-vpn layer): the IAM SAML provider of the Identity Center application. The endpoint has no name
  // (its Name tag is checked as a tag), and AWS documents no length for the descriptions of endpoints, authorization
  // rules and routes (CreateClientVpnEndpoint, AuthorizeClientVpnIngress, CreateClientVpnRoute).
  { type: 'aws_iam_saml_provider', attribute: 'name', min: 1, max: 128, pattern: /^[\w._-]+$/, patternText: 'letters, digits and ._-', docs: 'https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateSAMLProvider.html' },
];

// ---------------------------------------------------------------------------------------------------------------
// Globally unique names: the resources named in a namespace shared with every AWS customer (the namespaces, their
// limits and globalResourceName are in lib/naming.ts).

export interface GlobalName {
  readonly type: string;
  readonly attribute: string;
  readonly namespace: GlobalNamespace;
}

export const GLOBAL_NAMES: readonly GlobalName[] = [
  { type: 'aws_s3_bucket', attribute: 'bucket', namespace: 's3-bucket' },
  { type: 'aws_cognito_user_pool_domain', attribute: 'domain', namespace: 'cognito-domain' },
];

/** Per-account (global) or per-account-and-region names: two layers creating the same one collide. */
export const UNIQUE_IN_ACCOUNT: readonly { type: string; attribute: string; scope: 'account' | 'region' }[] = [
  { type: 'aws_iam_role', attribute: 'name', scope: 'account' },
  { type: 'aws_iam_policy', attribute: 'name', scope: 'account' },
  { type: 'aws_iam_instance_profile', attribute: 'name', scope: 'account' },
  { type: 'aws_cloudwatch_log_group', attribute: 'name', scope: 'region' },
  { type: 'aws_kms_alias', attribute: 'name', scope: 'region' },
  { type: 'aws_sns_topic', attribute: 'name', scope: 'region' },
  { type: 'aws_sqs_queue', attribute: 'name', scope: 'region' },
  { type: 'aws_lambda_function', attribute: 'function_name', scope: 'region' },
  { type: 'aws_dynamodb_table', attribute: 'name', scope: 'region' },
  { type: 'aws_ecr_repository', attribute: 'name', scope: 'region' },
  { type: 'aws_secretsmanager_secret', attribute: 'name', scope: 'region' },
  { type: 'aws_lb', attribute: 'name', scope: 'region' },
  { type: 'aws_lb_target_group', attribute: 'name', scope: 'region' },
  { type: 'aws_ecs_cluster', attribute: 'name', scope: 'region' },
  { type: 'aws_eks_cluster', attribute: 'name', scope: 'region' },
  { type: 'aws_rds_cluster', attribute: 'cluster_identifier', scope: 'region' },
  { type: 'aws_elasticache_replication_group', attribute: 'replication_group_id', scope: 'region' },
  { type: 'aws_cloudwatch_metric_alarm', attribute: 'alarm_name', scope: 'region' },
  { type: 'aws_cloudwatch_event_bus', attribute: 'name', scope: 'region' },
  { type: 'aws_launch_template', attribute: 'name', scope: 'region' },
  { type: 'aws_security_group', attribute: 'name', scope: 'region' },
  { type: 'aws_backup_vault', attribute: 'name', scope: 'region' },
  { type: 'aws_budgets_budget', attribute: 'name', scope: 'account' },
  { type: 'aws_wafv2_web_acl', attribute: 'name', scope: 'region' },
  { type: 'aws_cognito_user_pool_domain', attribute: 'domain', scope: 'region' },
  { type: 'aws_networkfirewall_firewall', attribute: 'name', scope: 'region' },
  { type: 'aws_networkfirewall_firewall_policy', attribute: 'name', scope: 'region' },
  { type: 'aws_networkfirewall_rule_group', attribute: 'name', scope: 'region' },
  { type: 'aws_iam_saml_provider', attribute: 'name', scope: 'account' },
  // PutResourcePolicy with a name that exists replaces that policy: two layers writing one name would undo each other.
  { type: 'aws_cloudwatch_log_resource_policy', attribute: 'policy_name', scope: 'region' },
];

/** Settings an account (or account and region) has exactly one of. */
export const ONE_PER_ACCOUNT: readonly { type: string; scope: 'account' | 'region'; what: string }[] = [
  { type: 'aws_config_configuration_recorder', scope: 'region', what: 'AWS Config configuration recorder' },
  { type: 'aws_config_delivery_channel', scope: 'region', what: 'AWS Config delivery channel' },
  { type: 'aws_guardduty_detector', scope: 'region', what: 'GuardDuty detector' },
  { type: 'aws_securityhub_account', scope: 'region', what: 'Security Hub subscription' },
  { type: 'aws_ebs_default_kms_key', scope: 'region', what: 'default EBS key' },
  { type: 'aws_ebs_encryption_by_default', scope: 'region', what: 'EBS encryption by default setting' },
  { type: 'aws_securityhub_finding_aggregator', scope: 'account', what: 'Security Hub finding aggregator' },
  { type: 'aws_iam_account_password_policy', scope: 'account', what: 'IAM password policy' },
  { type: 'aws_s3_account_public_access_block', scope: 'account', what: 'S3 account public access block' },
  { type: 'aws_organizations_organization', scope: 'account', what: 'organisation' },
  { type: 'aws_lakeformation_data_lake_settings', scope: 'region', what: 'Lake Formation data lake settings' },
  { type: 'aws_ecr_replication_configuration', scope: 'region', what: 'ECR registry replication configuration' },
  { type: 'aws_ecr_registry_scanning_configuration', scope: 'region', what: 'ECR registry scanning configuration' },
  { type: 'aws_ecr_registry_policy', scope: 'region', what: 'ECR registry policy' },
  { type: 'aws_guardduty_organization_configuration', scope: 'region', what: 'GuardDuty organisation configuration' },
  { type: 'aws_securityhub_organization_configuration', scope: 'region', what: 'Security Hub organisation configuration' },
  { type: 'aws_inspector2_organization_configuration', scope: 'region', what: 'Inspector organisation configuration' },
  { type: 'aws_macie2_account', scope: 'region', what: 'Macie session' },
  { type: 'aws_macie2_organization_configuration', scope: 'region', what: 'Macie organisation configuration' },
];
