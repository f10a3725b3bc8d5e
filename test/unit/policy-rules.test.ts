/**
 * Every rule of the policy pack fires on a bad fixture and stays silent on a good one. Fixtures are real cdktf
 * constructs in a stack with a compliant backend and provider, synthesized and checked with that one rule only.
 */
import { ApiGatewayMethod } from '@cdktf/provider-aws/lib/api-gateway-method';
import { ApiGatewayStage } from '@cdktf/provider-aws/lib/api-gateway-stage';
import { Apigatewayv2Route } from '@cdktf/provider-aws/lib/apigatewayv2-route';
import { Apigatewayv2Stage } from '@cdktf/provider-aws/lib/apigatewayv2-stage';
import { ChatbotSlackChannelConfiguration } from '@cdktf/provider-aws/lib/chatbot-slack-channel-configuration';
import { Cloudtrail } from '@cdktf/provider-aws/lib/cloudtrail';
import { CloudfrontDistribution, type CloudfrontDistributionConfig } from '@cdktf/provider-aws/lib/cloudfront-distribution';
import { CloudwatchLogDeliverySource } from '@cdktf/provider-aws/lib/cloudwatch-log-delivery-source';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { DbInstance } from '@cdktf/provider-aws/lib/db-instance';
import { DefaultSecurityGroup } from '@cdktf/provider-aws/lib/default-security-group';
import { DynamodbTable, type DynamodbTableConfig } from '@cdktf/provider-aws/lib/dynamodb-table';
import { EcsService } from '@cdktf/provider-aws/lib/ecs-service';
import { EcsTaskDefinition } from '@cdktf/provider-aws/lib/ecs-task-definition';
import { EksAddon, type EksAddonConfig } from '@cdktf/provider-aws/lib/eks-addon';
import { EksCluster, type EksClusterConfig } from '@cdktf/provider-aws/lib/eks-cluster';
import { EksPodIdentityAssociation } from '@cdktf/provider-aws/lib/eks-pod-identity-association';
import { ElasticacheReplicationGroup, type ElasticacheReplicationGroupConfig } from '@cdktf/provider-aws/lib/elasticache-replication-group';
import { FlowLog } from '@cdktf/provider-aws/lib/flow-log';
import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { Inspector2OrganizationConfiguration } from '@cdktf/provider-aws/lib/inspector2-organization-configuration';
import { KinesisFirehoseDeliveryStream } from '@cdktf/provider-aws/lib/kinesis-firehose-delivery-stream';
import { KinesisStream } from '@cdktf/provider-aws/lib/kinesis-stream';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { LambdaFunction, type LambdaFunctionConfig } from '@cdktf/provider-aws/lib/lambda-function';
import { Lb } from '@cdktf/provider-aws/lib/lb';
import { LbListener } from '@cdktf/provider-aws/lib/lb-listener';
import { Macie2Account } from '@cdktf/provider-aws/lib/macie2-account';
import { Macie2OrganizationConfiguration } from '@cdktf/provider-aws/lib/macie2-organization-configuration';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { RdsCluster, type RdsClusterConfig } from '@cdktf/provider-aws/lib/rds-cluster';
import { RdsClusterInstance } from '@cdktf/provider-aws/lib/rds-cluster-instance';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLoggingA } from '@cdktf/provider-aws/lib/s3-bucket-logging';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { SecurityGroupRule } from '@cdktf/provider-aws/lib/security-group-rule';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { SsoadminManagedPolicyAttachment } from '@cdktf/provider-aws/lib/ssoadmin-managed-policy-attachment';
import { SsoadminPermissionSet } from '@cdktf/provider-aws/lib/ssoadmin-permission-set';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DaxCluster } from '@cdktf/provider-aws/lib/dax-cluster';
import { EbsEncryptionByDefault } from '@cdktf/provider-aws/lib/ebs-encryption-by-default';
import { EbsVolume } from '@cdktf/provider-aws/lib/ebs-volume';
import { EcrRegistryScanningConfiguration } from '@cdktf/provider-aws/lib/ecr-registry-scanning-configuration';
import { EcrRepository, type EcrRepositoryConfig } from '@cdktf/provider-aws/lib/ecr-repository';
import { IamAccountPasswordPolicy } from '@cdktf/provider-aws/lib/iam-account-password-policy';
import { Instance } from '@cdktf/provider-aws/lib/instance';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { S3AccountPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-account-public-access-block';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { SecretsmanagerSecretPolicy } from '@cdktf/provider-aws/lib/secretsmanager-secret-policy';
import { S3Backend, TerraformStack, Testing } from 'cdktf';
import { checkStack, RULES, RULES_BY_ID, type Rule } from '../../lib/policy';
import { viewOf } from '../../lib/policy/engine';
import { eksVersionRule } from '../../lib/policy/rules/containers';
import { denyInsecureTransport, policyDocument, type PolicyStatement } from '../../modules/policy';
import { SecureBucket } from '../../modules/secure-bucket';
import { BACKUP_POLICY_CASES } from '../fixtures/policy-backup-cases';
import { NETWORK_ACCESS_POLICY_CASES } from '../fixtures/policy-network-access-cases';

type Build = (s: TerraformStack) => void;
interface Case {
  readonly bad: Build;
  readonly good: Build;
  /** The rule instance to run, for rules built with an injected clock. @default the registered rule */
  readonly rule?: Rule;
  /** Account environment of the fixture stack (Environment default tag). @default devstg */
  readonly environment?: string;
  /** How many findings the bad fixture produces (one per bad resource or statement). @default 1 */
  readonly fires?: number;
}

const KEY = 'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const ROLE = 'arn:aws:iam::111111111111:role/fixture';
const ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess';

function fixtureStack(environment = 'devstg'): TerraformStack {
  const stack = new TerraformStack(Testing.app(), 'fixture');
  new S3Backend(stack, { bucket: 'state', key: 'fixture.tfstate', region: 'us-east-1', encrypt: true, dynamodbTable: 'locks' });
  new AwsProvider(stack, 'aws', {
    region: 'us-east-1',
    defaultTags: [{ tags: { Project: 'test', Environment: environment, Layer: 'fixture', ManagedBy: 'cdktf' } }],
  });
  return stack;
}

function run(ruleId: string, build: Build, environment?: string, rule: Rule = RULES_BY_ID.get(ruleId)!): string[] {
  const stack = fixtureStack(environment);
  build(stack);
  return checkStack(stack, [rule]).findings.map((f) => `${f.address}: ${f.message}`);
}

// ---- fixture helpers -------------------------------------------------------------------------------------------

type BucketPart = 'pab' | 'sse' | 'versioning' | 'policy' | 'logging';
/** A bucket with every companion resource except those in `omit`; `sse` may be switched to AES256. */
function bucket(s: TerraformStack, id: string, omit: BucketPart[] = [], options: { sse?: string; pab?: boolean; statements?: PolicyStatement[] } = {}): S3Bucket {
  const b = new S3Bucket(s, id, { bucket: `fixture-${id}` });
  if (!omit.includes('pab')) {
    const on = options.pab ?? true;
    new S3BucketPublicAccessBlock(s, `${id}-pab`, { bucket: b.id, blockPublicAcls: true, blockPublicPolicy: on, ignorePublicAcls: true, restrictPublicBuckets: true });
  }
  if (!omit.includes('sse')) {
    const algorithm = options.sse ?? 'aws:kms';
    new S3BucketServerSideEncryptionConfigurationA(s, `${id}-sse`, {
      bucket: b.id,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: algorithm, kmsMasterKeyId: algorithm === 'AES256' ? undefined : KEY } }],
    });
  }
  if (!omit.includes('versioning')) new S3BucketVersioningA(s, `${id}-versioning`, { bucket: b.id, versioningConfiguration: { status: 'Enabled' } });
  if (!omit.includes('policy')) {
    new S3BucketPolicy(s, `${id}-policy`, { bucket: b.id, policy: policyDocument([denyInsecureTransport(b.arn), ...(options.statements ?? [])]) });
  }
  if (!omit.includes('logging')) new S3BucketLoggingA(s, `${id}-logging`, { bucket: b.id, targetBucket: 'fixture-access-logs', targetPrefix: `${id}/` });
  return b;
}

function trail(s: TerraformStack, overrides: Partial<ConstructorParameters<typeof Cloudtrail>[2]> = {}, bucketName = 'fixture-trail-logs'): Cloudtrail {
  return new Cloudtrail(s, 'trail', {
    name: 'org', s3BucketName: bucketName, isMultiRegionTrail: true, enableLogFileValidation: true, kmsKeyId: KEY,
    cloudWatchLogsGroupArn: 'arn:aws:logs:us-east-1:111111111111:log-group:trail:*', cloudWatchLogsRoleArn: ROLE, ...overrides,
  });
}

function vpc(s: TerraformStack, parts: { flowLog?: boolean; defaultSg?: 'closed' | 'open' | 'none' }): void {
  const v = new Vpc(s, 'vpc', { cidrBlock: '10.0.0.0/16' });
  if (parts.flowLog ?? true) new FlowLog(s, 'flow', { vpcId: v.id, trafficType: 'ALL', logDestination: 'arn:aws:logs:us-east-1:111111111111:log-group:flow', iamRoleArn: ROLE });
  const sg = parts.defaultSg ?? 'closed';
  if (sg !== 'none') {
    new DefaultSecurityGroup(s, 'default-sg', {
      vpcId: v.id,
      ingress: sg === 'open' ? [{ protocol: '-1', fromPort: 0, toPort: 0, selfAttribute: true }] : [],
      egress: [],
    });
  }
}

function kmsKey(s: TerraformStack, statements: PolicyStatement[], rotation = true): void {
  new KmsKey(s, 'key', { enableKeyRotation: rotation, policy: policyDocument(statements) });
}
const ROOT_ADMIN: PolicyStatement = { Sid: 'Root', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:root' }, Action: 'kms:*', Resource: '*' };

function instance(s: TerraformStack, overrides: Partial<ConstructorParameters<typeof DbInstance>[2]> = {}): DbInstance {
  return new DbInstance(s, 'db', {
    identifier: 'app', engine: 'postgres', instanceClass: 'db.t4g.micro', allocatedStorage: 20, username: 'app',
    manageMasterUserPassword: true, storageEncrypted: true, kmsKeyId: KEY, publiclyAccessible: false,
    deletionProtection: true, backupRetentionPeriod: 7, ...overrides,
  });
}

function cluster(s: TerraformStack, overrides: Partial<RdsClusterConfig> = {}): RdsCluster {
  return new RdsCluster(s, 'aurora', {
    clusterIdentifier: 'app', engine: 'aurora-postgresql', masterUsername: 'app', manageMasterUserPassword: true,
    storageEncrypted: true, kmsKeyId: KEY, deletionProtection: true, backupRetentionPeriod: 7, ...overrides,
  });
}

function redis(s: TerraformStack, overrides: Partial<ElasticacheReplicationGroupConfig> = {}): void {
  new ElasticacheReplicationGroup(s, 'redis', {
    replicationGroupId: 'app', description: 'cache', engine: 'redis', nodeType: 'cache.t4g.micro',
    atRestEncryptionEnabled: 'true', transitEncryptionEnabled: true, kmsKeyId: KEY, userGroupIds: ['app-users'], ...overrides,
  });
}

function eks(s: TerraformStack, overrides: Partial<EksClusterConfig> = {}): void {
  new EksCluster(s, 'eks', {
    name: 'apps', roleArn: ROLE,
    vpcConfig: { subnetIds: ['subnet-1', 'subnet-2'], endpointPublicAccess: false, endpointPrivateAccess: true },
    encryptionConfig: { resources: ['secrets'], provider: { keyArn: KEY } },
    enabledClusterLogTypes: ['api', 'audit', 'authenticator'],
    ...overrides,
  });
}

function addon(s: TerraformStack, overrides: Partial<EksAddonConfig> = {}, id = 'addon'): EksAddon {
  return new EksAddon(s, id, { clusterName: 'apps', addonName: 'coredns', addonVersion: 'v1.13.2-eksbuild.11', ...overrides });
}

const POD_TRUST = { Effect: 'Allow' as const, Principal: { Service: 'pods.eks.amazonaws.com' }, Action: ['sts:AssumeRole', 'sts:TagSession'] };
const PINNED = (namespace: string, serviceAccount: string) => ({
  StringEquals: {
    'aws:RequestTag/eks-cluster-arn': 'arn:aws:eks:us-east-1:111111111111:cluster/apps',
    'aws:RequestTag/kubernetes-namespace': namespace,
    'aws:RequestTag/kubernetes-service-account': serviceAccount,
  },
});

/** A Pod Identity role with `trust` and its standalone association for kube-system/`serviceAccount`. */
function podRole(s: TerraformStack, id: string, trust: PolicyStatement[], serviceAccount = 'aws-load-balancer-controller'): IamRole {
  const role = new IamRole(s, id, { name: id, assumeRolePolicy: policyDocument(trust) });
  new EksPodIdentityAssociation(s, `${id}-association`, { clusterName: 'apps', namespace: 'kube-system', serviceAccount, roleArn: role.arn });
  return role;
}

function container(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'app', image: 'public.ecr.aws/nginx/nginx:1.27', essential: true, readonlyRootFilesystem: true, privileged: false,
    logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/app', 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'app' } },
    environment: [{ name: 'LOG_LEVEL', value: 'info' }, { name: 'DB_SECRET_ARN', value: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:db' }],
    secrets: [{ name: 'DB_PASSWORD', valueFrom: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:db:password::' }],
    ...overrides,
  };
}
function task(s: TerraformStack, ...containers: Record<string, unknown>[]): void {
  new EcsTaskDefinition(s, 'task', {
    family: 'app', requiresCompatibilities: ['FARGATE'], networkMode: 'awsvpc', cpu: '256', memory: '512',
    containerDefinitions: JSON.stringify(containers),
  });
}

function alb(s: TerraformStack, overrides: Partial<ConstructorParameters<typeof Lb>[2]> = {}): Lb {
  return new Lb(s, 'alb', {
    name: 'app', loadBalancerType: 'application', subnets: ['subnet-1', 'subnet-2'], dropInvalidHeaderFields: true,
    accessLogs: { bucket: 'fixture-alb-logs', enabled: true }, ...overrides,
  });
}

function distribution(s: TerraformStack, overrides: Partial<CloudfrontDistributionConfig> = {}): CloudfrontDistribution {
  return new CloudfrontDistribution(s, 'cdn', {
    enabled: true,
    origin: [{ originId: 'site', domainName: 'fixture-site.s3.us-east-1.amazonaws.com', originAccessControlId: 'E2OAC' }],
    defaultCacheBehavior: {
      targetOriginId: 'site', viewerProtocolPolicy: 'redirect-to-https', allowedMethods: ['GET', 'HEAD'], cachedMethods: ['GET', 'HEAD'],
      cachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6',
    },
    restrictions: { geoRestriction: { restrictionType: 'none' } },
    viewerCertificate: { acmCertificateArn: 'arn:aws:acm:us-east-1:111111111111:certificate/abc', sslSupportMethod: 'sni-only', minimumProtocolVersion: 'TLSv1.2_2021' },
    webAclId: 'arn:aws:wafv2:us-east-1:111111111111:global/webacl/cdn/abc',
    loggingConfig: { bucket: 'fixture-cdn-logs.s3.amazonaws.com', prefix: 'cdn/' },
    ...overrides,
  });
}

function table(s: TerraformStack, overrides: Partial<DynamodbTableConfig> = {}): void {
  new DynamodbTable(s, 'table', {
    name: 'items', billingMode: 'PAY_PER_REQUEST', hashKey: 'pk', attribute: [{ name: 'pk', type: 'S' }],
    pointInTimeRecovery: { enabled: true }, serverSideEncryption: { enabled: true, kmsKeyArn: KEY }, ...overrides,
  });
}

function lambda(s: TerraformStack, overrides: Partial<LambdaFunctionConfig> = {}): void {
  new LambdaFunction(s, 'fn', {
    functionName: 'handler', role: ROLE, runtime: 'nodejs22.x', handler: 'index.handler', filename: 'handler.zip',
    tracingConfig: { mode: 'Active' },
    environment: { variables: { TABLE_NAME: 'items', API_KEY_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:api' } },
    ...overrides,
  });
}

/** A role trusted by GitHub's OIDC provider (created in the stack) with the given StringEquals / other conditions. */
function githubRole(s: TerraformStack, id: string, condition: Record<string, Record<string, string | string[]>>): void {
  const provider = new IamOpenidConnectProvider(s, `${id}-oidc`, { url: 'https://token.actions.githubusercontent.com', clientIdList: ['sts.amazonaws.com'] });
  new IamRole(s, id, { name: id, assumeRolePolicy: JSON.stringify({ Version: '2012-10-17', Statement: [{
    Sid: 'GitHubActions', Effect: 'Allow', Principal: { Federated: provider.arn }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: condition,
  }] }) });
}
const AUD = { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' };

const ADMIN_POLICY = policyDocument([{ Effect: 'Allow', Action: '*', Resource: '*' }]);
const SCOPED_POLICY = policyDocument([{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: 'arn:aws:s3:::fixture/*' }]);

// ---- the table ---------------------------------------------------------------------------------------------------

const CASES: Record<string, Case> = {
  'POL-TF-001': {
    bad: (s) => s.addOverride('terraform.backend.s3.encrypt', false),
    good: () => undefined,
  },
  'POL-TF-002': {
    bad: (s) => s.addOverride('terraform.backend.s3.dynamodb_table', null),
    good: (s) => { s.addOverride('terraform.backend.s3.dynamodb_table', null); s.addOverride('terraform.backend.s3.use_lockfile', true); },
  },
  'POL-TAG-001': {
    bad: (s) => new AwsProvider(s, 'aws_dr', { region: 'us-west-2', alias: 'dr', defaultTags: [{ tags: { Project: 'test' } }] }),
    good: (s) => new AwsProvider(s, 'aws_dr', { region: 'us-west-2', alias: 'dr', defaultTags: [{ tags: { Project: 'test', Environment: 'devstg', Layer: 'x', ManagedBy: 'cdktf' } }] }),
  },
  'POL-S3-001': {
    fires: 2,
    bad: (s) => { bucket(s, 'none', ['pab']); bucket(s, 'partial', [], { pab: false }); },
    good: (s) => new SecureBucket(s, 'secure', { bucketName: 'fixture-secure', kmsKeyArn: KEY }),
  },
  'POL-S3-002': {
    fires: 2,
    bad: (s) => { bucket(s, 'none', ['sse']); bucket(s, 'aes', [], { sse: 'AES256' }); },
    good: (s) => {
      bucket(s, 'data');
      // An S3 access-log target may only use SSE-S3.
      const logs = bucket(s, 'access-logs', ['logging'], { sse: 'AES256' });
      new S3BucketLoggingA(s, 'data-to-logs', { bucket: 'fixture-data', targetBucket: logs.bucket, targetPrefix: 'data/' });
    },
  },
  'POL-S3-003': {
    bad: (s) => bucket(s, 'b', ['versioning']),
    good: (s) => bucket(s, 'b'),
  },
  'POL-S3-004': {
    fires: 2,
    bad: (s) => { bucket(s, 'nopolicy', ['policy']); const b = bucket(s, 'other', ['policy']); new S3BucketPolicy(s, 'p', { bucket: b.id, policy: SCOPED_POLICY }); },
    good: (s) => bucket(s, 'b'),
  },
  'POL-S3-005': {
    bad: (s) => bucket(s, 'b', ['logging']),
    good: (s) => {
      bucket(s, 'b');
      const target = bucket(s, 'access-logs', ['logging'], { sse: 'AES256' });
      new S3BucketLoggingA(s, 'to-target', { bucket: 'fixture-b', targetBucket: target.id, targetPrefix: 'b/' });
      // A load balancer log bucket is a log bucket too.
      const lbLogs = bucket(s, 'alb-logs', ['logging'], { sse: 'AES256' });
      alb(s, { accessLogs: { bucket: lbLogs.bucket, enabled: true } });
    },
  },
  'POL-S3-006': {
    bad: (s) => { const b = bucket(s, 'trail-logs', ['logging']); trail(s, {}, b.bucket); },
    good: (s) => { const b = bucket(s, 'trail-logs'); trail(s, {}, b.bucket); },
  },
  'POL-S3-007': {
    bad: (s) => bucket(s, 'b', [], { statements: [{ Sid: 'Public', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::fixture-b/*' }] }),
    good: (s) => bucket(s, 'b', [], {
      statements: [{ Sid: 'Cdn', Effect: 'Allow', Principal: { Service: 'cloudfront.amazonaws.com' }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::fixture-b/*', Condition: { StringEquals: { 'AWS:SourceArn': 'arn:aws:cloudfront::111111111111:distribution/E1' } } }],
    }),
  },
  'POL-VPC-001': {
    bad: (s) => vpc(s, { flowLog: false }),
    good: (s) => vpc(s, {}),
  },
  'POL-VPC-002': {
    bad: (s) => vpc(s, { defaultSg: 'open' }),
    good: (s) => vpc(s, { defaultSg: 'closed' }),
  },
  'POL-SG-001': {
    fires: 3,
    bad: (s) => {
      const app = new SecurityGroup(s, 'app', { name: 'app', ingress: [{ protocol: 'tcp', fromPort: 22, toPort: 22, cidrBlocks: ['0.0.0.0/0'] }] });
      new SecurityGroupRule(s, 'app-https', { type: 'ingress', protocol: 'tcp', fromPort: 443, toPort: 443, cidrBlocks: ['0.0.0.0/0'], securityGroupId: app.id });
      const lbSg = new SecurityGroup(s, 'lb', { name: 'lb' });
      alb(s, { securityGroups: [lbSg.id] });
      new VpcSecurityGroupIngressRule(s, 'lb-any', { securityGroupId: lbSg.id, ipProtocol: '-1', cidrIpv6: '::/0' });
    },
    good: (s) => {
      const lbSg = new SecurityGroup(s, 'lb', { name: 'lb', ingress: [{ protocol: 'tcp', fromPort: 443, toPort: 443, cidrBlocks: ['0.0.0.0/0'], ipv6CidrBlocks: ['::/0'] }] });
      alb(s, { securityGroups: [lbSg.id] });
      new VpcSecurityGroupIngressRule(s, 'lb-http', { securityGroupId: lbSg.id, ipProtocol: 'tcp', fromPort: 80, toPort: 80, cidrIpv4: '0.0.0.0/0' });
      const app = new SecurityGroup(s, 'app', { name: 'app' });
      new SecurityGroupRule(s, 'app-from-vpc', { type: 'ingress', protocol: 'tcp', fromPort: 8080, toPort: 8080, cidrBlocks: ['10.0.0.0/16'], securityGroupId: app.id });
    },
  },
  'POL-KMS-001': {
    bad: (s) => kmsKey(s, [ROOT_ADMIN], false),
    good: (s) => { kmsKey(s, [ROOT_ADMIN]); new KmsKey(s, 'signing', { customerMasterKeySpec: 'ECC_NIST_P256', keyUsage: 'SIGN_VERIFY' }); },
  },
  'POL-KMS-002': {
    bad: (s) => kmsKey(s, [ROOT_ADMIN, { Sid: 'Anyone', Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:Decrypt', Resource: '*' }]),
    good: (s) => kmsKey(s, [
      ROOT_ADMIN,
      { Sid: 'Org', Effect: 'Allow', Principal: '*', Action: 'kms:Decrypt', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' } } },
      { Sid: 'DenyOthers', Effect: 'Deny', Principal: '*', Action: 'kms:*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
    ]),
  },
  'POL-CT-001': { bad: (s) => trail(s, { isMultiRegionTrail: false }), good: (s) => trail(s) },
  'POL-CT-002': { bad: (s) => trail(s, { enableLogFileValidation: false }), good: (s) => trail(s) },
  'POL-CT-003': { bad: (s) => trail(s, { kmsKeyId: undefined }), good: (s) => trail(s) },
  'POL-CT-004': { bad: (s) => trail(s, { cloudWatchLogsGroupArn: undefined, cloudWatchLogsRoleArn: undefined }), good: (s) => trail(s) },
  'POL-RDS-001': {
    fires: 2,
    bad: (s) => { instance(s, { storageEncrypted: false }); cluster(s, { storageEncrypted: undefined }); },
    good: (s) => { instance(s); const c = cluster(s); new RdsClusterInstance(s, 'member', { clusterIdentifier: c.id, instanceClass: 'db.r6g.large', engine: 'aurora-postgresql' }); },
  },
  'POL-RDS-002': {
    bad: (s) => { const c = cluster(s); new RdsClusterInstance(s, 'member', { clusterIdentifier: c.id, instanceClass: 'db.r6g.large', engine: 'aurora-postgresql', publiclyAccessible: true }); },
    good: (s) => { instance(s); const c = cluster(s); new RdsClusterInstance(s, 'member', { clusterIdentifier: c.id, instanceClass: 'db.r6g.large', engine: 'aurora-postgresql' }); },
  },
  'POL-RDS-003': {
    fires: 2,
    environment: 'prd',
    bad: (s) => { instance(s, { deletionProtection: false }); cluster(s, { deletionProtection: undefined }); },
    good: (s) => { instance(s); cluster(s); },
  },
  'POL-RDS-004': {
    fires: 2,
    bad: (s) => { instance(s, { backupRetentionPeriod: 1 }); cluster(s, { backupRetentionPeriod: undefined }); },
    good: (s) => { instance(s, { backupRetentionPeriod: 14 }); cluster(s); },
  },
  'POL-RDS-005': {
    fires: 2,
    bad: (s) => { instance(s, { manageMasterUserPassword: undefined, password: 'hunter2hunter2' }); cluster(s, { manageMasterUserPassword: undefined, masterPassword: '${var.db_password}' }); },
    good: (s) => { instance(s); cluster(s); },
  },
  'POL-EC-001': { bad: (s) => redis(s, { atRestEncryptionEnabled: 'false' }), good: (s) => redis(s) },
  'POL-EC-002': { bad: (s) => redis(s, { transitEncryptionEnabled: undefined }), good: (s) => redis(s) },
  'POL-EC-003': {
    bad: (s) => redis(s, { userGroupIds: undefined, authToken: 'literal-auth-token-0123456789' }),
    good: (s) => redis(s),
  },
  'POL-EKS-001': { bad: (s) => eks(s, { encryptionConfig: undefined }), good: (s) => eks(s) },
  'POL-EKS-002': { bad: (s) => eks(s, { enabledClusterLogTypes: ['api'] }), good: (s) => eks(s) },
  'POL-EKS-003': {
    bad: (s) => eks(s, { vpcConfig: { subnetIds: ['subnet-1'] } }),
    good: (s) => eks(s, { vpcConfig: { subnetIds: ['subnet-1'], endpointPublicAccess: true, publicAccessCidrs: ['203.0.113.0/24'] } }),
  },
  'POL-EKS-004': {
    // Pinned to 2026-11-30: 1.32 left standard support on 2026-03-23; 1.35 has it until 2027-03-27 (117 days).
    rule: eksVersionRule(() => new Date('2026-11-30T12:00:00Z')),
    bad: (s) => eks(s, { version: '1.32', upgradePolicy: { supportType: 'STANDARD' } }),
    good: (s) => eks(s, { version: '1.35', upgradePolicy: { supportType: 'STANDARD' } }),
  },
  'POL-EKS-005': {
    fires: 3,
    bad: (s) => {
      addon(s, { addonVersion: undefined }, 'unpinned');
      addon(s, { addonVersion: 'latest' }, 'latest');
      addon(s, { addonVersion: '${data.aws_eks_addon_version.coredns.version}' }, 'looked-up');
    },
    good: (s) => { addon(s); },
  },
  'POL-EKS-006': {
    fires: 3,
    bad: (s) => {
      podRole(s, 'also-ec2', [{ ...POD_TRUST, Principal: { Service: ['pods.eks.amazonaws.com', 'ec2.amazonaws.com'] } }]);
      podRole(s, 'no-tag-session', [{ ...POD_TRUST, Action: ['sts:AssumeRole'] }], 'cluster-autoscaler');
      const oidc = new IamRole(s, 'oidc-too', { name: 'oidc-too', assumeRolePolicy: policyDocument([POD_TRUST, { Effect: 'Allow', Principal: { Federated: 'arn:aws:iam::111111111111:oidc-provider/x' }, Action: 'sts:AssumeRoleWithWebIdentity' }]) });
      addon(s, { addonName: 'vpc-cni', podIdentityAssociation: [{ serviceAccount: 'aws-node', roleArn: oidc.arn }] }, 'cni');
    },
    good: (s) => {
      podRole(s, 'lb', [{ ...POD_TRUST, Condition: PINNED('kube-system', 'aws-load-balancer-controller') }]);
      const cni = new IamRole(s, 'cni-role', { name: 'cni', assumeRolePolicy: policyDocument([POD_TRUST]) });
      addon(s, { addonName: 'vpc-cni', podIdentityAssociation: [{ serviceAccount: 'aws-node', roleArn: cni.arn }] }, 'cni');
    },
  },
  'POL-EKS-007': {
    fires: 2,
    bad: (s) => {
      podRole(s, 'open', [POD_TRUST]);
      podRole(s, 'other-sa', [{ ...POD_TRUST, Condition: PINNED('kube-system', 'aws-load-balancer-controller') }], 'cluster-autoscaler');
    },
    good: (s) => {
      podRole(s, 'lb', [{ ...POD_TRUST, Condition: PINNED('kube-system', 'aws-load-balancer-controller') }]);
      const cni = new IamRole(s, 'cni-role', { name: 'cni', assumeRolePolicy: policyDocument([{ ...POD_TRUST, Condition: PINNED('kube-system', 'aws-node') }]) });
      addon(s, { addonName: 'vpc-cni', podIdentityAssociation: [{ serviceAccount: 'aws-node', roleArn: cni.arn }] }, 'cni');
    },
  },
  'POL-EKS-008': {
    fires: 2,
    bad: (s) => {
      addon(s, { addonName: 'aws-ebs-csi-driver', serviceAccountRoleArn: ROLE }, 'ebs');
      addon(s, { addonName: 'external-dns' }, 'dns');
    },
    good: (s) => {
      addon(s, { addonName: 'aws-ebs-csi-driver', podIdentityAssociation: [{ serviceAccount: 'ebs-csi-controller-sa', roleArn: ROLE }] }, 'ebs');
      addon(s, { addonName: 'metrics-server' }, 'metrics');
    },
  },
  'POL-ECS-001': { bad: (s) => task(s, container({ privileged: true })), good: (s) => task(s, container()) },
  'POL-ECS-002': { bad: (s) => task(s, container(), container({ name: 'sidecar', readonlyRootFilesystem: undefined })), good: (s) => task(s, container()) },
  'POL-ECS-003': { bad: (s) => task(s, container({ logConfiguration: undefined })), good: (s) => task(s, container()) },
  'POL-ECS-004': {
    bad: (s) => task(s, container({ environment: [{ name: 'DB_PASSWORD', value: 'hunter2hunter2' }, { name: 'UPSTREAM', value: 'AKIAABCDEFGHIJKLMNOP' }] })),
    good: (s) => task(s, container()),
  },
  'POL-ECS-005': {
    bad: (s) => new EcsService(s, 'svc', { name: 'app', networkConfiguration: { subnets: ['subnet-1'], assignPublicIp: true } }),
    good: (s) => new EcsService(s, 'svc', { name: 'app', networkConfiguration: { subnets: ['subnet-1'], assignPublicIp: false } }),
  },
  'POL-ALB-001': {
    fires: 2,
    bad: (s) => {
      const lb = alb(s);
      new LbListener(s, 'https', { loadBalancerArn: lb.arn, port: 443, protocol: 'HTTPS', certificateArn: 'arn:aws:acm:us-east-1:111111111111:certificate/x', defaultAction: [{ type: 'fixed-response', fixedResponse: { contentType: 'text/plain', statusCode: '404' } }] });
      new LbListener(s, 'old', { loadBalancerArn: lb.arn, port: 8443, protocol: 'HTTPS', sslPolicy: 'ELBSecurityPolicy-2016-08', certificateArn: 'arn:aws:acm:us-east-1:111111111111:certificate/x', defaultAction: [{ type: 'fixed-response', fixedResponse: { contentType: 'text/plain', statusCode: '404' } }] });
    },
    good: (s) => {
      const lb = alb(s);
      new LbListener(s, 'https', { loadBalancerArn: lb.arn, port: 443, protocol: 'HTTPS', sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06', certificateArn: 'arn:aws:acm:us-east-1:111111111111:certificate/x', defaultAction: [{ type: 'fixed-response', fixedResponse: { contentType: 'text/plain', statusCode: '404' } }] });
    },
  },
  'POL-ALB-002': {
    bad: (s) => new LbListener(s, 'http', { loadBalancerArn: alb(s).arn, port: 80, protocol: 'HTTP', defaultAction: [{ type: 'forward', targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:111111111111:targetgroup/app/1' }] }),
    good: (s) => new LbListener(s, 'http', { loadBalancerArn: alb(s).arn, port: 80, protocol: 'HTTP', defaultAction: [{ type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', statusCode: 'HTTP_301' } }] }),
  },
  'POL-ALB-003': {
    bad: (s) => alb(s, { dropInvalidHeaderFields: false }),
    good: (s) => { alb(s); new Lb(s, 'nlb', { name: 'nlb', loadBalancerType: 'network', subnets: ['subnet-1'] }); },
  },
  'POL-ALB-004': { bad: (s) => alb(s, { accessLogs: undefined }), good: (s) => alb(s) },
  'POL-CF-001': {
    bad: (s) => distribution(s, { orderedCacheBehavior: [{ pathPattern: '/legacy/*', targetOriginId: 'site', viewerProtocolPolicy: 'allow-all', allowedMethods: ['GET', 'HEAD'], cachedMethods: ['GET', 'HEAD'] }] }),
    good: (s) => distribution(s),
  },
  'POL-CF-002': {
    bad: (s) => distribution(s, { viewerCertificate: { cloudfrontDefaultCertificate: true } }),
    good: (s) => distribution(s),
  },
  'POL-CF-003': { bad: (s) => distribution(s, { webAclId: undefined }), good: (s) => distribution(s) },
  'POL-CF-004': {
    bad: (s) => distribution(s, { loggingConfig: undefined }),
    good: (s) => {
      const d = distribution(s, { loggingConfig: undefined });
      new CloudwatchLogDeliverySource(s, 'cdn-logs', { name: 'cdn', logType: 'ACCESS_LOGS', resourceArn: d.arn });
    },
  },
  'POL-CF-005': {
    bad: (s) => { const b = bucket(s, 'site'); distribution(s, { origin: [{ originId: 'site', domainName: b.bucketRegionalDomainName, s3OriginConfig: { originAccessIdentity: 'origin-access-identity/cloudfront/E1' } }] }); },
    good: (s) => {
      const b = bucket(s, 'site');
      distribution(s, { origin: [
        { originId: 'site', domainName: b.bucketRegionalDomainName, originAccessControlId: 'E2OAC' },
        { originId: 'api', domainName: 'api.example.com', customOriginConfig: { httpPort: 80, httpsPort: 443, originProtocolPolicy: 'https-only', originSslProtocols: ['TLSv1.2'] } },
      ] });
    },
  },
  'POL-APIGW-001': {
    fires: 2,
    bad: (s) => { new Apigatewayv2Stage(s, 'stage', { apiId: 'api', name: '$default' }); new ApiGatewayStage(s, 'rest', { restApiId: 'r', deploymentId: 'd', stageName: 'prod' }); },
    good: (s) => new Apigatewayv2Stage(s, 'stage', { apiId: 'api', name: '$default', accessLogSettings: { destinationArn: 'arn:aws:logs:us-east-1:111111111111:log-group:api', format: '$context.requestId' } }),
  },
  'POL-APIGW-002': {
    fires: 2,
    bad: (s) => { new Apigatewayv2Route(s, 'route', { apiId: 'api', routeKey: 'GET /items' }); new ApiGatewayMethod(s, 'method', { restApiId: 'r', resourceId: 'x', httpMethod: 'POST', authorization: 'NONE' }); },
    good: (s) => {
      new Apigatewayv2Route(s, 'route', { apiId: 'api', routeKey: 'GET /items', authorizationType: 'JWT', authorizerId: 'auth' });
      new ApiGatewayMethod(s, 'method', { restApiId: 'r', resourceId: 'x', httpMethod: 'POST', authorization: 'AWS_IAM' });
      new ApiGatewayMethod(s, 'preflight', { restApiId: 'r', resourceId: 'x', httpMethod: 'OPTIONS', authorization: 'NONE' });
    },
  },
  'POL-DDB-001': { bad: (s) => table(s, { pointInTimeRecovery: undefined }), good: (s) => table(s) },
  'POL-DDB-002': { bad: (s) => table(s, { serverSideEncryption: { enabled: true } }), good: (s) => table(s) },
  'POL-KIN-001': {
    bad: (s) => new KinesisStream(s, 'stream', { name: 'events', shardCount: 1 }),
    good: (s) => new KinesisStream(s, 'stream', { name: 'events', shardCount: 1, encryptionType: 'KMS', kmsKeyId: KEY }),
  },
  'POL-FH-001': {
    bad: (s) => new KinesisFirehoseDeliveryStream(s, 'fh', { name: 'events', destination: 'extended_s3', extendedS3Configuration: { bucketArn: 'arn:aws:s3:::lake', roleArn: ROLE } }),
    good: (s) => new KinesisFirehoseDeliveryStream(s, 'fh', { name: 'events', destination: 'extended_s3', serverSideEncryption: { enabled: true, keyType: 'CUSTOMER_MANAGED_CMK', keyArn: KEY }, extendedS3Configuration: { bucketArn: 'arn:aws:s3:::lake', roleArn: ROLE } }),
  },
  'POL-SQS-001': {
    bad: (s) => new SqsQueue(s, 'q', { name: 'jobs' }),
    good: (s) => { new SqsQueue(s, 'q', { name: 'jobs', kmsMasterKeyId: KEY }); new SqsQueue(s, 'q2', { name: 'jobs2', sqsManagedSseEnabled: true }); },
  },
  'POL-SNS-001': {
    bad: (s) => new SnsTopic(s, 't', { name: 'alerts' }),
    good: (s) => new SnsTopic(s, 't', { name: 'alerts', kmsMasterKeyId: KEY }),
  },
  'POL-IAM-001': {
    fires: 2,
    bad: (s) => {
      new IamPolicy(s, 'admin', { name: 'admin', policy: ADMIN_POLICY });
      const doc = new DataAwsIamPolicyDocument(s, 'doc', { statement: [{ effect: 'Allow', actions: ['*'], resources: ['*'] }] });
      new IamRole(s, 'role', { name: 'app', assumeRolePolicy: '{}', inlinePolicy: [{ name: 'all', policy: doc.json }] });
    },
    good: (s) => new IamPolicy(s, 'scoped', { name: 'scoped', policy: SCOPED_POLICY }),
  },
  'POL-IAM-003': {
    fires: 2,
    bad: (s) => {
      new IamPolicy(s, 's3-admin', { name: 's3-admin', policy: policyDocument([{ Sid: 'S3', Effect: 'Allow', Action: ['s3:*'], Resource: '*' }]) });
      new IamPolicy(s, 'not-iam', { name: 'not-iam', policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }] }) });
    },
    good: (s) => {
      new IamPolicy(s, 'scoped', { name: 'scoped', policy: SCOPED_POLICY });
      new IamPolicy(s, 'bucket-admin', { name: 'bucket-admin', policy: policyDocument([{ Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::fixture/*' }]) });
    },
  },
  'POL-IAM-002': {
    fires: 2,
    bad: (s) => {
      const role = new IamRole(s, 'devops', { name: 'DevOps', assumeRolePolicy: '{}' });
      new IamRolePolicyAttachment(s, 'devops-admin', { role: role.name, policyArn: ADMIN });
      const ps = new SsoadminPermissionSet(s, 'ps', { instanceArn: 'arn:aws:sso:::instance/ssoins-1', name: 'Administrator' });
      new SsoadminManagedPolicyAttachment(s, 'ps-admin', { instanceArn: 'arn:aws:sso:::instance/ssoins-1', permissionSetArn: ps.arn, managedPolicyArn: ADMIN });
    },
    good: (s) => {
      const role = new IamRole(s, 'bg', { name: 'acme-break-glass', assumeRolePolicy: '{}' });
      new IamRolePolicyAttachment(s, 'bg-admin', { role: role.name, policyArn: ADMIN });
      new IamRolePolicyAttachment(s, 'readonly', { role: 'Auditor', policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' });
    },
  },
  'POL-IAM-004': {
    fires: 4,
    bad: (s) => {
      githubRole(s, 'no-sub', { StringEquals: AUD });
      githubRole(s, 'org-wide', { StringEquals: AUD, StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:acme/*' } });
      githubRole(s, 'no-aud', { StringEquals: { 'token.actions.githubusercontent.com:sub': 'repo:acme/infra:pull_request' } });
    },
    good: (s) => {
      githubRole(s, 'plan', { StringEquals: { ...AUD, 'token.actions.githubusercontent.com:sub': ['repo:acme/infra:pull_request', 'repo:acme/infra:ref:refs/heads/main'] } });
      new IamRole(s, 'service', { name: 'service', assumeRolePolicy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] }) });
    },
  },
  'POL-LAM-001': { bad: (s) => lambda(s, { runtime: 'python3.8' }), good: (s) => { lambda(s); lambda2(s); } },
  'POL-LAM-002': { bad: (s) => lambda(s, { tracingConfig: undefined }), good: (s) => lambda(s) },
  'POL-LAM-003': {
    bad: (s) => lambda(s, { environment: { variables: { API_TOKEN: 'tok-0123456789abcdef', DB_PASSWORD: '${data.aws_secretsmanager_secret_version.db.secret_string}' } } }),
    good: (s) => lambda(s),
  },
  'POL-ACCT-001': {
    fires: 2,
    bad: (s) => new IamAccountPasswordPolicy(s, 'pw', { minimumPasswordLength: 8 }),
    good: (s) => new IamAccountPasswordPolicy(s, 'pw', { minimumPasswordLength: 14, passwordReusePrevention: 24, requireSymbols: true }),
  },
  'POL-ACCT-002': {
    bad: (s) => new EbsEncryptionByDefault(s, 'ebs', { enabled: false }),
    good: (s) => { new EbsEncryptionByDefault(s, 'ebs', { enabled: true }); new EbsEncryptionByDefault(s, 'ebs-default', {}); },
  },
  'POL-ACCT-003': {
    bad: (s) => new S3AccountPublicAccessBlock(s, 'pab', { blockPublicAcls: true, blockPublicPolicy: true }),
    good: (s) => new S3AccountPublicAccessBlock(s, 'pab', { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }),
  },
  'POL-EC2-001': {
    fires: 2,
    bad: (s) => { new LaunchTemplate(s, 'lt', { name: 'web', metadataOptions: { httpTokens: 'optional' } }); new Instance(s, 'vm', { ami: 'ami-1', instanceType: 't3.micro', rootBlockDevice: { encrypted: true } }); },
    good: (s) => {
      new LaunchTemplate(s, 'lt', { name: 'web', metadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 1 } });
      new Instance(s, 'vm', { ami: 'ami-1', instanceType: 't3.micro', metadataOptions: { httpTokens: 'required' }, rootBlockDevice: { encrypted: true } });
    },
  },
  'POL-EC2-002': {
    fires: 3,
    bad: (s) => {
      new LaunchTemplate(s, 'lt', { name: 'web', blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: { volumeSize: 20 } }] });
      new Instance(s, 'vm', { ami: 'ami-1', instanceType: 't3.micro' });
      new EbsVolume(s, 'vol', { availabilityZone: 'us-east-1a', size: 10 });
    },
    good: (s) => {
      new LaunchTemplate(s, 'lt', { name: 'web', blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: { volumeSize: 20, encrypted: 'true', kmsKeyId: KEY } }] });
      new Instance(s, 'vm', { ami: 'ami-1', instanceType: 't3.micro', rootBlockDevice: { encrypted: true } });
      new EbsVolume(s, 'vol', { availabilityZone: 'us-east-1a', size: 10, encrypted: true });
    },
  },
  'POL-LOG-001': {
    bad: (s) => new CloudwatchLogGroup(s, 'lg', { name: '/app', retentionInDays: 30 }),
    good: (s) => new CloudwatchLogGroup(s, 'lg', { name: '/app', retentionInDays: 30, kmsKeyId: KEY }),
  },
  'POL-LOG-002': {
    fires: 2,
    bad: (s) => { new CloudwatchLogGroup(s, 'lg', { name: '/app', kmsKeyId: KEY }); new CloudwatchLogGroup(s, 'forever', { name: '/forever', kmsKeyId: KEY, retentionInDays: 0 }); },
    good: (s) => new CloudwatchLogGroup(s, 'lg', { name: '/app', retentionInDays: 365, kmsKeyId: KEY }),
  },
  'POL-DAX-001': {
    fires: 2,
    bad: (s) => new DaxCluster(s, 'dax', { clusterName: 'cache', iamRoleArn: ROLE, nodeType: 'dax.t3.small', replicationFactor: 1 }),
    good: (s) => new DaxCluster(s, 'dax', { clusterName: 'cache', iamRoleArn: ROLE, nodeType: 'dax.t3.small', replicationFactor: 1, serverSideEncryption: { enabled: true }, clusterEndpointEncryptionType: 'TLS' }),
  },
  'POL-ECR-001': {
    bad: (s) => repo(s, { imageScanningConfiguration: { scanOnPush: false } }),
    good: (s) => { repo(s); new EcrRegistryScanningConfiguration(s, 'scan', { scanType: 'ENHANCED' }); repo(s, { name: 'plain', imageScanningConfiguration: undefined }, 'plain'); },
  },
  'POL-ECR-002': { bad: (s) => repo(s, { imageTagMutability: 'MUTABLE' }), good: (s) => repo(s) },
  'POL-ECR-003': { bad: (s) => repo(s, { encryptionConfiguration: undefined }), good: (s) => repo(s) },
  'POL-SM-001': {
    bad: (s) => new SecretsmanagerSecret(s, 'secret', { name: 'app/api-key' }),
    good: (s) => new SecretsmanagerSecret(s, 'secret', { name: 'app/api-key', kmsKeyId: KEY }),
  },
  'POL-SM-002': {
    bad: (s) => new SecretsmanagerSecret(s, 'secret', { name: 'app/api-key', kmsKeyId: KEY }),
    good: (s) => {
      const secret = new SecretsmanagerSecret(s, 'secret', { name: 'app/api-key', kmsKeyId: KEY });
      new SecretsmanagerSecretPolicy(s, 'secret-policy', {
        secretArn: secret.arn,
        policy: policyDocument([{ Effect: 'Deny', Principal: '*', Action: 'secretsmanager:GetSecretValue', Resource: '*', Condition: { ArnNotLike: { 'aws:PrincipalArn': [ROLE] } } }]),
      });
    },
  },
  'POL-CHAT-001': {
    bad: (s) => chatChannel(s, { guardrails: null }),
    good: (s) => chatChannel(s, {}),
  },
  'POL-CHAT-002': {
    bad: (s) => chatChannel(s, { actions: ['cloudwatch:Get*', 'cloudwatch:PutMetricAlarm'], managed: ['arn:aws:iam::aws:policy/PowerUserAccess'] }),
    good: (s) => chatChannel(s, { managed: ['arn:aws:iam::aws:policy/ReadOnlyAccess'] }),
    fires: 2,
  },
  'POL-CHAT-003': {
    bad: (s) => chatChannel(s, { loggingLevel: 'NONE' }),
    good: (s) => chatChannel(s, { loggingLevel: 'ERROR' }),
  },
  'POL-INS-001': {
    bad: (s) => new Inspector2OrganizationConfiguration(s, 'inspector', { autoEnable: { ec2: true, ecr: true, lambda: false } }),
    good: (s) => new Inspector2OrganizationConfiguration(s, 'inspector', { autoEnable: { ec2: true, ecr: true, lambda: true, lambdaCode: true } }),
  },
  'POL-MAC-001': {
    bad: (s) => { new Macie2Account(s, 'macie', { status: 'PAUSED' }); new Macie2OrganizationConfiguration(s, 'macie-org', { autoEnable: false }); },
    good: (s) => { new Macie2Account(s, 'macie', { status: 'ENABLED' }); new Macie2OrganizationConfiguration(s, 'macie-org', { autoEnable: true }); },
    fires: 2,
  },
  ...BACKUP_POLICY_CASES,
  ...NETWORK_ACCESS_POLICY_CASES,
};

/** A Slack channel configuration with its role, inline policy and managed policies; `guardrails: null` omits them. */
function chatChannel(s: TerraformStack, options: { guardrails?: string[] | null; actions?: string[]; managed?: string[]; loggingLevel?: string }): void {
  const role = new IamRole(s, 'chat-role', { name: 'chat', assumeRolePolicy: policyDocument([{ Effect: 'Allow', Principal: { Service: 'chatbot.amazonaws.com' }, Action: 'sts:AssumeRole' }]) });
  new IamRolePolicy(s, 'chat-policy', { role: role.name, policy: policyDocument([{ Sid: 'Read', Effect: 'Allow', Action: options.actions ?? ['cloudwatch:Describe*', 'cloudwatch:Get*', 'cloudwatch:List*'], Resource: '*' }]) });
  (options.managed ?? []).forEach((policyArn, i) => new IamRolePolicyAttachment(s, `chat-managed-${i}`, { role: role.name, policyArn }));
  new ChatbotSlackChannelConfiguration(s, 'chat', {
    configurationName: 'chat', iamRoleArn: role.arn, slackTeamId: 'T07EA123LEP', slackChannelId: 'C07EZ1ABC23',
    ...(options.guardrails === null ? {} : { guardrailPolicyArns: options.guardrails ?? ['arn:aws:iam::aws:policy/ReadOnlyAccess'] }),
    loggingLevel: options.loggingLevel ?? 'ERROR',
  });
}

function repo(s: TerraformStack, overrides: Partial<EcrRepositoryConfig> = {}, id = 'repo'): void {
  new EcrRepository(s, id, {
    name: 'acme/api', imageTagMutability: 'IMMUTABLE', imageScanningConfiguration: { scanOnPush: true },
    encryptionConfiguration: [{ encryptionType: 'KMS', kmsKey: KEY }], ...overrides,
  });
}

function lambda2(s: TerraformStack): void {
  new LambdaFunction(s, 'image-fn', { functionName: 'image', role: ROLE, packageType: 'Image', imageUri: '111111111111.dkr.ecr.us-east-1.amazonaws.com/app:1' });
}

describe('policy rules', () => {
  it('every registered rule has a bad and a good fixture (and no fixture is orphaned)', () => {
    expect(Object.keys(CASES).sort()).toEqual(RULES.map((r) => r.id).sort());
    expect(RULES.length).toBeGreaterThanOrEqual(25);
  });

  it('every rule documents its severity, resource types and at least one reference or a reason not to', () => {
    for (const rule of RULES) {
      expect(rule.resourceTypes.length).toBeGreaterThan(0);
      expect(['error', 'warning']).toContain(rule.severity);
      expect(rule.title.length).toBeGreaterThan(10);
      expect(rule.description.length).toBeGreaterThan(30);
    }
  });

  describe.each(RULES.map((r) => [r.id, r.title] as const))('%s %s', (id) => {
    const c = CASES[id];
    it('fires on the bad fixture', () => {
      expect(c).toBeDefined();
      expect(run(id, c.bad, c.environment, c.rule)).toHaveLength(c.fires ?? 1);
    });
    it('stays silent on the good fixture', () => {
      expect(c).toBeDefined();
      expect(run(id, c.good, c.environment, c.rule)).toEqual([]);
    });
  });

  it('the prd-only rule does not fire outside production', () => {
    expect(run('POL-RDS-003', (s) => instance(s, { deletionProtection: false }), 'devstg')).toEqual([]);
    for (const id of ['POL-CVPN-003', 'POL-NFW-002']) expect(run(id, NETWORK_ACCESS_POLICY_CASES[id].bad, 'devstg')).toEqual([]);
  });

  it('POL-NFW-001 and POL-NFW-003 name what is missing', () => {
    expect(run('POL-NFW-001', NETWORK_ACCESS_POLICY_CASES['POL-NFW-001'].bad)).toEqual(['aws_networkfirewall_firewall.firewall: the logging configuration has no FLOW destination']);
    expect(run('POL-NFW-003', NETWORK_ACCESS_POLICY_CASES['POL-NFW-003'].bad)).toEqual([
      'aws_networkfirewall_firewall_policy.policy: stateless_default_actions does not forward to the stateful engine (aws:forward_to_sfe)',
      'aws_networkfirewall_firewall_policy.policy: stateful rules are not in STRICT_ORDER, so unmatched traffic passes',
    ]);
  });

  it('POL-IAM-004 names each fault, and refuses a subject outside the project repository', () => {
    expect(run('POL-IAM-004', CASES['POL-IAM-004'].bad).sort()).toEqual([
      'aws_iam_role.no-aud: statement GitHubActions: audience is not pinned to sts.amazonaws.com with StringEquals',
      'aws_iam_role.no-sub: statement GitHubActions: no sub condition: every GitHub repository could assume the role',
      'aws_iam_role.org-wide: statement GitHubActions: no sub condition: every GitHub repository could assume the role',
      'aws_iam_role.org-wide: statement GitHubActions: sub is matched with StringLike; use StringEquals with exact subjects',
    ]);
    const stack = fixtureStack();
    githubRole(stack, 'other', { StringEquals: { ...AUD, 'token.actions.githubusercontent.com:sub': ['repo:acme/infra:pull_request', 'repo:someone/else:ref:refs/heads/main', 'repo:acme/infra:environment:*'] } });
    const view = viewOf('fixture', JSON.parse(Testing.synth(stack)), { githubRepository: 'acme/infra' });
    const rule = RULES_BY_ID.get('POL-IAM-004')!;
    expect(rule.check(view.ofType('aws_iam_role')[0], view)).toEqual([
      'statement GitHubActions: subject repo:someone/else:ref:refs/heads/main is not in the configured repository acme/infra',
      'statement GitHubActions: subject repo:acme/infra:environment:* has a wildcard',
    ]);
  });

  it('local state is only accepted for a stack allowed to bootstrap', () => {
    expect(run('POL-TF-001', (s) => s.addOverride('terraform.backend', { local: { path: 'x.tfstate' } }))).toEqual(['terraform.backend.local: backend "local" is not the encrypted S3 backend']);
  });
});
