/**
 * DNS across layers: one routing policy per record name and type in a zone, whatever layer writes it; every private
 * zone reaches the VPCs it authorises; failover pairs are whole; certificates are validated in the zone of their names.
 */
import { block, strings, type ResourceView } from '../../policy/model';
import type { Hit, PreflightRule } from '../engine';
import { literalString, type Located, type OrgModel, type StackModel } from '../model';
import { target } from './service-grants';

/** A value with every interpolation resolved to a literal (across remote state), else undefined. */
export function resolveText(org: OrgModel, stack: StackModel, value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  if (!value.includes('${')) return value;
  const whole = org.resolve(stack, value);
  if (whole.kind === 'literal') return whole.value;
  if (whole.kind === 'resource') return literalString(whole.resource.config[whole.attribute]);
  let unresolved = false;
  const text = value.replace(/\$\{[^}]*\}/g, (part) => {
    const r = org.resolve(stack, part);
    if (r.kind === 'literal') return r.value;
    if (r.kind === 'resource') {
      const literal = literalString(r.resource.config[r.attribute]);
      if (literal) return literal;
    }
    unresolved = true;
    return part;
  });
  return unresolved ? undefined : text;
}

interface RecordInfo {
  readonly stack: StackModel;
  readonly resource: ResourceView;
  /** Zone identity: `stack-id/address` of the zone resource, or the literal zone id. */
  readonly zoneKey: string;
  readonly zoneName?: string;
  /** Fully qualified name, lowercase, no trailing dot. */
  readonly name: string;
  readonly type: string;
  /** simple, failover, weighted, latency, geolocation, geoproximity, multivalue, cidr */
  readonly policy: string;
  readonly setIdentifier?: string;
}

const POLICIES: readonly [string, string][] = [
  ['failover_routing_policy', 'failover'], ['weighted_routing_policy', 'weighted'], ['latency_routing_policy', 'latency'],
  ['geolocation_routing_policy', 'geolocation'], ['geoproximity_routing_policy', 'geoproximity'], ['cidr_routing_policy', 'cidr'],
];

export function zoneOf(org: OrgModel, stack: StackModel, zoneId: unknown): { key: string; name?: string; zone?: Located } | undefined {
  const zone = target(org, stack, zoneId);
  if (zone && zone.resource.type === 'aws_route53_zone') {
    return { key: `${zone.stack.id}/${zone.resource.address}`, name: literalString(zone.resource.config.name)?.toLowerCase().replace(/\.$/, ''), zone };
  }
  const literal = literalString(zoneId);
  return literal ? { key: literal } : undefined;
}

const recordCache = new WeakMap<OrgModel, RecordInfo[]>();

/** Every record of the organisation whose zone, name and type are known statically. */
export function records(org: OrgModel): RecordInfo[] {
  const cached = recordCache.get(org);
  if (cached) return cached;
  const found: RecordInfo[] = [];
  for (const { stack, resource } of org.resources('aws_route53_record')) {
    const zone = zoneOf(org, stack, resource.config.zone_id);
    const rawName = resolveText(org, stack, resource.config.name);
    const type = literalString(resource.config.type);
    if (!zone || rawName === undefined || !type) continue;
    let name = rawName.toLowerCase().replace(/\.$/, '');
    // Route 53 (and the provider) treat a name outside the zone's suffix as relative to the zone.
    if (zone.name && name !== zone.name && !name.endsWith(`.${zone.name}`)) name = `${name}.${zone.name}`;
    const policy = POLICIES.find(([attr]) => block(resource.config[attr]) !== undefined)?.[1]
      ?? (resource.config.multivalue_answer_routing_policy === true ? 'multivalue' : 'simple');
    found.push({ stack, resource, zoneKey: zone.key, zoneName: zone.name, name, type, policy, setIdentifier: literalString(resource.config.set_identifier) });
  }
  recordCache.set(org, found);
  return found;
}

function where(r: RecordInfo): string {
  return `${r.stack.id}: ${r.resource.address} (${r.policy}${r.setIdentifier ? `, ${r.setIdentifier}` : ''})`;
}

export const dnsRules: PreflightRule[] = [
  {
    id: 'PF-DNS-001',
    family: 'dns',
    title: 'One routing policy per record name and type in a zone, across every layer',
    docs: 'https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/routing-policy.html',
    severity: 'error',
    check(org) {
      const hits: Hit[] = [];
      const groups = new Map<string, RecordInfo[]>();
      for (const r of records(org)) {
        const key = `${r.zoneKey}\u0000${r.name}\u0000${r.type}`;
        groups.set(key, [...(groups.get(key) ?? []), r]);
      }
      for (const group of groups.values()) {
        if (group.length < 2) continue;
        const policies = new Set(group.map((r) => r.policy));
        const simple = group.filter((r) => r.policy === 'simple');
        if (policies.size === 1 && simple.length === 0) continue; // one routing policy, distinct set identifiers
        for (const r of group) {
          const others = group.filter((o) => o !== r);
          if (policies.size === 1 && r.stack.id === others[0].stack.id && simple.length < 2) continue;
          hits.push({
            stack: r.stack.id,
            address: r.resource.address,
            message: `${r.name} ${r.type} (${r.policy}) is also written by ${others.map(where).join(', ')}: Route 53 refuses ` +
              (policies.size > 1 ? 'a mix of routing policies for one name and type' : 'a second record set with the same name and type'),
            fix: 'give each name and type exactly one owner and one routing policy (e.g. fail over the origin name CloudFront uses, or use CloudFront origin groups)',
          });
        }
      }
      return hits;
    },
  },
  {
    id: 'PF-DNS-002',
    family: 'dns',
    title: 'Every VPC a private zone authorises is associated with it from the VPC\'s account, after the authorisation',
    docs: 'https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/hosted-zone-private-associate-vpcs-different-accounts.html',
    severity: 'error',
    check(org) {
      const hits: Hit[] = [];
      const associations = org.resources('aws_route53_zone_association');
      for (const { stack, resource } of org.resources('aws_route53_vpc_association_authorization')) {
        const zone = zoneOf(org, stack, resource.config.zone_id);
        const vpc = target(org, stack, resource.config.vpc_id);
        const vpcKey = vpc ? `${vpc.stack.id}/${vpc.resource.address}` : String(resource.config.vpc_id);
        const vpcAccount = vpc?.stack.account;
        const matching = associations.filter((a) => {
          const aZone = zoneOf(org, a.stack, a.resource.config.zone_id);
          const aVpc = target(org, a.stack, a.resource.config.vpc_id);
          return aZone?.key === zone?.key && (aVpc ? `${aVpc.stack.id}/${aVpc.resource.address}` : String(a.resource.config.vpc_id)) === vpcKey;
        });
        if (matching.length === 0) {
          hits.push({
            stack: stack.id,
            address: resource.address,
            message: `authorises ${vpc ? `the VPC of ${vpc.stack.id}` : String(resource.config.vpc_id)} to use private zone ${zone?.name ?? ''}, but no layer${vpcAccount ? ` of ${vpcAccount.name}` : ''} associates that VPC with the zone: it never resolves the zone`,
            fix: `add an aws_route53_zone_association (zone id read from this layer's outputs) in a layer of ${vpcAccount?.name ?? 'the VPC\'s account'} that runs after this one`,
          });
          continue;
        }
        for (const a of matching) {
          if (a.stack.id !== stack.id && !org.runsBefore(stack, a.stack)) {
            hits.push({
              stack: a.stack.id,
              address: a.resource.address,
              message: `associates a VPC with a zone of another account, but the authorisation (${stack.id}: ${resource.address}) is not made by an upstream layer`,
              fix: `read the zone id from ${stack.id}'s outputs so this layer runs after the authorisation`,
            });
          }
        }
      }
      return hits;
    },
  },
  {
    id: 'PF-DNS-003',
    family: 'dns',
    title: 'Failover records come in PRIMARY/SECONDARY pairs and the PRIMARY has a health check',
    docs: 'https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-configuring.html',
    severity: 'error',
    check(org) {
      const hits: Hit[] = [];
      const failover = records(org).filter((r) => r.policy === 'failover');
      for (const r of failover) {
        const type = literalString(block(r.resource.config.failover_routing_policy)?.type);
        if (!r.setIdentifier && !r.resource.config.set_identifier) {
          hits.push({ stack: r.stack.id, address: r.resource.address, message: 'failover record without set_identifier', fix: 'set a set_identifier per record of the pair' });
        }
        if (type === 'PRIMARY' && !r.resource.config.health_check_id && block(r.resource.config.alias)?.evaluate_target_health !== true) {
          hits.push({ stack: r.stack.id, address: r.resource.address, message: 'PRIMARY failover record without a health check: Route 53 never fails over', fix: 'set health_check_id (or evaluate_target_health on an alias)' });
        }
        const partner = type === 'PRIMARY' ? 'SECONDARY' : 'PRIMARY';
        const paired = failover.some((o) => o !== r && o.zoneKey === r.zoneKey && o.name === r.name && o.type === r.type &&
          literalString(block(o.resource.config.failover_routing_policy)?.type) === partner);
        if (!paired) {
          hits.push({ stack: r.stack.id, address: r.resource.address, message: `${type} failover record for ${r.name} ${r.type} has no ${partner} record`, fix: `add the ${partner} record with the same name and type` });
        }
      }
      return hits;
    },
  },
  {
    id: 'PF-DNS-004',
    family: 'dns',
    title: 'A DNS-validated certificate is validated in a hosted zone that holds its names',
    docs: 'https://docs.aws.amazon.com/acm/latest/userguide/dns-validation.html',
    severity: 'error',
    check(org) {
      const hits: Hit[] = [];
      for (const { stack, resource } of org.resources('aws_acm_certificate')) {
        if (resource.config.validation_method !== 'DNS') continue;
        const names = [...strings(resource.config.domain_name), ...strings(resource.config.subject_alternative_names)]
          .map((n) => resolveText(org, stack, n)?.toLowerCase().replace(/^\*\./, ''));
        if (names.some((n) => n === undefined)) continue;
        const validations = stack.view.ofType('aws_route53_record').filter((r) => strings(r.config.name).some((n) => n.includes(`${resource.address}.domain_validation_options`)));
        for (const v of validations) {
          const zone = zoneOf(org, stack, v.config.zone_id);
          if (!zone?.name) continue;
          const outside = names.filter((n) => n !== zone.name && !n!.endsWith(`.${zone.name}`));
          if (outside.length > 0) {
            hits.push({
              stack: stack.id,
              address: v.address,
              message: `validates ${resource.address} for ${outside.join(', ')} in zone ${zone.name}, which does not hold those names: the certificate stays PENDING_VALIDATION`,
              fix: 'write the validation record in the zone of the certificate\'s names (or change the names)',
            });
          }
        }
      }
      return hits;
    },
  },
];

