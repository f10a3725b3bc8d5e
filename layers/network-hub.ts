import { Ec2TransitGateway } from '@cdktf/provider-aws/lib/ec2-transit-gateway';
import { Ec2TransitGatewayRouteTable } from '@cdktf/provider-aws/lib/ec2-transit-gateway-route-table';
import { RamPrincipalAssociation } from '@cdktf/provider-aws/lib/ram-principal-association';
import { RamResourceAssociation } from '@cdktf/provider-aws/lib/ram-resource-association';
import { RamResourceShare } from '@cdktf/provider-aws/lib/ram-resource-share';
import type { Construct } from 'constructs';
import { defineContract } from '../lib/contract';
import { LayerStack, type FieldProblem } from '../lib/layer-stack';
import type { LayerContext } from '../lib/model';
import { isLayerRef, refProblems, resolveRef, type ValueRef } from '../lib/layer-ref';
import { arnOf, FieldProblems, repeated } from '../lib/validators';

export interface NetworkHubConfig {
  /**
   * Who the transit gateway is shared with through RAM: the organisation ARN, literal or
   * `fromLayer(organizationsContract, 'organization_arn', { account: 'management' })`. An OU ARN also works.
   */
  readonly shareWith: ValueRef;
  /**
   * Names of the transit gateway route tables, one per routing domain (e.g. prd, devstg, shared). Each attachment
   * is associated with one of them and propagates only into the tables network-hub-routes allows, which is what
   * keeps prd and devstg apart.
   */
  readonly routeTables: readonly string[];
  /** Private ASN of the Amazon side of BGP sessions. @default 64512 */
  readonly amazonSideAsn?: number;
}

export const networkHubContract = defineContract('network-hub', {
  transit_gateway_id: { description: 'Transit gateway id', mock: 'tgw-0mock00000000000' },
  transit_gateway_arn: { description: 'Transit gateway ARN', mock: 'arn:aws:ec2:us-east-1:111111111111:transit-gateway/tgw-0mock00000000000' },
  ram_resource_share_arn: { description: 'RAM share of the transit gateway with the organisation', mock: 'arn:aws:ram:us-east-1:111111111111:resource-share/mock' },
  // The mock lists the usual domain names so network-hub-routes can look its domains up in a sandbox plan.
  route_table_names: { description: 'Names of the transit gateway route tables (routing domains)', mock: ['prd', 'devstg', 'stg', 'dev', 'nonprd', 'data', 'shared', 'network'] },
  route_table_ids: { description: 'Ids of the transit gateway route tables, in route_table_names order', mock: ['tgw-rtb-0mock0000000000', 'tgw-rtb-0mock0000000001', 'tgw-rtb-0mock0000000002', 'tgw-rtb-0mock0000000003', 'tgw-rtb-0mock0000000004', 'tgw-rtb-0mock0000000005', 'tgw-rtb-0mock0000000006', 'tgw-rtb-0mock0000000007'] },
});

/** What a network-hub layer tells other layers about its configuration. */
export interface NetworkHubFacts {
  /** Names of the hub's route tables, one per routing domain, in config order. */
  readonly routingDomains: readonly string[];
}

const ORGANIZATION_OR_OU = {
  service: 'organizations',
  resource: /^(organization\/o-[a-z0-9]+|ou\/o-[a-z0-9]+\/ou-[a-z0-9-]+)$/,
  described: 'an organisation or OU ARN',
};

/**
 * The network account's hub: a transit gateway that accepts nothing by itself (auto-accept, default association
 * and default propagation off), one route table per routing domain, shared with the organisation through RAM.
 * VPCs attach from their own accounts (`transit-attachment`); `network-hub-routes` accepts, associates and
 * propagates them, so this layer never depends on an attachment.
 */
export class NetworkHub extends LayerStack {
  static readonly contract = networkHubContract;

  /** What other layers (network-hub-routes) may know of a hub's configuration: its routing domains. */
  static facts(config: NetworkHubConfig): NetworkHubFacts {
    return { routingDomains: [...(config.routeTables ?? [])] };
  }

  static validate(config: NetworkHubConfig): FieldProblem[] {
    const problems = new FieldProblems().nest('shareWith', refProblems('', config.shareWith));
    if (!isLayerRef(config.shareWith) && typeof config.shareWith === 'string' && config.shareWith.length > 0
      && arnOf(config.shareWith, ORGANIZATION_OR_OU)) {
      problems.add('shareWith', `"${config.shareWith}" is not an organisation or OU ARN; the hub is never shared with single accounts or outside the organisation`);
    }
    const tables = config.routeTables ?? [];
    if (tables.length === 0) problems.add('routeTables', 'needs at least one routing domain');
    if (repeated(tables) !== undefined) problems.add('routeTables', 'lists a name twice');
    for (const t of tables) if (!/^[a-z][a-z0-9-]*$/.test(t)) problems.add('routeTables', `"${t}" must be lowercase letters, digits and hyphens`);
    const asn = config.amazonSideAsn ?? 64512;
    if (!Number.isInteger(asn) || !((asn >= 64512 && asn <= 65534) || (asn >= 4200000000 && asn <= 4294967294))) {
      problems.add('amazonSideAsn', `${asn} is not a private ASN (64512-65534 or 4200000000-4294967294)`);
    }
    return problems.list;
  }

  constructor(scope: Construct, ctx: LayerContext, config: NetworkHubConfig) {
    super(scope, ctx);
    const name = this.resourceName('tgw');
    const tgw = new Ec2TransitGateway(this, 'tgw', {
      description: `${name}: organisation hub`,
      amazonSideAsn: config.amazonSideAsn ?? 64512,
      autoAcceptSharedAttachments: 'disable',
      defaultRouteTableAssociation: 'disable',
      defaultRouteTablePropagation: 'disable',
      dnsSupport: 'enable',
      vpnEcmpSupport: 'enable',
      tags: { Name: name },
    });
    const tables = config.routeTables.map((domain) => new Ec2TransitGatewayRouteTable(this, `rt-${domain}`, {
      transitGatewayId: tgw.id,
      tags: { Name: `${name}-${domain}`, RoutingDomain: domain },
    }));
    const share = new RamResourceShare(this, 'share', {
      name,
      allowExternalPrincipals: false,
    });
    new RamResourceAssociation(this, 'share-tgw', { resourceShareArn: share.arn, resourceArn: tgw.arn });
    new RamPrincipalAssociation(this, 'share-org', {
      resourceShareArn: share.arn,
      principal: resolveRef(config.shareWith, (contract, options) => this.remote(contract, options)),
    });
    this.publish(networkHubContract, {
      transit_gateway_id: tgw.id,
      transit_gateway_arn: tgw.arn,
      ram_resource_share_arn: share.arn,
      route_table_names: [...config.routeTables],
      route_table_ids: tables.map((t) => t.id),
    });
  }
}
