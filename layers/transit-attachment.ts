import { Ec2TransitGatewayVpcAttachment } from '@cdktf/provider-aws/lib/ec2-transit-gateway-vpc-attachment';
import { Route } from '@cdktf/provider-aws/lib/route';
import { Fn, TerraformIterator } from 'cdktf';
import type { Construct } from 'constructs';
import { parseCidr } from '../lib/cidr';
import { defineContract } from '../lib/contract';
import { LayerStack, type FieldProblem } from '../lib/layer-stack';
import type { LayerContext } from '../lib/model';
import { FieldProblems, knownAccount, oneOf } from '../lib/validators';
import { baseNetworkContract } from './base-network';
import { networkHubContract } from './network-hub';

export type VpcRouteTier = 'public' | 'private' | 'database';

export interface TransitAttachmentConfig {
  /** Account holding the `network-hub` layer. @default 'network' */
  readonly hubAccount?: string;
  /** Ranges sent to the transit gateway from this VPC (other VPCs, on-premises). @default ['10.0.0.0/8'] */
  readonly destinations?: readonly string[];
  /** Route tables of the VPC that get the routes back to the hub. @default ['private', 'database'] */
  readonly routeTiers?: readonly VpcRouteTier[];
  /** Name of the base-network layer of this account to attach. @default 'base-network' */
  readonly networkLayer?: string;
}

export const transitAttachmentContract = defineContract('transit-attachment', {
  transit_gateway_attachment_id: { description: 'VPC attachment id, accepted and routed by network-hub-routes', mock: 'tgw-attach-0mock000000000' },
  vpc_id: { description: 'The attached VPC', mock: 'vpc-0mock0000000000000' },
  vpc_cidr_block: { description: 'Range of the attached VPC, routed by the hub', mock: '10.250.0.0/16' },
});

/**
 * A workload account's side of the hub: the VPC attachment to the shared transit gateway (created here because
 * an attachment belongs to the VPC's account), on the private subnets, and the routes from the VPC's route
 * tables to the hub. Association and propagation are the hub's business (network-hub-routes).
 */
export class TransitAttachment extends LayerStack {
  static readonly contract = transitAttachmentContract;

  static validate(config: TransitAttachmentConfig, ctx: LayerContext): FieldProblem[] {
    const problems = new FieldProblems();
    const hub = config.hubAccount ?? 'network';
    problems.check('hubAccount', knownAccount(ctx.org, hub));
    if (hub === ctx.account.name) problems.add('hubAccount', 'is this account; attach workload VPCs from their own accounts');
    (config.destinations ?? ['10.0.0.0/8']).forEach((d, i) => {
      const cidr = parseCidr(d);
      if (typeof cidr === 'string') problems.add(`destinations[${i}]`, cidr);
      else if (cidr.prefix === 0) problems.add(`destinations[${i}]`, 'a default route through the hub is not supported here; egress stays in the VPC');
    });
    for (const tier of config.routeTiers ?? []) problems.check('routeTiers', oneOf<VpcRouteTier>(tier, ['public', 'private', 'database']));
    return problems.list;
  }

  constructor(scope: Construct, ctx: LayerContext, config: TransitAttachmentConfig) {
    super(scope, ctx);
    const hub = this.remote(networkHubContract, { account: config.hubAccount ?? 'network' });
    const network = this.remote(baseNetworkContract, { layer: config.networkLayer ?? 'base-network' });
    const tgwId = hub.get('transit_gateway_id');
    const attachment = new Ec2TransitGatewayVpcAttachment(this, 'attachment', {
      transitGatewayId: tgwId,
      vpcId: network.get('vpc_id'),
      subnetIds: network.get('private_subnet_ids'),
      // Set by the hub account (network-hub-routes), never by the default tables.
      transitGatewayDefaultRouteTableAssociation: false,
      transitGatewayDefaultRouteTablePropagation: false,
      dnsSupport: 'enable',
      tags: { Name: this.resourceName('tgw-attachment') },
    });
    const tiers = config.routeTiers ?? ['private', 'database'];
    const tables = Fn.concat(tiers.map((t) => network.get(`${t}_route_table_ids`)));
    // Route table ids come from remote state, known at plan time: one route per table and destination.
    (config.destinations ?? ['10.0.0.0/8']).forEach((destination, i) => {
      const each = TerraformIterator.fromList(tables);
      new Route(this, `to-hub-${i}`, {
        forEach: each,
        routeTableId: each.value,
        destinationCidrBlock: destination,
        transitGatewayId: tgwId,
        dependsOn: [attachment],
      });
    });
    this.publish(transitAttachmentContract, {
      transit_gateway_attachment_id: attachment.id,
      vpc_id: network.get('vpc_id'),
      vpc_cidr_block: network.get('vpc_cidr_block'),
    });
  }
}
