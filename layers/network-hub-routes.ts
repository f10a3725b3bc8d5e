import { Ec2TransitGatewayRouteTableAssociation } from '@cdktf/provider-aws/lib/ec2-transit-gateway-route-table-association';
import { Ec2TransitGatewayRouteTablePropagation } from '@cdktf/provider-aws/lib/ec2-transit-gateway-route-table-propagation';
import { Ec2TransitGatewayVpcAttachmentAccepter } from '@cdktf/provider-aws/lib/ec2-transit-gateway-vpc-attachment-accepter';
import { Fn, Token } from 'cdktf';
import type { Construct } from 'constructs';
import { defineContract } from '../lib/contract';
import { LayerStack, type FieldProblem } from '../lib/layer-stack';
import { declaredLayer } from '../lib/layer-presence';
import type { LayerContext } from '../lib/model';
import { FieldProblems, knownAccount } from '../lib/validators';
import { NetworkHub, networkHubContract } from './network-hub';
import { transitAttachmentContract } from './transit-attachment';

export interface HubAttachment {
  /** Account whose `transit-attachment` layer attached its VPC. */
  readonly account: string;
  /** Layer name of the attachment in that account. @default 'transit-attachment' */
  readonly layer?: string;
  /** Routing domain (a hub route table name) the attachment is associated with. */
  readonly domain: string;
}

export interface NetworkHubRoutesConfig {
  /** Name of the network-hub layer in this account. @default 'network-hub' */
  readonly hubLayer?: string;
  /** Every VPC attachment to accept, and its routing domain. */
  readonly attachments: readonly HubAttachment[];
  /**
   * For each hub route table, the domains whose attachments propagate their VPC ranges into it: what the
   * attachments associated with that table can reach. E.g. `{ prd: ['prd', 'shared'], devstg: ['devstg', 'shared'],
   * shared: ['prd', 'devstg', 'shared'] }` keeps prd and devstg apart while both reach shared services.
   */
  readonly reachability: Readonly<Record<string, readonly string[]>>;
  /** Pairs of domains that must never reach each other; a reachability naming one from the other is refused. @default [['prd', 'devstg']] */
  readonly isolated?: readonly (readonly [string, string])[];
}

/** What a network-hub-routes layer tells other layers (transit-routes) about its configuration. */
export interface NetworkHubRoutesFacts {
  readonly attachments: readonly { readonly account: string; readonly layer: string }[];
}

export const networkHubRoutesContract = defineContract('network-hub-routes', {
  accepted_attachment_ids: { description: 'Transit gateway attachments accepted by the hub', mock: ['tgw-attach-0mock000000000'] },
});

/**
 * The hub's routing policy, split from network-hub so the graph has no cycle (hub <- attachments <- routes):
 * accepts each workload account's VPC attachment, associates it with its domain's route table and propagates it
 * only into the tables whose reachability lists its domain.
 */
export class NetworkHubRoutes extends LayerStack {
  static readonly contract = networkHubRoutesContract;

  /** The attachments this layer accepts (account and transit-attachment layer), with their defaults. */
  static facts(config: NetworkHubRoutesConfig): NetworkHubRoutesFacts {
    return { attachments: (config.attachments ?? []).map((a) => ({ account: a.account, layer: a.layer ?? 'transit-attachment' })) };
  }

  static validate(config: NetworkHubRoutesConfig, ctx: LayerContext): FieldProblem[] {
    const problems = new FieldProblems();
    const hub = declaredLayer(ctx.org, ctx.account.name, config.hubLayer ?? 'network-hub', NetworkHub);
    if (typeof hub === 'string') return problems.add('hubLayer', hub).list;
    const domains = new Set(NetworkHub.facts(hub.config).routingDomains);
    const known = [...domains].join(', ');
    const reach = config.reachability ?? {};
    for (const [table, sources] of Object.entries(reach)) {
      if (!domains.has(table)) problems.add(`reachability.${table}`, `is not a hub route table (${known})`);
      for (const s of sources) if (!domains.has(s)) problems.add(`reachability.${table}`, `"${s}" is not a hub route table (${known})`);
    }
    for (const [a, b] of config.isolated ?? [['prd', 'devstg']]) {
      if ((reach[a] ?? []).includes(b) || (reach[b] ?? []).includes(a)) problems.add('reachability', `lets ${a} and ${b} reach each other, but they are isolated`);
    }
    config.attachments.forEach((att, i) => {
      const field = `attachments[${i}]`;
      const key = `${att.account}/${att.layer ?? 'transit-attachment'}`;
      problems.check(`${field}.account`, knownAccount(ctx.org, att.account));
      if (config.attachments.slice(0, i).some((a) => `${a.account}/${a.layer ?? 'transit-attachment'}` === key)) problems.add(field, `${key} is listed twice`);
      if (!domains.has(att.domain)) problems.add(`${field}.domain`, `"${att.domain}" is not a hub route table (${known})`);
    });
    return problems.list;
  }

  constructor(scope: Construct, ctx: LayerContext, config: NetworkHubRoutesConfig) {
    super(scope, ctx);
    const hub = this.remote(networkHubContract, { layer: config.hubLayer ?? 'network-hub' });
    const names = hub.get('route_table_names');
    const ids = hub.get('route_table_ids');
    // Remote outputs are known at plan time, so the table of a domain is looked up by name there.
    const tableOf = (domain: string): string => Fn.element(ids, Token.asNumber(Fn.index(names, domain))) as string;
    const accepted: string[] = [];
    for (const att of config.attachments) {
      const id = `${att.account}-${att.layer ?? 'transit-attachment'}`;
      const remote = this.remote(transitAttachmentContract, { account: att.account, layer: att.layer });
      const accepter = new Ec2TransitGatewayVpcAttachmentAccepter(this, `accept-${id}`, {
        transitGatewayAttachmentId: remote.get('transit_gateway_attachment_id'),
        transitGatewayDefaultRouteTableAssociation: false,
        transitGatewayDefaultRouteTablePropagation: false,
        tags: { Name: this.resourceName('tgw', att.account), RoutingDomain: att.domain },
      });
      accepted.push(accepter.id);
      new Ec2TransitGatewayRouteTableAssociation(this, `associate-${id}`, {
        transitGatewayAttachmentId: accepter.id,
        transitGatewayRouteTableId: tableOf(att.domain),
      });
      for (const [table, sources] of Object.entries(config.reachability)) {
        if (!sources.includes(att.domain)) continue;
        new Ec2TransitGatewayRouteTablePropagation(this, `propagate-${id}-to-${table}`, {
          transitGatewayAttachmentId: accepter.id,
          transitGatewayRouteTableId: tableOf(table),
        });
      }
    }
    this.publish(networkHubRoutesContract, { accepted_attachment_ids: accepted });
  }
}
