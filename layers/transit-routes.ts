import { Route } from '@cdktf/provider-aws/lib/route';
import { Fn, TerraformIterator } from 'cdktf';
import type { Construct } from 'constructs';
import { parseCidr } from '../lib/cidr';
import { defineContract } from '../lib/contract';
import { LayerStack, type FieldProblem } from '../lib/layer-stack';
import { declaredLayer } from '../lib/layer-presence';
import type { LayerContext } from '../lib/model';
import { FieldProblems, oneOf, repeated } from '../lib/validators';
import { baseNetworkContract } from './base-network';
import { BaseNetwork } from './base-network';
import { hubInspection, NetworkHubRoutes, networkHubRoutesContract } from './network-hub-routes';
import { TransitAttachment, transitAttachmentContract } from './transit-attachment';

export type VpcRouteTier = 'public' | 'private' | 'database';

export interface TransitRoutesConfig {
  /**
   * Ranges sent to the transit gateway from this VPC (other VPCs, on-premises). `0.0.0.0/0` (the VPC's internet egress
   * through the hub) only when the hub's network-firewall layer provides egress and this VPC has no NAT gateway.
   * @default ['10.0.0.0/8']
   */
  readonly destinations?: readonly string[];
  /** Route tables of the VPC that get the routes to the hub. @default ['private', 'database'] */
  readonly routeTiers?: readonly VpcRouteTier[];
  /** Name of this account's transit-attachment layer; its hub account and base-network layer are used. @default 'transit-attachment' */
  readonly attachmentLayer?: string;
  /** Name of the network-hub-routes layer of the hub account, which accepts the attachment. @default 'network-hub-routes' */
  readonly hubRoutesLayer?: string;
}

export const transitRoutesContract = defineContract('transit-routes', {
  destinations: { description: 'Ranges this VPC sends to the transit gateway', mock: ['10.0.0.0/8'] },
  transit_gateway_id: { description: 'The transit gateway the routes point at', mock: 'tgw-0mock00000000000' },
});

interface Resolved {
  readonly attachmentLayer: string;
  readonly hubAccount: string;
  readonly hubRoutesLayer: string;
  readonly networkLayer: string;
  /** Whether the hub sends a default route to an inspection VPC with NAT gateways (centralised egress). */
  readonly hubEgress: boolean;
}

function resolve(config: TransitRoutesConfig, ctx: LayerContext): Resolved | FieldProblem[] {
  const problems = new FieldProblems();
  const attachmentLayer = config.attachmentLayer ?? 'transit-attachment';
  const hubRoutesLayer = config.hubRoutesLayer ?? 'network-hub-routes';
  const attachment = declaredLayer(ctx.org, ctx.account.name, attachmentLayer, TransitAttachment);
  if (typeof attachment === 'string') return problems.add('attachmentLayer', attachment).list;
  const { hubAccount, networkLayer } = TransitAttachment.facts(attachment.config);
  const routes = declaredLayer(ctx.org, hubAccount, hubRoutesLayer, NetworkHubRoutes);
  if (typeof routes === 'string') return problems.add('hubRoutesLayer', routes).list;
  // The hub accepts only the attachments it lists: a route through an attachment it never accepts stays a blackhole.
  if (!NetworkHubRoutes.facts(routes.config).attachments.some((a) => a.account === ctx.account.name && a.layer === attachmentLayer)) {
    problems.add('hubRoutesLayer', `${hubAccount}/${hubRoutesLayer} does not list ${ctx.account.name}/${attachmentLayer} in its attachments, so the hub never accepts it: add { account: '${ctx.account.name}', domain } there`);
  }
  const inspection = hubInspection(ctx.org, hubAccount, routes.config);
  const hubEgress = typeof inspection === 'object' && inspection.facts.egress;
  return problems.list.length > 0 ? problems.list : { attachmentLayer, hubAccount, hubRoutesLayer, networkLayer, hubEgress };
}

/**
 * A default route to the hub is the VPC's internet egress through the hub's inspection VPC: only when the hub has one
 * with egress, and never beside another default route (the NAT gateways of the private tables, the internet gateway
 * of the public one), which AWS refuses (RouteAlreadyExists).
 */
function defaultRouteProblems(config: TransitRoutesConfig, ctx: LayerContext, resolved: Resolved): string[] {
  if (!resolved.hubEgress) {
    return [`a default route through the hub needs a network-firewall layer with egress in ${resolved.hubAccount} (the hub's inspection VPC); without one egress stays in the VPC`];
  }
  const tiers = config.routeTiers ?? ['private', 'database'];
  const problems: string[] = [];
  if (tiers.includes('public')) problems.push('the public route table already sends 0.0.0.0/0 to the internet gateway: leave public out of routeTiers');
  const network = declaredLayer(ctx.org, ctx.account.name, resolved.networkLayer, BaseNetwork);
  if (typeof network !== 'string' && network.config.natGateways !== 'none' && tiers.includes('private')) {
    problems.push(`${ctx.account.name}/${resolved.networkLayer} has NAT gateways (natGateways '${network.config.natGateways}'), whose default routes the private tables already hold: set natGateways 'none' to send egress through the hub`);
  }
  return problems;
}

/**
 * The routes from a workload VPC to the hub, in a layer of their own that runs after the hub accepts the attachment
 * (transit-attachment <- network-hub-routes <- transit-routes): a VPC route table takes a transit gateway as target
 * only once the VPC has an attachment to it, and a shared hub that does not auto-accept leaves the attachment
 * `pendingAcceptance` until network-hub-routes accepts it.
 * https://docs.aws.amazon.com/vpc/latest/tgw/tgw-vpc-attachments.html
 */
export class TransitRoutes extends LayerStack {
  static readonly contract = transitRoutesContract;

  static validate(config: TransitRoutesConfig, ctx: LayerContext): FieldProblem[] {
    const problems = new FieldProblems();
    const destinations = config.destinations ?? ['10.0.0.0/8'];
    if (destinations.length === 0) problems.add('destinations', 'lists no range; leave the layer out if the VPC sends nothing to the hub');
    for (const tier of config.routeTiers ?? []) problems.check('routeTiers', oneOf<VpcRouteTier>(tier, ['public', 'private', 'database']));
    const resolved = resolve(config, ctx);
    destinations.forEach((d, i) => {
      const cidr = parseCidr(d);
      if (typeof cidr === 'string') problems.add(`destinations[${i}]`, cidr);
      else if (cidr.prefix === 0 && !Array.isArray(resolved)) {
        for (const message of defaultRouteProblems(config, ctx, resolved)) problems.add(`destinations[${i}]`, message);
      }
    });
    const twice = repeated(destinations);
    if (twice !== undefined) problems.add('destinations', `lists ${twice} twice`);
    return [...problems.list, ...(Array.isArray(resolved) ? resolved : [])];
  }

  constructor(scope: Construct, ctx: LayerContext, config: TransitRoutesConfig) {
    super(scope, ctx);
    const resolved = resolve(config, ctx);
    if (Array.isArray(resolved)) throw new Error(`transit-routes constructed without validation: ${resolved.map((p) => `${p.field}: ${p.message}`).join('; ')}`);
    const attachment = this.remote(transitAttachmentContract, { layer: resolved.attachmentLayer });
    // Read for the order it gives (the hub has accepted the attachments it lists) and to check this one is among them:
    // a route through an attachment the hub never accepted would be a blackhole.
    const accepted = this.remote(networkHubRoutesContract, { account: resolved.hubAccount, layer: resolved.hubRoutesLayer }).get('accepted_attachment_ids');
    const network = this.remote(baseNetworkContract, { layer: resolved.networkLayer });
    const tgwId = attachment.get('transit_gateway_id');
    const attachmentId = attachment.get('transit_gateway_attachment_id');
    const tiers = config.routeTiers ?? ['private', 'database'];
    const tables = Fn.concat(tiers.map((t) => network.get(`${t}_route_table_ids`)));
    const destinations = config.destinations ?? ['10.0.0.0/8'];
    // Route table ids come from remote state, known at plan time: one route per table and destination.
    destinations.forEach((destination, i) => {
      const each = TerraformIterator.fromList(tables);
      new Route(this, `to-hub-${i}`, {
        forEach: each,
        routeTableId: each.value,
        destinationCidrBlock: destination,
        transitGatewayId: tgwId,
        lifecycle: {
          precondition: [{
            condition: Fn.contains(accepted, attachmentId),
            errorMessage: `The hub (${resolved.hubAccount}/${resolved.hubRoutesLayer}) has not accepted this VPC's attachment: apply it first.`,
          }],
        },
      });
    });
    this.publish(transitRoutesContract, { destinations: [...destinations], transit_gateway_id: tgwId });
  }
}
