import type { Construct } from 'constructs';
import { contains, overlaps, parseCidr, type Cidr } from '../lib/cidr';
import { defineContract } from '../lib/contract';
import { LayerStack, type FieldProblem, type NetworkClaim } from '../lib/layer-stack';
import type { LayerContext } from '../lib/model';
import { integerBetween, logRetentionDays, subnetCidr } from '../lib/validators';
import { cloudWatchLogsKeyStatement, KmsKey } from '../modules/kms-key';
import { defaultSubnetLayout, Vpc, type NatStrategy, type SubnetLayout } from '../modules/vpc';

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
  /** @default 365 */
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

const TIERS = ['public', 'private', 'database'] as const;
/** AZs the default subnet layout has room for (eight private /19s in a /16). */
const MAX_AZS = 8;

/** Leverage base-network: the account's VPC over its AZs, from config only (no AWS look-ups). */
export class BaseNetwork extends LayerStack {
  static readonly contract = baseNetworkContract;

  static networks(config: BaseNetworkConfig): NetworkClaim[] {
    return [{ field: 'vpcCidr', cidr: config.vpcCidr }];
  }

  static validate(config: BaseNetworkConfig, ctx: LayerContext): FieldProblem[] {
    const problems: FieldProblem[] = [];
    const azCount = config.azCount ?? 3;
    if (!['one-per-az', 'single', 'none'].includes(config.natGateways)) {
      problems.push({ field: 'natGateways', message: `"${String(config.natGateways)}" must be one-per-az, single or none` });
    }
    // The RDS subnet group (and every ALB and EKS cluster on these subnets) needs subnets in two AZs at least; the
    // default layout has room for eight AZs.
    const badCount = integerBetween(azCount, 2, MAX_AZS);
    if (badCount) problems.push({ field: 'azCount', message: `${badCount} (a DB subnet group, an ALB and EKS need subnets in two AZs at least)` });
    else if (ctx.azs.length < azCount) {
      problems.push({ field: 'azCount', message: `needs ${azCount} availability zones but ${ctx.region} has ${ctx.azs.length} configured` });
    }
    const retention = logRetentionDays(config.flowLogRetentionDays ?? 365);
    if (retention) problems.push({ field: 'flowLogRetentionDays', message: retention });
    (config.interfaceEndpoints ?? []).forEach((service, i) => {
      if (!/^[a-z0-9-]+(\.[a-z0-9-]+)*$/.test(service)) problems.push({ field: `interfaceEndpoints[${i}]`, message: `"${service}" is not a service suffix such as ecr.api` });
      else if ((config.interfaceEndpoints ?? []).indexOf(service) !== i) problems.push({ field: `interfaceEndpoints[${i}]`, message: `"${service}" is listed twice` });
    });
    const vpc = parseCidr(config.vpcCidr);
    if (typeof vpc === 'string') return [...problems, { field: 'vpcCidr', message: vpc }];
    if (vpc.prefix < 16 || vpc.prefix > 24) problems.push({ field: 'vpcCidr', message: `${vpc.text}: a VPC must be between /16 and /24` });
    const explicit = config.subnets ?? {};
    if (TIERS.some((t) => explicit[t] === undefined) && vpc.prefix > 22) {
      problems.push({ field: 'vpcCidr', message: `${vpc.text} is too small for the default subnet layout (at most /22); list subnets explicitly` });
    }
    const seen: { field: string; cidr: Cidr }[] = [];
    for (const tier of TIERS) {
      const list = explicit[tier];
      if (list === undefined) continue;
      if (list.length !== azCount) problems.push({ field: `subnets.${tier}`, message: `lists ${list.length} subnets for ${azCount} AZs` });
      list.forEach((text, i) => {
        const field = `subnets.${tier}[${i}]`;
        const bad = subnetCidr(text);
        if (bad) return problems.push({ field, message: bad });
        const subnet = parseCidr(text) as Cidr;
        if (!contains(vpc, subnet)) problems.push({ field, message: `${subnet.text} does not fit in the VPC ${vpc.text}` });
        const clash = seen.find((s) => overlaps(s.cidr, subnet));
        if (clash) problems.push({ field, message: `${subnet.text} overlaps ${clash.field} (${clash.cidr.text})` });
        seen.push({ field, cidr: subnet });
        return undefined;
      });
    }
    return problems;
  }

  constructor(scope: Construct, ctx: LayerContext, config: BaseNetworkConfig) {
    super(scope, ctx);
    const azs = ctx.azs.slice(0, config.azCount ?? 3);
    const layout = { ...defaultSubnetLayout(parseCidr(config.vpcCidr) as Cidr, azs.length), ...config.subnets };
    const flowLogKey = new KmsKey(this, 'flow-log-key', {
      alias: this.resourceName('vpc-flow-logs', ctx.region),
      description: `Encrypts VPC flow logs of ${ctx.account.name} in ${ctx.region}`,
      accountId: ctx.account.id,
      serviceStatements: [cloudWatchLogsKeyStatement(ctx.region, ctx.account.id)],
    });
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
