import { Ec2TransitGatewayVpcAttachment } from '@cdktf/provider-aws/lib/ec2-transit-gateway-vpc-attachment';
import type { Construct } from 'constructs';
import { contains, parseCidr } from '../lib/cidr';
import { defineContract } from '../lib/contract';
import { declaredLayer, declaresLayer } from '../lib/layer-presence';
import { isLayerRef, refProblems, resolveRef, type ValueRef } from '../lib/layer-ref';
import { LayerStack, type FieldProblem, type NetworkClaim } from '../lib/layer-stack';
import type { LayerContext, Organisation } from '../lib/model';
import { FieldProblems, integerAtLeast, logRetentionDays, oneOf } from '../lib/validators';
import { inspectionVpcPropProblems, InspectionVpc } from '../modules/inspection-vpc';
import { KmsKey } from '../modules/kms-key';
import { InspectionFirewall, inspectionFirewallPropProblems, type FirewallLogDestination } from '../modules/inspection-firewall';
import { NetworkHub, networkHubContract } from './network-hub';
import { securityContract } from './security';

/** Where the firewall's ALERT and FLOW logs go. */
export type NetworkFirewallLogsConfig =
  /** KMS-encrypted log groups in this account (the default). */
  | { readonly retentionDays?: number }
  /**
   * A bucket, e.g. one of the security account: its policy must admit `delivery.logs.amazonaws.com` for this account
   * and its key, if SSE-KMS, the same (preflight PF-LOGS-001 checks both). Not the audit layer's log archive: vended
   * logs are not documented to deliver into a bucket with an Object Lock default retention.
   */
  | { readonly bucket: ValueRef; readonly prefix?: string };

export interface NetworkFirewallConfig {
  /** Range of the inspection VPC, /16 to /24 (a /24 holds the default layout); claimed, so no other VPC may overlap it. */
  readonly vpcCidr: string;
  /**
   * Domains the organisation may reach on the internet over HTTPS (TLS SNI) and HTTP (Host header); `.example.com` also
   * allows every sub-domain. Every other HTTP or TLS flow to the internet is dropped, and so is any other established
   * flow no rule passes.
   */
  readonly allowedDomains: readonly string[];
  /**
   * The organisation's ranges behind the hub (Suricata HOME_NET): traffic between them passes (the hub's route tables
   * decide who may talk), the firewall subnets route them back to the hub, and every VPC the hub routes through here
   * must be inside them. @default ['10.0.0.0/8']
   */
  readonly internalRanges?: readonly string[];
  /**
   * Centralised internet egress: NAT gateways in this VPC, and network-hub-routes sends the spokes' default route here.
   * A spoke uses it once its transit-routes sends `0.0.0.0/0` to the hub (its own NAT gateways gone). @default true
   */
  readonly egress?: boolean;
  /** How many of the region's configured AZs to span; each gets a firewall endpoint (and a NAT gateway). @default 3 */
  readonly azCount?: number;
  /**
   * The hub route table (one of network-hub's `routeTables`) the inspection attachment is associated with;
   * network-hub-routes propagates every attachment into it, so that inspected traffic finds its way back. It must be
   * no attachment's domain. @default 'inspection'
   */
  readonly hubRouteTable?: string;
  /** Name of this account's network-hub layer (the inspection VPC is attached from the hub's own account). @default 'network-hub' */
  readonly hubLayer?: string;
  /** Capacity of the domain list rule group (fixed at creation; two per domain). @default 500 */
  readonly domainCapacity?: number;
  /** @default log groups kept 365 days */
  readonly logs?: NetworkFirewallLogsConfig;
  /** Days the inspection VPC's flow logs are kept. @default 365 */
  readonly flowLogRetentionDays?: number;
  /**
   * Key of the log groups: the account's security layer logs key, or one of this layer.
   * @default 'security-layer' when the account declares a security layer, otherwise 'own'
   */
  readonly kmsKeySource?: 'security-layer' | 'own';
  /** Delete, subnet-change and policy-change protection of the firewall. @default true */
  readonly protect?: boolean;
}

/** What a network-firewall layer tells other layers (network-hub-routes, transit-routes) about its configuration. */
export interface NetworkFirewallFacts {
  readonly hubLayer: string;
  readonly hubRouteTable: string;
  readonly egress: boolean;
  readonly internalRanges: readonly string[];
}

export const DEFAULT_INTERNAL_RANGES: readonly string[] = ['10.0.0.0/8'];

export const networkFirewallContract = defineContract('network-firewall', {
  vpc_id: { description: 'The inspection VPC', mock: 'vpc-0mockinspection000' },
  vpc_cidr_block: { description: 'Range of the inspection VPC', mock: '10.255.0.0/24' },
  transit_gateway_attachment_id: {
    description: 'Attachment of the inspection VPC (appliance mode); network-hub-routes routes the spokes through it',
    mock: 'tgw-attach-0mockinspect0000',
  },
  firewall_arn: { description: 'ARN of the Network Firewall', mock: 'arn:aws:network-firewall:us-east-1:111111111111:firewall/acme-mock-inspection' },
  firewall_policy_arn: { description: 'ARN of its policy', mock: 'arn:aws:network-firewall:us-east-1:111111111111:firewall-policy/acme-mock-inspection-policy' },
  egress_public_ips: { description: 'Elastic IPs of the egress NAT gateways (addresses partners allow-list); empty without egress', mock: ['203.0.113.20'] },
  alert_log_group_name: { description: 'Log group of the ALERT logs (empty when the logs go to a bucket)', mock: '/aws/network-firewall/acme-mock-inspection/alert' },
  flow_log_group_name: { description: 'Log group of the FLOW logs (empty when the logs go to a bucket)', mock: '/aws/network-firewall/acme-mock-inspection/flow' },
});

function logsToBucket(logs: NetworkFirewallLogsConfig | undefined): logs is { readonly bucket: ValueRef; readonly prefix?: string } {
  return logs !== undefined && 'bucket' in logs;
}

/**
 * The network-firewall layer an account declares under `layer` (enabled, of this kind) and its facts, or a message.
 * network-hub-routes and transit-routes use it to learn whether the hub inspects traffic.
 */
export function declaredInspection(org: Organisation, account: string, layer: string): NetworkFirewallFacts | string {
  const declaration = declaredLayer(org, account, layer, NetworkFirewall);
  return typeof declaration === 'string' ? declaration : NetworkFirewall.facts(declaration.config);
}

/**
 * Network inspection in the hub's account: an inspection VPC behind the transit gateway (per AZ a transit subnet, a
 * firewall subnet, and for egress a public subnet with a NAT gateway), attached with appliance mode, and AWS Network
 * Firewall with a domain allow-list for egress. network-hub-routes, reading this layer's contract when the account
 * declares it, sends the traffic between routing domains and (with egress) the spokes' default route through here.
 *
 * Appliance mode: the transit gateway otherwise picks the attachment's AZ per direction (the source's AZ), so the two
 * directions of a flow between spokes in different AZs would cross different firewall endpoints, and a stateful
 * firewall drops what it sees only half of. With appliance mode it keeps a flow on one AZ for both directions.
 * https://docs.aws.amazon.com/vpc/latest/tgw/transit-gateway-appliance-scenario.html
 */
export class NetworkFirewall extends LayerStack {
  static readonly contract = networkFirewallContract;

  static facts(config: NetworkFirewallConfig): NetworkFirewallFacts {
    return {
      hubLayer: config.hubLayer ?? 'network-hub',
      hubRouteTable: config.hubRouteTable ?? 'inspection',
      egress: config.egress ?? true,
      internalRanges: [...(config.internalRanges ?? DEFAULT_INTERNAL_RANGES)],
    };
  }

  static networks(config: NetworkFirewallConfig): NetworkClaim[] {
    return [{ field: 'vpcCidr', cidr: config.vpcCidr }];
  }

  static validate(config: NetworkFirewallConfig, ctx: LayerContext): FieldProblem[] {
    const problems = new FieldProblems();
    const facts = NetworkFirewall.facts(config);
    const hub = declaredLayer(ctx.org, ctx.account.name, facts.hubLayer, NetworkHub);
    if (typeof hub === 'string') {
      problems.add('hubLayer', `${hub}: the inspection VPC is attached from the hub's own account`);
    } else {
      const domains = NetworkHub.facts(hub.config).routingDomains;
      if (!domains.includes(facts.hubRouteTable)) {
        problems.add('hubRouteTable', `"${facts.hubRouteTable}" is not a route table of ${ctx.account.name}/${facts.hubLayer} (${domains.join(', ')}): add it to its routeTables`);
      }
    }
    const azCount = config.azCount ?? 3;
    problems.check('azCount', integerAtLeast(azCount, 1));
    if (ctx.azs.length < azCount) problems.add('azCount', `needs ${azCount} availability zones but ${ctx.region} has ${ctx.azs.length} configured`);
    const azs = ctx.azs.slice(0, azCount);
    for (const p of inspectionVpcPropProblems({ cidr: config.vpcCidr, azs, internalRanges: facts.internalRanges, flowLogRetentionDays: config.flowLogRetentionDays })) {
      problems.add(p.field === 'cidr' ? 'vpcCidr' : p.field, p.message);
    }
    for (const p of inspectionFirewallPropProblems({ allowedDomains: config.allowedDomains ?? [], domainCapacity: config.domainCapacity })) problems.add(p.field, p.message);
    if (logsToBucket(config.logs)) {
      problems.nest('logs.bucket', refProblems('', config.logs.bucket));
      if (!isLayerRef(config.logs.bucket) && !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(config.logs.bucket)) problems.add('logs.bucket', `"${config.logs.bucket}" is not a bucket name`);
    } else {
      problems.check('logs.retentionDays', logRetentionDays(config.logs?.retentionDays ?? 365));
    }
    if (config.kmsKeySource !== undefined) problems.check('kmsKeySource', oneOf(config.kmsKeySource, ['security-layer', 'own']));
    if (config.kmsKeySource === 'security-layer' && !declaresLayer(ctx, securityContract)) {
      problems.add('kmsKeySource', `'security-layer', but account ${ctx.account.name} declares no security layer`);
    }
    return problems.list;
  }

  constructor(scope: Construct, ctx: LayerContext, config: NetworkFirewallConfig) {
    super(scope, ctx);
    const facts = NetworkFirewall.facts(config);
    const azs = ctx.azs.slice(0, config.azCount ?? 3);
    const name = this.resourceName('inspection');
    const tgwId = this.remote(networkHubContract, { layer: facts.hubLayer }).get('transit_gateway_id');
    const logsKeyArn = this.logsKey(config);

    const vpc = new InspectionVpc(this, 'inspection', {
      name,
      cidr: config.vpcCidr,
      accountId: ctx.account.id,
      azs,
      internalRanges: facts.internalRanges,
      egress: facts.egress,
      flowLogKmsKeyArn: logsKeyArn,
      flowLogRetentionDays: config.flowLogRetentionDays,
    });
    const attachment = new Ec2TransitGatewayVpcAttachment(this, 'attachment', {
      transitGatewayId: tgwId,
      vpcId: vpc.vpc.id,
      subnetIds: vpc.subnets.transit.map((s) => s.id),
      applianceModeSupport: 'enable',
      dnsSupport: 'enable',
      // Associated and propagated by network-hub-routes, like every attachment.
      transitGatewayDefaultRouteTableAssociation: false,
      transitGatewayDefaultRouteTablePropagation: false,
      tags: { Name: name },
    });
    vpc.routeToHub(tgwId, attachment);

    const logs: FirewallLogDestination = logsToBucket(config.logs)
      ? { bucket: { name: resolveRef(config.logs.bucket, (contract, options) => this.remote(contract, options)), prefix: config.logs.prefix } }
      : { logGroups: { kmsKeyArn: logsKeyArn, retentionDays: config.logs?.retentionDays ?? 365 } };
    const firewall = new InspectionFirewall(this, 'firewall', {
      name,
      vpcId: vpc.vpc.id,
      subnetIds: vpc.subnets.firewall.map((s) => s.id),
      azs,
      accountId: ctx.account.id,
      region: ctx.region,
      allowedDomains: config.allowedDomains,
      homeNet: facts.internalRanges,
      domainCapacity: config.domainCapacity,
      protect: config.protect,
      logs,
    });
    vpc.routeThroughFirewall((az) => firewall.endpointIn(az));

    this.publish(networkFirewallContract, {
      vpc_id: vpc.vpc.id,
      vpc_cidr_block: vpc.vpc.cidrBlock,
      transit_gateway_attachment_id: attachment.id,
      firewall_arn: firewall.firewall.arn,
      firewall_policy_arn: firewall.policy.arn,
      egress_public_ips: vpc.natEips.map((e) => e.publicIp),
      alert_log_group_name: firewall.logGroups.ALERT?.name ?? '',
      flow_log_group_name: firewall.logGroups.FLOW?.name ?? '',
    });
  }

  /** The account's logs key (security layer), or a key of this layer admitting CloudWatch Logs of its region. */
  private logsKey(config: NetworkFirewallConfig): string {
    const source = config.kmsKeySource ?? (declaresLayer(this.ctx, securityContract) ? 'security-layer' : 'own');
    if (source === 'security-layer') return this.remote(securityContract).get('logs_kms_key_arn');
    const key = new KmsKey(this, 'logs-key', {
      alias: this.resourceName('inspection-logs'),
      description: `Encrypts the inspection VPC flow logs and firewall logs of ${this.ctx.account.name}`,
      accountId: this.ctx.account.id,
    });
    key.grantToService('logs', { region: this.ctx.region, accountId: this.ctx.account.id });
    return key.arn;
  }
}

/** Whether every range is inside one of the inspection layer's internal ranges (the firewall routes it back to the hub). */
export function insideInternalRanges(range: string, internal: readonly string[]): boolean {
  const cidr = parseCidr(range);
  if (typeof cidr === 'string') return false;
  return internal.some((r) => {
    const outer = parseCidr(r);
    return typeof outer !== 'string' && contains(outer, cidr);
  });
}
