/**
 * The modules moved onto the grants foundation (modules/role.ts, modules/perms.ts): each role is a Role or ServiceRole
 * whose policy lists exactly what the module and its callers granted, at the addresses the hand-written roles had, and
 * each module refuses the props AWS would refuse at apply time, through the layer's problems when inside a layer.
 */
import * as path from 'path';
import { TerraformStack, Testing } from 'cdktf';
import type { Construct } from 'constructs';
import { defineLayer } from '../../lib/config';
import { LayerStack } from '../../lib/layer-stack';
import type { LayerContext } from '../../lib/model';
import { BaseNetwork } from '../../layers/base-network';
import { Eks, type EksConfig } from '../../layers/eks';
import { Identities, type IdentitiesConfig } from '../../layers/identities';
import { AssumableRole } from '../../modules/assumable-role';
import { AutoScalingTier, type AutoScalingTierProps } from '../../modules/auto-scaling-tier';
import { ConfigRecorder } from '../../modules/config-recorder';
import { DynamoTable } from '../../modules/dynamo-table';
import { EksCluster } from '../../modules/eks-cluster';
import { EksNodeRole } from '../../modules/eks-node-group';
import { EncryptedTopic } from '../../modules/encrypted-topic';
import { FargateService, type FargateServiceProps } from '../../modules/fargate-service';
import { folderArchive } from '../../modules/folder-archive';
import { IrsaRole } from '../../modules/irsa-role';
import { KmsKey } from '../../modules/kms-key';
import { LambdaFunction, type LambdaFunctionProps } from '../../modules/lambda-function';
import { MetricAlarm } from '../../modules/metric-alarm';
import { PermissionSet } from '../../modules/permission-set';
import { grantOperations, operationsStatements } from '../../modules/platform-roles';
import { Queue } from '../../modules/queue';
import { ManagedPolicy, ServiceRole } from '../../modules/role';
import { bucketFromArn, bucketFromName, SecureBucket } from '../../modules/secure-bucket';
import { account, build, resources, source, synthStack } from '../helpers';
import type { Statement } from '../workload-helpers';

const ACCOUNT = '111111111111';
const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/data`;

type Json = { resource: Record<string, Record<string, Record<string, unknown>>> };

function synth(build: (stack: TerraformStack) => void): { tf: string; json: Json } {
  const stack = new TerraformStack(Testing.app(), 'test');
  build(stack);
  const tf = Testing.synth(stack);
  return { tf, json: JSON.parse(tf) as Json };
}

const doc = (text: unknown): Statement[] => JSON.parse(text as string).Statement;
/** The inline policies of a stack by Terraform address (Testing.synth keeps construct paths as `a_b_c` keys). */
const inlinePolicies = (json: Json) => json.resource.aws_iam_role_policy ?? {};
const policyAt = (json: Json, suffix: string): Record<string, unknown> => {
  const entry = Object.entries(inlinePolicies(json)).find(([key]) => key.startsWith(suffix));
  if (!entry) throw new Error(`no role policy ${suffix} among ${Object.keys(inlinePolicies(json)).join(', ')}`);
  return entry[1];
};

describe('LambdaFunction', () => {
  const code = (stack: TerraformStack) => folderArchive(stack, 'code', { path: path.join(__dirname, '../../assets/serverless') });
  const fn = (stack: TerraformStack, props: Partial<LambdaFunctionProps> = {}) => new LambdaFunction(stack, 'fn', {
    functionName: 'acme-test-api', code: code(stack), handler: 'api.handler', accountId: ACCOUNT, region: 'us-east-1', kmsKeyArn: KEY, ...props,
  });

  it('grants its role its own log group, X-Ray, its dead-letter queue and its key, and what resources grant the function', () => {
    const { tf, json } = synth((stack) => {
      const f = fn(stack);
      new DynamoTable(stack, 'table', { name: 'items', partitionKey: { name: 'pk' }, kmsKeyArn: KEY }).grantReadData(f);
    });
    const policy = policyAt(json, 'fn_policy');
    expect(policy).toMatchObject({ name: 'least-privilege', role: expect.stringMatching(/^\$\{aws_iam_role\.fn_role_[A-Z0-9]+\.name\}$/) });
    expect(doc(policy.policy).map((s) => [s.Sid, s.Action])).toEqual([
      ['OwnLogGroup', ['logs:CreateLogStream', 'logs:PutLogEvents']],
      ['XRayWrite', ['xray:PutTraceSegments', 'xray:PutTelemetryRecords']],
      ['AsyncDeadLetterQueue', 'sqs:SendMessage'],
      ['LayerKey', ['kms:Decrypt', 'kms:GenerateDataKey']],
      ['DynamoDbRead', ['dynamodb:BatchGetItem', 'dynamodb:ConditionCheckItem', 'dynamodb:DescribeTable', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan']],
      ['KmsDecryptDescribe', ['kms:Decrypt', 'kms:DescribeKey']],
    ]);
    const [role] = resources(tf, 'aws_iam_role');
    expect(doc(role.assume_role_policy)).toEqual([{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }]);
    expect(resources(tf, 'aws_iam_role_policy_attachment')).toEqual([]);
    // The first version is published once the role can write its logs and reach its queue.
    expect(resources(tf, 'aws_lambda_function')[0].depends_on).toEqual([expect.stringMatching(/^aws_cloudwatch_log_group\./), expect.stringMatching(/^aws_iam_role_policy\.fn_policy_/)]);
  });

  it('attaches the VPC access policy at its old address when the function runs in a VPC', () => {
    const { json } = synth((stack) => fn(stack, { vpc: { subnetIds: ['subnet-1'], securityGroupIds: ['sg-1'] } }));
    const attachments = json.resource.aws_iam_role_policy_attachment;
    expect(Object.keys(attachments)).toEqual([expect.stringMatching(/^fn_vpc-access_/)]);
    expect(Object.values(attachments)[0].policy_arn).toBe('arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole');
  });

  it('refuses a log retention CloudWatch Logs does not offer, and Lambda limits, with the shared validators', () => {
    expect(() => synth((stack) => fn(stack, { logRetentionDays: 366 }))).toThrow('fn: logRetentionDays: 366 is not a CloudWatch Logs retention');
    expect(() => synth((stack) => fn(stack, { timeoutSeconds: 901, memorySize: 64 })))
      .toThrow('fn: memorySize: 64 must be a whole number from 128 to 10240 MB; timeoutSeconds: 901 must be a whole number from 1 to 900 seconds');
    expect(() => synth((stack) => fn(stack, { functionName: 'x'.repeat(58) }))).toThrow(/functionName: "x{58}" is longer than the 57 characters AWS allows/);
  });
});

describe('FargateService', () => {
  const props: FargateServiceProps = {
    name: 'api', namePrefix: 'acme-test', region: 'us-east-1', accountId: ACCOUNT, clusterArn: 'arn:cluster', clusterName: 'acme-test',
    vpcId: 'vpc-1', subnetIds: ['subnet-1'], image: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/acme/api:1.0.0`, cpu: 256, memory: 512, port: 8080,
    desiredCount: 1, logKmsKeyArn: KEY, alarmTopicArn: 'arn:aws:sns:us-east-1:111111111111:alarms',
  };

  it('has an empty task role until something is granted to it; a grant creates its "application" policy at the old address', () => {
    const empty = synth((stack) => new FargateService(stack, 'svc', props)).json;
    expect(Object.keys(inlinePolicies(empty))).toEqual([expect.stringMatching(/^svc_execution-policy_/)]);
    const { json } = synth((stack) => bucketFromArn('arn:aws:s3:::assets').grantRead(new FargateService(stack, 'svc', props).taskRole));
    const task = policyAt(json, 'svc_task-policy');
    expect(task.name).toBe('application');
    expect(doc(task.policy)).toEqual([{ Sid: 'S3Read', Effect: 'Allow', Action: ['s3:GetBucketLocation', 's3:GetObject', 's3:ListBucket'], Resource: ['arn:aws:s3:::assets', 'arn:aws:s3:::assets/*'] }]);
  });

  it('trusts ECS tasks of its account and region only, for both roles', () => {
    const { tf } = synth((stack) => new FargateService(stack, 'svc', props));
    for (const role of resources(tf, 'aws_iam_role')) {
      expect(doc(role.assume_role_policy)).toEqual([{
        Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT }, ArnLike: { 'aws:SourceArn': `arn:aws:ecs:us-east-1:${ACCOUNT}:*` } },
      }]);
    }
  });

  it('raises its CPU alarm through the metric alarm module, on ALARM and OK', () => {
    const { tf } = synth((stack) => new FargateService(stack, 'svc', props));
    expect(resources(tf, 'aws_cloudwatch_metric_alarm')).toEqual([expect.objectContaining({
      alarm_name: 'acme-test-api-cpu-high', period: 300, evaluation_periods: 3, threshold: 85, treat_missing_data: 'notBreaching',
      alarm_actions: [props.alarmTopicArn], ok_actions: [props.alarmTopicArn],
    })]);
  });

  it('refuses a log retention CloudWatch Logs does not offer and a plain-text secret', () => {
    expect(() => synth((stack) => new FargateService(stack, 'svc', { ...props, logRetentionDays: 10 }))).toThrow('svc: logRetentionDays: 10 is not a CloudWatch Logs retention');
    expect(() => synth((stack) => new FargateService(stack, 'svc', { ...props, secrets: { DB: 'hunter2' } }))).toThrow('svc: secrets.DB: "hunter2" is not a Secrets Manager secret ARN');
  });
});

describe('roles of the platform and governance modules', () => {
  it('ConfigRecorder: a service role pinned to its account, the Config managed policy, delivery under its own prefix and the key', () => {
    const { tf, json } = synth((stack) => new ConfigRecorder(stack, 'config', {
      name: 'acme-test-config', accountId: ACCOUNT, region: 'us-east-1', bucketName: 'central', kmsKeyArn: KEY, includeGlobalResources: true,
    }));
    const [role] = resources(tf, 'aws_iam_role');
    expect(role.name).toBe('acme-test-config-us-east-1');
    expect(doc(role.assume_role_policy)[0].Condition).toEqual({ StringEquals: { 'aws:SourceAccount': ACCOUNT } });
    expect(Object.keys(json.resource.aws_iam_role_policy_attachment)).toEqual([expect.stringMatching(/^config_managed_/)]);
    const policy = policyAt(json, 'config_delivery');
    expect(policy.name).toBe('deliver-to-config-bucket');
    expect(doc(policy.policy)).toEqual([
      { Sid: 'BucketCheck', Effect: 'Allow', Action: 's3:GetBucketAcl', Resource: 'arn:aws:s3:::central' },
      {
        Sid: 'Deliver', Effect: 'Allow', Action: 's3:PutObject', Resource: `arn:aws:s3:::central/AWSLogs/${ACCOUNT}/Config/*`,
        Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' } },
      },
      { Sid: 'Encrypt', Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: KEY },
    ]);
  });

  it('EksCluster: the cluster role uses the secrets key and the cluster waits for both its policies', () => {
    const { tf, json } = synth((stack) => new EksCluster(stack, 'eks', {
      name: 'acme-test', kubernetesVersion: '1.35', subnetIds: ['subnet-1', 'subnet-2'], secretsKmsKeyArn: KEY, logsKmsKeyArn: KEY,
    }));
    expect(doc(policyAt(json, 'eks_kms').policy)).toEqual([{
      Effect: 'Allow', Action: ['kms:CreateGrant', 'kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:ListGrants'], Resource: KEY,
    }]);
    expect(Object.keys(json.resource.aws_iam_role_policy_attachment)).toEqual([expect.stringMatching(/^eks_cluster-policy_/)]);
    expect((resources(tf, 'aws_eks_cluster')[0].depends_on as string[]).sort()).toEqual([
      expect.stringMatching(/^aws_cloudwatch_log_group\.eks_logs_/), expect.stringMatching(/^aws_iam_role_policy\.eks_kms_/),
      expect.stringMatching(/^aws_iam_role_policy_attachment\.eks_cluster-policy_/),
    ]);
    expect(() => synth((stack) => new EksCluster(stack, 'eks', {
      name: 'acme-test', kubernetesVersion: '1.35', subnetIds: [], secretsKmsKeyArn: KEY, logsKmsKeyArn: KEY, logRetentionDays: 45,
    }))).toThrow('eks: logRetentionDays: 45 is not a CloudWatch Logs retention');
  });

  it('EksNodeRole: EC2-trusted with the three node policies, at the addresses the eks layer gave them', () => {
    const { json } = synth((stack) => new EksNodeRole(stack, 'node-role', { name: 'acme-test-node' }));
    expect(Object.keys(json.resource.aws_iam_role)).toEqual(['node-role']);
    expect(Object.entries(json.resource.aws_iam_role_policy_attachment).map(([key, a]) => [key, a.policy_arn]).sort()).toEqual([
      ['node-AmazonEC2ContainerRegistryReadOnly', 'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly'],
      ['node-AmazonEKSWorkerNodePolicy', 'arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy'],
      ['node-AmazonSSMManagedInstanceCore', 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore'],
    ]);
  });

  it('AssumableRole: resources grant to it; grants and inline statements share the `<name>-inline` policy at its old address', () => {
    const { json } = synth((stack) => {
      const role = new AssumableRole(stack, 'ops', {
        name: 'Ops', description: 'ops', trustedAccountId: ACCOUNT, permissionSets: ['DevOps'],
        inlinePolicy: [{ Sid: 'NoKeys', Effect: 'Deny', Action: 'iam:CreateAccessKey', Resource: '*' }],
      });
      bucketFromArn('arn:aws:s3:::reports').grantRead(role);
    });
    const policy = policyAt(json, 'ops_inline');
    expect(policy.name).toBe('Ops-inline');
    expect(doc(policy.policy).map((s) => s.Sid)).toEqual(['NoKeys', 'S3Read']);
    expect(() => synth((stack) => new AssumableRole(stack, 'ops', { name: 'Ops', description: 'd', trustedAccountId: ACCOUNT, permissionSets: ['Dev*'] })))
      .toThrow('ops: permissionSets[0]: "Dev*" must be a permission set name (no patterns)');
  });

  it('AutoScalingTier: an instance role with Session Manager only, and a key of the stack granted to the Auto Scaling service-linked role', () => {
    const slr = `arn:aws:iam::${ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`;
    const tier = (stack: TerraformStack, extra: Partial<AutoScalingTierProps>) => new AutoScalingTier(stack, 'web', {
      name: 'acme-test-web', vpcId: 'vpc-1', subnetIds: ['subnet-1'], instanceType: 't3.micro', minSize: 1, maxSize: 2, desiredCapacity: 1, port: 80,
      loadBalancer: { arnSuffix: 'app/x/1', listener: new MetricAlarm(stack, 'placeholder', { name: 'p', description: 'p', metric: { namespace: 'n', metricName: 'm', statistic: 'Sum' }, threshold: 1 }).alarm },
      ...extra,
    });
    const { tf, json } = synth((stack) => tier(stack, { ebsKmsKey: new KmsKey(stack, 'ebs', { alias: 'ebs', description: 'ebs', accountId: ACCOUNT }), autoScalingServiceLinkedRoleArn: slr }));
    expect(Object.keys(json.resource.aws_iam_role_policy_attachment)).toEqual([expect.stringMatching(/^web_ssm-core_/)]);
    expect(doc(resources(tf, 'aws_kms_key')[0].policy).map((s) => [s.Sid, s.Principal])).toEqual([
      ['AccountAdministration', { AWS: `arn:aws:iam::${ACCOUNT}:root` }],
      ['AutoScalingUsesKeyForVolumes', { AWS: slr }],
      ['AutoScalingGrantsForVolumes', { AWS: slr }],
    ]);
    expect((resources(tf, 'aws_launch_template')[0].block_device_mappings as { ebs: { kms_key_id: string } }[])[0].ebs.kms_key_id).toMatch(/aws_kms_key\.ebs_key_.*\.arn/);
    expect(() => synth((stack) => tier(stack, { ebsKmsKey: new KmsKey(stack, 'ebs', { alias: 'ebs', description: 'ebs', accountId: ACCOUNT }) })))
      .toThrow('web: autoScalingServiceLinkedRoleArn: is needed with ebsKmsKey');
    // Without a key the volumes are still encrypted, with the account's default EBS key (as EksNodeGroup does).
    const { tf: byDefault } = synth((stack) => tier(stack, {}));
    const ebs = (resources(byDefault, 'aws_launch_template')[0].block_device_mappings as { ebs: Record<string, unknown> }[])[0].ebs;
    expect(ebs.encrypted).toBe('true');
    expect(ebs).not.toHaveProperty('kms_key_id');
    expect(() => synth((stack) => tier(stack, { ebsKmsKeyArn: KEY, ebsKmsKey: new KmsKey(stack, 'ebs', { alias: 'ebs', description: 'ebs', accountId: ACCOUNT }), autoScalingServiceLinkedRoleArn: slr })))
      .toThrow('web: ebsKmsKeyArn: give ebsKmsKeyArn or ebsKmsKey, not both');
    expect(() => synth((stack) => tier(stack, { minSize: 3, desiredCapacity: 2, maxSize: 2 })))
      .toThrow('web: minSize: 3 is greater than maxSize 2');
  });

  it('IrsaRole refuses a service-account pattern: the trust names exactly one service account', () => {
    expect(() => synth((stack) => new IrsaRole(stack, 'irsa', {
      roleName: 'r', oidcProviderArn: 'arn:aws:iam::111111111111:oidc-provider/x', oidcIssuerHost: 'x', namespace: 'kube-system', serviceAccount: 'aws-*',
    }))).toThrow('irsa: serviceAccount: "aws-*" must be one exact Kubernetes name');
  });

  it('platform roles: grantOperations writes the same statements as operationsStatements into a managed policy', () => {
    const scope = { region: 'us-east-1', accountId: ACCOUNT, ecs: { arn: 'arn:ecs', name: 'c', albName: 'a' } };
    const { tf } = synth((stack) => grantOperations(new ManagedPolicy(stack, 'ops', { name: 'ops' }), scope));
    expect(doc(resources(tf, 'aws_iam_policy')[0].policy)).toEqual(operationsStatements(scope));
  });

  it('KmsKey.grantToService("cloudfront") admits one distribution through origin access control', () => {
    const { tf } = synth((stack) => new KmsKey(stack, 'origin', { alias: 'o', description: 'o', accountId: ACCOUNT })
      .grantToService('cloudfront', { distributionArn: 'arn:aws:cloudfront::111111111111:distribution/E1' }));
    expect(doc(resources(tf, 'aws_kms_key')[0].policy)[1]).toEqual({
      Sid: 'CloudFrontOriginAccessControl', Effect: 'Allow', Principal: { Service: 'cloudfront.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*'], Resource: '*',
      Condition: { StringEquals: { 'AWS:SourceArn': 'arn:aws:cloudfront::111111111111:distribution/E1' } },
    });
  });
});

describe('S3 replication grants', () => {
  const SOURCE_KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/source`;
  const { tf } = synth((stack) => {
    const role = new ServiceRole(stack, 'replication', { name: 'replication', service: 's3.amazonaws.com', sourceAccount: ACCOUNT });
    bucketFromName('source-a', SOURCE_KEY).grantReplicationSource(role, 'us-east-1');
    bucketFromName('source-b').grantReplicationSource(role, 'us-east-1');
    const key = new KmsKey(stack, 'dr', { alias: 'dr', description: 'dr', accountId: ACCOUNT });
    new SecureBucket(stack, 'replica', { bucketName: 'replica-a', kmsKeyArn: key.arn }).grantReplicationDestination(role, 'us-west-2');
  });
  const statements = doc(resources(tf, 'aws_iam_role_policy')[0].policy);
  const sid = (name: string) => statements.find((s) => s.Sid === name);

  it('reads the sources\' replication configuration and versions, and writes replicas, on exactly those ARNs', () => {
    expect(sid('ReadSourceConfig')).toEqual({
      Sid: 'ReadSourceConfig', Effect: 'Allow', Action: ['s3:GetReplicationConfiguration', 's3:ListBucket'], Resource: ['arn:aws:s3:::source-a', 'arn:aws:s3:::source-b'],
    });
    expect(sid('ReadSourceVersions')).toEqual({
      Sid: 'ReadSourceVersions', Effect: 'Allow', Action: ['s3:GetObjectVersionForReplication', 's3:GetObjectVersionAcl', 's3:GetObjectVersionTagging'],
      Resource: ['arn:aws:s3:::source-a/*', 'arn:aws:s3:::source-b/*'],
    });
    expect(sid('WriteReplicas')).toEqual({
      Sid: 'WriteReplicas', Effect: 'Allow', Action: ['s3:ReplicateObject', 's3:ReplicateDelete', 's3:ReplicateTags'], Resource: expect.stringMatching(/^\$\{aws_s3_bucket\.replica_bucket_\w+\.arn\}\/\*$/),
    });
  });

  it('uses each key only through S3 of its bucket\'s region (kms:ViaService); the replica key also decrypts, for its S3 Bucket Key', () => {
    // A source without a key (SSE-S3) grants no key; the source key is decrypt-only.
    expect(sid('DecryptSource')).toEqual({
      Sid: 'DecryptSource', Effect: 'Allow', Action: 'kms:Decrypt', Resource: SOURCE_KEY, Condition: { StringLike: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } },
    });
    expect(sid('EncryptReplica')).toEqual({
      Sid: 'EncryptReplica', Effect: 'Allow', Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'], Resource: expect.stringMatching(/^\$\{aws_kms_key\.dr_key_\w+\.arn\}$/),
      Condition: { StringLike: { 'kms:ViaService': 's3.us-west-2.amazonaws.com' } },
    });
    expect(statements.map((s) => s.Sid)).toEqual(['ReadSourceConfig', 'ReadSourceVersions', 'DecryptSource', 'WriteReplicas', 'EncryptReplica']);
  });
});

describe('messaging modules', () => {
  it('Queue.grant adds exactly the actions given, without the key; SQS limits are refused', () => {
    const { json } = synth((stack) => {
      const key = new KmsKey(stack, 'k', { alias: 'k', description: 'k', accountId: ACCOUNT });
      const role = new ManagedPolicy(stack, 'sender', { name: 'sender' });
      new Queue(stack, 'q', { name: 'jobs', kmsKeyArn: key.arn }).grant(role, 'DeadLetters', ['sqs:SendMessage']);
    });
    expect(doc(json.resource.aws_iam_policy.sender.policy)).toEqual([
      { Sid: 'DeadLetters', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: expect.stringMatching(/aws_sqs_queue\.q_queue_.*\.arn/) },
    ]);
    expect(() => synth((stack) => new Queue(stack, 'q', { name: 'x'.repeat(77), kmsKeyArn: KEY, visibilityTimeoutSeconds: 43201 })))
      .toThrow(/q: name: "x{77}" is longer than the 76 characters AWS allows; visibilityTimeoutSeconds: 43201 must be a whole number from 0 to 43200 seconds/);
  });

  it('EncryptedTopic refuses a subscription that is not an e-mail address', () => {
    expect(() => synth((stack) => new EncryptedTopic(stack, 't', { name: 'alarms', kmsKeyArn: KEY, accountId: ACCOUNT, emailSubscriptions: ['ops'] })))
      .toThrow('t: emailSubscriptions[0]: "ops" is not an e-mail address');
  });
});

/** A layer whose only job is to build modules with the props it is given, below a construct of its own. */
class ModulesOnly extends LayerStack {
  constructor(scope: Construct, ctx: LayerContext, config: { visibilityTimeoutSeconds: number; periodSeconds: number }) {
    super(scope, ctx);
    new Queue(this, 'jobs', { name: 'jobs', kmsKeyArn: KEY, visibilityTimeoutSeconds: config.visibilityTimeoutSeconds });
    new MetricAlarm(this, 'jobs-alarm', {
      name: 'jobs', description: 'jobs', metric: { namespace: 'AWS/SQS', metricName: 'm', statistic: 'Sum' }, threshold: 1, periodSeconds: config.periodSeconds,
    });
  }
}

describe('module props refused inside a layer', () => {
  it('join the organisation problems, naming project, account, layer, module and field, and nothing is built further', () => {
    const src = source({ 'apps-prd': { layers: { jobs: defineLayer(ModulesOnly, { visibilityTimeoutSeconds: 50000, periodSeconds: 45 }) } } });
    expect(() => build(src)).toThrow([
      'invalid configuration (2 problems):',
      '  - test/apps-prd/jobs: jobs.visibilityTimeoutSeconds: 50000 must be a whole number from 0 to 43200 seconds',
      '  - test/apps-prd/jobs: jobs-alarm.periodSeconds: 45 must be 10, 20, 30 or a multiple of 60',
    ].join('\n'));
  });

  it('the eks layer: a log retention its own check let through is now refused as in every other layer (AWS refuses it at apply)', () => {
    const eks: EksConfig = {
      kubernetesVersion: '1.35',
      addonVersions: {
        vpcCni: 'v1.22.4-eksbuild.3', coredns: 'v1.13.2-eksbuild.11', kubeProxy: 'v1.35.3-eksbuild.18',
        ebsCsiDriver: 'v1.64.0-eksbuild.1', podIdentityAgent: 'v1.3.10-eksbuild.3',
      },
      nodeGroups: [{ name: 'on-demand', capacityType: 'ON_DEMAND', instanceTypes: ['m6i.large'], minSize: 1, maxSize: 2, desiredSize: 1 }],
      logRetentionDays: 100,
    };
    const src = source({
      'apps-prd': {
        config: account({ id: '666666666666', environment: 'prd' }),
        layers: { 'base-network': defineLayer(BaseNetwork, { vpcCidr: '10.40.0.0/16', natGateways: 'single' }), eks: defineLayer(Eks, eks) },
      },
    });
    expect(() => build(src, { bootstrap: false, bootstrapStateDir: '/tmp/b', today: new Date('2026-11-30T12:00:00Z') } as never))
      .toThrow('test/apps-prd/eks: logRetentionDays: 100 is not a CloudWatch Logs retention');
  });
});

describe('PermissionSet and the identities layer', () => {
  const INSTANCE = 'arn:aws:sso:::instance/ssoins-0123456789abcdef';

  it('PermissionSet: resources grant to the set; grants and configured statements share one inline policy at `<id>-inline`', () => {
    const { json } = synth((stack) => {
      const set = new PermissionSet(stack, 'permission-set-Analyst', {
        instanceArn: INSTANCE, name: 'Analyst', description: 'd', managedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
      });
      bucketFromArn('arn:aws:s3:::reports').grantRead(set);
    });
    expect(Object.keys(json.resource.aws_ssoadmin_permission_set)).toEqual(['permission-set-Analyst']);
    expect(Object.keys(json.resource.aws_ssoadmin_managed_policy_attachment)).toEqual(['permission-set-Analyst-managed-0']);
    const inline = json.resource.aws_ssoadmin_permission_set_inline_policy['permission-set-Analyst-inline'];
    expect(doc(inline.inline_policy).map((s) => s.Sid)).toEqual(['S3Read']);
    // Nothing granted, no inline policy (Identity Center refuses an empty one).
    const bare = synth((stack) => new PermissionSet(stack, 'p', { instanceArn: INSTANCE, name: 'Bare', description: 'd' })).json;
    expect(bare.resource.aws_ssoadmin_permission_set_inline_policy).toBeUndefined();
  });

  const identities = (config: Partial<IdentitiesConfig> = {}) => source({
    management: {
      config: account({ id: '111111111111', environment: 'management' }),
      layers: {
        identities: defineLayer(Identities, {
          instanceArn: INSTANCE, identityStoreId: 'd-0123456789', groups: { devops: 'Platform' }, assignments: {}, ...config,
        }),
      },
    },
  });

  it('the DevOps set denies every way to a long-lived credential, resetting a console password included (fix)', () => {
    const tf = synthStack(identities(), 'test-management-identities');
    const devops = resources(tf, 'aws_ssoadmin_permission_set_inline_policy').find((p) => String(p.permission_set_arn).includes('permission-set-DevOps.'))!;
    expect(doc(devops.inline_policy)).toEqual([{
      Sid: 'NoLongLivedCredentials', Effect: 'Deny', Action: ['iam:CreateUser', 'iam:CreateAccessKey', 'iam:CreateLoginProfile', 'iam:UpdateLoginProfile'], Resource: '*',
    }]);
  });

  it('refuses a permission set name Identity Center refuses, with the set and field, and unknown accounts with the known ones', () => {
    const long = 'PlatformEngineersWithLongSessions';
    expect(() => build(identities({ permissionSets: { [long]: { description: 'd' } } })))
      .toThrow(`test/management/identities: permissionSets.${long}.name: "${long}" is longer than the 32 characters AWS allows`);
    expect(() => build(identities({ assignments: { nowhere: { devops: ['DevOps'] } } })))
      .toThrow('test/management/identities: assignments.nowhere: unknown account "nowhere" (known: management)');
  });
});
