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

/** The claims of one declared, enabled layer, or undefined when it claims nothing (or its config is too broken to say). */
export function claimsOfLayer(ctx: LayerContext, accountName: string, layer: string): LayerDnsClaims | undefined {
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

/** Every layer of the organisation that claims DNS names, except the one of `ctx`. */
export function otherClaims(ctx: LayerContext): LayerDnsClaims[] {
  const result: LayerDnsClaims[] = [];
  for (const account of ctx.org.accounts.values()) {
    for (const layer of account.layers.keys()) {
      if (account.name === ctx.account.name && layer === ctx.layer) continue;
      const claims = claimsOfLayer(ctx, account.name, layer);
      if (claims) result.push(claims);
    }
  }
  return result;
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
  const others = otherClaims(ctx);
  for (const mine of own.records) {
    for (const other of others) {
      for (const theirs of other.records) {
        if (theirs.zone !== mine.zone || theirs.name !== mine.name) continue;
        const sameType = theirs.type === mine.type;
        if (!sameType && theirs.type !== 'CNAME' && mine.type !== 'CNAME') continue;
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
  }
  for (const mine of own.certificates) {
    for (const other of others) {
      if (other.account !== ctx.account.name) continue; // validation CNAMEs differ between accounts
      const theirs = other.certificates.find((c) => c.name === mine.name && c.zone === mine.zone);
      if (!theirs) continue;
      problems.push({
        field: mine.field,
        message: `a certificate for ${mine.name} is also issued by ${other.account}/${other.layer}: ACM validates a name with one CNAME per ` +
          'account, which only one layer may own (destroying either layer would stop the other\'s renewals); serve the name from one layer',
      });
    }
  }
  return problems;
}
