import { DaxCluster as DaxClusterResource } from '@cdktf/provider-aws/lib/dax-cluster';
import { DaxSubnetGroup } from '@cdktf/provider-aws/lib/dax-subnet-group';
import type { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import type { TerraformProvider } from 'cdktf';
import type { Construct } from 'constructs';
import type { FieldProblem } from '../lib/layer-stack';
import { awsName, FieldProblems, integerBetween } from '../lib/validators';
import { consumerSecurityGroup } from './consumer-security-group';
import type { DynamoTable } from './dynamo-table';
import { ServiceRole } from './role';

/** Longest DAX cluster name (CreateCluster `ClusterName`). */
export const DAX_NAME_MAX_LENGTH = 20;

/** DAX's TLS endpoint port (`daxs://`). */
export const DAX_TLS_PORT = 9111;

export interface DaxClusterProps {
  /** Cluster name: at most 20 characters (DAX's limit), letters, digits and hyphens. */
  readonly name: string;
  readonly nodeType: string;
  /** Nodes, 1 to 10, spread round-robin over `availabilityZones`; 3 or more for production. @default 3 */
  readonly nodeCount?: number;
  readonly availabilityZones: readonly string[];
  /** The tables the cluster caches: its role is granted read-write on them and their key, nothing else. */
  readonly tables: readonly DynamoTable[];
  readonly vpcId: string;
  /** Private subnets of the cluster. */
  readonly subnetIds: string[];
  /** Account of the cluster: the role trusts DAX for this account only. */
  readonly accountId: string;
  /** Consumer security groups admitted on the TLS port. @default [] */
  readonly allowedSecurityGroupIds?: readonly string[];
  /** Consumer ranges admitted on the TLS port. @default [] */
  readonly allowedCidrBlocks?: readonly string[];
  /** @default 'sun:05:00-sun:06:00' */
  readonly maintenanceWindow?: string;
  /** @default the stack's default provider */
  readonly provider?: TerraformProvider;
}

/** Problems of the props that need no AWS, by prop name. */
export function daxClusterPropProblems(props: Partial<DaxClusterProps>): FieldProblem[] {
  const problems = new FieldProblems();
  if (props.name !== undefined) problems.check('name', awsName(props.name, { maxLength: DAX_NAME_MAX_LENGTH, pattern: /^[a-zA-Z][a-zA-Z0-9-]*$/, described: 'letters, digits and hyphens, starting with a letter' }));
  problems.check('nodeCount', integerBetween(props.nodeCount ?? 3, 1, 10));
  if (props.tables !== undefined && props.tables.length === 0) problems.add('tables', 'needs at least one table to serve');
  return problems.list;
}

/**
 * A DynamoDB Accelerator cluster in front of given tables: encrypted at rest, TLS endpoint only, private subnets, a
 * security group admitting the consumers on the TLS port, and a role DAX assumes with read-write on those tables only.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/DAX.access-control.html
 *
 * Created in `scope` with ids `<id>` (the cluster), `<id>-role`, `<id>-role-policy`, `<id>-subnets` and `<id>-sg`: in a
 * layer these are the Terraform addresses.
 */
export class DaxCluster {
  readonly cluster: DaxClusterResource;
  readonly role: ServiceRole;
  readonly securityGroup: SecurityGroup;

  constructor(scope: Construct, id: string, props: DaxClusterProps) {
    const provider = props.provider;
    const { name } = props;
    this.role = new ServiceRole(scope, `${id}-role`, {
      provider,
      name: `${name}-tables`,
      description: `DAX ${name} reads and writes its tables only`,
      service: 'dax.amazonaws.com',
      sourceAccount: props.accountId,
      policyName: 'tables',
    });
    for (const table of props.tables) table.grantReadWriteData(this.role);
    const subnets = new DaxSubnetGroup(scope, `${id}-subnets`, {
      provider,
      name,
      description: `${name}: private subnets`,
      subnetIds: props.subnetIds,
    });
    this.securityGroup = consumerSecurityGroup(scope, `${id}-sg`, {
      provider,
      name,
      guards: name,
      vpcId: props.vpcId,
      port: DAX_TLS_PORT,
      securityGroupIds: props.allowedSecurityGroupIds,
      cidrBlocks: props.allowedCidrBlocks,
    });
    const count = props.nodeCount ?? 3;
    this.cluster = new DaxClusterResource(scope, id, {
      provider,
      clusterName: name,
      description: `${name}: cache of the operational tables`,
      iamRoleArn: this.role.arn,
      nodeType: props.nodeType,
      replicationFactor: count,
      availabilityZones: Array.from({ length: count }, (_, i) => props.availabilityZones[i % props.availabilityZones.length]),
      subnetGroupName: subnets.name,
      securityGroupIds: [this.securityGroup.id],
      serverSideEncryption: { enabled: true },
      clusterEndpointEncryptionType: 'TLS',
      maintenanceWindow: props.maintenanceWindow ?? 'sun:05:00-sun:06:00',
    });
  }

  /** `daxs://<address>`: the TLS endpoint clients connect to. */
  get endpoint(): string {
    return `daxs://${this.cluster.clusterAddress}`;
  }
}
