import { AutoscalingGroup } from '@cdktf/provider-aws/lib/autoscaling-group';
import { BackupPlan } from '@cdktf/provider-aws/lib/backup-plan';
import { DynamodbTableReplicaA } from '@cdktf/provider-aws/lib/dynamodb-table-replica';
import { EcrReplicationConfiguration } from '@cdktf/provider-aws/lib/ecr-replication-configuration';
import { Route53HealthCheck } from '@cdktf/provider-aws/lib/route53-health-check';
import { S3BucketReplicationConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-replication-configuration';
import { Testing } from 'cdktf';
import * as path from 'path';
import { defineLayer } from '../../lib/config';
import { buildOrganisation, readProjectFolder, resolveOrganisation } from '../../lib/organisation';
import { BaseNetwork } from '../../layers/base-network';
import { BaseTfBackend, baseTfBackendContract } from '../../layers/base-tf-backend';
import { Databases, type DatabasesConfig } from '../../layers/databases';
import { Dr, type DrConfig } from '../../layers/dr';
import { Security } from '../../layers/security';
import { fromLayer } from '../../lib/layer-ref';
import { REAL, account, build, parsed, resources, source, synthStack } from '../helpers';

const DATABASES: DatabasesConfig = {
  consumers: { cidrBlocks: ['10.40.0.0/17'] },
  aurora: { engine: 'aurora-postgresql' },
  dynamodb: { tables: [{ name: 'orders', partitionKey: { name: 'pk' }, replicateToDr: true }, { name: 'cache', partitionKey: { name: 'k' } }] },
};

const DR: DrConfig = {
  s3Replication: [{ label: 'tf-state', bucketName: fromLayer(baseTfBackendContract, 'state_bucket_name'), kmsKeyArn: fromLayer(baseTfBackendContract, 'state_kms_key_arn') }],
  aurora: { mode: 'backup-copy' },
  ecrRepositoryPrefixes: ['acme/'],
  failover: {
    hostedZoneId: 'Z0123456789ABCDEFGHIJ',
    recordName: 'app.prd.example.com',
    primaryDnsName: 'primary-123.us-east-1.elb.amazonaws.com',
    primaryZoneId: 'Z35SXDOTRQ7X7K',
  },
};

function org(dr: Partial<DrConfig> = {}, options: { drCidr?: string; drRegion?: string; databases?: DatabasesConfig } = {}) {
  return source({
    management: { config: account({ environment: 'management' }) },
    prd: {
      config: account({ id: '666666666666', environment: 'prd' }),
      layers: {
        'base-tf-backend': defineLayer(BaseTfBackend, {}),
        'base-network': defineLayer(BaseNetwork, { vpcCidr: '10.40.0.0/16', natGateways: 'one-per-az' }),
        'base-network-dr': defineLayer(BaseNetwork, { vpcCidr: options.drCidr ?? '10.41.0.0/16', natGateways: 'none' }, { region: 'us-west-2' }),
        security: defineLayer(Security, {}),
        databases: defineLayer(Databases, options.databases ?? DATABASES),
        dr: defineLayer(Dr, { ...DR, ...dr }, { region: options.drRegion ?? 'us-west-2' }),
      },
    },
  });
}

const ID = 'test-prd-dr';

describe('dr layer (pilot light)', () => {
  const json = synthStack(org(), ID);
  const providers = parsed(json).provider.aws;
  const drKey = `\${aws_kms_key.${Object.keys(parsed(json).resource.aws_kms_key)[0]}.arn}`;

  it('runs in the DR region with an aliased provider for the primary-region side', () => {
    expect(providers.map((p) => [p.alias ?? 'default', p.region])).toEqual([['default', 'us-west-2'], ['us_east_1', 'us-east-1']]);
    expect(() => build(org({}, { drRegion: 'us-east-1' }))).toThrow(/dr.*region: is us-east-1; declare the layer with \{ region: 'us-west-2' \}/);
  });

  it('refuses a DR network overlapping the primary VPC, across regions', () => {
    expect(() => build(org({}, { drCidr: '10.40.128.0/17' })))
      .toThrow(/base-network-dr.*vpcCidr: 10\.40\.128\.0\/17 \(us-west-2\) overlaps 10\.40\.0\.0\/16 of prd\/base-network vpcCidr \(us-east-1\)/);
    expect(() => build(org())).not.toThrow();
  });

  it('refuses an Aurora global database because the clusters use a managed master password', () => {
    expect(() => build(org({ aurora: { mode: 'global-database' } })))
      .toThrow(/aurora.mode: global-database is refused: Aurora global databases do not support an RDS-managed master password/);
    expect(() => build(org({ aurora: {} }, { databases: { ...DATABASES, aurora: undefined } })))
      .toThrow(/aurora: layer "databases" of prd declares no Aurora cluster to protect/);
  });

  it('copies Aurora snapshots to a DR vault with AWS Backup, from the primary region', () => {
    expect(resources(json, BackupPlan.tfResourceType)[0]).toMatchObject({
      provider: 'aws.us_east_1',
      rule: [{ copy_action: [{ destination_vault_arn: '${aws_backup_vault.dr-vault.arn}', lifecycle: { delete_after: 35 } }] }],
    });
    const selection = resources(json, 'aws_backup_selection')[0];
    expect(selection.resources).toEqual(['${data.terraform_remote_state.remote-prd-databases.outputs.aurora_cluster_arn}']);
    const vaults = parsed(json).resource.aws_backup_vault;
    expect(vaults['dr-vault']).toMatchObject({ kms_key_arn: drKey });
    expect(vaults['dr-vault'].provider).toBeUndefined();
    expect(resources(json, 'aws_rds_global_cluster')).toHaveLength(0);
  });

  it('replicates the marked DynamoDB tables as global-table replicas under the DR key', () => {
    expect(json).toHaveResourceWithProperties(DynamodbTableReplicaA, {
      for_each: '${toset(data.terraform_remote_state.remote-prd-databases.outputs.dynamodb_dr_table_arns)}',
      global_table_arn: '${each.value}',
      point_in_time_recovery: true,
      kms_key_arn: drKey,
    });
    const none = synthStack(org({}, { databases: { ...DATABASES, dynamodb: { tables: [{ name: 'cache', partitionKey: { name: 'k' } }] } } }), ID);
    expect(resources(none, 'aws_dynamodb_table_replica')).toHaveLength(0);
  });

  it('replicates critical buckets to DR replicas encrypted with the DR key', () => {
    expect(resources(json, S3BucketReplicationConfigurationA.tfResourceType)[0]).toMatchObject({
      provider: 'aws.us_east_1',
      bucket: '${data.terraform_remote_state.remote-prd-base-tf-backend.outputs.state_bucket_name}',
      rule: [{
        status: 'Enabled',
        source_selection_criteria: { sse_kms_encrypted_objects: { status: 'Enabled' } },
        destination: expect.objectContaining({ encryption_configuration: { replica_kms_key_id: drKey } }),
      }],
    });
    const buckets = resources(json, 'aws_s3_bucket').map((b) => b.bucket);
    expect(buckets).toContain('test-prd-tf-state-dr-us-west-2');
    const policy = JSON.parse(resources(json, 'aws_iam_role_policy')[0].policy as string);
    const decrypt = policy.Statement.find((s: { Sid: string }) => s.Sid === 'DecryptSource');
    expect(decrypt.Resource).toEqual(['${data.terraform_remote_state.remote-prd-base-tf-backend.outputs.state_kms_key_arn}']);
    expect(decrypt.Condition.StringLike['kms:ViaService']).toBe('s3.us-east-1.amazonaws.com');
  });

  it('keeps compute at zero capacity behind a DR load balancer', () => {
    expect(json).toHaveResourceWithProperties(AutoscalingGroup, { min_size: 0, desired_capacity: 0, max_size: 6 });
    const asg = resources(json, 'aws_autoscaling_group')[0];
    expect(asg.vpc_zone_identifier).toBe('${data.terraform_remote_state.remote-prd-base-network-dr.outputs.private_subnet_ids}');
    const warm = synthStack(org({ compute: { desiredCapacity: 2 } }), ID);
    expect(warm).toHaveResourceWithProperties(AutoscalingGroup, { desired_capacity: 2 });
    expect(() => build(org({ compute: { desiredCapacity: 10, maxSize: 4 } }))).toThrow(/compute.desiredCapacity: 10 must be between 0 and maxSize \(4\)/);
  });

  it('fails DNS over to the DR load balancer when the primary health check fails', () => {
    expect(json).toHaveResourceWithProperties(Route53HealthCheck, {
      type: 'HTTPS', fqdn: 'primary-123.us-east-1.elb.amazonaws.com', port: 443, resource_path: '/health', failure_threshold: 3,
    });
    const records = parsed(json).resource.aws_route53_record;
    expect(records['failover-primary']).toMatchObject({
      name: 'app.prd.example.com',
      failover_routing_policy: { type: 'PRIMARY' },
      health_check_id: '${aws_route53_health_check.primary-health.id}',
      alias: { name: 'primary-123.us-east-1.elb.amazonaws.com', zone_id: 'Z35SXDOTRQ7X7K', evaluate_target_health: true },
    });
    expect(records['failover-secondary']).toMatchObject({
      failover_routing_policy: { type: 'SECONDARY' },
      alias: { name: '${aws_lb.alb_7A364839.dns_name}', zone_id: '${aws_lb.alb_7A364839.zone_id}' },
    });
  });

  it('replicates ECR repositories by prefix to the DR region of the same registry', () => {
    expect(json).toHaveResourceWithProperties(EcrReplicationConfiguration, {
      provider: 'aws.us_east_1',
      replication_configuration: {
        rule: [{ destination: [{ region: 'us-west-2', registry_id: '666666666666' }], repository_filter: [{ filter: 'acme/', filter_type: 'PREFIX_MATCH' }] }],
      },
    });
  });

  it('never carries a literal password', () => {
    expect(json).not.toMatch(/"master_password"|"auth_token"|"passwords"/);
  });

  it('is wired in the example organisation: apps-prd dr reads its DR network, databases, zone and primary ALB', () => {
    const app = Testing.app();
    const built = buildOrganisation(app, resolveOrganisation(readProjectFolder(path.join(__dirname, '../../projects/acme')), REAL));
    const node = built.graph.find((n) => n.id === 'acme-apps-prd-dr')!;
    expect(node.region).toBe('us-west-2');
    expect(node.dependsOn).toEqual(expect.arrayContaining([
      'acme-apps-prd-base-network-dr', 'acme-apps-prd-databases', 'acme-apps-prd-dns-zone', 'acme-apps-prd-multi-tier', 'acme-apps-prd-base-tf-backend',
    ]));
  });
});
