/**
 * The DNS names each layer creates, known from config alone (typed facts, no AWS), so that a layer can refuse a
 * record another layer already holds before anything is planned: Route 53 accepts one routing policy per name and
 * type (a simple record cannot sit beside failover records), a CNAME cannot share its name with any other record,
 * and two Terraform states owning one record overwrite and finally delete each other's record.
 *
 * A layer kind declares its names with a static `dnsClaims(config, ctx)`; its `validate` calls
 * `dnsClaimProblems(ctx, claims)`. The organisation-wide check over the synthesized stacks lives in the preflight.
 */
import type { FieldProblem, LayerKind } from '../lib/layer-stack';
import type { LayerContext } from '../lib/model';
import { layerContext } from '../lib/organisation';

export type RoutingPolicy = 'simple' | 'failover';

export interface DnsRecordClaim {
  /** Public zone holding the record, e.g. `prd.acme.example.com`. */
  readonly zone: string;
  /** Fully qualified name, lowercase, no trailing dot. */
  readonly name: string;
  /** `A`, `AAAA`, `CNAME`, ... */
  readonly type: string;
  readonly routing: RoutingPolicy;
  /** What the record points at, for messages, e.g. `alias to the CloudFront distribution`. */
  readonly target: string;
  /** The config field the name comes from, for messages. */
  readonly field: string;
  /** The name other layers reach this layer by (an origin or a service endpoint). @default false */
  readonly endpoint?: boolean;
}

/** A name an ACM certificate of this layer is validated for: its validation CNAME (one per name and account) is this layer's. */
export interface CertificateClaim {
  readonly zone: string;
  readonly name: string;
  readonly field: string;
}

export interface DnsClaims {
  readonly records: readonly DnsRecordClaim[];
  readonly certificates: readonly CertificateClaim[];
}

export const NO_DNS_CLAIMS: DnsClaims = { records: [], certificates: [] };

/** The static side of a layer kind that creates DNS names. */
export interface DnsClaimingKind<C> {
  dnsClaims(config: C, ctx: LayerContext): DnsClaims;
}

/** A layer of the organisation and the names it claims. */
export interface LayerDnsClaims extends DnsClaims {
  readonly account: string;
  readonly layer: string;
}

function claimingKind(kind: LayerKind<unknown>): DnsClaimingKind<unknown> | undefined {
  const candidate = kind as unknown as Partial<DnsClaimingKind<unknown>>;
  return typeof candidate.dnsClaims === 'function' ? (candidate as DnsClaimingKind<unknown>) : undefined;
}

/**
 * Claims of every layer, computed once per organisation: each claiming layer checks its names against all the others,
 * which recomputed from config every time grew with the square of the organisation (0.19 s of the validation of a
 * 50-account organisation, docs/benchmarks.md). An organisation is complete before any layer is validated.
 */
interface ClaimIndex {
  readonly ofLayer: Map<string, LayerDnsClaims | undefined>;
  /** Every layer's records by `zone name`, for the conflict check. */
  records?: Map<string, { readonly holder: LayerDnsClaims; readonly record: DnsRecordClaim }[]>;
  /** Every layer's certificates by `account zone name`. */
  certificates?: Map<string, LayerDnsClaims[]>;
}
const indexes = new WeakMap<LayerContext['org'], ClaimIndex>();

function indexOf(org: LayerContext['org']): ClaimIndex {
  let index = indexes.get(org);
  if (!index) indexes.set(org, (index = { ofLayer: new Map() }));
  return index;
}

const recordKey = (zone: string, name: string) => `${zone} ${name}`;
const certificateKey = (account: string, zone: string, name: string) => `${account} ${zone} ${name}`;

/** The claims of one declared, enabled layer, or undefined when it claims nothing (or its config is too broken to say). */
export function claimsOfLayer(ctx: LayerContext, accountName: string, layer: string): LayerDnsClaims | undefined {
  const cache = indexOf(ctx.org).ofLayer;
  const key = `${accountName}/${layer}`;
  if (!cache.has(key)) cache.set(key, computeClaims(ctx, accountName, layer));
  return cache.get(key);
}

function computeClaims(ctx: LayerContext, accountName: string, layer: string): LayerDnsClaims | undefined {
  const account = ctx.org.accounts.get(accountName);
  const declaration = account?.layers.get(layer);
  if (!account || !declaration?.enabled) return undefined;
  const kind = claimingKind(declaration.kind as LayerKind<unknown>);
  if (!kind) return undefined;
  try {
    const claims = kind.dnsClaims(declaration.config, layerContext(ctx.org, account, layer, declaration));
    return { account: accountName, layer, ...claims };
  } catch {
    return undefined; // that layer's own validate reports its broken config
  }
}

/** Every layer of the organisation that claims DNS names. */
function allClaims(ctx: LayerContext): LayerDnsClaims[] {
  const result: LayerDnsClaims[] = [];
  for (const account of ctx.org.accounts.values()) {
    for (const layer of account.layers.keys()) {
      const claims = claimsOfLayer(ctx, account.name, layer);
      if (claims) result.push(claims);
    }
  }
  return result;
}

/** The organisation's records and certificates by name, built on the first check. */
function lookups(ctx: LayerContext): Required<ClaimIndex> {
  const index = indexOf(ctx.org);
  if (!index.records || !index.certificates) {
    const records = new Map<string, { holder: LayerDnsClaims; record: DnsRecordClaim }[]>();
    const certificates = new Map<string, LayerDnsClaims[]>();
    for (const holder of allClaims(ctx)) {
      for (const record of holder.records) {
        const key = recordKey(record.zone, record.name);
        records.set(key, [...(records.get(key) ?? []), { holder, record }]);
      }
      for (const certificate of holder.certificates) {
        const key = certificateKey(holder.account, certificate.zone, certificate.name);
        const holders = certificates.get(key) ?? [];
        if (!holders.includes(holder)) certificates.set(key, [...holders, holder]);
      }
    }
    index.records = records;
    index.certificates = certificates;
  }
  return index as Required<ClaimIndex>;
}

/** The endpoint name (see DnsRecordClaim.endpoint) of a layer of this account, or a message why there is none. */
export function endpointOf(ctx: LayerContext, layer: string): string | { readonly problem: string } {
  const declaration = ctx.account.layers.get(layer);
  if (!declaration?.enabled) return { problem: `account ${ctx.account.name} has no enabled layer "${layer}"` };
  const claims = claimsOfLayer(ctx, ctx.account.name, layer);
  const endpoints = [...new Set((claims?.records ?? []).filter((r) => r.endpoint).map((r) => r.name))];
  if (endpoints.length !== 1) {
    return { problem: `layer ${ctx.account.name}/${layer} publishes ${endpoints.length === 0 ? 'no DNS name' : `several names (${endpoints.join(', ')})`} to serve as an origin` };
  }
  return endpoints[0]!;
}

const describe = (r: DnsRecordClaim): string => `${r.routing === 'simple' ? 'a simple' : `a ${r.routing}`} ${r.type} record (${r.target})`;

/** Conflicts between this layer's claims and those of every other layer of the organisation. */
export function dnsClaimProblems(ctx: LayerContext, own: DnsClaims): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const { records, certificates } = lookups(ctx);
  const isOther = (holder: LayerDnsClaims) => holder.account !== ctx.account.name || holder.layer !== ctx.layer;
  for (const mine of own.records) {
    for (const { holder: other, record: theirs } of records.get(recordKey(mine.zone, mine.name)) ?? []) {
      const sameType = theirs.type === mine.type;
      if (!isOther(other) || (!sameType && theirs.type !== 'CNAME' && mine.type !== 'CNAME')) continue;
      const holder = `${other.account}/${other.layer}`;
      const why = !sameType
        ? 'a CNAME cannot share its name with another record'
        : theirs.routing !== mine.routing
          ? `Route 53 refuses two routing policies (${mine.routing}, ${theirs.routing}) for one name and type`
          : 'two layers would own (and overwrite, then delete) the same record';
      problems.push({
        field: mine.field,
        message: `${mine.name} would be ${describe(mine)}, but ${holder} already holds ${describe(theirs)} for that name: ${why}` +
          (mine.routing === 'failover' ? '; fail over a name of its own (e.g. the origin name CloudFront uses)' : '; choose another name'),
      });
    }
  }
  for (const mine of own.certificates) {
    // Only layers of this account: validation CNAMEs differ between accounts.
    for (const other of certificates.get(certificateKey(ctx.account.name, mine.zone, mine.name)) ?? []) {
      if (!isOther(other)) continue;
      problems.push({
        field: mine.field,
        message: `a certificate for ${mine.name} is also issued by ${other.account}/${other.layer}: ACM validates a name with one CNAME per ` +
          'account, which only one layer may own (destroying either layer would stop the other\'s renewals); serve the name from one layer',
      });
    }
  }
  return problems;
}
