import { Testing, TerraformStack } from 'cdktf';
import { DataStream } from '../../modules/data-stream';
import { DynamoTable } from '../../modules/dynamo-table';
import { EncryptedTopic } from '../../modules/encrypted-topic';
import { keyFromArn, KmsKey } from '../../modules/kms-key';
import { PolicyStatements, type PolicyStatement } from '../../modules/policy';
import { Queue } from '../../modules/queue';
import { Role, ServiceRole } from '../../modules/role';
import { bucketFromArn, SecureBucket } from '../../modules/secure-bucket';

type Json = Record<string, Record<string, Record<string, Record<string, unknown>>>>;

/** A stack with a key, an SSE-KMS bucket and a service role; `grant` adds what the test is about. */
function synthWith(grant: (parts: { stack: TerraformStack; key: KmsKey; bucket: SecureBucket; role: ServiceRole }) => void): Json {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'test');
  const key = new KmsKey(stack, 'key', { alias: 'test-data', description: 'data', accountId: '111111111111' });
  const bucket = new SecureBucket(stack, 'bucket', { bucketName: 'test-bucket', kmsKeyArn: key.arn });
  const role = new ServiceRole(stack, 'worker-role', { name: 'worker', service: 'lambda.amazonaws.com', sourceAccount: '111111111111' });
  grant({ stack, key, bucket, role });
  return JSON.parse(Testing.synth(stack)) as Json;
}

function statements(json: Json, policy = 'worker-role-policy'): PolicyStatement[] {
  return JSON.parse(json.resource.aws_iam_role_policy[policy].policy as string).Statement;
}

const BUCKET = '${aws_s3_bucket.bucket_3056591E.arn}';
const KEY = '${aws_kms_key.key_F64E54E4.arn}';

describe('grants', () => {
  it('bucket.grantRead adds the bucket and object read statement and, for an SSE-KMS bucket, kms:Decrypt on its key', () => {
    const json = synthWith(({ bucket, role }) => bucket.grantRead(role));
    expect(statements(json)).toEqual([
      { Sid: 'S3Read', Effect: 'Allow', Action: ['s3:GetBucketLocation', 's3:GetObject', 's3:ListBucket'], Resource: [BUCKET, `${BUCKET}/*`] },
      { Sid: 'KmsDecrypt', Effect: 'Allow', Action: 'kms:Decrypt', Resource: KEY },
    ]);
    // One inline policy on the role, with its name and address from the role's id.
    expect(json.resource.aws_iam_role_policy['worker-role-policy']).toMatchObject({ name: 'least-privilege', role: '${aws_iam_role.worker-role.name}' });
  });

  it('bucket.grantReadWrite on a key-prefix writes the Firehose-documented S3 actions and encrypt-decrypt on the key', () => {
    const json = synthWith(({ bucket, role }) => bucket.grantReadWrite(role, 'incoming/*'));
    expect(statements(json)).toEqual([
      {
        Sid: 'S3ReadWrite',
        Effect: 'Allow',
        Action: ['s3:AbortMultipartUpload', 's3:GetBucketLocation', 's3:GetObject', 's3:ListBucket', 's3:ListBucketMultipartUploads', 's3:PutObject'],
        Resource: [BUCKET, `${BUCKET}/incoming/*`],
      },
      { Sid: 'KmsEncryptDecrypt', Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: KEY },
    ]);
  });

  it('grants accumulate: two buckets share one statement per purpose, and a broader key grant absorbs a narrower one', () => {
    const json = synthWith(({ stack, key, bucket, role }) => {
      const other = bucketFromArn('arn:aws:s3:::other', 'arn:aws:kms:us-east-1:111111111111:key/other');
      bucket.grantRead(role);
      other.grantRead(role);
      key.grantEncryptDecrypt(role);
      void stack;
    });
    expect(statements(json)).toEqual([
      { Sid: 'S3Read', Effect: 'Allow', Action: ['s3:GetBucketLocation', 's3:GetObject', 's3:ListBucket'], Resource: [BUCKET, `${BUCKET}/*`, 'arn:aws:s3:::other', 'arn:aws:s3:::other/*'] },
      { Sid: 'KmsDecrypt', Effect: 'Allow', Action: 'kms:Decrypt', Resource: 'arn:aws:kms:us-east-1:111111111111:key/other' },
      { Sid: 'KmsEncryptDecrypt', Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: KEY },
    ]);
  });

  it('queue, topic, stream and table grants add their service actions and their key', () => {
    const json = synthWith(({ stack, key, role }) => {
      const queue = new Queue(stack, 'queue', { name: 'jobs', kmsKeyArn: key.arn });
      const topic = new EncryptedTopic(stack, 'topic', { name: 'events', kmsKeyArn: key.arn, accountId: '111111111111' });
      const stream = new DataStream(stack, 'stream', { name: 'clicks', kmsKey: key });
      const table = new DynamoTable(stack, 'table', { name: 'orders', partitionKey: { name: 'pk' }, kmsKeyArn: key.arn });
      queue.grantSendMessages(role);
      topic.grantPublish(role);
      stream.grantRead(role);
      table.grantReadWriteData(role);
    });
    const bySid = Object.fromEntries(statements(json).map((s) => [s.Sid, s]));
    // All four use the same key: the table's grant (which adds DescribeKey) covers what queue, topic and stream need.
    expect(Object.keys(bySid)).toEqual(['SqsSend', 'SnsPublish', 'KinesisRead', 'DynamoDbReadWrite', 'KmsEncryptDecryptDescribe']);
    expect(bySid.SqsSend).toMatchObject({ Action: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'], Resource: expect.stringMatching(/^\$\{aws_sqs_queue\.queue_[0-9A-F]{8}\.arn\}$/) });
    expect(bySid.SnsPublish).toMatchObject({ Action: 'sns:Publish', Resource: expect.stringMatching(/^\$\{aws_sns_topic\.topic_[0-9A-F]{8}\.arn\}$/) });
    expect(bySid.KinesisRead).toMatchObject({ Resource: '${aws_kinesis_stream.stream.arn}' });
    expect(bySid.DynamoDbReadWrite).toMatchObject({ Resource: ['${aws_dynamodb_table.table.arn}', '${aws_dynamodb_table.table.arn}/index/*'] });
    expect(bySid.DynamoDbReadWrite.Action).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query']));
    expect(bySid.KmsEncryptDecryptDescribe).toMatchObject({ Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey'], Resource: KEY });
  });

  it('a role with nothing granted has no inline policy; the first grant creates it', () => {
    const json = synthWith(() => undefined);
    expect(json.resource.aws_iam_role_policy).toBeUndefined();
  });

  it('the same Sid with different actions is refused', () => {
    const list = new PolicyStatements();
    list.add({ Sid: 'Read', Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::a/*' });
    expect(() => list.add({ Sid: 'Read', Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::b/*' }))
      .toThrow(/policy statement Read is added twice with different effect, principal, actions or conditions/);
  });
});

describe('service role', () => {
  it('trusts the service with the confused-deputy conditions, attaches managed policies and keeps given addresses', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'test');
    const role = new ServiceRole(stack, 'crawler-role', {
      name: 'crawler',
      service: 'glue.amazonaws.com',
      sourceAccount: '111111111111',
      sourceArn: 'arn:aws:glue:us-east-1:111111111111:crawler/*',
      managedPolicyArns: ['arn:aws:iam::aws:policy/service-role/AWSGlueServiceRole'],
      policyName: 'crawl',
      ids: { policy: 'crawler-policy', managedPolicies: ['crawler-service-role'] },
    });
    keyFromArn('arn:aws:kms:us-east-1:111111111111:key/k').grantDecrypt(role);
    const json = JSON.parse(Testing.synth(stack)) as Json;
    expect(JSON.parse(json.resource.aws_iam_role['crawler-role'].assume_role_policy as string)).toEqual({
      Version: '2012-10-17',
      Statement: [{
        Effect: 'Allow',
        Principal: { Service: 'glue.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: {
          StringEquals: { 'aws:SourceAccount': '111111111111' },
          ArnLike: { 'aws:SourceArn': 'arn:aws:glue:us-east-1:111111111111:crawler/*' },
        },
      }],
    });
    expect(json.resource.aws_iam_role_policy_attachment['crawler-service-role']).toMatchObject({
      role: '${aws_iam_role.crawler-role.name}', policy_arn: 'arn:aws:iam::aws:policy/service-role/AWSGlueServiceRole',
    });
    expect(json.resource.aws_iam_role_policy['crawler-policy']).toMatchObject({ name: 'crawl' });
  });

  it('a role assumed by principals names exactly them', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'test');
    new Role(stack, 'ops', { name: 'ops', assumedBy: { principals: 'arn:aws:iam::222222222222:role/platform', sid: 'PlatformOnly' } });
    const json = JSON.parse(Testing.synth(stack)) as Json;
    expect(JSON.parse(json.resource.aws_iam_role.ops.assume_role_policy as string).Statement).toEqual([
      { Sid: 'PlatformOnly', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::222222222222:role/platform' }, Action: 'sts:AssumeRole' },
    ]);
  });
});

describe('key service grants', () => {
  it('grantToService writes the documented statements into the key policy, after the account administration', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'test');
    const key = new KmsKey(stack, 'key', { alias: 'test-logs', description: 'logs', accountId: '111111111111' });
    key.grantToService('logs', { region: 'eu-west-1', accountId: '111111111111' });
    key.grantToService('events', { accountId: '111111111111' });
    const json = JSON.parse(Testing.synth(stack)) as Json;
    const policy = JSON.parse(Object.values(json.resource.aws_kms_key)[0].policy as string) as { Statement: PolicyStatement[] };
    expect(policy.Statement.map((s) => s.Sid)).toEqual(['AccountAdministration', 'CloudWatchLogs', 'EventBridge']);
    expect(policy.Statement[1]).toMatchObject({
      Principal: { Service: 'logs.eu-west-1.amazonaws.com' },
      Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': 'arn:aws:logs:eu-west-1:111111111111:*' } },
    });
    // EventBridge refuses a key it cannot describe.
    expect(policy.Statement[2].Action).toContain('kms:DescribeKey');
  });
});
