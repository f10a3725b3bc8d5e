import { Ec2TransitGatewayRoute } from '@cdktf/provider-aws/lib/ec2-transit-gateway-route';
import { Ec2TransitGatewayRouteTableAssociation } from '@cdktf/provider-aws/lib/ec2-transit-gateway-route-table-association';
import { Ec2TransitGatewayRouteTablePropagation } from '@cdktf/provider-aws/lib/ec2-transit-gateway-route-table-propagation';
import { Ec2TransitGatewayVpcAttachmentAccepter } from '@cdktf/provider-aws/lib/ec2-transit-gateway-vpc-attachment-accepter';
import { Fn, Token } from 'cdktf';
import type { Construct } from 'constructs';
import { defineContract } from '../lib/contract';
import { LayerStack, type FieldProblem } from '../lib/layer-stack';
import { declaredLayer } from '../lib/layer-presence';
import type { LayerContext, Organisation } from '../lib/model';
import { FieldProblems, knownAccount } from '../lib/validators';
import { BaseNetwork } from './base-network';
import { declaredInspection, insideInternalRanges, NetworkFirewall, networkFirewallContract, type NetworkFirewallFacts } from './network-firewall';
import { NetworkHub, networkHubContract } from './network-hub';
import { TransitAttachment, transitAttachmentContract } from './transit-attachment';

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
  /**
   * The network-firewall layer of this account that inspects traffic between domains. When the account declares it,
   * an attachment is propagated only into its own domain's table and into the inspection table; every other table
   * that may reach it gets a static route to its VPC range through the inspection VPC instead, and, when the
   * firewall provides egress, every domain table gets a default route there (and blackholes for the internal
   * ranges, so that the default route never carries traffic between domains that are kept apart).
   * `false` routes directly even when a firewall is declared.
   * @default 'network-firewall' when the account declares it, otherwise none
   */
  readonly inspectionLayer?: string | false;
}

/** What a network-hub-routes layer tells other layers (transit-routes) about its configuration. */
export interface NetworkHubRoutesFacts {
  readonly attachments: readonly { readonly account: string; readonly layer: string }[];
}

/** The network-firewall layer that inspects the hub's traffic, with its facts; undefined when traffic is routed directly. */
export function hubInspection(org: Organisation, account: string, config: NetworkHubRoutesConfig): { layer: string; facts: NetworkFirewallFacts } | string | undefined {
  if (config.inspectionLayer === false) return undefined;
  const layer = config.inspectionLayer ?? 'network-firewall';
  const declaration = org.accounts.get(account)?.layers.get(layer);
  // The default name is used only when declared (as that kind); a name given explicitly must be there.
  if (config.inspectionLayer === undefined && (declaration?.kind !== NetworkFirewall || !declaration.enabled)) return undefined;
  const facts = declaredInspection(org, account, layer);
  return typeof facts === 'string' ? facts : { layer, facts };
}

export const networkHubRoutesContract = defineContract('network-hub-routes', {
  accepted_attachment_ids: { description: 'Transit gateway attachments accepted by the hub', mock: ['tgw-attach-0mock000000000'] },
});

/**
 * The hub's routing policy, split from network-hub so the graph has no cycle (hub <- attachments <- routes):
 * accepts each workload account's VPC attachment (an attachment of the hub's own account needs no acceptance),
 * associates it with its domain's route table and propagates it only into the tables whose reachability lists its
 * domain. When the account declares a network-firewall layer, traffic between domains (and, with its egress, to the
 * internet) goes through its inspection VPC instead (see `inspectionLayer`).
 * https://docs.aws.amazon.com/vpc/latest/tgw/transit-gateway-appliance-scenario.html
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
    const inspection = hubInspection(ctx.org, ctx.account.name, config);
    if (typeof inspection === 'string') problems.add('inspectionLayer', inspection);
    else if (inspection) for (const p of inspectionProblems(config, ctx, inspection.facts)) problems.add(p.field, p.message);
    return problems.list;
  }

  constructor(scope: Construct, ctx: LayerContext, config: NetworkHubRoutesConfig) {
    super(scope, ctx);
    const hub = this.remote(networkHubContract, { layer: config.hubLayer ?? 'network-hub' });
    const names = hub.get('route_table_names');
    const ids = hub.get('route_table_ids');
    // Remote outputs are known at plan time, so the table of a domain is looked up by name there.
    const tableOf = (domain: string): string => Fn.element(ids, Token.asNumber(Fn.index(names, domain))) as string;
    const inspection = hubInspection(ctx.org, ctx.account.name, config);
    const through = typeof inspection === 'object' ? this.inspectionAttachment(inspection, tableOf) : undefined;
    const accepted: string[] = [];
    for (const att of config.attachments) {
      const id = `${att.account}-${att.layer ?? 'transit-attachment'}`;
      const remote = this.remote(transitAttachmentContract, { account: att.account, layer: att.layer });
      const attachmentId = this.accept(att, id, remote.get('transit_gateway_attachment_id'));
      accepted.push(attachmentId);
      new Ec2TransitGatewayRouteTableAssociation(this, `associate-${id}`, {
        transitGatewayAttachmentId: attachmentId,
        transitGatewayRouteTableId: tableOf(att.domain),
      });
      for (const [table, sources] of Object.entries(config.reachability)) {
        if (!sources.includes(att.domain)) continue;
        if (through && table !== att.domain) {
          // Another domain reaches this VPC through the firewall: a static route to its range, not a propagation.
          new Ec2TransitGatewayRoute(this, `route-${id}-from-${table}`, {
            destinationCidrBlock: remote.get('vpc_cidr_block'),
            transitGatewayAttachmentId: through.attachmentId,
            transitGatewayRouteTableId: tableOf(table),
          });
          continue;
        }
        new Ec2TransitGatewayRouteTablePropagation(this, `propagate-${id}-to-${table}`, {
          transitGatewayAttachmentId: attachmentId,
          transitGatewayRouteTableId: tableOf(table),
        });
      }
      if (through) {
        // Inspected traffic leaves the inspection VPC through the inspection table: it knows every VPC.
        new Ec2TransitGatewayRouteTablePropagation(this, `propagate-${id}-to-${through.table}`, {
          transitGatewayAttachmentId: attachmentId,
          transitGatewayRouteTableId: tableOf(through.table),
        });
      }
    }
    if (through?.egress) this.egressThrough(config, through, tableOf);
    this.publish(networkHubRoutesContract, { accepted_attachment_ids: accepted });
  }

  /**
   * The attachment id to route: an attachment from another account is accepted here (the hub does not auto-accept),
   * one from the hub's own account needs no acceptance (AWS accepts it when it is created).
   */
  private accept(att: HubAttachment, id: string, attachmentId: string): string {
    if (att.account === this.ctx.account.name) return attachmentId;
    return new Ec2TransitGatewayVpcAttachmentAccepter(this, `accept-${id}`, {
      transitGatewayAttachmentId: attachmentId,
      transitGatewayDefaultRouteTableAssociation: false,
      transitGatewayDefaultRouteTablePropagation: false,
      tags: { Name: this.resourceName('tgw', att.account), RoutingDomain: att.domain },
    }).id;
  }

  /** The inspection VPC's attachment, associated with the inspection table (from the network-firewall layer's contract). */
  private inspectionAttachment(inspection: { layer: string; facts: NetworkFirewallFacts }, tableOf: (domain: string) => string): Inspection {
    const attachmentId = this.remote(networkFirewallContract, { layer: inspection.layer }).get('transit_gateway_attachment_id');
    new Ec2TransitGatewayRouteTableAssociation(this, 'associate-inspection', {
      transitGatewayAttachmentId: attachmentId,
      transitGatewayRouteTableId: tableOf(inspection.facts.hubRouteTable),
    });
    return { attachmentId, table: inspection.facts.hubRouteTable, egress: inspection.facts.egress, internalRanges: inspection.facts.internalRanges };
  }

  /**
   * Centralised egress: each domain table sends its default route to the inspection VPC, and blackholes the
   * organisation's ranges, so that a destination in a domain the table may not reach matches the blackhole (less
   * specific than every VPC route) instead of the default route, which would carry it to the firewall and on.
   */
  private egressThrough(config: NetworkHubRoutesConfig, through: Inspection, tableOf: (domain: string) => string): void {
    const tables = [...new Set([...config.attachments.map((a) => a.domain), ...Object.keys(config.reachability)])];
    for (const table of tables) {
      new Ec2TransitGatewayRoute(this, `default-${table}-through-inspection`, {
        destinationCidrBlock: '0.0.0.0/0',
        transitGatewayAttachmentId: through.attachmentId,
        transitGatewayRouteTableId: tableOf(table),
      });
      through.internalRanges.forEach((range, i) => new Ec2TransitGatewayRoute(this, `blackhole-${table}-${i}`, {
        destinationCidrBlock: range,
        blackhole: true,
        transitGatewayRouteTableId: tableOf(table),
      }));
    }
  }
}

interface Inspection {
  readonly attachmentId: string;
  /** The hub route table the inspection attachment is associated with. */
  readonly table: string;
  readonly egress: boolean;
  readonly internalRanges: readonly string[];
}

/**
 * With inspection: the inspection table is no domain of its own, and every VPC the hub routes through the firewall is
 * inside the firewall's internal ranges (its firewall subnets route only those back to the hub).
 */
function inspectionProblems(config: NetworkHubRoutesConfig, ctx: LayerContext, facts: NetworkFirewallFacts): FieldProblem[] {
  const problems = new FieldProblems();
  const table = facts.hubRouteTable;
  if (config.attachments.some((a) => a.domain === table) || Object.entries(config.reachability).some(([t, s]) => t === table || s.includes(table))) {
    problems.add('reachability', `uses "${table}", the inspection table of the network-firewall layer: it routes inspected traffic back and is no routing domain`);
  }
  config.attachments.forEach((att, i) => {
    const attachment = declaredLayer(ctx.org, att.account, att.layer ?? 'transit-attachment', TransitAttachment);
    if (typeof attachment === 'string') return;
    const network = declaredLayer(ctx.org, att.account, TransitAttachment.facts(attachment.config).networkLayer, BaseNetwork);
    if (typeof network === 'string') return;
    const range = network.config.vpcCidr;
    if (!insideInternalRanges(range, facts.internalRanges)) {
      problems.add(`attachments[${i}]`, `the VPC of ${att.account} (${range}) is outside the firewall's internalRanges (${facts.internalRanges.join(', ')}): inspected traffic for it would not find its way back to the hub`);
    }
  });
  return problems.list;
}
