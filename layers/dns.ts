import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import { Route53VpcAssociationAuthorization } from '@cdktf/provider-aws/lib/route53-vpc-association-authorization';
import { Route53Zone } from '@cdktf/provider-aws/lib/route53-zone';
import type { Construct } from 'constructs';
import { defineContract } from '../lib/contract';
import { LayerStack, type FieldProblem } from '../lib/layer-stack';
import { declaredLayer } from '../lib/layer-presence';
import type { LayerContext, Organisation } from '../lib/model';
import { FieldProblems, integerBetween } from '../lib/validators';
import { BaseNetwork, baseNetworkContract } from './base-network';
import { DnsZone, dnsZoneContract, domainNameProblem, isUnder } from './dns-zone';

export interface DnsDelegation {
  /** Account whose `dns-zone` layer holds the sub-zone, e.g. `apps-prd`. */
  readonly account: string;
  /** Name of that layer in the account. @default 'dns-zone' */
  readonly layer?: string;
}

export interface PublicZoneConfig {
  /** Zone name without trailing dot, e.g. `acme.example.com`. */
  readonly name: string;
  /** @default 'Public zone <name>' */
  readonly comment?: string;
  /** Sub-zones living in workload accounts; each must be below this zone. @default [] */
  readonly delegations?: readonly DnsDelegation[];
}

export interface PrivateZoneVpc {
  /** Account owning the VPC. @default this layer's account */
  readonly account?: string;
  /** Layer of that account publishing the base-network outputs. @default 'base-network' */
  readonly layer?: string;
}

export interface PrivateZoneConfig {
  /** e.g. `acme.internal`. */
  readonly name: string;
  /** @default 'Private zone <name>' */
  readonly comment?: string;
  /**
   * VPCs that resolve the zone. At least one must be in this account (Route 53 creates a private zone with a VPC).
   * VPCs of other accounts get an association authorization here; the association itself is made from the VPC's
   * account, by its dns-association layer, which reads this layer (see docs/edge-and-data-lake.md).
   */
  readonly vpcs: readonly PrivateZoneVpc[];
}

export interface DnsConfig {
  /** Public hosted zones; the first one is published as `zone_id` / `name_servers` (give those to the registrar). */
  readonly publicZones: readonly PublicZoneConfig[];
  /** @default [] */
  readonly privateZones?: readonly PrivateZoneConfig[];
  /** TTL of the NS delegation records. @default 3600 */
  readonly delegationTtl?: number;
  /** Refuse `terraform destroy` of the zones (a new zone means new name servers at the registrar). @default true */
  readonly protect?: boolean;
}

export const dnsContract = defineContract('dns', {
  zone_id: { description: 'Hosted zone id of the first public zone', mock: 'Z0MOCKPARENT00000001' },
  zone_name: { description: 'Name of the first public zone', mock: 'acme.example.com' },
  name_servers: {
    description: 'Name servers of the first public zone, to set at the domain registrar',
    mock: ['ns-10.awsdns-10.org', 'ns-20.awsdns-20.co.uk', 'ns-30.awsdns-30.com', 'ns-40.awsdns-40.net'],
  },
  public_zone_ids: { description: 'Hosted zone ids of every public zone, in config order', mock: ['Z0MOCKPARENT00000001'] },
  public_zone_names: { description: 'Names of every public zone, in config order', mock: ['acme.example.com'] },
  private_zone_ids: { description: 'Hosted zone ids of every private zone, in config order', mock: ['Z0MOCKPRIVATE0000001'] },
  private_zone_names: { description: 'Names of every private zone, in config order', mock: ['acme.internal'] },
  delegated_zone_names: { description: 'Sub-zones delegated to workload accounts', mock: ['mock.acme.example.com'] },
});

/** What a dns layer tells other layers (dns-association, cdn) about its configuration. */
export interface DnsFacts {
  /** Public zones in config order (the order of `public_zone_ids`), each with the sub-zones it delegates. */
  readonly publicZones: readonly { readonly name: string; readonly delegations: readonly { readonly account: string; readonly layer: string }[] }[];
  /** Private zones in config order (the order of `private_zone_ids`), each with the VPCs it resolves in. */
  readonly privateZones: readonly { readonly name: string; readonly vpcs: readonly { readonly account: string; readonly layer: string }[] }[];
}

interface ResolvedDelegation {
  readonly account: string;
  readonly layer: string;
  readonly zoneName: string;
}

interface ResolvedVpc {
  readonly account: string;
  readonly layer: string;
  readonly region: string;
}

/** A reference validate() has already accepted; a message here means the constructor was called without validation. */
function resolved<T>(ref: T | string): T {
  if (typeof ref === 'string') throw new Error(ref);
  return ref;
}

/** The sub-zone a delegation points at, from the dns-zone layer's own (typed) config: no AWS look-up. */
function delegatedZone(org: Organisation, d: DnsDelegation): ResolvedDelegation | string {
  const layer = d.layer ?? 'dns-zone';
  const declaration = declaredLayer(org, d.account, layer, DnsZone);
  return typeof declaration === 'string' ? declaration : { account: d.account, layer, zoneName: declaration.config.zoneName };
}

/** A VPC of a base-network layer and the region it is in. */
function vpcRef(org: Organisation, ctx: LayerContext, v: PrivateZoneVpc): ResolvedVpc | string {
  const account = v.account ?? ctx.account.name;
  const layer = v.layer ?? 'base-network';
  const declaration = declaredLayer(org, account, layer, BaseNetwork);
  return typeof declaration === 'string' ? declaration : { account, layer, region: declaration.region ?? org.accounts.get(account)!.region };
}

/**
 * Route 53 of the shared account (Leverage base-dns): the organisation's public zones with NS delegations to the
 * sub-zones of workload accounts (read from their dns-zone layers through remote state), and private zones
 * associated with VPCs read from base-network remote state. No aws_route53_zone look-ups.
 */
export class Dns extends LayerStack {
  static readonly contract = dnsContract;

  /**
   * The zones of a dns layer declared in `account`: public zones with their delegations' dns-zone layer defaulted, and
   * private zones with their VPCs' account and base-network layer defaulted.
   */
  static facts(config: DnsConfig, account: string): DnsFacts {
    return {
      publicZones: (config.publicZones ?? []).map((zone) => ({
        name: zone.name,
        delegations: (zone.delegations ?? []).map((d) => ({ account: d.account, layer: d.layer ?? 'dns-zone' })),
      })),
      privateZones: (config.privateZones ?? []).map((zone) => ({
        name: zone.name,
        vpcs: (zone.vpcs ?? []).map((v) => ({ account: v.account ?? account, layer: v.layer ?? 'base-network' })),
      })),
    };
  }

  static validate(config: DnsConfig, ctx: LayerContext): FieldProblem[] {
    const problems = new FieldProblems();
    const seen = new Set<string>();
    const delegated = new Map<string, string>();
    if (!config.publicZones || config.publicZones.length === 0) problems.add('publicZones', 'lists no zone; declare at least one public zone');
    (config.publicZones ?? []).forEach((zone, i) => {
      const field = `publicZones[${i}]`;
      const bad = domainNameProblem(zone.name);
      if (bad) return void problems.add(`${field}.name`, bad);
      if (seen.has(zone.name)) problems.add(`${field}.name`, `zone ${zone.name} is declared twice`);
      seen.add(zone.name);
      (zone.delegations ?? []).forEach((d, j) => {
        const dField = `${field}.delegations[${j}]`;
        const target = delegatedZone(ctx.org, d);
        if (typeof target === 'string') return void problems.add(dField, target);
        if (!isUnder(target.zoneName, zone.name)) {
          return void problems.add(dField, `sub-zone ${target.zoneName} of ${target.account}/${target.layer} is not under its parent zone ${zone.name}`);
        }
        const twice = delegated.get(target.zoneName);
        if (twice) problems.add(dField, `sub-zone ${target.zoneName} is already delegated by ${twice}`);
        delegated.set(target.zoneName, dField);
      });
    });
    (config.privateZones ?? []).forEach((zone, i) => {
      const field = `privateZones[${i}]`;
      const bad = domainNameProblem(zone.name);
      if (bad) problems.add(`${field}.name`, bad);
      else if (seen.has(zone.name)) problems.add(`${field}.name`, `zone ${zone.name} is declared twice`);
      seen.add(zone.name);
      const refs = (zone.vpcs ?? []).map((v, j) => {
        const ref = vpcRef(ctx.org, ctx, v);
        if (typeof ref === 'string') problems.add(`${field}.vpcs[${j}]`, ref);
        return ref;
      });
      if (!refs.some((r) => typeof r !== 'string' && r.account === ctx.account.name)) {
        problems.add(`${field}.vpcs`, `needs at least one VPC of this account (${ctx.account.name}) to create the private zone`);
      }
    });
    problems.check('delegationTtl', integerBetween(config.delegationTtl ?? 3600, 60, 172800, 'seconds'));
    // Route 53 HostedZoneConfig Comment: at most 256 characters.
    [...(config.publicZones ?? []).map((z, i) => [`publicZones[${i}]`, z] as const), ...(config.privateZones ?? []).map((z, i) => [`privateZones[${i}]`, z] as const)]
      .filter(([, z]) => z.comment !== undefined && z.comment.length > 256)
      .forEach(([field, z]) => problems.add(`${field}.comment`, `is ${z.comment!.length} characters; Route 53 accepts 256`));
    return problems.list;
  }

  constructor(scope: Construct, ctx: LayerContext, config: DnsConfig) {
    super(scope, ctx);
    const protect = config.protect ?? true;
    const publicZones = config.publicZones.map((zone, i) => this.publicZone(zone, i, config.delegationTtl ?? 3600, protect));
    const privateZones = (config.privateZones ?? []).map((zone, i) => this.privateZone(zone, i, protect));
    const first = publicZones[0]!;
    this.publish(dnsContract, {
      zone_id: first.zone.zoneId,
      zone_name: config.publicZones[0]!.name,
      name_servers: first.zone.nameServers,
      public_zone_ids: publicZones.map((z) => z.zone.zoneId),
      public_zone_names: config.publicZones.map((z) => z.name),
      private_zone_ids: privateZones.map((z) => z.zoneId),
      private_zone_names: (config.privateZones ?? []).map((z) => z.name),
      delegated_zone_names: publicZones.flatMap((z) => z.delegated),
    });
  }

  /** A public zone and the NS records delegating its sub-zones to the name servers their dns-zone layers publish. */
  private publicZone(config: PublicZoneConfig, i: number, ttl: number, protect: boolean): { zone: Route53Zone; delegated: string[] } {
    const zone = new Route53Zone(this, `public-${i}`, {
      name: config.name,
      comment: config.comment ?? `Public zone ${config.name}`,
      forceDestroy: false,
      lifecycle: { preventDestroy: protect },
    });
    const delegated = (config.delegations ?? []).map((d) => {
      const target = resolved(delegatedZone(this.ctx.org, d));
      const sub = this.remote(dnsZoneContract, { account: target.account, layer: target.layer });
      new Route53Record(this, `delegation-${target.account}-${target.layer}`, {
        zoneId: zone.zoneId,
        name: target.zoneName,
        type: 'NS',
        ttl,
        records: sub.get('name_servers'),
      });
      return target.zoneName;
    });
    return { zone, delegated };
  }

  /**
   * A private zone created with the VPCs of this account; VPCs of other accounts get an association authorization here
   * (the association is made from their account), and the zone ignores its `vpc` list so it does not remove them.
   */
  private privateZone(config: PrivateZoneConfig, i: number, protect: boolean): Route53Zone {
    const vpcs = config.vpcs.map((v) => {
      const ref = resolved(vpcRef(this.ctx.org, this.ctx, v));
      return { ...ref, vpcId: this.remote(baseNetworkContract, { account: ref.account, layer: ref.layer }).get('vpc_id') };
    });
    const local = vpcs.filter((v) => v.account === this.ctx.account.name);
    const foreign = vpcs.filter((v) => v.account !== this.ctx.account.name);
    const zone = new Route53Zone(this, `private-${i}`, {
      name: config.name,
      comment: config.comment ?? `Private zone ${config.name}`,
      forceDestroy: false,
      vpc: local.map((v) => ({ vpcId: v.vpcId, vpcRegion: v.region })),
      lifecycle: { preventDestroy: protect, ignoreChanges: foreign.length > 0 ? ['vpc'] : undefined },
    });
    for (const v of foreign) {
      new Route53VpcAssociationAuthorization(this, `private-${i}-authorize-${v.account}-${v.layer}`, { zoneId: zone.zoneId, vpcId: v.vpcId, vpcRegion: v.region });
    }
    return zone;
  }
}
