import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { ElasticacheReplicationGroup } from '@cdktf/provider-aws/lib/elasticache-replication-group';
import { ElasticacheSubnetGroup } from '@cdktf/provider-aws/lib/elasticache-subnet-group';
import { ElasticacheUser } from '@cdktf/provider-aws/lib/elasticache-user';
import { ElasticacheUserGroup } from '@cdktf/provider-aws/lib/elasticache-user-group';
import type { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import type { TerraformProvider } from 'cdktf';
import type { Construct } from 'constructs';
import type { FieldProblem } from '../lib/layer-stack';
import { awsName, FieldProblems, integerBetween, logRetentionDays, oneOf } from '../lib/validators';
import { consumerSecurityGroup } from './consumer-security-group';
import { CACHE_CONNECT_ACTIONS } from './perms';
import { allow, type Grantable } from './policy';

export type CacheEngine = 'valkey' | 'redis';

/** Valkey and Redis OSS listen here; TLS is required on it. */
export const CACHE_PORT = 6379;

/** Default engine version per engine. */
export const CACHE_ENGINE_VERSIONS: Readonly<Record<CacheEngine, string>> = { valkey: '8.0', redis: '7.1' };

export interface CacheClusterProps {
  /** Replication group id, also the prefix of its users, subnet group and security group: 1 to 40 lowercase letters, digits, hyphens. */
  readonly name: string;
  /** @default 'valkey' */
  readonly engine?: CacheEngine;
  /** @default CACHE_ENGINE_VERSIONS[engine] */
  readonly engineVersion?: string;
  readonly nodeType: string;
  /** Primary plus replicas, 1 to 6, spread round-robin over `availabilityZones`. @default 2 */
  readonly nodeCount?: number;
  /** Multi-AZ with automatic failover; needs nodeCount >= 2. @default nodeCount >= 2 */
  readonly multiAz?: boolean;
  /** Days daily snapshots are kept (0 turns them off). @default 7 */
  readonly snapshotRetentionDays?: number;
  /** Days the slow log stays in CloudWatch Logs (one of the retentions CloudWatch Logs accepts). @default 90 */
  readonly slowLogRetentionDays?: number;
  /** IAM-authenticated RBAC users (user id = user name = `<name>-<user>`). @default ['app'] */
  readonly iamUsers?: readonly string[];
  /** ACL of the IAM users. @default 'on ~* +@all -@dangerous' */
  readonly accessString?: string;
  readonly vpcId: string;
  /** Isolated subnets of the cache (base-network's database subnets). */
  readonly subnetIds: string[];
  readonly availabilityZones: readonly string[];
  /** Key of the data at rest and the snapshots. */
  readonly kmsKeyArn: string;
  /** Key of the slow-log group (its policy must admit CloudWatch Logs). */
  readonly logsKmsKeyArn: string;
  /** Consumer security groups admitted on the port. @default [] */
  readonly allowedSecurityGroupIds?: readonly string[];
  /** Consumer ranges admitted on the port. @default [] */
  readonly allowedCidrBlocks?: readonly string[];
  /** A final snapshot, changes in the maintenance window, prevent_destroy. @default true */
  readonly protect?: boolean;
  /** @default the stack's default provider */
  readonly provider?: TerraformProvider;
}

const USER = /^[a-z][a-z0-9-]*$/;

/** Problems of the props that need no AWS, by prop name. */
export function cacheClusterPropProblems(props: Partial<CacheClusterProps>): FieldProblem[] {
  const problems = new FieldProblems();
  const nodes = props.nodeCount ?? 2;
  if (props.name !== undefined) {
    problems.check('name', awsName(props.name, { maxLength: 40, pattern: /^[a-z](?!.*--)[a-z0-9-]*[a-z0-9]$/, described: 'lowercase letters, digits and single hyphens, starting with a letter' }));
  }
  problems.check('nodeCount', integerBetween(nodes, 1, 6));
  if ((props.multiAz ?? nodes >= 2) && nodes < 2) problems.add('multiAz', `needs nodeCount >= 2 for a failover replica (nodeCount is ${nodes})`);
  if (props.engine !== undefined) problems.check('engine', oneOf<CacheEngine>(props.engine, ['valkey', 'redis']));
  problems.check('slowLogRetentionDays', logRetentionDays(props.slowLogRetentionDays ?? 90));
  problems.check('snapshotRetentionDays', integerBetween(props.snapshotRetentionDays ?? 7, 0, 35, 'days'));
  for (const user of props.iamUsers ?? []) {
    if (!USER.test(user)) problems.add('iamUsers', `"${user}" must be lowercase letters, digits and hyphens`);
  }
  return problems.list;
}

/**
 * An ElastiCache (Valkey or Redis OSS) replication group: encrypted at rest with the key and in transit (TLS required),
 * RBAC with a disabled `default` user and IAM-authenticated users only (no password anywhere), isolated subnets, a
 * security group admitting the consumers on the port, the slow log in a KMS-encrypted log group, daily snapshots.
 * https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/auth-iam.html
 *
 * Created in `scope` with ids `<id>` (the replication group), `<id>-default-user`, `<id>-user-<user>`, `<id>-users`,
 * `<id>-subnets`, `<id>-sg` and `<id>-slow-log`: in a layer these are the Terraform addresses.
 */
export class CacheCluster {
  readonly replicationGroup: ElasticacheReplicationGroup;
  readonly securityGroup: SecurityGroup;
  readonly users: ElasticacheUser[];
  readonly port = CACHE_PORT;

  constructor(scope: Construct, id: string, props: CacheClusterProps) {
    const provider = props.provider;
    const { name } = props;
    const engine = props.engine ?? 'valkey';
    const nodes = props.nodeCount ?? 2;
    const multiAz = props.multiAz ?? nodes >= 2;
    const protect = props.protect ?? true;

    const defaultUser = new ElasticacheUser(scope, `${id}-default-user`, {
      provider,
      userId: `${name}-default`,
      userName: 'default',
      engine,
      accessString: 'off -@all',
      authenticationMode: { type: 'no-password-required' },
    });
    this.users = (props.iamUsers ?? ['app']).map((u) => new ElasticacheUser(scope, `${id}-user-${u}`, {
      provider,
      userId: `${name}-${u}`,
      userName: `${name}-${u}`,
      engine,
      accessString: props.accessString ?? 'on ~* +@all -@dangerous',
      authenticationMode: { type: 'iam' },
    }));
    const userGroup = new ElasticacheUserGroup(scope, `${id}-users`, {
      provider,
      userGroupId: name,
      engine,
      userIds: [defaultUser.userId, ...this.users.map((u) => u.userId)],
    });
    const subnets = new ElasticacheSubnetGroup(scope, `${id}-subnets`, {
      provider,
      name,
      description: `${name}: isolated database subnets`,
      subnetIds: props.subnetIds,
    });
    this.securityGroup = consumerSecurityGroup(scope, `${id}-sg`, {
      provider,
      name,
      guards: name,
      vpcId: props.vpcId,
      port: CACHE_PORT,
      securityGroupIds: props.allowedSecurityGroupIds,
      cidrBlocks: props.allowedCidrBlocks,
    });
    const slowLog = new CloudwatchLogGroup(scope, `${id}-slow-log`, {
      provider,
      name: `/aws/elasticache/${name}/slow-log`,
      retentionInDays: props.slowLogRetentionDays ?? 90,
      kmsKeyId: props.logsKmsKeyArn,
    });
    this.replicationGroup = new ElasticacheReplicationGroup(scope, id, {
      provider,
      replicationGroupId: name,
      description: `${name} (${engine}) operational cache`,
      engine,
      engineVersion: props.engineVersion ?? CACHE_ENGINE_VERSIONS[engine],
      nodeType: props.nodeType,
      port: CACHE_PORT,
      numCacheClusters: nodes,
      preferredCacheClusterAzs: Array.from({ length: nodes }, (_, i) => props.availabilityZones[i % props.availabilityZones.length]),
      automaticFailoverEnabled: multiAz,
      multiAzEnabled: multiAz,
      subnetGroupName: subnets.name,
      securityGroupIds: [this.securityGroup.id],
      atRestEncryptionEnabled: 'true',
      kmsKeyId: props.kmsKeyArn,
      transitEncryptionEnabled: true,
      transitEncryptionMode: 'required',
      userGroupIds: [userGroup.userGroupId],
      snapshotRetentionLimit: props.snapshotRetentionDays ?? 7,
      snapshotWindow: '03:00-05:00',
      maintenanceWindow: 'sun:05:00-sun:07:00',
      finalSnapshotIdentifier: protect ? `${name}-final` : undefined,
      autoMinorVersionUpgrade: 'true',
      applyImmediately: !protect,
      logDeliveryConfiguration: [{ destination: slowLog.name, destinationType: 'cloudwatch-logs', logFormat: 'json', logType: 'slow-log' }],
      lifecycle: { preventDestroy: protect },
    });
  }

  get primaryEndpoint(): string {
    return this.replicationGroup.primaryEndpointAddress;
  }

  get readerEndpoint(): string {
    return this.replicationGroup.readerEndpointAddress;
  }

  /** `elasticache:Connect` to the replication group as its IAM users (the client signs an IAM auth token). */
  grantConnect(grantee: Grantable): void {
    grantee.addToPolicy(allow('ConnectAsIamCacheUsers', CACHE_CONNECT_ACTIONS, [this.replicationGroup.arn, ...this.users.map((u) => u.arn)]));
  }
}
