import { Route53ZoneAssociation } from '@cdktf/provider-aws/lib/route53-zone-association';
import { Fn } from 'cdktf';
import type { Construct } from 'constructs';
import { defineContract } from '../lib/contract';
import { LayerStack, type FieldProblem } from '../lib/layer-stack';
import { declaredLayer } from '../lib/layer-presence';
import type { LayerContext } from '../lib/model';
import { FieldProblems, repeated } from '../lib/validators';
import { BaseNetwork, baseNetworkContract } from './base-network';
import { Dns, dnsContract } from './dns';

export interface DnsAssociationConfig {
  /** Account holding the dns layer whose private zones this VPC resolves. @default 'shared' */
  readonly dnsAccount?: string;
  /** Name of that dns layer. @default 'dns' */
  readonly dnsLayer?: string;
  /** Base-network layer of this account whose VPC is associated. @default 'base-network' */
  readonly networkLayer?: string;
  /**
   * Private zones of the dns layer to associate; each must list this VPC in its `vpcs` (the dns layer then authorises
   * the association). @default every private zone of the dns layer that lists this VPC
   */
  readonly zones?: readonly string[];
}

export const dnsAssociationContract = defineContract('dns-association', {
  vpc_id: { description: 'The VPC associated with the zones', mock: 'vpc-0mock0000000000000' },
  zone_names: { description: 'Private zones the VPC resolves, in association order', mock: ['acme.internal'] },
  zone_ids: { description: 'Hosted zone ids of those zones', mock: ['Z0MOCKPRIVATE0000001'] },
});

interface Association {
  readonly dnsAccount: string;
  readonly dnsLayer: string;
  readonly networkLayer: string;
  /** VPC region, from the base-network declaration. */
  readonly vpcRegion: string;
  /** Zone name and its index in the dns layer's `private_zone_ids`. */
  readonly zones: readonly { readonly name: string; readonly index: number }[];
}

/** What the config resolves to, or the problems that stop it. */
function resolve(config: DnsAssociationConfig, ctx: LayerContext): Association | FieldProblem[] {
  const problems = new FieldProblems();
  const dnsAccount = config.dnsAccount ?? 'shared';
  const dnsLayer = config.dnsLayer ?? 'dns';
  const networkLayer = config.networkLayer ?? 'base-network';
  const network = declaredLayer(ctx.org, ctx.account.name, networkLayer, BaseNetwork);
  if (typeof network === 'string') problems.add('networkLayer', network);
  if (dnsAccount === ctx.account.name) {
    problems.add('dnsAccount', `is this account: the dns layer associates the VPCs of its own account when it creates the zone`);
  }
  const dns = declaredLayer(ctx.org, dnsAccount, dnsLayer, Dns);
  if (typeof dns === 'string') problems.add(config.dnsLayer === undefined ? 'dnsAccount' : 'dnsLayer', dns);
  if (problems.list.length > 0 || typeof dns === 'string' || typeof network === 'string') return problems.list;

  const declared = Dns.facts(dns.config, dnsAccount).privateZones.map((zone, index) => ({ ...zone, index }));
  const listsThisVpc = (zone: (typeof declared)[number]) => zone.vpcs.some((v) => v.account === ctx.account.name && v.layer === networkLayer);
  const where = `${dnsAccount}/${dnsLayer}`;
  let zones: typeof declared;
  if (config.zones === undefined) {
    zones = declared.filter(listsThisVpc);
    if (zones.length === 0) {
      problems.add('zones', `no private zone of ${where} lists the VPC of ${ctx.account.name}/${networkLayer}: add { account: '${ctx.account.name}' } to a private zone's vpcs there`);
    }
  } else {
    if (config.zones.length === 0) problems.add('zones', 'lists no zone; leave it out to associate every zone that lists this VPC');
    const twice = repeated(config.zones);
    if (twice !== undefined) problems.add('zones', `lists ${twice} twice`);
    zones = [];
    config.zones.forEach((name, i) => {
      const zone = declared.find((z) => z.name === name);
      if (!zone) {
        problems.add(`zones[${i}]`, `${where} declares no private zone "${name}" (declared: ${declared.map((z) => z.name).join(', ') || 'none'})`);
      } else if (!listsThisVpc(zone)) {
        // Without the authorisation, Route 53 refuses the association from this account (NotAuthorizedException).
        problems.add(`zones[${i}]`, `private zone ${name} of ${where} does not list the VPC of ${ctx.account.name}/${networkLayer} in its vpcs, so it never authorises this association`);
      } else {
        zones.push(zone);
      }
    });
  }
  if (problems.list.length > 0) return problems.list;
  return { dnsAccount, dnsLayer, networkLayer, vpcRegion: network.region ?? ctx.account.region, zones: zones.map(({ name, index }) => ({ name, index })) };
}

/**
 * The VPC account's side of a private hosted zone of another account: Route 53 associates a VPC with a zone of another
 * account only when the zone's account has authorised that VPC (the dns layer's `aws_route53_vpc_association_authorization`)
 * and the VPC's account then asks for the association. This layer reads the zone ids from the dns layer, which runs
 * first, and its VPC from base-network (which dns also reads: base-network <- dns <- dns-association, no cycle).
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/hosted-zone-private-associate-vpcs-different-accounts.html
 */
export class DnsAssociation extends LayerStack {
  static readonly contract = dnsAssociationContract;

  static validate(config: DnsAssociationConfig, ctx: LayerContext): FieldProblem[] {
    const resolved = resolve(config, ctx);
    return Array.isArray(resolved) ? resolved : [];
  }

  constructor(scope: Construct, ctx: LayerContext, config: DnsAssociationConfig) {
    super(scope, ctx);
    const resolved = resolve(config, ctx);
    if (Array.isArray(resolved)) throw new Error(`dns-association constructed without validation: ${resolved.map((p) => `${p.field}: ${p.message}`).join('; ')}`);
    const network = this.remote(baseNetworkContract, { layer: resolved.networkLayer });
    const dns = this.remote(dnsContract, { account: resolved.dnsAccount, layer: resolved.dnsLayer });
    const vpcId = network.get('vpc_id');
    const zoneIds = dns.get('private_zone_ids');
    const associations = resolved.zones.map((zone) => new Route53ZoneAssociation(this, `zone-${zone.name.replace(/\./g, '-')}`, {
      // private_zone_ids is in the dns layer's config order, read above from its declaration.
      zoneId: Fn.element(zoneIds, zone.index),
      vpcId,
      vpcRegion: resolved.vpcRegion,
    }));
    this.publish(dnsAssociationContract, {
      vpc_id: vpcId,
      zone_names: resolved.zones.map((z) => z.name),
      zone_ids: associations.map((a) => a.zoneId),
    });
  }
}
