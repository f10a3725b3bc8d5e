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

// --- KMS ------------------------------------------------------------------------------------------------------------

/** Read data a service encrypted with the key (S3 GetObject, Kinesis GetRecords, SQS ReceiveMessage ...). */
export const KEY_DECRYPT_ACTIONS = ['kms:Decrypt'] as const;
/**
 * Write and read data a service encrypts with the key on the caller's behalf (envelope encryption: a data key to write,
 * Decrypt to read it back, also needed by S3 multipart uploads). Enough for S3, Kinesis, SQS, SNS and Firehose.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#require-sse-kms
 */
export const KEY_ENCRYPT_DECRYPT_ACTIONS = ['kms:Decrypt', 'kms:GenerateDataKey'] as const;
/** Look the key up (symmetric? enabled?): DynamoDB and DAX check it before using a table key. */
export const KEY_DESCRIBE_ACTIONS = ['kms:DescribeKey'] as const;
/** Encrypt directly with the key (client-side encryption, e.g. Glue job bookmarks in CSE-KMS mode). */
export const KEY_ENCRYPT_ACTIONS = ['kms:Encrypt'] as const;
/**
 * Let a service encrypt resources it creates with the key through KMS grants (ECR repositories made by a creation
 * template). https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-creation-templates-custom.html
 */
export const KEY_GRANT_ACTIONS = ['kms:CreateGrant', 'kms:DescribeKey', 'kms:RetireGrant'] as const;

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

// --- SQS, SNS -------------------------------------------------------------------------------------------------------

export const QUEUE_SEND_ACTIONS = ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'] as const;
export const QUEUE_CONSUME_ACTIONS = [
  'sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage',
] as const;
export const TOPIC_PUBLISH_ACTIONS = ['sns:Publish'] as const;

// --- DynamoDB -------------------------------------------------------------------------------------------------------

export const TABLE_READ_ACTIONS = [
  'dynamodb:BatchGetItem', 'dynamodb:ConditionCheckItem', 'dynamodb:DescribeTable', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan',
] as const;
export const TABLE_WRITE_ACTIONS = [
  'dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:DescribeTable', 'dynamodb:PutItem', 'dynamodb:UpdateItem',
] as const;
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

/** Long-lived credentials (IAM users, access keys, console passwords): denied to the deploy role. */
export const LONG_LIVED_CREDENTIAL_ACTIONS = ['iam:CreateUser', 'iam:CreateAccessKey', 'iam:CreateLoginProfile', 'iam:UpdateLoginProfile'] as const;

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
