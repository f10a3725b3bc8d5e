import { AutoscalingGroup } from '@cdktf/provider-aws/lib/autoscaling-group';
import { DynamodbTableReplicaA } from '@cdktf/provider-aws/lib/dynamodb-table-replica';
import { EcrReplicationConfiguration } from '@cdktf/provider-aws/lib/ecr-replication-configuration';
import { LbListenerCertificate } from '@cdktf/provider-aws/lib/lb-listener-certificate';
import { Route53HealthCheck } from '@cdktf/provider-aws/lib/route53-health-check';
import { S3BucketReplicationConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-replication-configuration';
import { Testing } from 'cdktf';
import * as path from 'path';
import { defineLayer } from '../../lib/config';
import { buildOrganisation, readProjectFolder, resolveOrganisation } from '../../lib/organisation';
import { Backup, type BackupConfig } from '../../layers/backup';
import { BaseNetwork } from '../../layers/base-network';
import { BaseTfBackend, baseTfBackendContract } from '../../layers/base-tf-backend';
import { Cdn } from '../../layers/cdn';
import { Databases, type DatabasesConfig } from '../../layers/databases';
import { DnsZone } from '../../layers/dns-zone';
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
    primaryDnsName: 'primary-123.us-east-1.elb.amazonaws.com',
    primaryZoneId: 'Z35SXDOTRQ7X7K',
    primaryListenerArn: 'arn:aws:elasticloadbalancing:us-east-1:666666666666:listener/app/primary/0123456789abcdef/0123456789abcdef',
  },
};

function org(dr: Partial<DrConfig> = {}, options: { drCidr?: string; drRegion?: string; databases?: DatabasesConfig; cdnNames?: string[]; backup?: BackupConfig | false; environment?: string } = {}) {
  return source({
    management: { config: account({ environment: 'management' }) },
    prd: {
      config: account({ id: '666666666666', environment: options.environment ?? 'prd' }),
      layers: {
        ...(options.backup === false ? {} : { backup: defineLayer(Backup, options.backup ?? {}) }),
        'base-tf-backend': defineLayer(BaseTfBackend, {}),
        'base-network': defineLayer(BaseNetwork, { vpcCidr: '10.40.0.0/16', natGateways: 'one-per-az' }),
        'base-network-dr': defineLayer(BaseNetwork, { vpcCidr: options.drCidr ?? '10.41.0.0/16', natGateways: 'none' }, { region: 'us-west-2' }),
        security: defineLayer(Security, {}),
        databases: defineLayer(Databases, options.databases ?? DATABASES),
        'dns-zone': defineLayer(DnsZone, { zoneName: 'prd.example.com' }),
        ...(options.cdnNames ? { cdn: defineLayer(Cdn, { domainNames: options.cdnNames, contentSecurityPolicy: "default-src 'self'" }) } : {}),
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

  it('leaves the Aurora copies to the backup layer and publishes its DR vault', () => {
    // No plan, vault, selection or role of its own any more: the backup layer's plans copy the tagged cluster.
    expect(Object.keys(parsed(json).resource).filter((t) => t.startsWith('aws_backup_'))).toEqual([]);
    expect(parsed(json).output!.backup_vault_arn.value).toBe('${data.terraform_remote_state.remote-prd-backup.outputs.dr_vault_arn}');
    expect(resources(json, 'aws_rds_global_cluster')).toHaveLength(0);
    // The vaults it made before keep their recovery points: Terraform forgets them instead of deleting them.
    expect((parsed(json) as unknown as { removed: unknown[] }).removed).toEqual([
      { from: 'aws_backup_vault.dr-vault', lifecycle: { destroy: false } },
      { from: 'aws_backup_vault.primary-vault', lifecycle: { destroy: false } },
    ]);
  });

  it('refuses Aurora protection without a backup layer copying to the DR region, and the old copy settings', () => {
    expect(() => build(org({}, { backup: false }))).toThrow(/prd\/dr: backupLayer: account prd has no enabled backup layer "backup" to copy the Aurora backups to the DR region/);
    const noCopy = { plans: { standard: { daily: { retentionDays: 7, drCopyRetentionDays: false as const } } } };
    expect(() => build(org({}, { backup: noCopy, environment: 'devstg' }))).toThrow(/prd\/dr: backupLayer: the plans of prd\/backup make no copy in the DR region us-west-2/);
    expect(() => build(org({ aurora: { mode: 'backup-copy', copyRetentionDays: 35 } }))).toThrow(/aurora\.copyRetentionDays: is set by the backup plans now/);
    expect(() => build(org({ aurora: { mode: 'backup-copy', schedule: 'cron(0 5 * * ? *)' } }))).toThrow(/aurora\.schedule: is set by the backup plans now/);
    // Without Aurora nothing is read from the backup layer.
    const none = synthStack(org({ aurora: undefined }, { backup: false }), ID);
    expect(parsed(none).output!.backup_vault_arn.value).toBe('');
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
    // Bucket names are global across AWS customers: every one ends with the account id.
    const buckets = resources(json, 'aws_s3_bucket').map((b) => b.bucket).sort();
    expect(buckets).toEqual(['test-prd-dr-alb-logs-us-west-2-666666666666', 'test-prd-dr-s3-access-logs-us-west-2-666666666666', 'test-prd-tf-state-dr-us-west-2-666666666666']);
  });

  it('replicates with a role S3 assumes for this account only, granted by the buckets and keys it reads and writes', () => {
    const [role] = resources(json, 'aws_iam_role').filter((r) => r.name === 'test-prd-dr-s3-replication');
    expect(JSON.parse(role.assume_role_policy as string).Statement).toEqual([{
      Effect: 'Allow', Principal: { Service: 's3.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:SourceAccount': '666666666666' } },
    }]);
    const policy = parsed(json).resource.aws_iam_role_policy['s3-replication-policy'];
    expect(policy.name).toBe('replicate');
    type Statement = { Sid: string; Action: unknown; Resource: unknown; Condition?: unknown };
    const statements = JSON.parse(policy.policy as string).Statement as Statement[];
    const bySid = Object.fromEntries(statements.map((s) => [s.Sid, s]));
    const state = '${data.terraform_remote_state.remote-prd-base-tf-backend.outputs.state_bucket_name}';
    expect(bySid.ReadSourceConfig).toMatchObject({ Action: ['s3:GetReplicationConfiguration', 's3:ListBucket'], Resource: `arn:aws:s3:::${state}` });
    expect(bySid.ReadSourceVersions).toMatchObject({ Resource: `arn:aws:s3:::${state}/*` });
    expect(bySid.WriteReplicas).toMatchObject({ Action: ['s3:ReplicateObject', 's3:ReplicateDelete', 's3:ReplicateTags'], Resource: expect.stringMatching(/^\$\{aws_s3_bucket\.replica-tf-state_bucket_\w+\.arn\}\/\*$/) });
    expect(bySid.DecryptSource).toEqual({
      Sid: 'DecryptSource', Effect: 'Allow', Action: 'kms:Decrypt', Resource: '${data.terraform_remote_state.remote-prd-base-tf-backend.outputs.state_kms_key_arn}',
      Condition: { StringLike: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } },
    });
    // The replicas use S3 Bucket Keys, which S3 checks with kms:Decrypt under the replication role (fix: it lacked it).
    expect(bySid.EncryptReplica).toEqual({
      Sid: 'EncryptReplica', Effect: 'Allow', Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'], Resource: drKey,
      Condition: { StringLike: { 'kms:ViaService': 's3.us-west-2.amazonaws.com' } },
    });
  });

  it('starts replicating only once the role has its policy (S3 never retries a version it failed to replicate)', () => {
    expect(resources(json, S3BucketReplicationConfigurationA.tfResourceType)[0].depends_on).toEqual(['aws_iam_role_policy.s3-replication-policy']);
  });

  it('protects the DR copies in production and not elsewhere, with `protect` as the one flag', () => {
    const table = (j: string) => resources(j, 'aws_dynamodb_table_replica')[0];
    const key = (j: string) => resources(j, 'aws_kms_key')[0] as { lifecycle?: { prevent_destroy?: boolean } };
    expect(table(json)).toMatchObject({ deletion_protection_enabled: true, lifecycle: { prevent_destroy: true } });
    expect(key(json).lifecycle?.prevent_destroy).toBe(true);
    expect(resources(json, 'aws_lb')[0].enable_deletion_protection).toBe(true);
    const devstg = synthStack(org({}, { environment: 'devstg' }), ID);
    expect(table(devstg)).toMatchObject({ deletion_protection_enabled: false, lifecycle: { prevent_destroy: false } });
    expect(key(devstg).lifecycle?.prevent_destroy).toBe(false);
    expect(resources(devstg, 'aws_lb')[0].enable_deletion_protection).toBe(false);
    expect(resources(devstg, 'aws_s3_bucket').map((b) => (b.lifecycle as { prevent_destroy: boolean }).prevent_destroy)).toEqual([false, false, false]);
    const unprotected = synthStack(org({ protect: false }), ID);
    expect(table(unprotected)).toMatchObject({ deletion_protection_enabled: false });
    // Plain-JS configs can carry the names other layers used: refused, naming the one to use.
    expect(() => build(org({ preventDestroy: false } as Partial<DrConfig>)))
      .toThrow(/prd\/dr: preventDestroy: was renamed to protect; rename it \(preventDestroy is no longer read\)/);
    expect(() => build(org({ deletionProtection: false } as Partial<DrConfig>)))
      .toThrow(/prd\/dr: deletionProtection: was renamed to protect/);
  });

  it('keeps compute at zero capacity behind a DR load balancer', () => {
    expect(json).toHaveResourceWithProperties(AutoscalingGroup, { min_size: 0, desired_capacity: 0, max_size: 6 });
    const asg = resources(json, 'aws_autoscaling_group')[0];
    expect(asg.vpc_zone_identifier).toBe('${data.terraform_remote_state.remote-prd-base-network-dr.outputs.private_subnet_ids}');
    const warm = synthStack(org({ compute: { desiredCapacity: 2 } }), ID);
    expect(warm).toHaveResourceWithProperties(AutoscalingGroup, { desired_capacity: 2 });
    expect(() => build(org({ compute: { desiredCapacity: 10, maxSize: 4 } }))).toThrow(/prd\/dr: compute\.desiredCapacity: 10 must be between minSize 0 and maxSize 4/);
    expect(() => build(org({ compute: { port: 70000 } }))).toThrow(/prd\/dr: compute\.port: 70000 is not a TCP port \(a whole number from 1 to 65535\)/);
  });

  it('fails a name of its own over to the DR load balancer when the primary health check fails', () => {
    expect(json).toHaveResourceWithProperties(Route53HealthCheck, {
      type: 'HTTPS', fqdn: 'primary-123.us-east-1.elb.amazonaws.com', port: 443, resource_path: '/health', failure_threshold: 3, enable_sni: true,
    });
    const records = parsed(json).resource.aws_route53_record;
    const zone = '${data.terraform_remote_state.remote-prd-dns-zone.outputs.zone_id}';
    expect(records['failover-primary']).toMatchObject({
      zone_id: zone,
      name: 'origin.prd.example.com',
      type: 'A',
      set_identifier: 'primary-us-east-1',
      failover_routing_policy: { type: 'PRIMARY' },
      health_check_id: '${aws_route53_health_check.primary-health.id}',
      alias: { name: 'primary-123.us-east-1.elb.amazonaws.com', zone_id: 'Z35SXDOTRQ7X7K', evaluate_target_health: true },
    });
    expect(records['failover-secondary']).toMatchObject({
      zone_id: zone,
      name: 'origin.prd.example.com',
      type: 'A',
      set_identifier: 'secondary-us-west-2',
      failover_routing_policy: { type: 'SECONDARY' },
      alias: { name: '${aws_lb.alb_7A364839.dns_name}', zone_id: '${aws_lb.alb_7A364839.zone_id}', evaluate_target_health: false },
    });
    expect(records['failover-secondary'].health_check_id).toBeUndefined();
    // Every record of the layer: the failover pair and one certificate validation CNAME, nothing else.
    expect(Object.values(records).map((r) => r.name).filter((n) => !String(n).includes('domain_validation_options'))).toEqual(['origin.prd.example.com', 'origin.prd.example.com']);
    expect(parsed(json).output!.failover_name.value).toBe('origin.prd.example.com');
  });

  it('puts a certificate for the failover name on both load balancers, validated by one record it owns', () => {
    const certificates = resources(json, 'aws_acm_certificate');
    expect(certificates.map((c) => [c.domain_name, c.provider ?? 'aws'])).toEqual([['origin.prd.example.com', 'aws'], ['origin.prd.example.com', 'aws.us_east_1']]);
    const validationRecords = resources(json, 'aws_route53_record').filter((r) => String(r.name).includes('domain_validation_options'));
    expect(validationRecords).toHaveLength(1);
    const validations = resources(json, 'aws_acm_certificate_validation');
    expect(validations).toHaveLength(2);
    expect(new Set(validations.map((v) => JSON.stringify(v.validation_record_fqdns))).size).toBe(1);
    // SNI: the primary load balancer presents it when asked for the failover name (CloudFront does).
    expect(json).toHaveResourceWithProperties(LbListenerCertificate, {
      provider: 'aws.us_east_1',
      listener_arn: DR.failover!.primaryListenerArn,
      certificate_arn: expect.stringMatching(/^\$\{aws_acm_certificate_validation\.certificate_primary-validation_.*\.certificate_arn\}$/),
    });
    const [lb] = resources(json, 'aws_lb');
    expect(lb.internal).toBe(false);
    const https = resources(json, 'aws_lb_listener').find((l) => l.protocol === 'HTTPS')!;
    expect(https.certificate_arn).toMatch(/^\$\{aws_acm_certificate_validation\.certificate_validation_.*\.certificate_arn\}$/);
  });

  it('refuses to fail over a name another layer holds with another routing policy', () => {
    expect(() => build(org({ failover: { ...DR.failover!, subdomain: 'app' } }, { cdnNames: ['app.prd.example.com'] }))).toThrow(
      new RegExp('prd/dr: failover.subdomain: app\\.prd\\.example\\.com would be a failover A record \\(PRIMARY alias to the us-east-1 load balancer ' +
        '\\(health-checked\\), SECONDARY alias to the us-west-2 one\\), but prd/cdn already holds a simple A record \\(alias to the CloudFront ' +
        'distribution\\) for that name: Route 53 refuses two routing policies \\(failover, simple\\) for one name and type; fail over a name of its own'),
    );
    // The certificate of the name would share its validation CNAME with the cdn's certificate: refused as well.
    expect(() => build(org({ failover: { ...DR.failover!, subdomain: 'app' } }, { cdnNames: ['app.prd.example.com'] })))
      .toThrow(/prd\/dr: failover\.subdomain: a certificate for app\.prd\.example\.com is also issued by prd\/cdn/);
    // The cdn sees the same conflict from its side.
    expect(() => build(org({ failover: { ...DR.failover!, subdomain: 'app' } }, { cdnNames: ['app.prd.example.com'] })))
      .toThrow(/prd\/cdn: domainNames\[0\]: app\.prd\.example\.com would be a simple A record/);
    expect(() => build(org({}, { cdnNames: ['app.prd.example.com'] }))).not.toThrow();
  });

  it('refuses a failover without the account sub-zone or with a bad label', () => {
    expect(() => build(org({ failover: { ...DR.failover!, subdomain: 'Origin_1' } }))).toThrow(/failover\.subdomain: "Origin_1" must be one lowercase DNS label/);
    expect(() => build(org({ failover: { ...DR.failover!, zoneLayer: 'zone' } }))).toThrow(/failover\.zoneLayer: account prd has no enabled dns-zone layer "zone"/);
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
