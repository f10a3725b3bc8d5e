import { Ec2TransitGatewayVpcAttachment } from '@cdktf/provider-aws/lib/ec2-transit-gateway-vpc-attachment';
import type { Construct } from 'constructs';
import { defineContract } from '../lib/contract';
import { LayerStack, type FieldProblem } from '../lib/layer-stack';
import type { LayerContext } from '../lib/model';
import { FieldProblems, knownAccount } from '../lib/validators';
import { baseNetworkContract } from './base-network';
import { networkHubContract } from './network-hub';

export interface TransitAttachmentConfig {
  /** Account holding the `network-hub` layer. @default 'network' */
  readonly hubAccount?: string;
  /** Name of the base-network layer of this account to attach. @default 'base-network' */
  readonly networkLayer?: string;
}

/** What a transit-attachment layer tells other layers (transit-routes) about its configuration. */
export interface TransitAttachmentFacts {
  readonly hubAccount: string;
  readonly networkLayer: string;
}

export const transitAttachmentContract = defineContract('transit-attachment', {
  transit_gateway_attachment_id: { description: 'VPC attachment id, accepted and routed by network-hub-routes', mock: 'tgw-attach-0mock000000000' },
  vpc_id: { description: 'The attached VPC', mock: 'vpc-0mock0000000000000' },
  vpc_cidr_block: { description: 'Range of the attached VPC, routed by the hub', mock: '10.250.0.0/16' },
  transit_gateway_id: { description: 'The hub\'s transit gateway the VPC is attached to (what transit-routes points at)', mock: 'tgw-0mock00000000000' },
});

/**
 * A workload account's side of the hub: the VPC attachment to the shared transit gateway (created here because
 * an attachment belongs to the VPC's account), on the private subnets. The hub's own account attaches its VPC the
 * same way; only attachments from other accounts wait for network-hub-routes to accept them. Acceptance, association and propagation are the
 * hub's business (network-hub-routes); the VPC's routes to the hub wait for the acceptance in transit-routes.
 */
export class TransitAttachment extends LayerStack {
  static readonly contract = transitAttachmentContract;

  /** The hub account and the base-network layer this attachment uses, with their defaults. */
  static facts(config: TransitAttachmentConfig): TransitAttachmentFacts {
    return { hubAccount: config.hubAccount ?? 'network', networkLayer: config.networkLayer ?? 'base-network' };
  }

  static validate(config: TransitAttachmentConfig, ctx: LayerContext): FieldProblem[] {
    const problems = new FieldProblems();
    const hub = config.hubAccount ?? 'network';
    // The hub's own account may attach its VPC too (e.g. for the client VPN): AWS accepts such an attachment at once.
    problems.check('hubAccount', knownAccount(ctx.org, hub));
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
    this.publish(transitAttachmentContract, {
      transit_gateway_attachment_id: attachment.id,
      vpc_id: network.get('vpc_id'),
      vpc_cidr_block: network.get('vpc_cidr_block'),
      transit_gateway_id: tgwId,
    });
  }
}
