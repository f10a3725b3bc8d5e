import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import { Route53VpcAssociationAuthorization } from '@cdktf/provider-aws/lib/route53-vpc-association-authorization';
import { Route53Zone } from '@cdktf/provider-aws/lib/route53-zone';
import type { Construct } from 'constructs';
import { defineContract } from '../lib/contract';
import { LayerStack, type FieldProblem } from '../lib/layer-stack';
import type { LayerContext, Organisation } from '../lib/model';
import { BaseNetwork, baseNetworkContract } from './base-network';
import { DnsZone, dnsZoneContract, domainNameProblem, isUnder, type DnsZoneConfig } from './dns-zone';

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
   * account (see docs/edge-and-data-lake.md).
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
  readonly preventDestroy?: boolean;
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

interface ResolvedDelegation {
  readonly account: string;
  readonly layer: string;
  readonly zoneName: string;
}

/** The sub-zone name a delegation points at, from the producer layer's own config (no AWS look-up). */
function delegatedZone(org: Organisation, d: DnsDelegation): ResolvedDelegation | string {
  const layer = d.layer ?? 'dns-zone';
  const account = org.accounts.get(d.account);
  if (!account) return `unknown account "${d.account}"`;
  const declaration = account.layers.get(layer);
  if (!declaration) return `account ${d.account} declares no layer "${layer}"`;
  if (declaration.kind !== DnsZone) return `layer ${d.account}/${layer} is not a dns-zone layer`;
  if (!declaration.enabled) return `layer ${d.account}/${layer} is disabled`;
  return { account: d.account, layer, zoneName: (declaration.config as DnsZoneConfig).zoneName };
}

function vpcRef(org: Organisation, ctx: LayerContext, v: PrivateZoneVpc): { account: string; layer: string; region: string } | string {
  const accountName = v.account ?? ctx.account.name;
  const layer = v.layer ?? 'base-network';
  const account = org.accounts.get(accountName);
  if (!account) return `unknown account "${accountName}"`;
  const declaration = account.layers.get(layer);
  if (!declaration || declaration.kind !== BaseNetwork) return `account ${accountName} has no base-network layer "${layer}"`;
  if (!declaration.enabled) return `layer ${accountName}/${layer} is disabled`;
  return { account: accountName, layer, region: declaration.region ?? account.region };
}

/**
 * Route 53 of the shared account (Leverage base-dns): the organisation's public zones with NS delegations to the
 * sub-zones of workload accounts (read from their dns-zone layers through remote state), and private zones
 * associated with VPCs read from base-network remote state. No aws_route53_zone look-ups.
 */
export class Dns extends LayerStack {
  static readonly contract = dnsContract;

  static validate(config: DnsConfig, ctx: LayerContext): FieldProblem[] {
    const problems: FieldProblem[] = [];
    const seen = new Set<string>();
    const delegated = new Map<string, string>();
    if (!config.publicZones || config.publicZones.length === 0) {
      problems.push({ field: 'publicZones', message: 'lists no zone; declare at least one public zone' });
    }
    (config.publicZones ?? []).forEach((zone, i) => {
      const field = `publicZones[${i}]`;
      const bad = domainNameProblem(zone.name);
      if (bad) return problems.push({ field: `${field}.name`, message: bad });
      if (seen.has(zone.name)) problems.push({ field: `${field}.name`, message: `zone ${zone.name} is declared twice` });
      seen.add(zone.name);
      (zone.delegations ?? []).forEach((d, j) => {
        const dField = `${field}.delegations[${j}]`;
        const target = delegatedZone(ctx.org, d);
        if (typeof target === 'string') return problems.push({ field: dField, message: target });
        if (!isUnder(target.zoneName, zone.name)) {
          return problems.push({
            field: dField,
            message: `sub-zone ${target.zoneName} of ${target.account}/${target.layer} is not under its parent zone ${zone.name}`,
          });
        }
        const twice = delegated.get(target.zoneName);
        if (twice) problems.push({ field: dField, message: `sub-zone ${target.zoneName} is already delegated by ${twice}` });
        delegated.set(target.zoneName, dField);
        return undefined;
      });
      return undefined;
    });
    (config.privateZones ?? []).forEach((zone, i) => {
      const field = `privateZones[${i}]`;
      const bad = domainNameProblem(zone.name);
      if (bad) problems.push({ field: `${field}.name`, message: bad });
      else if (seen.has(zone.name)) problems.push({ field: `${field}.name`, message: `zone ${zone.name} is declared twice` });
      seen.add(zone.name);
      const refs = (zone.vpcs ?? []).map((v, j) => {
        const ref = vpcRef(ctx.org, ctx, v);
        if (typeof ref === 'string') problems.push({ field: `${field}.vpcs[${j}]`, message: ref });
        return ref;
      });
      if (!refs.some((r) => typeof r !== 'string' && r.account === ctx.account.name)) {
        problems.push({ field: `${field}.vpcs`, message: `needs at least one VPC of this account (${ctx.account.name}) to create the private zone` });
      }
    });
    const ttl = config.delegationTtl ?? 3600;
    if (!Number.isInteger(ttl) || ttl < 60 || ttl > 172800) {
      problems.push({ field: 'delegationTtl', message: `${ttl} must be an integer between 60 and 172800 seconds` });
    }
    return problems;
  }

  constructor(scope: Construct, ctx: LayerContext, config: DnsConfig) {
    super(scope, ctx);
    const preventDestroy = config.preventDestroy ?? true;
    const delegatedNames: string[] = [];
    const publicZones = config.publicZones.map((zoneConfig, i) => {
      const zone = new Route53Zone(this, `public-${i}`, {
        name: zoneConfig.name,
        comment: zoneConfig.comment ?? `Public zone ${zoneConfig.name}`,
        forceDestroy: false,
        lifecycle: { preventDestroy },
      });
      for (const d of zoneConfig.delegations ?? []) {
        const target = delegatedZone(ctx.org, d) as ResolvedDelegation;
        const sub = this.remote(dnsZoneContract, { account: target.account, layer: target.layer });
        new Route53Record(this, `delegation-${target.account}-${target.layer}`, {
          zoneId: zone.zoneId,
          name: target.zoneName,
          type: 'NS',
          ttl: config.delegationTtl ?? 3600,
          records: sub.get('name_servers'),
        });
        delegatedNames.push(target.zoneName);
      }
      return zone;
    });

    const privateZones = (config.privateZones ?? []).map((zoneConfig, i) => {
      const refs = zoneConfig.vpcs.map((v) => vpcRef(ctx.org, ctx, v) as { account: string; layer: string; region: string });
      const vpcs = refs.map((r) => ({ ...r, vpcId: this.remote(baseNetworkContract, { account: r.account, layer: r.layer }).get('vpc_id') }));
      const local = vpcs.filter((v) => v.account === ctx.account.name);
      const foreign = vpcs.filter((v) => v.account !== ctx.account.name);
      const zone = new Route53Zone(this, `private-${i}`, {
        name: zoneConfig.name,
        comment: zoneConfig.comment ?? `Private zone ${zoneConfig.name}`,
        forceDestroy: false,
        vpc: local.map((v) => ({ vpcId: v.vpcId, vpcRegion: v.region })),
        // Associations made from other accounts would otherwise be removed on the next apply.
        lifecycle: { preventDestroy, ignoreChanges: foreign.length > 0 ? ['vpc'] : undefined },
      });
      for (const v of foreign) {
        new Route53VpcAssociationAuthorization(this, `private-${i}-authorize-${v.account}-${v.layer}`, {
          zoneId: zone.zoneId,
          vpcId: v.vpcId,
          vpcRegion: v.region,
        });
      }
      return zone;
    });

    const first = publicZones[0]!;
    this.publish(dnsContract, {
      zone_id: first.zoneId,
      zone_name: config.publicZones[0]!.name,
      name_servers: first.nameServers,
      public_zone_ids: publicZones.map((z) => z.zoneId),
      public_zone_names: config.publicZones.map((z) => z.name),
      private_zone_ids: privateZones.map((z) => z.zoneId),
      private_zone_names: (config.privateZones ?? []).map((z) => z.name),
      delegated_zone_names: delegatedNames,
    });
  }
}
