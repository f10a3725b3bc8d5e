import { Route53Zone } from '@cdktf/provider-aws/lib/route53-zone';
import type { Construct } from 'constructs';
import { defineContract } from '../lib/contract';
import { LayerStack, type FieldProblem } from '../lib/layer-stack';
import { declaredLayer } from '../lib/layer-presence';
import type { LayerContext } from '../lib/model';
import { FieldProblems, renamedField } from '../lib/validators';

export interface DnsZoneConfig {
  /** The account's public sub-zone, e.g. `prd.acme.example.com`; the shared `dns` layer delegates it. */
  readonly zoneName: string;
  /** @default 'Sub-zone of <account>' */
  readonly comment?: string;
  /**
   * Refuse `terraform destroy` of the zone: a new zone gets new name servers and breaks the delegation until the shared
   * dns layer is applied again. @default true
   */
  readonly protect?: boolean;
}

/** What other layers may know of a dns-zone layer's configuration (the dns layer's delegations, names in the sub-zone). */
export interface DnsZoneFacts {
  /** The sub-zone's name, e.g. `prd.acme.example.com`. */
  readonly zoneName: string;
}

export const dnsZoneContract = defineContract('dns-zone', {
  zone_id: { description: 'Route 53 hosted zone id of the sub-zone', mock: 'Z0MOCK00000000000001' },
  zone_name: { description: 'Name of the sub-zone, without trailing dot', mock: 'mock.acme.example.com' },
  name_servers: {
    description: 'Name servers of the sub-zone, written as NS delegation records in the parent zone',
    mock: ['ns-1.awsdns-01.org', 'ns-2.awsdns-02.co.uk', 'ns-3.awsdns-03.com', 'ns-4.awsdns-04.net'],
  },
});

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** Checks a DNS name (lowercase, no trailing dot); returns a problem message or undefined. */
export function domainNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string' || name.length === 0) return 'is missing';
  if (name !== name.toLowerCase()) return `"${name}" must be lowercase`;
  if (name.endsWith('.')) return `"${name}" must not end with a dot`;
  if (name.length > 253) return `"${name}" is longer than 253 characters`;
  const labels = name.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l))) return `"${name}" is not a valid DNS name`;
  return undefined;
}

/** True when `name` is strictly below `parent` (`a.b.example.com` is under `example.com`, `example.com` is not). */
export function isUnder(name: string, parent: string): boolean {
  return name.endsWith(`.${parent}`);
}

/** True when `name` is `zone` itself or below it. */
export function isInZone(name: string, zone: string): boolean {
  return name === zone || isUnder(name, zone);
}

/** The zone name of an enabled dns-zone layer of this account, from its facts (no AWS look-up). */
export function declaredZoneName(ctx: LayerContext, layer: string = DEFAULT_ZONE_LAYER): string | undefined {
  const declaration = declaredLayer(ctx.org, ctx.account.name, layer, DnsZone);
  return typeof declaration === 'string' ? undefined : DnsZone.facts(declaration.config).zoneName;
}

export const DEFAULT_ZONE_LAYER = 'dns-zone';

/** A name `<subdomain>.<zone>` in the account's public sub-zone (its dns-zone layer). */
export interface SubZoneName {
  /** One DNS label, e.g. `web` gives `web.prd.acme.example.com` in apps-prd. */
  readonly subdomain: string;
  /** The dns-zone layer of this account. @default 'dns-zone' */
  readonly zoneLayer?: string;
}

/** `<subdomain>.<zone>` and its zone, or undefined when the dns-zone layer is missing or the label is bad. */
export function subZoneName(ctx: LayerContext, value: SubZoneName): { zone: string; name: string } | undefined {
  const zone = declaredZoneName(ctx, value.zoneLayer);
  if (!zone || !LABEL.test(value.subdomain ?? '')) return undefined;
  return { zone, name: `${value.subdomain}.${zone}` };
}

/** Checks a SubZoneName config at `field`: one lowercase label, an enabled dns-zone layer in the account. */
export function subZoneNameProblems(field: string, value: SubZoneName, ctx: LayerContext): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (typeof value.subdomain !== 'string' || !LABEL.test(value.subdomain)) {
    problems.push({ field: `${field}.subdomain`, message: `"${String(value.subdomain)}" must be one lowercase DNS label, e.g. web` });
  }
  const layer = value.zoneLayer ?? DEFAULT_ZONE_LAYER;
  if (!declaredZoneName(ctx, layer)) {
    problems.push({ field: `${field}.zoneLayer`, message: `account ${ctx.account.name} has no enabled dns-zone layer "${layer}" to hold the name` });
  }
  return problems;
}

/**
 * The public sub-zone of a workload account (`devstg.acme.example.com` in apps-devstg). It publishes its name
 * servers; the shared account's `dns` layer reads them and writes the NS delegation in the parent zone. This layer
 * reads nothing, so the graph stays dns-zone -> dns (shared) and dns-zone -> cdn: no cycle.
 */
export class DnsZone extends LayerStack {
  static readonly contract = dnsZoneContract;

  static facts(config: DnsZoneConfig): DnsZoneFacts {
    return { zoneName: config.zoneName };
  }

  static validate(config: DnsZoneConfig): FieldProblem[] {
    const problems = new FieldProblems()
      .check('zoneName', domainNameProblem(config.zoneName))
      .check('preventDestroy', renamedField(config, 'preventDestroy', 'protect'));
    if (config.comment !== undefined && config.comment.length > 256) problems.add('comment', `is ${config.comment.length} characters; Route 53 accepts 256`);
    return problems.list;
  }

  constructor(scope: Construct, ctx: LayerContext, config: DnsZoneConfig) {
    super(scope, ctx);
    const zone = new Route53Zone(this, 'zone', {
      name: config.zoneName,
      comment: config.comment ?? `Sub-zone of ${ctx.account.name}`,
      forceDestroy: false,
      lifecycle: { preventDestroy: config.protect ?? true },
    });
    this.publish(dnsZoneContract, {
      zone_id: zone.zoneId,
      zone_name: config.zoneName,
      name_servers: zone.nameServers,
    });
  }
}
