import { DefaultSecurityGroup } from '@cdktf/provider-aws/lib/default-security-group';
import { Eip } from '@cdktf/provider-aws/lib/eip';
import { InternetGateway } from '@cdktf/provider-aws/lib/internet-gateway';
import { NatGateway } from '@cdktf/provider-aws/lib/nat-gateway';
import { Route } from '@cdktf/provider-aws/lib/route';
import { RouteTable } from '@cdktf/provider-aws/lib/route-table';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc as VpcResource } from '@cdktf/provider-aws/lib/vpc';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { cidrSubnet, contains, overlaps, parseCidr, type Cidr } from '../lib/cidr';
import type { FieldProblem } from '../lib/layer-stack';
import { FieldProblems, logRetentionDays } from '../lib/validators';
import { refuseProblems } from './prop-problems';
import { vpcFlowLogs } from './vpc';

/** The subnet tiers of an inspection VPC, one subnet of each per AZ. */
export const INSPECTION_TIERS = ['transit', 'firewall', 'public'] as const;
export type InspectionTier = (typeof INSPECTION_TIERS)[number];

export interface InspectionVpcProps {
  /** Prefix of every resource name, e.g. `acme-network-inspection`. */
  readonly name: string;
  /** The VPC range, /16 to /24; with the default layout the subnets are the first /28s of it. */
  readonly cidr: string;
  readonly accountId: string;
  /** AZ names; subnet lists are indexed the same way. */
  readonly azs: readonly string[];
  /**
   * Ranges of the organisation behind the transit gateway (the spokes): the firewall subnets route them back to the
   * hub, and the public subnets send their return traffic through the firewall.
   */
  readonly internalRanges: readonly string[];
  /** Public subnets with one NAT gateway per AZ behind an internet gateway: the organisation's egress. @default true */
  readonly egress?: boolean;
  /** Subnet CIDRs per tier, one per AZ. @default inspectionSubnetLayout(cidr, azs.length) */
  readonly subnets?: Partial<Record<InspectionTier, readonly string[]>>;
  /** KMS key encrypting the flow-log group (its policy must admit CloudWatch Logs). */
  readonly flowLogKmsKeyArn: string;
  /** @default 365 */
  readonly flowLogRetentionDays?: number;
}

/** Problems of the props that need no AWS, by prop name: the range, one subnet per AZ and tier, inside the VPC and apart. */
export function inspectionVpcPropProblems(props: Partial<InspectionVpcProps>): FieldProblem[] {
  const problems = new FieldProblems();
  if (props.flowLogRetentionDays !== undefined) problems.check('flowLogRetentionDays', logRetentionDays(props.flowLogRetentionDays));
  (props.internalRanges ?? []).forEach((range, i) => {
    const cidr = parseCidr(range);
    if (typeof cidr === 'string') problems.add(`internalRanges[${i}]`, cidr);
    else if (cidr.prefix === 0) problems.add(`internalRanges[${i}]`, `${range} is the internet; list the organisation's private ranges`);
  });
  if (props.internalRanges !== undefined && props.internalRanges.length === 0) problems.add('internalRanges', 'lists no range; the firewall would route nothing back to the hub');
  if (props.cidr === undefined) return problems.list;
  const vpc = parseCidr(props.cidr);
  if (typeof vpc === 'string') return problems.add('cidr', vpc).list;
  if (vpc.prefix < 16 || vpc.prefix > 24) return problems.add('cidr', `${vpc.text}: an inspection VPC must be between /16 and /24`).list;
  const azCount = props.azs?.length;
  const seen: { field: string; cidr: Cidr }[] = [];
  for (const tier of INSPECTION_TIERS) {
    const list = props.subnets?.[tier];
    if (list === undefined) continue;
    if (azCount !== undefined && list.length !== azCount) problems.add(`subnets.${tier}`, `lists ${list.length} subnets for ${azCount} AZs`);
    list.forEach((text, i) => {
      const field = `subnets.${tier}[${i}]`;
      const subnet = parseCidr(text);
      if (typeof subnet === 'string') return void problems.add(field, subnet);
      if (!contains(vpc, subnet)) problems.add(field, `${subnet.text} does not fit in the VPC ${vpc.text}`);
      const clash = seen.find((s) => overlaps(s.cidr, subnet));
      if (clash) problems.add(field, `${subnet.text} overlaps ${clash.field} (${clash.cidr.text})`);
      seen.push({ field, cidr: subnet });
    });
  }
  return problems.list;
}

/**
 * Default layout: a /28 per AZ and tier, the transit subnets first, then the firewall and the public subnets. AWS
 * recommends small dedicated subnets for the transit gateway attachment and the firewall endpoints, each tier with its
 * own route table per AZ. https://docs.aws.amazon.com/network-firewall/latest/developerguide/arch-igw-ngw.html
 */
export function inspectionSubnetLayout(vpc: Cidr, azCount: number): Record<InspectionTier, string[]> {
  const block = (tier: number) => Array.from({ length: azCount }, (_, i) => cidrSubnet(vpc, 28 - vpc.prefix, tier * azCount + i));
  return { transit: block(0), firewall: block(1), public: block(2) };
}

/**
 * The network side of a centralised inspection VPC behind a transit gateway: per AZ a transit subnet (where the
 * attachment lands), a firewall subnet (the firewall endpoint) and, for egress, a public subnet with a NAT gateway;
 * one route table per subnet, so traffic stays in its AZ. The routes through the firewall are added with
 * `routeThroughFirewall` once the firewall exists, and those to the hub with `routeToHub` once the VPC is attached:
 *
 *   transit subnet   0.0.0.0/0          -> firewall endpoint (same AZ)
 *   firewall subnet  internal ranges    -> transit gateway;  0.0.0.0/0 -> NAT gateway (same AZ)
 *   public subnet    internal ranges    -> firewall endpoint (same AZ);  0.0.0.0/0 -> internet gateway
 *
 * Flow logs and a closed default security group as in every VPC of the project.
 */
export class InspectionVpc extends Construct {
  readonly vpc: VpcResource;
  readonly subnets: Record<InspectionTier, Subnet[]>;
  readonly routeTables: Record<InspectionTier, RouteTable[]>;
  readonly natEips: Eip[] = [];
  readonly azs: readonly string[];
  private readonly props: InspectionVpcProps;

  constructor(scope: Construct, id: string, props: InspectionVpcProps) {
    super(scope, id);
    refuseProblems(scope, id, inspectionVpcPropProblems(props));
    this.props = props;
    this.azs = [...props.azs];
    const { name, azs } = props;
    const egress = props.egress ?? true;
    const layout = { ...inspectionSubnetLayout(parseCidr(props.cidr) as Cidr, azs.length), ...props.subnets };
    this.vpc = new VpcResource(this, 'vpc', { cidrBlock: props.cidr, enableDnsHostnames: true, enableDnsSupport: true, tags: { Name: name } });
    const vpcId = this.vpc.id;
    new DefaultSecurityGroup(this, 'default-sg', { vpcId, ingress: [], egress: [], tags: { Name: `${name}-default-closed` } });

    const tiers: InspectionTier[] = egress ? [...INSPECTION_TIERS] : ['transit', 'firewall'];
    const subnets = {} as Record<InspectionTier, Subnet[]>;
    const tables = {} as Record<InspectionTier, RouteTable[]>;
    for (const tier of INSPECTION_TIERS) {
      subnets[tier] = [];
      tables[tier] = [];
    }
    for (const tier of tiers) {
      azs.forEach((az, i) => {
        const subnet = new Subnet(this, `${tier}-${az}`, {
          vpcId,
          cidrBlock: layout[tier][i],
          availabilityZone: az,
          mapPublicIpOnLaunch: false,
          tags: { Name: `${name}-${tier}-${az}`, Tier: tier },
        });
        const table = new RouteTable(this, `${tier}-rt-${az}`, { vpcId, tags: { Name: `${name}-${tier}-${az}` } });
        new RouteTableAssociation(this, `${tier}-${az}-rta`, { subnetId: subnet.id, routeTableId: table.id });
        subnets[tier].push(subnet);
        tables[tier].push(table);
      });
    }
    this.subnets = subnets;
    this.routeTables = tables;

    if (egress) {
      const igw = new InternetGateway(this, 'igw', { vpcId, tags: { Name: name } });
      azs.forEach((az, i) => {
        new Route(this, `public-default-${az}`, { routeTableId: tables.public[i].id, destinationCidrBlock: '0.0.0.0/0', gatewayId: igw.id });
        const eip = new Eip(this, `nat-eip-${az}`, { domain: 'vpc', tags: { Name: `${name}-nat-${az}` } });
        this.natEips.push(eip);
        const nat = new NatGateway(this, `nat-${az}`, { allocationId: eip.id, subnetId: subnets.public[i].id, tags: { Name: `${name}-${az}` }, dependsOn: [igw] });
        // Inspected traffic leaves through the NAT gateway of its own AZ.
        new Route(this, `firewall-default-${az}`, { routeTableId: tables.firewall[i].id, destinationCidrBlock: '0.0.0.0/0', natGatewayId: nat.id });
      });
    }

    vpcFlowLogs(this, { name, vpcId, accountId: props.accountId, kmsKeyArn: props.flowLogKmsKeyArn, retentionDays: props.flowLogRetentionDays ?? 365 });
  }

  /**
   * Sends the transit subnets' traffic (everything) and the public subnets' return traffic to the organisation through
   * the firewall endpoint of the same AZ: `endpointIn(az)` is that endpoint's id.
   */
  routeThroughFirewall(endpointIn: (az: string) => string): void {
    this.azs.forEach((az, i) => {
      new Route(this, `transit-to-firewall-${az}`, { routeTableId: this.routeTables.transit[i].id, destinationCidrBlock: '0.0.0.0/0', vpcEndpointId: endpointIn(az) });
      if (this.routeTables.public.length === 0) return;
      this.props.internalRanges.forEach((range, j) => {
        new Route(this, `public-return-${az}-${j}`, { routeTableId: this.routeTables.public[i].id, destinationCidrBlock: range, vpcEndpointId: endpointIn(az) });
      });
    });
  }

  /**
   * Sends inspected traffic for the organisation's ranges from the firewall subnets back to the transit gateway. A
   * route table takes a transit gateway as target only once the VPC is attached to it: pass the attachment.
   */
  routeToHub(transitGatewayId: string, attachment: ITerraformDependable): void {
    this.azs.forEach((az, i) => {
      this.props.internalRanges.forEach((range, j) => {
        new Route(this, `firewall-to-hub-${az}-${j}`, {
          routeTableId: this.routeTables.firewall[i].id,
          destinationCidrBlock: range,
          transitGatewayId,
          dependsOn: [attachment],
        });
      });
    });
  }
}
