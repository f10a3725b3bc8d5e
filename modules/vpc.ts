import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DbSubnetGroup } from '@cdktf/provider-aws/lib/db-subnet-group';
import { DefaultSecurityGroup } from '@cdktf/provider-aws/lib/default-security-group';
import { Eip } from '@cdktf/provider-aws/lib/eip';
import { FlowLog } from '@cdktf/provider-aws/lib/flow-log';
import { InternetGateway } from '@cdktf/provider-aws/lib/internet-gateway';
import { NatGateway } from '@cdktf/provider-aws/lib/nat-gateway';
import { Route } from '@cdktf/provider-aws/lib/route';
import { RouteTable } from '@cdktf/provider-aws/lib/route-table';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc as VpcResource } from '@cdktf/provider-aws/lib/vpc';
import { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint';
import { Construct } from 'constructs';
import { cidrSubnet, contains, overlaps, parseCidr, type Cidr } from '../lib/cidr';
import type { FieldProblem } from '../lib/layer-stack';
import { FieldProblems, logRetentionDays, oneOf, repeated, subnetCidr } from '../lib/validators';
import { FLOW_LOG_DELIVERY_ACTIONS } from './perms';
import { allow } from './policy';
import { refuseProblems } from './prop-problems';
import { ServiceRole } from './role';

/** `one-per-az`: highly available egress (prd); `single`: one shared NAT (cheaper, devstg); `none`: no egress. */
export type NatStrategy = 'one-per-az' | 'single' | 'none';
export const NAT_STRATEGIES: readonly NatStrategy[] = ['one-per-az', 'single', 'none'];
/** Subnet tiers, in the order they are laid out and checked. */
export const SUBNET_TIERS = ['public', 'private', 'database'] as const;

export interface SubnetLayout {
  readonly public: readonly string[];
  readonly private: readonly string[];
  readonly database: readonly string[];
}

export interface VpcProps {
  /** Prefix of every resource name, e.g. `acme-apps-prd`. */
  readonly name: string;
  readonly cidr: string;
  readonly region: string;
  readonly accountId: string;
  /** AZ names; subnet lists are indexed the same way. */
  readonly azs: readonly string[];
  readonly subnets: SubnetLayout;
  readonly natGateways: NatStrategy;
  /** KMS key encrypting the flow-log group (its policy must admit CloudWatch Logs). */
  readonly flowLogKmsKeyArn: string;
  /** @default 365 */
  readonly flowLogRetentionDays?: number;
  /** Interface endpoints by service suffix, e.g. `ecr.api`, `ssm`, `logs`. @default [] */
  readonly interfaceEndpoints?: readonly string[];
}

/** The props `vpcPropProblems` checks; subnet tiers may be missing (a layer fills them from `defaultSubnetLayout`). */
export type VpcPropsShape = Partial<Omit<VpcProps, 'subnets'>> & { readonly subnets?: Partial<SubnetLayout> };

/**
 * Problems of the props that need no AWS, by prop name: the VPC range AWS accepts (/16 to /28), two AZs at least (the
 * DB subnet group), one subnet per AZ in every tier given, each of a size AWS accepts (/16 to /28), inside the VPC and
 * overlapping no other, and the log retention every layer checks the same way.
 * https://docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html
 */
export function vpcPropProblems(props: VpcPropsShape): FieldProblem[] {
  const problems = new FieldProblems();
  if (props.natGateways !== undefined) problems.check('natGateways', oneOf(props.natGateways, NAT_STRATEGIES));
  if (props.flowLogRetentionDays !== undefined) problems.check('flowLogRetentionDays', logRetentionDays(props.flowLogRetentionDays));
  const twice = repeated(props.interfaceEndpoints ?? []);
  if (twice !== undefined) problems.add('interfaceEndpoints', `"${twice}" is listed twice`);
  (props.interfaceEndpoints ?? []).forEach((service, i) => {
    if (!/^[a-z0-9-]+(\.[a-z0-9-]+)*$/.test(service)) problems.add(`interfaceEndpoints[${i}]`, `"${service}" must be a service suffix such as ecr.api or ssm`);
  });
  // CreateDBSubnetGroup needs subnets in two AZs at least.
  if (props.azs !== undefined && props.azs.length < 2) problems.add('azs', `lists ${props.azs.length} AZ(s); the database subnet group needs two at least`);
  if (props.cidr === undefined) return problems.list;
  const vpc = parseCidr(props.cidr);
  if (typeof vpc === 'string') return problems.add('cidr', vpc).list;
  if (vpc.prefix < 16 || vpc.prefix > 28) problems.add('cidr', `${vpc.text}: a VPC must be between /16 and /28`);
  const seen: { field: string; cidr: Cidr }[] = [];
  for (const tier of SUBNET_TIERS) {
    const list = props.subnets?.[tier];
    if (list === undefined) continue;
    if (props.azs !== undefined && list.length !== props.azs.length) problems.add(`subnets.${tier}`, `lists ${list.length} subnets for ${props.azs.length} AZs`);
    list.forEach((text, i) => {
      const field = `subnets.${tier}[${i}]`;
      const bad = subnetCidr(text);
      if (bad !== undefined) {
        problems.add(field, bad);
        return;
      }
      const subnet = parseCidr(text) as Cidr;
      if (!contains(vpc, subnet)) problems.add(field, `${subnet.text} does not fit in the VPC ${vpc.text}`);
      const clash = seen.find((s) => overlaps(s.cidr, subnet));
      if (clash) problems.add(field, `${subnet.text} overlaps ${clash.field} (${clash.cidr.text})`);
      seen.push({ field, cidr: subnet });
    });
  }
  return problems.list;
}

/**
 * A three-tier VPC: public subnets behind an internet gateway, private subnets with NAT egress,
 * isolated database subnets, flow logs to an encrypted log group, the default security group closed,
 * and S3/DynamoDB gateway endpoints.
 */
export class Vpc extends Construct {
  readonly vpc: VpcResource;
  readonly publicSubnets: Subnet[];
  readonly privateSubnets: Subnet[];
  readonly databaseSubnets: Subnet[];
  readonly publicRouteTable: RouteTable;
  readonly privateRouteTables: RouteTable[];
  readonly databaseRouteTable: RouteTable;
  readonly natEips: Eip[] = [];
  readonly databaseSubnetGroup: DbSubnetGroup;
  readonly flowLogGroup: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: VpcProps) {
    super(scope, id);
    refuseProblems(scope, id, vpcPropProblems(props));
    const { name, azs } = props;
    this.vpc = new VpcResource(this, 'vpc', {
      cidrBlock: props.cidr,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      tags: { Name: name },
    });
    const vpcId = this.vpc.id;

    new DefaultSecurityGroup(this, 'default-sg', { vpcId, ingress: [], egress: [], tags: { Name: `${name}-default-closed` } });

    const subnets = (tier: keyof SubnetLayout, extraTags: Record<string, string>): Subnet[] =>
      props.subnets[tier].map((cidr, i) => new Subnet(this, `${tier}-${azs[i]}`, {
        vpcId,
        cidrBlock: cidr,
        availabilityZone: azs[i],
        mapPublicIpOnLaunch: false,
        tags: { Name: `${name}-${tier}-${azs[i]}`, Tier: tier, ...extraTags },
      }));
    this.publicSubnets = subnets('public', { 'kubernetes.io/role/elb': '1' });
    this.privateSubnets = subnets('private', { 'kubernetes.io/role/internal-elb': '1' });
    this.databaseSubnets = subnets('database', {});

    const igw = new InternetGateway(this, 'igw', { vpcId, tags: { Name: name } });
    this.publicRouteTable = new RouteTable(this, 'public-rt', { vpcId, tags: { Name: `${name}-public` } });
    new Route(this, 'public-default', { routeTableId: this.publicRouteTable.id, destinationCidrBlock: '0.0.0.0/0', gatewayId: igw.id });
    this.publicSubnets.forEach((s, i) =>
      new RouteTableAssociation(this, `public-${azs[i]}-rta`, { subnetId: s.id, routeTableId: this.publicRouteTable.id }));

    const natCount = props.natGateways === 'one-per-az' ? azs.length : props.natGateways === 'single' ? 1 : 0;
    const nats = Array.from({ length: natCount }, (_, i) => {
      const eip = new Eip(this, `nat-eip-${azs[i]}`, { domain: 'vpc', tags: { Name: `${name}-nat-${azs[i]}` } });
      this.natEips.push(eip);
      return new NatGateway(this, `nat-${azs[i]}`, {
        allocationId: eip.id,
        subnetId: this.publicSubnets[i].id,
        tags: { Name: `${name}-${azs[i]}` },
        dependsOn: [igw],
      });
    });

    this.privateRouteTables = this.privateSubnets.map((s, i) => {
      const table = new RouteTable(this, `private-rt-${azs[i]}`, { vpcId, tags: { Name: `${name}-private-${azs[i]}` } });
      const nat = nats.length === 0 ? undefined : nats[Math.min(i, nats.length - 1)];
      if (nat) new Route(this, `private-default-${azs[i]}`, { routeTableId: table.id, destinationCidrBlock: '0.0.0.0/0', natGatewayId: nat.id });
      new RouteTableAssociation(this, `private-${azs[i]}-rta`, { subnetId: s.id, routeTableId: table.id });
      return table;
    });

    // Database subnets have no route to the internet at all.
    this.databaseRouteTable = new RouteTable(this, 'database-rt', { vpcId, tags: { Name: `${name}-database` } });
    this.databaseSubnets.forEach((s, i) =>
      new RouteTableAssociation(this, `database-${azs[i]}-rta`, { subnetId: s.id, routeTableId: this.databaseRouteTable.id }));
    this.databaseSubnetGroup = new DbSubnetGroup(this, 'database-subnet-group', {
      name: `${name}-database`,
      description: `Database subnets of ${name}`,
      subnetIds: this.databaseSubnets.map((s) => s.id),
    });

    const privateTables = [...this.privateRouteTables, this.databaseRouteTable].map((t) => t.id);
    for (const service of ['s3', 'dynamodb']) {
      new VpcEndpoint(this, `${service}-gateway-endpoint`, {
        vpcId,
        serviceName: `com.amazonaws.${props.region}.${service}`,
        vpcEndpointType: 'Gateway',
        routeTableIds: privateTables,
        tags: { Name: `${name}-${service}` },
      });
    }
    const interfaceEndpoints = props.interfaceEndpoints ?? [];
    if (interfaceEndpoints.length > 0) {
      const endpointSg = new SecurityGroup(this, 'endpoints-sg', {
        name: `${name}-vpc-endpoints`,
        description: 'HTTPS from inside the VPC to interface endpoints',
        vpcId,
        ingress: [{ description: 'HTTPS from the VPC', protocol: 'tcp', fromPort: 443, toPort: 443, cidrBlocks: [props.cidr] }],
        egress: [],
        tags: { Name: `${name}-vpc-endpoints` },
      });
      for (const service of interfaceEndpoints) {
        new VpcEndpoint(this, `${service.replace(/\./g, '-')}-interface-endpoint`, {
          vpcId,
          serviceName: `com.amazonaws.${props.region}.${service}`,
          vpcEndpointType: 'Interface',
          privateDnsEnabled: true,
          subnetIds: this.privateSubnets.map((s) => s.id),
          securityGroupIds: [endpointSg.id],
          tags: { Name: `${name}-${service}` },
        });
      }
    }

    this.flowLogGroup = vpcFlowLogs(this, {
      name,
      vpcId,
      accountId: props.accountId,
      kmsKeyArn: props.flowLogKmsKeyArn,
      retentionDays: props.flowLogRetentionDays ?? 365,
    });
  }
}

export interface VpcFlowLogsProps {
  /** Prefix of the log group, role and policy names, e.g. `acme-network`. */
  readonly name: string;
  readonly vpcId: string;
  readonly accountId: string;
  /** KMS key encrypting the log group (its policy must admit CloudWatch Logs of the region). */
  readonly kmsKeyArn: string;
  /** One of the retentions CloudWatch Logs accepts. */
  readonly retentionDays: number;
}

/**
 * Flow logs of every packet of a VPC (traffic ALL, one-minute aggregation) into a KMS-encrypted log group, delivered by
 * a role VPC Flow Logs assumes only for this account. Created directly in `scope` (ids `flow-logs`, `flow-logs-role`,
 * `flow-logs-policy`, `flow-log`): the addresses the VPC module gave them before this helper existed.
 * https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html
 */
export function vpcFlowLogs(scope: Construct, props: VpcFlowLogsProps): CloudwatchLogGroup {
  const group = new CloudwatchLogGroup(scope, 'flow-logs', {
    name: `/aws/vpc/${props.name}/flow-logs`,
    retentionInDays: props.retentionDays,
    kmsKeyId: props.kmsKeyArn,
  });
  const role = new ServiceRole(scope, 'flow-logs-role', {
    name: `${props.name}-vpc-flow-logs`,
    service: 'vpc-flow-logs.amazonaws.com',
    sourceAccount: props.accountId,
    policyName: 'deliver-flow-logs',
    ids: { policy: 'flow-logs-policy' },
  });
  // The group exists (created above, with its key and retention): no CreateLogGroup. No Sid, as first written.
  role.addToPolicy(allow(undefined, FLOW_LOG_DELIVERY_ACTIONS, [group.arn, `${group.arn}:*`]));
  new FlowLog(scope, 'flow-log', {
    vpcId: props.vpcId,
    trafficType: 'ALL',
    logDestinationType: 'cloud-watch-logs',
    logDestination: group.arn,
    iamRoleArn: role.arn,
    maxAggregationInterval: 60,
  });
  return group;
}

/**
 * Default layout inside a VPC of /16 to /22, per AZ: private subnets take the first three eighths
 * (large, for pods and tasks), public and database subnets take sixty-fourths of the fifth eighth.
 */
export function defaultSubnetLayout(vpc: Cidr, azCount: number): SubnetLayout {
  const block = (tierOffset: number) => Array.from({ length: azCount }, (_, i) => cidrSubnet(vpc, 6, 32 + tierOffset + i));
  return {
    private: Array.from({ length: azCount }, (_, i) => cidrSubnet(vpc, 3, i)),
    public: block(0),
    database: block(8),
  };
}
