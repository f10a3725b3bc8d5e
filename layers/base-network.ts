import type { Construct } from 'constructs';
import { parseCidr, type Cidr } from '../lib/cidr';
import { defineContract } from '../lib/contract';
import { LayerStack, type FieldProblem, type NetworkClaim } from '../lib/layer-stack';
import type { LayerContext } from '../lib/model';
import { FieldProblems, integerBetween } from '../lib/validators';
import { KmsKey } from '../modules/kms-key';
import { defaultSubnetLayout, SUBNET_TIERS, Vpc, vpcPropProblems, type NatStrategy, type SubnetLayout } from '../modules/vpc';

export interface BaseNetworkConfig {
  /** The VPC range; must not overlap any other VPC of the organisation, in any region. */
  readonly vpcCidr: string;
  /** NAT gateways: `one-per-az` in production, `single` to save cost, `none` for no internet egress. */
  readonly natGateways: NatStrategy;
  /** How many of the region's configured AZs to span. @default 3 */
  readonly azCount?: number;
  /** Explicit subnet CIDRs per tier, one per AZ. @default defaultSubnetLayout(vpcCidr, azCount) */
  readonly subnets?: Partial<SubnetLayout>;
  /** Interface endpoints by service suffix, e.g. `ecr.api`. @default [] */
  readonly interfaceEndpoints?: readonly string[];
  /** Days flow logs are kept: one of the retentions CloudWatch Logs accepts. @default 365 */
  readonly flowLogRetentionDays?: number;
}

export const baseNetworkContract = defineContract('base-network', {
  vpc_id: { description: 'VPC id', mock: 'vpc-0mock0000000000000' },
  vpc_cidr_block: { description: 'VPC IPv4 range', mock: '10.250.0.0/16' },
  azs: { description: 'Availability zones, in subnet order', mock: ['us-east-1a', 'us-east-1b', 'us-east-1c'] },
  public_subnet_ids: { description: 'Public subnets, one per AZ', mock: ['subnet-0mockpub0', 'subnet-0mockpub1', 'subnet-0mockpub2'] },
  private_subnet_ids: { description: 'Private subnets, one per AZ', mock: ['subnet-0mockprv0', 'subnet-0mockprv1', 'subnet-0mockprv2'] },
  database_subnet_ids: { description: 'Isolated database subnets, one per AZ', mock: ['subnet-0mockdb00', 'subnet-0mockdb01', 'subnet-0mockdb02'] },
  database_subnet_group_name: { description: 'RDS subnet group over the database subnets', mock: 'acme-mock-database' },
  public_route_table_ids: { description: 'Route tables of the public subnets', mock: ['rtb-0mockpub'] },
  private_route_table_ids: { description: 'Route tables of the private subnets, one per AZ', mock: ['rtb-0mockprv0', 'rtb-0mockprv1', 'rtb-0mockprv2'] },
  database_route_table_ids: { description: 'Route tables of the database subnets', mock: ['rtb-0mockdb'] },
  nat_public_ips: { description: 'Elastic IPs of the NAT gateways (egress addresses to allow-list)', mock: ['203.0.113.10'] },
});

/** AZs the default subnet layout has room for (eight private /19s in a /16). */
const MAX_AZS = 8;

/** Leverage base-network: the account's VPC over its AZs, from config only (no AWS look-ups). */
export class BaseNetwork extends LayerStack {
  static readonly contract = baseNetworkContract;

  static networks(config: BaseNetworkConfig): NetworkClaim[] {
    return [{ field: 'vpcCidr', cidr: config.vpcCidr }];
  }

  static validate(config: BaseNetworkConfig, ctx: LayerContext): FieldProblem[] {
    const problems = new FieldProblems();
    const azCount = config.azCount ?? 3;
    // The RDS subnet group (and every ALB and EKS cluster on these subnets) needs subnets in two AZs at least; the
    // default layout has room for eight AZs.
    const badCount = integerBetween(azCount, 2, MAX_AZS);
    if (badCount) problems.add('azCount', `${badCount} (a DB subnet group, an ALB and EKS need subnets in two AZs at least)`);
    else if (ctx.azs.length < azCount) {
      problems.add('azCount', `needs ${azCount} availability zones but ${ctx.region} has ${ctx.azs.length} configured`);
    }
    // The VPC module's rules (range, subnets per AZ inside the VPC and apart, subnet sizes, NAT strategy, retention,
    // endpoints), under this config's field names.
    const vpcProblems = vpcPropProblems({
      cidr: config.vpcCidr,
      azs: !badCount && ctx.azs.length >= azCount ? ctx.azs.slice(0, azCount) : undefined,
      subnets: config.subnets,
      natGateways: config.natGateways,
      flowLogRetentionDays: config.flowLogRetentionDays,
      interfaceEndpoints: config.interfaceEndpoints,
    });
    for (const p of vpcProblems) problems.add(p.field === 'cidr' ? 'vpcCidr' : p.field, p.message);
    const vpc = parseCidr(config.vpcCidr);
    if (typeof vpc === 'string' || vpcProblems.some((p) => p.field === 'cidr')) return problems.list;
    // Three tiers of subnets in every AZ: this layer wants room for them.
    if (vpc.prefix > 24) problems.add('vpcCidr', `${vpc.text}: a VPC must be between /16 and /24`);
    const explicit = config.subnets ?? {};
    if (SUBNET_TIERS.some((t) => explicit[t] === undefined) && vpc.prefix > 22) {
      problems.add('vpcCidr', `${vpc.text} is too small for the default subnet layout (at most /22); list subnets explicitly`);
    }
    return problems.list;
  }

  constructor(scope: Construct, ctx: LayerContext, config: BaseNetworkConfig) {
    super(scope, ctx);
    const azs = ctx.azs.slice(0, config.azCount ?? 3);
    const layout = { ...defaultSubnetLayout(parseCidr(config.vpcCidr) as Cidr, azs.length), ...config.subnets };
    const flowLogKey = new KmsKey(this, 'flow-log-key', {
      alias: this.resourceName('vpc-flow-logs', ctx.region),
      description: `Encrypts VPC flow logs of ${ctx.account.name} in ${ctx.region}`,
      accountId: ctx.account.id,
    });
    flowLogKey.grantToService('logs', { region: ctx.region, accountId: ctx.account.id });
    const network = new Vpc(this, 'vpc', {
      name: this.resourceName(ctx.region === ctx.account.region ? '' : ctx.region),
      cidr: config.vpcCidr,
      region: ctx.region,
      accountId: ctx.account.id,
      azs,
      subnets: layout,
      natGateways: config.natGateways,
      flowLogKmsKeyArn: flowLogKey.arn,
      flowLogRetentionDays: config.flowLogRetentionDays,
      interfaceEndpoints: config.interfaceEndpoints,
    });
    this.publish(baseNetworkContract, {
      vpc_id: network.vpc.id,
      vpc_cidr_block: network.vpc.cidrBlock,
      azs: [...azs],
      public_subnet_ids: network.publicSubnets.map((s) => s.id),
      private_subnet_ids: network.privateSubnets.map((s) => s.id),
      database_subnet_ids: network.databaseSubnets.map((s) => s.id),
      database_subnet_group_name: network.databaseSubnetGroup.name,
      public_route_table_ids: [network.publicRouteTable.id],
      private_route_table_ids: network.privateRouteTables.map((t) => t.id),
      database_route_table_ids: [network.databaseRouteTable.id],
      nat_public_ips: network.natEips.map((e) => e.publicIp),
    });
  }
}
