/**
 * IAM actions by purpose, in one place (like aws-cdk-lib's aws-s3/lib/perms.ts): the grant methods of the modules use
 * them, so no layer types an action list. Exact actions or read-only prefixes (`Get*`, `List*`), never service
 * wildcards: the policy pack and reviewers read what a role can do. Lists are sorted, except those that keep the order of
 * the policies they came from (so moving them here changed no policy); a grant that combines two lists renders their
 * sorted union.
 */

// --- S3 -------------------------------------------------------------------------------------------------------------

/** Find the bucket, list it and read objects. */
export const BUCKET_READ_ACTIONS = ['s3:GetBucketLocation', 's3:GetObject', 's3:ListBucket'] as const;
/**
 * Write objects, including multipart uploads (list and abort them). With BUCKET_READ_ACTIONS this is exactly the list
 * Firehose documents for an S3 destination.
 * https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html#using-iam-s3
 */
export const BUCKET_WRITE_ACTIONS = ['s3:AbortMultipartUpload', 's3:GetBucketLocation', 's3:ListBucketMultipartUploads', 's3:PutObject'] as const;
/** Delete current object versions (a versioned bucket keeps the noncurrent ones). */
export const BUCKET_DELETE_ACTIONS = ['s3:DeleteObject'] as const;
/**
 * What an AWS service delivering files into a bucket is admitted to by the bucket policy (S3 server access logs, ELB
 * access logs, CloudTrail, Config): writing objects, nothing else.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html#grant-log-delivery-permissions-general
 */
export const BUCKET_DELIVERY_ACTIONS = ['s3:PutObject'] as const;
/** The ACL check a delivering service (CloudTrail, Config) makes before it writes. */
export const BUCKET_ACL_CHECK_ACTIONS = ['s3:GetBucketAcl'] as const;
/**
 * The ACL and existence checks AWS Config makes on a delivery bucket (bucket policy statements
 * `AWSConfigBucketPermissionsCheck` and `AWSConfigBucketExistenceCheck`).
 * https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-policy.html
 */
export const BUCKET_CHECK_ACTIONS = ['s3:GetBucketAcl', 's3:ListBucket'] as const;
/**
 * What S3 replication's role does on a source bucket (read its replication configuration, list it) and on its object
 * versions (read them with their ACLs and tags), and on the replica bucket's objects (write them, delete markers, tags).
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/setting-repl-config-perm-overview.html
 */
export const BUCKET_REPLICATION_CONFIG_ACTIONS = ['s3:GetReplicationConfiguration', 's3:ListBucket'] as const;
export const BUCKET_REPLICATION_READ_ACTIONS = ['s3:GetObjectVersionForReplication', 's3:GetObjectVersionAcl', 's3:GetObjectVersionTagging'] as const;
export const BUCKET_REPLICATION_WRITE_ACTIONS = ['s3:ReplicateObject', 's3:ReplicateDelete', 's3:ReplicateTags'] as const;
/**
 * What the bucket policy of a CloudFront origin lets the service do on behalf of one distribution (origin access
 * control): read objects. https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html
 */
export const BUCKET_CLOUDFRONT_READ_ACTIONS = ['s3:GetObject'] as const;
/** Every S3 action: only in the Deny of requests not made over TLS (FSBP S3.5). */
export const BUCKET_ALL_ACTIONS = ['s3:*'] as const;

// --- KMS ------------------------------------------------------------------------------------------------------------

/** Read data a service encrypted with the key (S3 GetObject, Kinesis GetRecords, SQS ReceiveMessage ...). */
export const KEY_DECRYPT_ACTIONS = ['kms:Decrypt'] as const;
/**
 * Write and read data a service encrypts with the key on the caller's behalf (envelope encryption: a data key to write,
 * Decrypt to read it back, also needed by S3 multipart uploads). Enough for S3, Kinesis, SQS, SNS and Firehose.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#require-sse-kms
 */
export const KEY_ENCRYPT_DECRYPT_ACTIONS = ['kms:Decrypt', 'kms:GenerateDataKey'] as const;
/**
 * What S3 replication's role does with the destination bucket's key: encrypt each replica (`kms:Encrypt`), make the data
 * key of a plaintext source object (`kms:GenerateDataKey`), and `kms:Decrypt`, with which S3 checks the destination's
 * S3 Bucket Key before using it ("S3 Bucket Keys and replication").
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-config-for-kms-objects.html
 */
export const KEY_REPLICA_ENCRYPT_ACTIONS = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'] as const;
/** Look the key up (symmetric? enabled?): DynamoDB and DAX check it before using a table key. */
export const KEY_DESCRIBE_ACTIONS = ['kms:DescribeKey'] as const;
/** Encrypt directly with the key (client-side encryption, e.g. Glue job bookmarks in CSE-KMS mode). */
export const KEY_ENCRYPT_ACTIONS = ['kms:Encrypt'] as const;
/**
 * Let a service encrypt resources it creates with the key through KMS grants (ECR repositories made by a creation
 * template). https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-creation-templates-custom.html
 */
export const KEY_GRANT_ACTIONS = ['kms:CreateGrant', 'kms:DescribeKey', 'kms:RetireGrant'] as const;
/**
 * What the EKS cluster role does with the key of Kubernetes secrets (envelope encryption): encrypt and decrypt data
 * keys, and create and list the grant EKS keeps on the key. https://docs.aws.amazon.com/eks/latest/userguide/enable-kms.html
 */
export const KEY_EKS_SECRETS_ACTIONS = ['kms:CreateGrant', 'kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:ListGrants'] as const;

// --- KMS key policies: what AWS services do with a key (KmsKey.grantToService writes them) --------------------------
// As each service's documentation writes them (wildcards included), in that order.

/** The owning account administers and uses the key; its IAM policies then decide who may (every key of the project). */
export const KEY_ADMIN_ACTIONS = ['kms:*'] as const;
/** CloudWatch Logs encrypting log groups. https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html */
export const KEY_LOGS_SERVICE_ACTIONS = ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'] as const;
/**
 * Another account using a key through an AWS service that encrypts for it (AWS Backup copies across accounts): the
 * data-key actions, and grants only for AWS resources. https://docs.aws.amazon.com/aws-backup/latest/devguide/create-cross-account-backup.html
 */
export const KEY_CROSS_ACCOUNT_USE_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'] as const;
export const KEY_CROSS_ACCOUNT_GRANT_ACTIONS = ['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant'] as const;
/** EventBridge buses, archives and targets. https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-encryption-key-policy.html */
export const KEY_EVENTS_SERVICE_ACTIONS = ['kms:DescribeKey', 'kms:GenerateDataKey*', 'kms:Decrypt'] as const;
/** AWS services publishing to encrypted SNS topics. https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services */
export const KEY_SNS_PUBLISHER_ACTIONS = ['kms:Decrypt', 'kms:GenerateDataKey*'] as const;
/** CloudTrail encrypting log files. https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html */
export const KEY_CLOUDTRAIL_ENCRYPT_ACTIONS = ['kms:GenerateDataKey*'] as const;
export const KEY_CLOUDTRAIL_DESCRIBE_ACTIONS = ['kms:DescribeKey'] as const;
/** AWS Config encrypting what it delivers. https://docs.aws.amazon.com/config/latest/developerguide/s3-kms-key-policy.html */
export const KEY_CONFIG_SERVICE_ACTIONS = ['kms:Decrypt', 'kms:GenerateDataKey'] as const;
/** The Auto Scaling service-linked role encrypting instance volumes, and creating grants for them. https://docs.aws.amazon.com/autoscaling/ec2/userguide/key-policy-requirements-EBS-encryption.html */
export const KEY_AUTOSCALING_VOLUME_ACTIONS = ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'] as const;
export const KEY_AUTOSCALING_GRANT_ACTIONS = ['kms:CreateGrant'] as const;
/**
 * CloudFront reading (and uploading to) an SSE-KMS origin bucket through origin access control.
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html#create-oac-overview-s3
 */
export const KEY_CLOUDFRONT_OAC_ACTIONS = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*'] as const;
/**
 * AWS services (SNS subscriptions, EventBridge targets) sending messages to SQS queues encrypted with the key.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html#compatibility-with-aws-services
 */
export const KEY_SQS_SENDER_ACTIONS = ['kms:Decrypt', 'kms:GenerateDataKey*'] as const;

// --- Lambda ---------------------------------------------------------------------------------------------------------

/**
 * Invoke a function: what a resource-based permission lets a service do with it (API Gateway, Secrets Manager calling a
 * rotation function), and what a caller's role needs (a Step Functions state machine invoking its task functions).
 */
export const FUNCTION_INVOKE_ACTIONS = ['lambda:InvokeFunction'] as const;

// --- Step Functions, EventBridge ------------------------------------------------------------------------------------

/** Start executions of a state machine (an EventBridge rule's target role). */
export const STATE_MACHINE_START_ACTIONS = ['states:StartExecution'] as const;
/**
 * What a state machine's role needs to send its execution logs to CloudWatch Logs (log delivery is set up through the
 * vended-logs APIs, which have no resource-level permissions: `*` is their only resource). In the order AWS documents them.
 * https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html#cloudwatch-iam-policy
 */
export const STATE_MACHINE_LOG_DELIVERY_ACTIONS = [
  'logs:CreateLogDelivery', 'logs:GetLogDelivery', 'logs:UpdateLogDelivery', 'logs:DeleteLogDelivery', 'logs:ListLogDeliveries',
  'logs:PutResourcePolicy', 'logs:DescribeResourcePolicies', 'logs:DescribeLogGroups',
] as const;
/** Put events on an event bus. */
export const EVENTS_PUT_ACTIONS = ['events:PutEvents'] as const;

// --- ECR ------------------------------------------------------------------------------------------------------------

/**
 * Pull an image (another account's principals, once the repository policy admits the account). In the order existing
 * repository policies were written, so moving the list here changed no policy.
 */
export const ECR_PULL_ACTIONS = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'] as const;
/**
 * What ECR does with the role of a repository creation template: create the repository, replicate images into it, tag
 * it. https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-creation-templates-custom.html
 */
export const ECR_TEMPLATE_ACTIONS = ['ecr:CreateRepository', 'ecr:ReplicateImage', 'ecr:TagResource'] as const;
/**
 * Log in to ECR (a task's execution role before it pulls). The action has no resource type, so `*` is its only resource;
 * the pull itself is limited to one repository.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html
 */
export const ECR_AUTH_ACTIONS = ['ecr:GetAuthorizationToken'] as const;

// --- Secrets Manager ------------------------------------------------------------------------------------------------

/** Actions that reveal a secret's value. */
export const SECRET_READ_ACTIONS = ['secretsmanager:GetSecretValue'] as const;

// --- SQS, SNS -------------------------------------------------------------------------------------------------------

export const QUEUE_SEND_ACTIONS = ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'] as const;
export const QUEUE_CONSUME_ACTIONS = [
  'sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage',
] as const;
export const TOPIC_PUBLISH_ACTIONS = ['sns:Publish'] as const;
/**
 * What the topic policy lets the owning account do (read and change the topic, subscribe, publish); in the order the
 * topic policies were first written. https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html
 */
export const TOPIC_OWNER_ACTIONS = ['sns:GetTopicAttributes', 'sns:SetTopicAttributes', 'sns:Subscribe', 'sns:ListSubscriptionsByTopic', 'sns:Publish'] as const;
/**
 * What a Lambda function's execution role needs on the dead-letter queue of its asynchronous invocations.
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html#invocation-dlq
 */
export const QUEUE_DEAD_LETTER_ACTIONS = ['sqs:SendMessage'] as const;
/**
 * What a queue policy lets an AWS service do for one source (an SNS topic delivering to its subscribed queue, an
 * EventBridge rule parking undeliverable events): send messages.
 */
export const QUEUE_SERVICE_SEND_ACTIONS = ['sqs:SendMessage'] as const;
/** Every SQS action: only in the Deny of requests not made over TLS. */
export const QUEUE_ALL_ACTIONS = ['sqs:*'] as const;

// --- DynamoDB -------------------------------------------------------------------------------------------------------

export const TABLE_READ_ACTIONS = [
  'dynamodb:BatchGetItem', 'dynamodb:ConditionCheckItem', 'dynamodb:DescribeTable', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan',
] as const;
export const TABLE_WRITE_ACTIONS = [
  'dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:DescribeTable', 'dynamodb:PutItem', 'dynamodb:UpdateItem',
] as const;
/**
 * Append records to an audit table and read them back; nothing changes or deletes one (no UpdateItem, DeleteItem or
 * batch writes). In the order the developer platform's policy was first written.
 */
export const AUDIT_TABLE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:DescribeTable'] as const;
export const TABLE_STREAM_READ_ACTIONS = ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'] as const;

// --- Kinesis Data Streams -------------------------------------------------------------------------------------------

/** Read records: what a consumer (Firehose with a Kinesis source, a Lambda trigger) needs. */
export const KINESIS_READ_ACTIONS = [
  'kinesis:DescribeStream', 'kinesis:DescribeStreamSummary', 'kinesis:GetRecords', 'kinesis:GetShardIterator', 'kinesis:ListShards',
] as const;
export const KINESIS_WRITE_ACTIONS = ['kinesis:DescribeStreamSummary', 'kinesis:ListShards', 'kinesis:PutRecord', 'kinesis:PutRecords'] as const;

// --- CloudWatch Logs ------------------------------------------------------------------------------------------------

/** Write events into existing streams of a log group. */
export const LOG_EVENTS_WRITE_ACTIONS = ['logs:PutLogEvents'] as const;
/** Create streams in a log group and write to them. */
export const LOG_STREAM_WRITE_ACTIONS = ['logs:CreateLogStream', 'logs:PutLogEvents'] as const;
/** Encrypt a log group the principal creates with a KMS key (Glue crawlers and jobs with a security configuration). */
export const LOG_GROUP_ENCRYPT_ACTIONS = ['logs:AssociateKmsKey'] as const;
/**
 * What VPC Flow Logs does in the log group it delivers to (the group exists: no CreateLogGroup). In the order the
 * flow-log policy was first written. https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html
 */
export const FLOW_LOG_DELIVERY_ACTIONS = ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'] as const;

// --- X-Ray ----------------------------------------------------------------------------------------------------------

/**
 * Send trace segments and telemetry (active tracing). They have no resource-level permissions: `*` is their only
 * resource. In the order the Lambda policy was first written.
 * https://docs.aws.amazon.com/lambda/latest/dg/services-xray.html
 */
export const XRAY_WRITE_ACTIONS = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'] as const;
/**
 * Send trace segments and read the sampling rules: what a Step Functions state machine with tracing enabled needs (no
 * resource-level permissions either). https://docs.aws.amazon.com/step-functions/latest/dg/xray-iam.html
 */
export const XRAY_TRACING_ACTIONS = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'] as const;

// --- STS: trust policies --------------------------------------------------------------------------------------------

/** Assume a role (the action of every trust statement naming an AWS principal or service). */
export const ROLE_ASSUME_ACTIONS = ['sts:AssumeRole'] as const;
/** Assume a role passing session tags (automation that tags its sessions). */
export const ROLE_ASSUME_TAGGED_ACTIONS = ['sts:AssumeRole', 'sts:TagSession'] as const;
/** Assume a role with an OIDC token (IRSA, GitHub Actions). */
export const WEB_IDENTITY_ASSUME_ACTIONS = ['sts:AssumeRoleWithWebIdentity'] as const;

// --- IAM ------------------------------------------------------------------------------------------------------------

/**
 * Create credentials that outlive a session: IAM users, their access keys and console passwords (a login profile,
 * created or reset). People get short-lived sessions from Identity Center instead, so roles and permission sets deny
 * these. UpdateLoginProfile sets a new console password for an existing user:
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateLoginProfile.html
 */
export const LONG_LIVED_CREDENTIAL_ACTIONS = ['iam:CreateUser', 'iam:CreateAccessKey', 'iam:CreateLoginProfile', 'iam:UpdateLoginProfile'] as const;

// --- CloudWatch -----------------------------------------------------------------------------------------------------

/**
 * What AWS Chatbot (Amazon Q Developer in chat applications) reads to render an alarm notification (state, history,
 * the metric graph): AWS's "Notification permissions" channel-role template, read-only.
 * https://docs.aws.amazon.com/chatbot/latest/adminguide/chatbot-iam-policies.html
 */
export const CHAT_NOTIFICATION_ACTIONS = ['cloudwatch:Describe*', 'cloudwatch:Get*', 'cloudwatch:List*'] as const;

// --- IAM and Organizations: the people and deploy roles of every account (layers/security.ts) -----------------------
// In the order the security layer's policies were first written, so moving them here changed no policy.

/** What the deploy role needs beyond PowerUserAccess to manage roles and policies (never users or keys). */
export const ROLE_MANAGEMENT_ACTIONS = [
  'iam:Get*', 'iam:List*', 'iam:CreateRole', 'iam:DeleteRole', 'iam:UpdateRole', 'iam:UpdateRoleDescription',
  'iam:UpdateAssumeRolePolicy', 'iam:TagRole', 'iam:UntagRole', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy',
  'iam:AttachRolePolicy', 'iam:DetachRolePolicy', 'iam:PassRole', 'iam:CreatePolicy', 'iam:DeletePolicy',
  'iam:CreatePolicyVersion', 'iam:DeletePolicyVersion', 'iam:SetDefaultPolicyVersion', 'iam:TagPolicy', 'iam:UntagPolicy',
  'iam:CreateInstanceProfile', 'iam:DeleteInstanceProfile', 'iam:AddRoleToInstanceProfile', 'iam:RemoveRoleFromInstanceProfile',
  'iam:TagInstanceProfile', 'iam:CreateServiceLinkedRole', 'iam:DeleteServiceLinkedRole',
  'iam:CreateOpenIDConnectProvider', 'iam:DeleteOpenIDConnectProvider', 'iam:UpdateOpenIDConnectProviderThumbprint',
  'iam:AddClientIDToOpenIDConnectProvider', 'iam:RemoveClientIDFromOpenIDConnectProvider', 'iam:TagOpenIDConnectProvider',
  'iam:UntagOpenIDConnectProvider', 'iam:UntagInstanceProfile', 'iam:PutRolePermissionsBoundary',
  'iam:UpdateAccountPasswordPolicy', 'iam:DeleteAccountPasswordPolicy',
] as const;

/** Reads of data rather than configuration (objects, secret values, parameters, decryption, items): denied to ReadOnly. */
export const DATA_READ_ACTIONS = [
  's3:GetObject', 'secretsmanager:GetSecretValue', 'ssm:GetParameter*', 'kms:Decrypt', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan',
] as const;

/**
 * Read-only AWS Organizations actions the delegated administrator's deploy role needs (PowerUserAccess allows only
 * organizations:DescribeOrganization): Config's organisation aggregator checks ListDelegatedAdministrators, GuardDuty,
 * Security Hub, Inspector and Macie list the accounts they enable, the organisation Access Analyzer walks roots, OUs and
 * accounts. Nothing here changes the organisation; policies (SCP contents) are not listed either.
 */
export const ORGANIZATION_READ_ACTIONS = [
  'organizations:DescribeOrganization', 'organizations:DescribeAccount', 'organizations:DescribeOrganizationalUnit',
  'organizations:ListAccounts', 'organizations:ListAccountsForParent', 'organizations:ListAWSServiceAccessForOrganization',
  'organizations:ListDelegatedAdministrators', 'organizations:ListDelegatedServicesForAccount', 'organizations:ListRoots',
  'organizations:ListOrganizationalUnitsForParent', 'organizations:ListChildren', 'organizations:ListParents',
] as const;

// --- Glue Data Catalog, Lake Formation, Athena ----------------------------------------------------------------------

/** Read databases, tables and partitions of the Glue Data Catalog (Lake Formation still decides on the data). */
export const CATALOG_READ_ACTIONS = [
  'glue:BatchGetPartition', 'glue:GetDatabase', 'glue:GetDatabases', 'glue:GetPartition', 'glue:GetPartitions', 'glue:GetTable', 'glue:GetTables',
] as const;
/**
 * Temporary credentials for data Lake Formation governs. The action has no resource type, so `*` is its only resource;
 * the Lake Formation grants scope it. https://docs.aws.amazon.com/lake-formation/latest/dg/permissions-reference.html
 */
export const LAKE_FORMATION_DATA_ACCESS_ACTIONS = ['lakeformation:GetDataAccess'] as const;
/** Run and read queries in one Athena workgroup. */
export const ATHENA_QUERY_ACTIONS = [
  'athena:GetQueryExecution', 'athena:GetQueryResults', 'athena:GetWorkGroup', 'athena:ListQueryExecutions',
  'athena:StartQueryExecution', 'athena:StopQueryExecution',
] as const;

// --- Terraform state (the base-tf-backend bucket, lock table and key) ------------------------------------------
// In the order the state policies were first written.

/** List the state bucket (terraform init, remote-state reads). */
export const STATE_LIST_ACTIONS = ['s3:ListBucket'] as const;
/** Read state objects and their versions. */
export const STATE_READ_ACTIONS = ['s3:GetObject', 's3:GetObjectVersion'] as const;
/** Decrypt state objects (through S3 only, by condition). */
export const STATE_DECRYPT_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey'] as const;
/** Take, check and release a lock in the lock table. https://developer.hashicorp.com/terraform/language/backend/s3#dynamodb-table-permissions */
export const STATE_LOCK_ACTIONS = ['dynamodb:DescribeTable', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'] as const;
/** Encrypt and decrypt lock items of a table encrypted with the backend key (through DynamoDB only, by condition). */
export const STATE_LOCK_KEY_ACTIONS = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'] as const;

// --- Databases ------------------------------------------------------------------------------------------------------

/** Connect to an Aurora cluster as an IAM database user. https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/UsingWithRDS.IAMDBAuth.IAMPolicy.html */
export const RDS_CONNECT_ACTIONS = ['rds-db:connect'] as const;
/** Connect to an ElastiCache replication group as an IAM-authenticated user. https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/auth-iam.html */
export const CACHE_CONNECT_ACTIONS = ['elasticache:Connect'] as const;

// --- Developer platform (the roles platform-access creates in workload accounts) -----------------------------------
// In the order the platform policies were first written.

/** Describe the network, cluster, load balancer, metrics and log groups an application lives in (no resource types). */
export const PLATFORM_DISCOVERY_ACTIONS = [
  'ec2:DescribeVpcs', 'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups', 'ec2:DescribeSecurityGroupRules',
  'ec2:DescribeNetworkInterfaces', 'ec2:DescribeRouteTables', 'ecs:DescribeTaskDefinition', 'ecs:ListTaskDefinitions',
  'ecs:ListClusters', 'elasticloadbalancing:DescribeLoadBalancers', 'elasticloadbalancing:DescribeListeners',
  'elasticloadbalancing:DescribeRules', 'elasticloadbalancing:DescribeTargetGroups', 'elasticloadbalancing:DescribeTargetHealth',
  'elasticloadbalancing:DescribeTags', 'tag:GetResources', 'cloudwatch:GetMetricData', 'cloudwatch:ListMetrics',
  'cloudwatch:DescribeAlarms', 'logs:DescribeLogGroups',
] as const;
/** Register task definitions (RegisterTaskDefinition has no resource-level permissions). */
export const ECS_TASK_DEFINITION_ACTIONS = ['ecs:RegisterTaskDefinition', 'ecs:DeregisterTaskDefinition', 'ecs:TagResource'] as const;
/** Create, change and remove the services of one cluster. */
export const ECS_SERVICE_MANAGE_ACTIONS = [
  'ecs:CreateService', 'ecs:UpdateService', 'ecs:DeleteService', 'ecs:DescribeServices', 'ecs:TagResource', 'ecs:ListTasks', 'ecs:DescribeTasks',
] as const;
/** Show, scale, restart and stop the services and tasks of one cluster. */
export const ECS_SERVICE_OPERATE_ACTIONS = [
  'ecs:UpdateService', 'ecs:DescribeServices', 'ecs:ListServices', 'ecs:ListTasks', 'ecs:DescribeTasks', 'ecs:DescribeClusters', 'ecs:StopTask',
] as const;
export const EKS_CLUSTER_DESCRIBE_ACTIONS = ['eks:DescribeCluster'] as const;
export const EKS_CLUSTER_READ_ACTIONS = ['eks:DescribeCluster', 'eks:ListNodegroups', 'eks:DescribeNodegroup', 'eks:ListAddons'] as const;
export const SECURITY_GROUP_CREATE_ACTIONS = ['ec2:CreateSecurityGroup'] as const;
/** Change the rules, tags and existence of security groups (scoped to one VPC with `ec2:Vpc`). */
export const SECURITY_GROUP_MANAGE_ACTIONS = [
  'ec2:AuthorizeSecurityGroupIngress', 'ec2:AuthorizeSecurityGroupEgress', 'ec2:RevokeSecurityGroupIngress', 'ec2:RevokeSecurityGroupEgress',
  'ec2:DeleteSecurityGroup', 'ec2:CreateTags',
] as const;
/** Target groups and listener rules an application adds to a shared load balancer. */
export const LOAD_BALANCER_ROUTE_ACTIONS = [
  'elasticloadbalancing:CreateTargetGroup', 'elasticloadbalancing:DeleteTargetGroup', 'elasticloadbalancing:ModifyTargetGroup',
  'elasticloadbalancing:ModifyTargetGroupAttributes', 'elasticloadbalancing:CreateRule', 'elasticloadbalancing:DeleteRule',
  'elasticloadbalancing:ModifyRule', 'elasticloadbalancing:AddTags',
] as const;
/** Create, configure and remove an application's log groups. */
export const LOG_GROUP_MANAGE_ACTIONS = ['logs:CreateLogGroup', 'logs:PutRetentionPolicy', 'logs:AssociateKmsKey', 'logs:TagResource', 'logs:DeleteLogGroup'] as const;
/** Read and query an application's logs. */
export const LOG_READ_ACTIONS = ['logs:GetLogEvents', 'logs:FilterLogEvents', 'logs:DescribeLogStreams', 'logs:StartQuery'] as const;
/** Read or stop a Logs Insights query (no resource types). */
export const LOG_QUERY_RESULT_ACTIONS = ['logs:GetQueryResults', 'logs:StopQuery'] as const;
/** Create application roles and give them permissions (only with the permissions boundary, by condition). */
export const ROLE_CREATE_ACTIONS = ['iam:CreateRole', 'iam:PutRolePolicy', 'iam:AttachRolePolicy', 'iam:PutRolePermissionsBoundary'] as const;
/** Read, change and remove application roles. */
export const ROLE_MANAGE_ACTIONS = [
  'iam:GetRole', 'iam:GetRolePolicy', 'iam:DeleteRolePolicy', 'iam:DetachRolePolicy', 'iam:DeleteRole', 'iam:TagRole', 'iam:ListRolePolicies',
  'iam:ListAttachedRolePolicies',
] as const;
export const ROLE_PASS_ACTIONS = ['iam:PassRole'] as const;
/** What would lift a permissions boundary: removing it, or rewriting the managed policy it is. */
export const BOUNDARY_LIFT_ACTIONS = ['iam:DeleteRolePermissionsBoundary', 'iam:CreatePolicyVersion', 'iam:SetDefaultPolicyVersion'] as const;
/** The most an application role may ever do: data-plane actions of the services applications use, never IAM. */
export const APPLICATION_DATA_PLANE_ACTIONS = [
  'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query', 'dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem',
  's3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:ListBucket',
  'sqs:SendMessage', 'sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sns:Publish',
  'secretsmanager:GetSecretValue', 'ssm:GetParameter', 'ssm:GetParameters', 'kms:Decrypt', 'kms:GenerateDataKey',
  'logs:CreateLogStream', 'logs:PutLogEvents', 'xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'cloudwatch:PutMetricData',
  'ecr:GetAuthorizationToken', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability',
] as const;
/** Identity, organisation and account changes, and entering other roles: denied to application roles by the boundary. */
export const IDENTITY_AND_ACCOUNT_ACTIONS = ['iam:*', 'organizations:*', 'account:*', 'sts:AssumeRole'] as const;

/** Sorted union of action lists, for a grant that combines purposes (read and write). */
export function actions(...lists: readonly (readonly string[])[]): string[] {
  return [...new Set(lists.flat())].sort();
}

// --- Route 53 -------------------------------------------------------------------------------------------------------

/** Create, change and delete records in a hosted zone (resource: `arn:aws:route53:::hostedzone/<id>`). */
export const DNS_RECORD_CHANGE_ACTIONS = ['route53:ChangeResourceRecordSets'] as const;
/** Read the records of a hosted zone (resource: the zone). */
export const DNS_RECORD_READ_ACTIONS = ['route53:ListResourceRecordSets'] as const;
/** Find the account's hosted zones. The action has no resource type: `*` is its only resource. */
export const DNS_ZONE_LIST_ACTIONS = ['route53:ListHostedZones'] as const;
/** Find a hosted zone by its name (no resource type either). */
export const DNS_ZONE_LOOKUP_ACTIONS = ['route53:ListHostedZonesByName'] as const;
/** Wait for a change to reach every Route 53 server (resource: `arn:aws:route53:::change/*`). */
export const DNS_CHANGE_STATUS_ACTIONS = ['route53:GetChange'] as const;

// --- EKS Pod Identity -----------------------------------------------------------------------------------------------

/**
 * What the EKS Auth service does with the role of a Pod Identity association: assume it, and tag the session with the
 * cluster, namespace and service account. https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html
 */
export const POD_IDENTITY_TRUST_ACTIONS = ['sts:AssumeRole', 'sts:TagSession'] as const;

// --- Kubernetes controllers on EKS (modules/eks-controller-permissions.ts) ------------------------------------------
// In the order the eks layer's policies were first written: moving them here changed no permission.

/**
 * Create and attach EBS volumes encrypted with a customer managed key (the EBS CSI driver, when the account's default
 * EBS key is one): AWS's policy for the driver's role. https://docs.aws.amazon.com/eks/latest/userguide/csi-iam-role.html
 */
export const KEY_EBS_VOLUME_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'] as const;
/** KMS grants for AWS resources only (`kms:GrantIsForAWSResource`): EBS attaching an encrypted volume to an instance. */
export const KEY_AWS_RESOURCE_GRANT_ACTIONS = ['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant'] as const;

/** What the cluster autoscaler reads to discover node groups and instance types (no resource-level permissions). */
export const CLUSTER_AUTOSCALER_DISCOVER_ACTIONS = [
  'autoscaling:DescribeAutoScalingGroups', 'autoscaling:DescribeAutoScalingInstances', 'autoscaling:DescribeLaunchConfigurations',
  'autoscaling:DescribeScalingActivities', 'autoscaling:DescribeTags', 'ec2:DescribeImages', 'ec2:DescribeInstanceTypes',
  'ec2:DescribeLaunchTemplateVersions', 'ec2:GetInstanceTypesFromInstanceRequirements',
] as const;
export const CLUSTER_AUTOSCALER_NODEGROUP_READ_ACTIONS = ['eks:DescribeNodegroup'] as const;
/** Resize the Auto Scaling groups of the cluster's managed node groups. */
export const CLUSTER_AUTOSCALER_SCALE_ACTIONS = ['autoscaling:SetDesiredCapacity', 'autoscaling:TerminateInstanceInAutoScalingGroup'] as const;

/**
 * The AWS Load Balancer Controller's reads (its v2.x iam_policy.json), none of which takes a resource:
 * https://github.com/kubernetes-sigs/aws-load-balancer-controller/blob/main/docs/install/iam_policy.json
 */
export const LB_CONTROLLER_DESCRIBE_ACTIONS = [
  'ec2:DescribeAccountAttributes', 'ec2:DescribeAddresses', 'ec2:DescribeAvailabilityZones', 'ec2:DescribeInternetGateways',
  'ec2:DescribeVpcs', 'ec2:DescribeVpcPeeringConnections', 'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups',
  'ec2:DescribeInstances', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeTags', 'ec2:DescribeRouteTables',
  'ec2:GetCoipPoolUsage', 'ec2:DescribeCoipPools', 'ec2:GetSecurityGroupsForVpc', 'ec2:DescribeIpamPools',
  'elasticloadbalancing:DescribeLoadBalancers', 'elasticloadbalancing:DescribeLoadBalancerAttributes',
  'elasticloadbalancing:DescribeListeners', 'elasticloadbalancing:DescribeListenerCertificates',
  'elasticloadbalancing:DescribeListenerAttributes', 'elasticloadbalancing:DescribeSSLPolicies',
  'elasticloadbalancing:DescribeRules', 'elasticloadbalancing:DescribeTargetGroups',
  'elasticloadbalancing:DescribeTargetGroupAttributes', 'elasticloadbalancing:DescribeTargetHealth',
  'elasticloadbalancing:DescribeTags', 'elasticloadbalancing:DescribeTrustStores',
  'elasticloadbalancing:DescribeCapacityReservation',
  'cognito-idp:DescribeUserPoolClient', 'acm:ListCertificates', 'acm:DescribeCertificate',
  'iam:ListServerCertificates', 'iam:GetServerCertificate', 'wafv2:GetWebACL', 'wafv2:GetWebACLForResource',
  'shield:GetSubscriptionState', 'shield:DescribeProtection',
] as const;
export const LB_CONTROLLER_SERVICE_LINKED_ROLE_ACTIONS = ['iam:CreateServiceLinkedRole'] as const;
export const LB_CONTROLLER_CREATE_SECURITY_GROUP_ACTIONS = ['ec2:CreateSecurityGroup'] as const;
export const LB_CONTROLLER_TAG_SECURITY_GROUP_ACTIONS = ['ec2:CreateTags'] as const;
export const LB_CONTROLLER_MANAGE_SECURITY_GROUP_ACTIONS = [
  'ec2:CreateTags', 'ec2:DeleteTags', 'ec2:AuthorizeSecurityGroupIngress', 'ec2:RevokeSecurityGroupIngress', 'ec2:DeleteSecurityGroup',
] as const;
export const LB_CONTROLLER_OPEN_SECURITY_GROUP_ACTIONS = ['ec2:AuthorizeSecurityGroupIngress', 'ec2:RevokeSecurityGroupIngress'] as const;
export const LB_CONTROLLER_CREATE_BALANCER_ACTIONS = ['elasticloadbalancing:CreateLoadBalancer', 'elasticloadbalancing:CreateTargetGroup'] as const;
export const LB_CONTROLLER_TAG_ON_CREATE_ACTIONS = ['elasticloadbalancing:AddTags'] as const;
export const LB_CONTROLLER_MANAGE_BALANCER_ACTIONS = [
  'elasticloadbalancing:AddTags', 'elasticloadbalancing:RemoveTags', 'elasticloadbalancing:ModifyLoadBalancerAttributes',
  'elasticloadbalancing:SetIpAddressType', 'elasticloadbalancing:SetSecurityGroups', 'elasticloadbalancing:SetSubnets',
  'elasticloadbalancing:DeleteLoadBalancer', 'elasticloadbalancing:ModifyTargetGroup',
  'elasticloadbalancing:ModifyTargetGroupAttributes', 'elasticloadbalancing:DeleteTargetGroup',
  'elasticloadbalancing:ModifyListenerAttributes', 'elasticloadbalancing:ModifyCapacityReservation',
  'elasticloadbalancing:ModifyIpPools',
] as const;
export const LB_CONTROLLER_LISTENER_ACTIONS = [
  'elasticloadbalancing:CreateListener', 'elasticloadbalancing:DeleteListener', 'elasticloadbalancing:CreateRule',
  'elasticloadbalancing:DeleteRule', 'elasticloadbalancing:ModifyListener', 'elasticloadbalancing:AddListenerCertificates',
  'elasticloadbalancing:RemoveListenerCertificates', 'elasticloadbalancing:ModifyRule', 'elasticloadbalancing:SetRulePriorities',
] as const;
export const LB_CONTROLLER_TAG_LISTENER_ACTIONS = ['elasticloadbalancing:AddTags', 'elasticloadbalancing:RemoveTags'] as const;
export const LB_CONTROLLER_TARGET_ACTIONS = ['elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets'] as const;
export const LB_CONTROLLER_WAF_SHIELD_ACTIONS = [
  'elasticloadbalancing:SetWebAcl', 'wafv2:AssociateWebACL', 'wafv2:DisassociateWebACL', 'shield:CreateProtection', 'shield:DeleteProtection',
] as const;
