import { DbSubnetGroup } from '@cdktf/provider-aws/lib/db-subnet-group';
import { DefaultSecurityGroup } from '@cdktf/provider-aws/lib/default-security-group';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { FlowLog } from '@cdktf/provider-aws/lib/flow-log';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { Testing } from 'cdktf';
import { defineLayer } from '../../lib/config';
import { BaseNetwork, type BaseNetworkConfig } from '../../layers/base-network';
import { BaseTfBackend, type BaseTfBackendConfig } from '../../layers/base-tf-backend';
import { account, build, parsed, REAL, resources, source, synthStack } from '../helpers';

describe('base-tf-backend', () => {
  const src = (config: BaseTfBackendConfig = {}) => source({ 'apps-prd': { config: account({ id: '666666666666' }), layers: { 'base-tf-backend': defineLayer(BaseTfBackend, config) } } });
  const json = () => synthStack(src(), 'test-apps-prd-base-tf-backend');

  it('creates the Leverage-named bucket with the account id (bucket names are global), versioned, SSE-KMS, fully private, TLS-only, protected from destroy', () => {
    const tf = json();
    expect(tf).toHaveResourceWithProperties(S3Bucket, { bucket: 'test-apps-prd-terraform-backend-666666666666', lifecycle: { prevent_destroy: true } });
    expect(tf).toHaveResourceWithProperties(S3BucketVersioningA, { versioning_configuration: { status: 'Enabled' } });
    expect(tf).toHaveResourceWithProperties(S3BucketPublicAccessBlock, {
      block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true,
    });
    const sse = resources(tf, 'aws_s3_bucket_server_side_encryption_configuration').find((r) => String(r.bucket).includes('state-bucket'))!;
    expect(sse.rule).toEqual([expect.objectContaining({ apply_server_side_encryption_by_default: expect.objectContaining({ sse_algorithm: 'aws:kms' }) })]);
    const policy = resources(tf, 'aws_s3_bucket_policy').find((r) => String(r.bucket).includes('state-bucket'))!;
    const statements = JSON.parse(policy.policy as string).Statement;
    expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
    const lifecycles = resources(tf, 'aws_s3_bucket_lifecycle_configuration').map((l) => JSON.stringify(l));
    expect(lifecycles.some((l) => l.includes('"noncurrent_days":90'))).toBe(true);
    expect(tf).toHaveResourceWithProperties(S3Bucket, { bucket: 'test-apps-prd-terraform-backend-logs-666666666666' });
    const [logging] = resources(tf, 'aws_s3_bucket_logging');
    expect(logging).toMatchObject({ target_prefix: 'state-bucket/', target_bucket: expect.stringContaining('state-access-logs') });
  });

  it('creates an on-demand lock table with PITR, KMS encryption and deletion protection', () => {
    expect(json()).toHaveResourceWithProperties(DynamodbTable, {
      name: 'test-apps-prd-terraform-backend',
      billing_mode: 'PAY_PER_REQUEST',
      hash_key: 'LockID',
      point_in_time_recovery: { enabled: true },
      deletion_protection_enabled: true,
      lifecycle: { prevent_destroy: true },
    });
    const [table] = resources(json(), 'aws_dynamodb_table');
    expect(table.server_side_encryption).toEqual({ enabled: true, kms_key_arn: expect.stringMatching(/^\$\{aws_kms_key\.state-key.*\.arn\}$/) });
  });

  it('encrypts with a rotating key whose policy names only the account', () => {
    const tf = json();
    expect(tf).toHaveResourceWithProperties(KmsKey, { enable_key_rotation: true, lifecycle: { prevent_destroy: true } });
    const [key] = resources(tf, 'aws_kms_key');
    const principals = JSON.parse(key.policy as string).Statement.map((s: { Principal: unknown }) => s.Principal);
    expect(principals).toEqual([{ AWS: 'arn:aws:iam::666666666666:root' }]);
  });

  it('protects key, buckets and lock table unless `protect: false` (tearing an account down); old flag names are refused', () => {
    const preventDestroy = (tf: string) => ['aws_kms_key', 'aws_s3_bucket', 'aws_dynamodb_table']
      .flatMap((type) => resources(tf, type).map((r) => (r.lifecycle as { prevent_destroy?: boolean } | undefined)?.prevent_destroy));
    expect(preventDestroy(json())).toEqual([true, true, true, true]);
    const open = synthStack(src({ protect: false }), 'test-apps-prd-base-tf-backend');
    expect(preventDestroy(open)).toEqual([false, false, false, false]);
    expect(resources(open, 'aws_dynamodb_table')[0].deletion_protection_enabled).toBe(false);
    // Locks are re-creatable: the table carries no BackupPlan tag.
    expect(resources(json(), 'aws_dynamodb_table')[0].tags).toEqual({});
    expect(() => build(src({ preventDestroy: false } as BaseTfBackendConfig)))
      .toThrow(/apps-prd\/base-tf-backend: preventDestroy: was renamed to protect; rename it \(preventDestroy is no longer read\)/);
    expect(() => build(src({ noncurrentVersionExpirationDays: 0 }))).toThrow(/base-tf-backend: noncurrentVersionExpirationDays: 0 must be a positive whole number/);
  });

  it('keeps local state in the bootstrap folder when bootstrapping', () => {
    const { stacks } = build(src(), { ...REAL, bootstrap: true, bootstrapStateDir: '/repo/.bootstrap' });
    const tf = parsed(Testing.synth(stacks.get('test-apps-prd-base-tf-backend')!));
    expect(tf.terraform.backend).toEqual({ local: { path: '/repo/.bootstrap/test-apps-prd-base-tf-backend.tfstate' } });
    expect((tf.provider.aws[0].assume_role as { role_arn: string }[])[0].role_arn).toBe('arn:aws:iam::666666666666:role/OrganizationAccountAccessRole');
  });
});

describe('base-network', () => {
  const network = (config: Partial<BaseNetworkConfig> = {}) => synthStack(source({
    'apps-prd': { config: account({ id: '666666666666' }), layers: { 'base-network': defineLayer(BaseNetwork, { vpcCidr: '10.40.0.0/16', natGateways: 'one-per-az', ...config }) } },
  }), 'test-apps-prd-base-network');

  it('spans three AZs from config with public, private and database subnets', () => {
    const tf = network();
    expect(tf).toHaveResourceWithProperties(Vpc, { cidr_block: '10.40.0.0/16', enable_dns_hostnames: true });
    const subnets = resources(tf, 'aws_subnet');
    expect(subnets).toHaveLength(9);
    expect(new Set(subnets.map((s) => s.availability_zone))).toEqual(new Set(['us-east-1a', 'us-east-1b', 'us-east-1c']));
    expect(subnets.every((s) => s.map_public_ip_on_launch === false)).toBe(true);
    expect(subnets.filter((s) => (s.tags as Record<string, string>).Tier === 'private').map((s) => s.cidr_block))
      .toEqual(['10.40.0.0/19', '10.40.32.0/19', '10.40.64.0/19']);
  });

  it('follows the NAT strategy: one per AZ, single, or none', () => {
    expect(resources(network({ natGateways: 'one-per-az' }), 'aws_nat_gateway')).toHaveLength(3);
    expect(resources(network({ natGateways: 'single' }), 'aws_nat_gateway')).toHaveLength(1);
    const none = network({ natGateways: 'none' });
    expect(resources(none, 'aws_nat_gateway')).toHaveLength(0);
    expect(resources(none, 'aws_route').map((r) => r.gateway_id ?? r.nat_gateway_id)).toHaveLength(1); // only the IGW route
  });

  it('routes private subnets through the NAT of their own AZ in prd', () => {
    const routes = resources(network(), 'aws_route').filter((r) => r.nat_gateway_id);
    expect(new Set(routes.map((r) => r.nat_gateway_id)).size).toBe(3);
  });

  it('closes the default security group and keeps database subnets off the internet', () => {
    const tf = network();
    expect(tf).toHaveResourceWithProperties(DefaultSecurityGroup, { ingress: [], egress: [] });
    expect(tf).toHaveResourceWithProperties(DbSubnetGroup, { name: 'test-apps-prd-database' });
    const dbTable = Object.entries(parsed(tf).resource.aws_route_table).find(([, t]) => (t.tags as Record<string, string>).Name.endsWith('-database'))![0];
    const dbRoutes = resources(tf, 'aws_route').filter((r) => String(r.route_table_id).includes(`aws_route_table.${dbTable}.`));
    expect(dbRoutes).toHaveLength(0);
  });

  it('logs all traffic to a KMS-encrypted, retained log group', () => {
    const tf = network({ flowLogRetentionDays: 90 });
    expect(tf).toHaveResourceWithProperties(FlowLog, { traffic_type: 'ALL', log_destination_type: 'cloud-watch-logs' });
    const [group] = resources(tf, 'aws_cloudwatch_log_group');
    expect(group.retention_in_days).toBe(90);
    expect(group.kms_key_id).toMatch(/aws_kms_key/);
    const keys = resources(tf, 'aws_kms_key');
    expect(JSON.parse(keys[0].policy as string).Statement[1].Principal).toEqual({ Service: 'logs.us-east-1.amazonaws.com' });
  });

  it('adds S3 and DynamoDB gateway endpoints and the configured interface endpoints', () => {
    const endpoints = resources(network({ interfaceEndpoints: ['ecr.api'] }), 'aws_vpc_endpoint');
    expect(endpoints.map((e) => `${e.vpc_endpoint_type}:${e.service_name}`).sort()).toEqual([
      'Gateway:com.amazonaws.us-east-1.dynamodb', 'Gateway:com.amazonaws.us-east-1.s3', 'Interface:com.amazonaws.us-east-1.ecr.api',
    ]);
  });

  it('writes the flow logs through a service role trusted for this account only, allowed to write its own group', () => {
    const tf = network();
    const [role] = resources(tf, 'aws_iam_role');
    expect(JSON.parse(role.assume_role_policy as string).Statement).toEqual([{
      Effect: 'Allow', Principal: { Service: 'vpc-flow-logs.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:SourceAccount': '666666666666' } },
    }]);
    const [policy] = resources(tf, 'aws_iam_role_policy');
    expect(policy).toMatchObject({ name: 'deliver-flow-logs', role: expect.stringMatching(/^\$\{aws_iam_role\.vpc_flow-logs-role_[A-Z0-9]+\.name\}$/) });
    const [statement] = JSON.parse(policy.policy as string).Statement;
    expect(statement.Action).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams']);
    expect(statement.Resource).toEqual([expect.stringMatching(/^\$\{aws_cloudwatch_log_group\..*\.arn\}$/), expect.stringMatching(/\.arn\}:\*$/)]);
  });

  it('refuses a flow-log retention CloudWatch Logs does not offer, and interface endpoints listed twice, naming the layer and field', () => {
    expect(() => network({ flowLogRetentionDays: 400 + 1 })).toThrow(/test\/apps-prd\/base-network: flowLogRetentionDays: 401 is not a CloudWatch Logs retention/);
    expect(() => network({ interfaceEndpoints: ['ssm', 'ssm'] })).toThrow(/test\/apps-prd\/base-network: interfaceEndpoints: "ssm" is listed twice/);
    expect(() => network({ vpcCidr: '10.32.0.0/12' })).toThrow(/test\/apps-prd\/base-network: vpcCidr: 10.32.0.0\/12: a VPC must be between \/16 and \/28/);
    expect(() => network({ vpcCidr: '10.40.0.0/26' })).toThrow(/vpcCidr: 10.40.0.0\/26: a VPC must be between \/16 and \/24/);
    expect(() => network({ subnets: { public: ['10.40.0.0/24', '10.40.0.128/25', '10.41.0.0/24'] } }))
      .toThrow(/subnets\.public\[1\]: 10.40.0.128\/25 overlaps subnets.public\[0\] \(10.40.0.0\/24\)[\s\S]*subnets\.public\[2\]: 10.41.0.0\/24 does not fit in the VPC 10.40.0.0\/16/);
  });

  it('publishes VPC, subnet, route table and AZ outputs', () => {
    expect(Object.keys(parsed(network()).output!).sort()).toEqual([
      'azs', 'database_route_table_ids', 'database_subnet_group_name', 'database_subnet_ids', 'nat_public_ips',
      'private_route_table_ids', 'private_subnet_ids', 'public_route_table_ids', 'public_subnet_ids', 'vpc_cidr_block', 'vpc_id',
    ]);
    expect(parsed(network()).output!.azs.value).toEqual(['us-east-1a', 'us-east-1b', 'us-east-1c']);
  });
});
