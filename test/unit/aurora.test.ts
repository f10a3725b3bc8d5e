import { RdsCluster } from '@cdktf/provider-aws/lib/rds-cluster';
import { RdsClusterInstance } from '@cdktf/provider-aws/lib/rds-cluster-instance';
import { RdsClusterParameterGroup } from '@cdktf/provider-aws/lib/rds-cluster-parameter-group';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformStack, Testing } from 'cdktf';
import { AURORA_DEFAULT_ENGINE_VERSIONS, AuroraCluster, auroraPropProblems, type AuroraClusterProps } from '../../modules/aurora-cluster';
import { resources } from '../helpers';

const BASE: AuroraClusterProps = {
  name: 'acme-apps-prd-main',
  engine: 'aurora-postgresql',
  vpcId: 'vpc-0123',
  dbSubnetGroupName: 'acme-apps-prd-database',
  kmsKeyArn: 'arn:aws:kms:us-east-1:666666666666:key/data',
};

function synth(props: Partial<AuroraClusterProps> = {}): string {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'aurora');
  new AwsProvider(stack, 'aws', { region: 'us-east-1' });
  new AuroraCluster(stack, 'db', { ...BASE, ...props });
  return Testing.synth(stack);
}

describe('AuroraCluster module', () => {
  it('encrypts storage, lets RDS manage the master password with a KMS key, enables IAM auth and protects the cluster by default', () => {
    const json = synth();
    expect(json).toHaveResourceWithProperties(RdsCluster, {
      engine: 'aurora-postgresql',
      storage_encrypted: true,
      kms_key_id: BASE.kmsKeyArn,
      manage_master_user_password: true,
      master_user_secret_kms_key_id: BASE.kmsKeyArn,
      iam_database_authentication_enabled: true,
      backup_retention_period: 7,
      deletion_protection: true,
      skip_final_snapshot: false,
      final_snapshot_identifier: 'acme-apps-prd-main-final',
      enabled_cloudwatch_logs_exports: ['postgresql'],
      db_subnet_group_name: 'acme-apps-prd-database',
      lifecycle: { prevent_destroy: true, ignore_changes: ['engine_version'] },
    });
    const cluster = resources(json, 'aws_rds_cluster')[0];
    expect(cluster).not.toHaveProperty('master_password');
    expect(json).not.toMatch(/master_password"/);
  });

  it('forces TLS through the cluster parameter group for each engine', () => {
    expect(synth()).toHaveResourceWithProperties(RdsClusterParameterGroup, {
      family: 'aurora-postgresql16',
      parameter: [{ name: 'rds.force_ssl', value: '1' }],
    });
    const mysql = synth({ engine: 'aurora-mysql', parameters: { slow_query_log: '1' } });
    expect(mysql).toHaveResourceWithProperties(RdsClusterParameterGroup, {
      family: 'aurora-mysql8.0',
      parameter: [{ name: 'slow_query_log', value: '1' }, { name: 'require_secure_transport', value: 'ON' }],
    });
    expect(mysql).toHaveResourceWithProperties(RdsCluster, { port: 3306, enabled_cloudwatch_logs_exports: ['audit', 'error', 'slowquery'] });
  });

  it('refuses turning the TLS parameter off and other bad props', () => {
    expect(() => synth({ parameters: { 'rds.force_ssl': '0' } })).toThrow(/parameters.rds.force_ssl: is always forced on/);
    expect(auroraPropProblems({ backupRetentionDays: 36 })).toEqual([{ field: 'backupRetentionDays', message: expect.stringMatching(/1 to 35/) }]);
    expect(auroraPropProblems({ engine: 'aurora-mysql', cloudwatchLogExports: ['postgresql'] })[0].field).toBe('cloudwatchLogExports');
    expect(auroraPropProblems({ allowedCidrBlocks: ['0.0.0.0/0'] })[0].message).toMatch(/any address/);
    expect(auroraPropProblems({ serverlessV2: { minCapacity: 8, maxCapacity: 4 } })[0].field).toBe('serverlessV2');
  });

  it('admits only the given security groups and ranges on the engine port, with no egress', () => {
    const json = synth({ allowedSecurityGroupIds: ['sg-app'], allowedCidrBlocks: ['10.40.0.0/16'] });
    const sg = resources(json, 'aws_security_group')[0] as { ingress: Record<string, unknown>[]; egress: unknown[] };
    expect(sg.egress).toEqual([]);
    expect(sg.ingress).toHaveLength(2);
    expect(sg.ingress[0]).toMatchObject({ from_port: 5432, to_port: 5432, protocol: 'tcp', security_groups: ['sg-app'] });
    expect(sg.ingress[1]).toMatchObject({ from_port: 5432, to_port: 5432, cidr_blocks: ['10.40.0.0/16'] });
    const closed = resources(synth(), 'aws_security_group')[0] as { ingress: unknown[] };
    expect(closed.ingress).toEqual([]);
    expect(json).toHaveResourceWithProperties(SecurityGroup, { vpc_id: 'vpc-0123' });
  });

  it('spreads a writer and readers across AZs with Performance Insights under the KMS key', () => {
    const json = synth({ instanceCount: 3, availabilityZones: ['us-east-1a', 'us-east-1b'] });
    const instances = resources(json, 'aws_rds_cluster_instance');
    expect(instances.map((i) => i.availability_zone)).toEqual(['us-east-1a', 'us-east-1b', 'us-east-1a']);
    for (const i of instances) {
      expect(i).toMatchObject({
        instance_class: 'db.r6g.large',
        publicly_accessible: false,
        performance_insights_enabled: true,
        performance_insights_kms_key_id: BASE.kmsKeyArn,
        monitoring_interval: 60,
      });
    }
  });

  it('uses db.serverless instances with a scaling range for Serverless v2', () => {
    const json = synth({ serverlessV2: { minCapacity: 0.5, maxCapacity: 8 }, instanceCount: 1 });
    expect(json).toHaveResourceWithProperties(RdsCluster, { serverlessv2_scaling_configuration: { min_capacity: 0.5, max_capacity: 8 } });
    expect(json).toHaveResourceWithProperties(RdsClusterInstance, { instance_class: 'db.serverless' });
  });

  it('lets RDS upgrade minors and ignores engine_version after creation, so no plan ever tries a downgrade (PF-VER-004)', () => {
    const json = synth({ instanceCount: 2 });
    const [cluster] = resources(json, 'aws_rds_cluster');
    expect(cluster).toMatchObject({ engine_version: '16.8', lifecycle: { prevent_destroy: true, ignore_changes: ['engine_version'] } });
    expect(cluster).not.toHaveProperty('allow_major_version_upgrade');
    const instances = resources(json, 'aws_rds_cluster_instance');
    expect(instances).toHaveLength(2);
    for (const i of instances) {
      // Aurora upgrades a cluster automatically only when every instance opts in; the version is the cluster's.
      expect(i.auto_minor_version_upgrade).toBe(true);
      expect(i).not.toHaveProperty('engine_version');
    }
    const mysql = resources(synth({ engine: 'aurora-mysql' }), 'aws_rds_cluster')[0];
    expect(mysql).toMatchObject({ engine_version: AURORA_DEFAULT_ENGINE_VERSIONS['aurora-mysql'], lifecycle: { ignore_changes: ['engine_version'] } });
    expect(AURORA_DEFAULT_ENGINE_VERSIONS).toEqual({ 'aurora-postgresql': '16.8', 'aurora-mysql': '8.0.mysql_aurora.3.10.0' });
  });

  it('owns every upgrade through engineVersion when automatic minor upgrades are off', () => {
    const json = synth({ autoMinorVersionUpgrade: false, engineVersion: '17.7', parameterGroupFamily: 'aurora-postgresql17', allowMajorVersionUpgrade: true });
    const [cluster] = resources(json, 'aws_rds_cluster');
    expect(cluster).toMatchObject({ engine_version: '17.7', allow_major_version_upgrade: true, lifecycle: { prevent_destroy: true } });
    expect((cluster.lifecycle as Record<string, unknown>).ignore_changes).toBeUndefined();
    for (const i of resources(json, 'aws_rds_cluster_instance')) expect(i.auto_minor_version_upgrade).toBe(false);
    expect(auroraPropProblems({ allowMajorVersionUpgrade: true })).toEqual([
      { field: 'allowMajorVersionUpgrade', message: expect.stringMatching(/needs autoMinorVersionUpgrade: false/) },
    ]);
    expect(() => synth({ allowMajorVersionUpgrade: true })).toThrow(/AuroraCluster acme-apps-prd-main: allowMajorVersionUpgrade: needs autoMinorVersionUpgrade: false/);
  });

  it('can drop protection and the final snapshot for throw-away environments', () => {
    const json = synth({ protect: false, backupRetentionDays: 1 });
    const cluster = resources(json, 'aws_rds_cluster')[0];
    expect(cluster).toMatchObject({ deletion_protection: false, skip_final_snapshot: true, backup_retention_period: 1 });
    expect(cluster).not.toHaveProperty('final_snapshot_identifier');
    expect(cluster.lifecycle).toMatchObject({ prevent_destroy: false });
  });
});
