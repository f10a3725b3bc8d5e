import { CloudfrontDistribution, type CloudfrontDistributionOrderedCacheBehavior, type CloudfrontDistributionOrigin } from '@cdktf/provider-aws/lib/cloudfront-distribution';
import { CloudfrontOriginAccessControl } from '@cdktf/provider-aws/lib/cloudfront-origin-access-control';
import { CloudfrontResponseHeadersPolicy } from '@cdktf/provider-aws/lib/cloudfront-response-headers-policy';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import { Wafv2WebAcl, type Wafv2WebAclRule } from '@cdktf/provider-aws/lib/wafv2-web-acl';
import { Wafv2WebAclLoggingConfiguration } from '@cdktf/provider-aws/lib/wafv2-web-acl-logging-configuration';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Fn, Lazy, Token } from 'cdktf';
import type { Construct } from 'constructs';
import { defineContract } from '../lib/contract';
import { isProduction } from '../lib/environment';
import { declaredLayer } from '../lib/layer-presence';
import { LayerStack, type FieldProblem } from '../lib/layer-stack';
import type { LayerContext } from '../lib/model';
import { globalResourceName } from '../lib/naming';
import { FieldProblems, integerBetween, logRetentionDays, oneOf } from '../lib/validators';
import { dnsClaimProblems, endpointOf, type DnsClaims } from '../modules/dns-claims';
import { DnsValidatedCertificate } from '../modules/dns-validated-certificate';
import { KmsKey } from '../modules/kms-key';
import { LogBucket } from '../modules/log-bucket';
import { cloudFrontReadStatement, SecureBucket } from '../modules/secure-bucket';
import { UserPool, userPoolClientPropProblems, userPoolPropProblems } from '../modules/user-pool';
import { Dns, dnsContract } from './dns';
import { DEFAULT_ZONE_LAYER, declaredZoneName, dnsZoneContract, domainNameProblem, isInZone } from './dns-zone';

/** CloudFront certificates and CLOUDFRONT-scope web ACLs exist only in us-east-1. */
export const CLOUDFRONT_REGION = 'us-east-1';

/** AWS managed cache and origin-request policies (fixed ids, no look-up). */
export const MANAGED_POLICY = {
  cachingOptimized: '658327ea-f89d-4fab-a63d-7e88639e58f6',
  cachingDisabled: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
  allViewerExceptHostHeader: 'b689b0a8-53d0-40ab-baf2-68738e2966ac',
} as const;

export const DEFAULT_MANAGED_RULE_GROUPS = [
  'AWSManagedRulesCommonRuleSet',
  'AWSManagedRulesKnownBadInputsRuleSet',
  'AWSManagedRulesAmazonIpReputationList',
] as const;

const PRICE_CLASSES = ['PriceClass_100', 'PriceClass_200', 'PriceClass_All'];

export interface CdnApiOrigin {
  /**
   * Layer of this account whose DNS name is the API host (a serverless layer's customDomain, a fargate or multi-tier
   * layer's domain): the name is derived from its config, never pasted. Give exactly one of `layer` and `domainName`.
   * @default - none (then domainName is required)
   */
  readonly layer?: string;
  /** HTTPS host of an API outside this organisation's layers. @default - none (then layer is required) */
  readonly domainName?: string;
  /** Paths routed to the API, uncached, every method allowed. @default '/api/*' */
  readonly pathPattern?: string;
  /** Prefix added at the origin, e.g. `/prod` for an API Gateway stage. @default '' */
  readonly originPath?: string;
}

/**
 * A load-balanced application behind the distribution, reached by the DNS name another layer of this account owns:
 * typically the dr layer's failover name, which Route 53 answers with the primary region's ALB while its health
 * check passes and with the DR region's ALB otherwise. The viewer names (`domainNames`) keep pointing at CloudFront.
 */
export interface CdnAppOrigin {
  /** Layer of this account owning the origin name (dr failover, fargate or multi-tier domain). @default 'dr' */
  readonly layer?: string;
  /** Paths routed to the application, uncached, every method allowed. @default ['/app/*'] */
  readonly pathPatterns?: readonly string[];
}

export interface CdnWafConfig {
  /** Requests per 5 minutes per client IP before blocking. @default 2000 */
  readonly rateLimit?: number;
  /** AWS managed rule groups (vendor AWS) evaluated in order. @default DEFAULT_MANAGED_RULE_GROUPS */
  readonly managedRuleGroups?: readonly string[];
}

/**
 * Problems of a WAF config, by field relative to it: the rate-based rule's limit (this project's floor of 100, WAFv2's
 * ceiling of 2,000,000,000 per 5 minutes) and AWS managed rule group names, each once. Shared by every layer with a WAF.
 * https://docs.aws.amazon.com/waf/latest/APIReference/API_RateBasedStatement.html
 */
export function wafConfigProblems(waf: CdnWafConfig | undefined): FieldProblem[] {
  const problems = new FieldProblems();
  problems.check('rateLimit', integerBetween(waf?.rateLimit ?? 2000, 100, 2_000_000_000, 'requests per 5 minutes'));
  if (waf?.managedRuleGroups && waf.managedRuleGroups.length === 0) problems.add('managedRuleGroups', 'must list at least one AWS managed rule group');
  (waf?.managedRuleGroups ?? []).forEach((group, i) => {
    if (!/^AWSManagedRules[A-Za-z0-9]+$/.test(group)) problems.add(`managedRuleGroups[${i}]`, `"${group}" is not an AWS managed rule group (AWSManagedRules...)`);
    else if (waf!.managedRuleGroups!.indexOf(group) !== i) problems.add(`managedRuleGroups[${i}]`, `"${group}" is listed twice`);
  });
  return problems.list;
}

export interface CdnAuthConfig {
  /**
   * Hosted UI prefix: `<prefix>.auth.<region>.amazoncognito.com`. Prefixes are shared with every AWS customer of the
   * region, so the default carries the account id; a prefix given here must carry the project name and the account id
   * too (the preflight's PF-API-009). Lowercase letters, digits, dashes; never aws, amazon or cognito.
   * @default `<project>-<account>-users-<accountId>`
   */
  readonly domainPrefix?: string;
  /** Where the hosted UI returns the authorization code (https, or http://localhost for development). */
  readonly callbackUrls: readonly string[];
  /** @default callbackUrls */
  readonly logoutUrls?: readonly string[];
  /** Let users sign themselves up; otherwise only administrators create users. @default false */
  readonly selfSignUp?: boolean;
  /** @default 14 (and never less) */
  readonly minimumPasswordLength?: number;
  /** Deletion protection and `prevent_destroy` of the user pool (deleting it deletes the users). @default true in production */
  readonly protect?: boolean;
}

/** The hosted UI's domain prefix: configured, or derived so that no other AWS customer can hold it. */
function domainPrefixOf(auth: CdnAuthConfig, ctx: LayerContext): string {
  return auth.domainPrefix ?? globalResourceName(ctx.org.project.name, ctx.account.name, ctx.account.id, 'users');
}

export interface CdnConfig {
  /** Names served by the distribution (certificate subjects and alias records), all in the account's sub-zone. */
  readonly domainNames: readonly string[];
  /** Content-Security-Policy header sent with every response, e.g. `default-src 'self'`. */
  readonly contentSecurityPolicy: string;
  /** Layer of this account publishing the sub-zone (dns-zone outputs). @default 'dns-zone' */
  readonly zoneLayer?: string;
  /**
   * The dns layer (usually in the shared account) that delegates the sub-zone. It is read so that the cdn runs after
   * the delegation exists (ACM DNS validation waits for it). @default the organisation's only dns layer delegating
   * this account's zoneLayer; none when the sub-zone is delegated outside this organisation
   */
  readonly delegatedBy?: { readonly account: string; readonly layer?: string };
  /** @default 'PriceClass_100' */
  readonly priceClass?: string;
  /** @default 'index.html' */
  readonly defaultRootObject?: string;
  /** Second origin for the API on a path pattern. @default - static site only */
  readonly apiOrigin?: CdnApiOrigin;
  /** Origin for a load-balanced application (e.g. the dr layer's failover name) on path patterns. @default - none */
  readonly appOrigin?: CdnAppOrigin;
  /** @default rate limit 2000 and DEFAULT_MANAGED_RULE_GROUPS */
  readonly waf?: CdnWafConfig;
  /** Days CloudFront and S3 access logs and WAF logs are kept: one of the retentions CloudWatch Logs accepts. @default 365 */
  readonly logRetentionDays?: number;
  /** Cognito user pool for the front end. @default - no user pool (its outputs are empty strings) */
  readonly auth?: CdnAuthConfig;
}

export const cdnContract = defineContract('cdn', {
  origin_bucket_name: { description: 'Private S3 bucket holding the static site', mock: 'acme-mock-cdn-origin' },
  origin_bucket_arn: { description: 'ARN of the origin bucket', mock: 'arn:aws:s3:::acme-mock-cdn-origin' },
  origin_kms_key_arn: { description: 'KMS key encrypting the origin bucket (deployers need kms:GenerateDataKey)', mock: 'arn:aws:kms:us-east-1:111111111111:key/mock-cdn' },
  distribution_id: { description: 'CloudFront distribution id (for invalidations)', mock: 'E0MOCK00000001' },
  distribution_arn: { description: 'CloudFront distribution ARN', mock: 'arn:aws:cloudfront::111111111111:distribution/E0MOCK00000001' },
  distribution_domain_name: { description: 'dxxxx.cloudfront.net name of the distribution', mock: 'd0mock.cloudfront.net' },
  site_domain_names: { description: 'Names served by the distribution', mock: ['app.mock.acme.example.com'] },
  certificate_arn: { description: 'ACM certificate (us-east-1) of the distribution', mock: 'arn:aws:acm:us-east-1:111111111111:certificate/mock' },
  web_acl_arn: { description: 'CLOUDFRONT-scope WAFv2 web ACL (us-east-1)', mock: 'arn:aws:wafv2:us-east-1:111111111111:global/webacl/mock/0' },
  parent_zone_name: { description: 'Public zone delegating the sub-zone (empty when delegated outside the organisation)', mock: 'acme.example.com' },
  parent_zone_id: { description: 'Hosted zone id of that parent zone, read from the dns layer (empty when none)', mock: 'Z0MOCKPARENT00000001' },
  log_bucket_name: { description: 'Bucket receiving CloudFront standard logs and origin access logs', mock: 'acme-mock-cdn-logs' },
  user_pool_id: { description: 'Cognito user pool id, empty without auth', mock: 'us-east-1_Mock00000' },
  user_pool_arn: { description: 'Cognito user pool ARN, empty without auth', mock: 'arn:aws:cognito-idp:us-east-1:111111111111:userpool/us-east-1_Mock00000' },
  user_pool_client_id: { description: 'SPA app client id (no secret), empty without auth', mock: 'mockclientid0000000000000' },
  user_pool_domain: { description: 'Hosted UI domain, empty without auth', mock: 'acme-mock.auth.us-east-1.amazoncognito.com' },
});

/** The host of an origin given as a layer of this account (its endpoint name) or as a literal name. */
function originHost(ctx: LayerContext, origin: { readonly layer?: string; readonly domainName?: string }): string | { readonly problem: string } {
  if (origin.layer !== undefined) return endpointOf(ctx, origin.layer);
  return origin.domainName ?? { problem: 'is missing' };
}

const DEFAULT_APP_PATTERNS = ['/app/*'];

export interface Delegation {
  readonly account: string;
  readonly layer: string;
  /** Position of the delegating zone in that layer's publicZones (and in its public_zone_ids output). */
  readonly zoneIndex: number;
  readonly zoneName: string;
}

/** The dns layer delegating this account's sub-zone: the configured one, else the only one that names it. */
export function findDelegation(ctx: LayerContext, config: CdnConfig): Delegation | string | undefined {
  const zoneLayer = config.zoneLayer ?? DEFAULT_ZONE_LAYER;
  const candidates: Delegation[] = [];
  for (const account of ctx.org.accounts.values()) {
    for (const layer of account.layers.keys()) {
      const dns = declaredLayer(ctx.org, account.name, layer, Dns);
      if (typeof dns === 'string') continue;
      Dns.facts(dns.config, account.name).publicZones.forEach((z, zoneIndex) => {
        if (z.delegations.some((d) => d.account === ctx.account.name && d.layer === zoneLayer)) {
          candidates.push({ account: account.name, layer, zoneIndex, zoneName: z.name });
        }
      });
    }
  }
  if (config.delegatedBy) {
    const layer = config.delegatedBy.layer ?? 'dns';
    const match = candidates.find((c) => c.account === config.delegatedBy!.account && c.layer === layer);
    return match ?? `${config.delegatedBy.account}/${layer} is not an enabled dns layer delegating ${ctx.account.name}/${zoneLayer}`;
  }
  if (candidates.length > 1) return `${ctx.account.name}/${zoneLayer} is delegated by ${candidates.map((c) => `${c.account}/${c.layer}`).join(' and ')}; set delegatedBy`;
  return candidates[0];
}

/** What a cdn layer tells other layers (serverless) about its configuration. */
export interface CdnFacts {
  /** The layer has a Cognito user pool and SPA client (`auth`): its user-pool outputs are not empty. */
  readonly userPool: boolean;
}

/**
 * The front end of an application account: a private, KMS-encrypted S3 origin served by CloudFront through
 * origin access control, with an ACM certificate and a WAFv2 web ACL in us-east-1 (through the us-east-1 provider
 * alias), security response headers, standard logging, an optional API origin, alias records in the account's
 * sub-zone and a Cognito user pool with hosted UI for the single-page application.
 */
export class Cdn extends LayerStack {
  static readonly contract = cdnContract;
  static readonly stateful = true;

  static facts(config: CdnConfig): CdnFacts {
    return { userPool: config.auth !== undefined };
  }

  /** Every viewer name: A and AAAA aliases to the distribution, and the us-east-1 certificate validated for them. */
  static dnsClaims(config: CdnConfig, ctx: LayerContext): DnsClaims {
    const zone = declaredZoneName(ctx, config.zoneLayer ?? DEFAULT_ZONE_LAYER);
    if (!zone) return { records: [], certificates: [] };
    const names = (config.domainNames ?? []).map((name, i) => ({ name, field: `domainNames[${i}]` })).filter((n) => isInZone(n.name, zone));
    return {
      records: names.flatMap(({ name, field }) => ['A', 'AAAA'].map((type) => ({
        zone, name, type, routing: 'simple' as const, target: 'alias to the CloudFront distribution', field,
      }))),
      certificates: names.map(({ name, field }) => ({ zone, name, field })),
    };
  }

  static validate(config: CdnConfig, ctx: LayerContext): FieldProblem[] {
    const problems = new FieldProblems();
    const zoneLayer = config.zoneLayer ?? DEFAULT_ZONE_LAYER;
    const zone = declaredZoneName(ctx, zoneLayer);
    if (!zone) problems.add('zoneLayer', `account ${ctx.account.name} has no enabled dns-zone layer "${zoneLayer}"`);
    const delegation = findDelegation(ctx, config);
    if (typeof delegation === 'string') problems.add('delegatedBy', delegation);
    if (!config.domainNames || config.domainNames.length === 0) problems.add('domainNames', 'lists no name');
    (config.domainNames ?? []).forEach((name, i) => {
      const bad = domainNameProblem(name);
      if (bad) problems.add(`domainNames[${i}]`, bad);
      else if (zone && !isInZone(name, zone)) problems.add(`domainNames[${i}]`, `${name} is not in the account's sub-zone ${zone}`);
    });
    if (new Set(config.domainNames ?? []).size !== (config.domainNames ?? []).length) problems.add('domainNames', 'lists a name twice');
    if (typeof config.contentSecurityPolicy !== 'string' || config.contentSecurityPolicy.trim() === '' || /[\r\n]/.test(config.contentSecurityPolicy)) {
      problems.add('contentSecurityPolicy', 'must be a non-empty single-line policy, e.g. "default-src \'self\'"');
    }
    if (config.priceClass !== undefined) problems.check('priceClass', oneOf(config.priceClass, PRICE_CLASSES));
    const patterns: string[] = [];
    const pathProblem = (field: string, pattern: string) => {
      if (!pattern.startsWith('/') || pattern === '/*') {
        problems.add(field, `"${pattern}" must start with / and not be /* (the default behaviour serves the site)`);
      } else if (patterns.includes(pattern)) {
        problems.add(field, `"${pattern}" is routed to another origin already`);
      }
      patterns.push(pattern);
    };
    const hostProblem = (field: string, host: string | { readonly problem: string }) => {
      const bad = typeof host === 'string' ? domainNameProblem(host) : host.problem;
      if (bad) problems.add(field, bad);
      else if ((config.domainNames ?? []).includes(host as string)) problems.add(field, `${String(host)} is a name of this distribution itself`);
    };
    if (config.apiOrigin) {
      const o = config.apiOrigin;
      if ((o.layer === undefined) === (o.domainName === undefined)) {
        problems.add('apiOrigin', 'give exactly one of layer (a layer of this account publishing the API name) and domainName');
      } else {
        hostProblem(o.layer !== undefined ? 'apiOrigin.layer' : 'apiOrigin.domainName', originHost(ctx, o));
      }
      pathProblem('apiOrigin.pathPattern', o.pathPattern ?? '/api/*');
    }
    if (config.appOrigin) {
      const o = config.appOrigin;
      hostProblem('appOrigin.layer', originHost(ctx, { layer: o.layer ?? 'dr' }));
      const list = o.pathPatterns ?? DEFAULT_APP_PATTERNS;
      if (list.length === 0) problems.add('appOrigin.pathPatterns', 'lists no path pattern');
      list.forEach((p, i) => pathProblem(`appOrigin.pathPatterns[${i}]`, p));
    }
    for (const p of dnsClaimProblems(ctx, Cdn.dnsClaims(config, ctx))) problems.add(p.field, p.message);
    problems.nest('waf', wafConfigProblems(config.waf));
    // The WAF log group takes only the retentions CloudWatch Logs accepts (the log bucket any number of days).
    problems.check('logRetentionDays', logRetentionDays(config.logRetentionDays ?? 365));
    if (config.auth) {
      const a = config.auth;
      // The user pool module's rules (password floor, hosted UI prefix, callback URLs), under auth.
      problems.nest('auth', userPoolPropProblems({ minimumPasswordLength: a.minimumPasswordLength, domainPrefix: domainPrefixOf(a, ctx) }));
      problems.nest('auth', userPoolClientPropProblems({ callbackUrls: a.callbackUrls ?? [], logoutUrls: a.logoutUrls }));
    }
    return problems.list;
  }

  constructor(scope: Construct, ctx: LayerContext, config: CdnConfig) {
    super(scope, ctx);
    const edge = this.providerFor(CLOUDFRONT_REGION);
    const zoneId = this.remote(dnsZoneContract, { layer: config.zoneLayer ?? DEFAULT_ZONE_LAYER }).get('zone_id');
    // Read the delegating dns layer: the edge orders this layer after the NS delegation ACM validation needs.
    const delegation = findDelegation(ctx, config) as Delegation | undefined;
    const parentZoneId = delegation
      ? Fn.element(this.remote(dnsContract, { account: delegation.account, layer: delegation.layer }).get('public_zone_ids'), delegation.zoneIndex)
      : '';
    const domainNames = [...config.domainNames];

    // Logs: SSE-S3 (S3 server access logging cannot write into SSE-KMS buckets) and ACLs enabled for CloudFront.
    const logs = new LogBucket(this, 'log-bucket', {
      bucketName: this.globalName('s3-bucket', 'cdn-logs'),
      sourceAccountId: ctx.account.id,
      expirationDays: config.logRetentionDays ?? 365,
      cloudFrontLogs: true,
    });
    // The key and bucket policies of the origin name the distribution ARN, resolved at synth: the distribution
    // depends on neither, so there is no cycle.
    const later: { distribution?: CloudfrontDistribution } = {};
    const origin = this.origin(logs, Lazy.stringValue({ produce: () => later.distribution!.arn }));
    // Certificate in us-east-1, validated by DNS in the account's sub-zone.
    const certificate = new DnsValidatedCertificate(this, 'certificate', { provider: edge, domainNames, zoneId, keyAlgorithm: 'EC_prime256v1' });
    const waf = this.webAcl(config, edge);
    const distribution = this.distribution(config, { origin, logs, certificateArn: certificate.arn, webAclArn: waf.arn });
    later.distribution = distribution;
    for (const [i, name] of domainNames.entries()) {
      for (const type of ['A', 'AAAA']) {
        new Route53Record(this, `alias-${i}-${type.toLowerCase()}`, {
          zoneId,
          name,
          type,
          alias: { name: distribution.domainName, zoneId: distribution.hostedZoneId, evaluateTargetHealth: false },
        });
      }
    }
    // The hosted UI lives in the account's own region (the default provider), unlike the certificate and web ACL.
    const auth = config.auth ? this.userPool(config.auth) : undefined;

    this.publish(cdnContract, {
      origin_bucket_name: origin.bucket.bucketName,
      origin_bucket_arn: origin.bucket.arn,
      origin_kms_key_arn: origin.key.arn,
      distribution_id: distribution.id,
      distribution_arn: distribution.arn,
      distribution_domain_name: distribution.domainName,
      site_domain_names: domainNames,
      certificate_arn: certificate.arn,
      web_acl_arn: waf.arn,
      parent_zone_name: delegation?.zoneName ?? '',
      parent_zone_id: Token.asString(parentZoneId),
      log_bucket_name: logs.bucketName,
      user_pool_id: auth?.pool.id ?? '',
      user_pool_arn: auth?.pool.arn ?? '',
      user_pool_client_id: auth?.clientId ?? '',
      user_pool_domain: auth?.pool.hostedUiDomain ?? '',
    });
  }

  /** The private origin bucket, readable by this distribution only through origin access control (OAC). */
  private origin(logs: LogBucket, distributionArn: string): { bucket: SecureBucket; key: KmsKey; oac: CloudfrontOriginAccessControl } {
    const name = this.resourceName('cdn-origin');
    const bucketName = this.globalName('s3-bucket', 'cdn-origin');
    const key = new KmsKey(this, 'origin-key', {
      alias: name,
      description: `Encrypts the CloudFront origin bucket of ${this.ctx.account.name}`,
      accountId: this.ctx.account.id,
    });
    key.grantToService('cloudfront', { distributionArn });
    const bucket = new SecureBucket(this, 'origin-bucket', {
      bucketName,
      kmsKeyArn: key.arn,
      accessLogs: { bucket: logs.bucketName, prefix: 's3/origin/' },
      policyStatements: [cloudFrontReadStatement(`arn:aws:s3:::${bucketName}`, distributionArn)],
    });
    const oac = new CloudfrontOriginAccessControl(this, 'oac', {
      name,
      description: `S3 origin access of ${name}`,
      originAccessControlOriginType: 's3',
      signingBehavior: 'always',
      signingProtocol: 'sigv4',
    });
    return { bucket, key, oac };
  }

  /** The CLOUDFRONT-scope web ACL in us-east-1, logging to an `aws-waf-logs-*` group encrypted with a key there. */
  private webAcl(config: CdnConfig, edge: AwsProvider): Wafv2WebAcl {
    const name = this.resourceName('cdn');
    const waf = new Wafv2WebAcl(this, 'web-acl', {
      provider: edge,
      name,
      description: `Protects the CloudFront distribution of ${this.ctx.account.name}`,
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      rule: webAclRules(name, config.waf),
      visibilityConfig: { cloudwatchMetricsEnabled: true, metricName: name, sampledRequestsEnabled: true },
    });
    const key = new KmsKey(this, 'waf-log-key', {
      provider: edge,
      alias: this.resourceName('cdn-waf-logs'),
      description: `Encrypts the CloudFront WAF logs of ${this.ctx.account.name}`,
      accountId: this.ctx.account.id,
    });
    key.grantToService('logs', { region: CLOUDFRONT_REGION, accountId: this.ctx.account.id });
    const logs = new CloudwatchLogGroup(this, 'waf-logs', {
      provider: edge,
      name: `aws-waf-logs-${name}`,
      retentionInDays: config.logRetentionDays ?? 365,
      kmsKeyId: key.arn,
    });
    new Wafv2WebAclLoggingConfiguration(this, 'waf-logging', {
      provider: edge,
      resourceArn: waf.arn,
      logDestinationConfigs: [logs.arn],
      redactedFields: [{ singleHeader: { name: 'authorization' } }, { singleHeader: { name: 'cookie' } }],
    });
    return waf;
  }

  /**
   * The distribution: the static site from the S3 origin (cached), the API and the application on their paths
   * (uncached, every method), security headers on every response, TLS 1.2 (2021) with SNI, standard logs.
   */
  private distribution(
    config: CdnConfig,
    parts: { origin: { bucket: SecureBucket; oac: CloudfrontOriginAccessControl }; logs: LogBucket; certificateArn: string; webAclArn: string },
  ): CloudfrontDistribution {
    const headers = new CloudfrontResponseHeadersPolicy(this, 'security-headers', {
      name: this.resourceName('cdn-security-headers'),
      comment: `Security headers of ${this.ctx.account.name}`,
      securityHeadersConfig: {
        strictTransportSecurity: { accessControlMaxAgeSec: 63072000, includeSubdomains: true, preload: true, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: 'DENY', override: true },
        referrerPolicy: { referrerPolicy: 'strict-origin-when-cross-origin', override: true },
        contentSecurityPolicy: { contentSecurityPolicy: config.contentSecurityPolicy, override: true },
        xssProtection: { protection: true, modeBlock: true, override: true },
      },
    });
    const s3OriginId = 's3-origin';
    const origins: CloudfrontDistributionOrigin[] = [{
      originId: s3OriginId,
      domainName: parts.origin.bucket.bucket.bucketRegionalDomainName,
      originAccessControlId: parts.origin.oac.id,
    }];
    const orderedCacheBehavior: CloudfrontDistributionOrderedCacheBehavior[] = [];
    // Dynamic origins over HTTPS only, uncached, every method; CloudFront sends the origin name as Host and SNI,
    // so the origin's certificate must carry that name (the layers owning these names issue it).
    const dynamicOrigin = (originId: string, domainName: string, pathPatterns: readonly string[], originPath?: string) => {
      origins.push({
        originId,
        domainName,
        originPath,
        customOriginConfig: { httpPort: 80, httpsPort: 443, originProtocolPolicy: 'https-only', originSslProtocols: ['TLSv1.2'] },
      });
      for (const pathPattern of pathPatterns) {
        orderedCacheBehavior.push({
          pathPattern,
          targetOriginId: originId,
          viewerProtocolPolicy: 'redirect-to-https',
          allowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'POST', 'PATCH', 'DELETE'],
          cachedMethods: ['GET', 'HEAD'],
          cachePolicyId: MANAGED_POLICY.cachingDisabled,
          originRequestPolicyId: MANAGED_POLICY.allViewerExceptHostHeader,
          responseHeadersPolicyId: headers.id,
          compress: true,
        });
      }
    };
    // validate() checked both hosts.
    if (config.apiOrigin) {
      dynamicOrigin('api-origin', originHost(this.ctx, config.apiOrigin) as string, [config.apiOrigin.pathPattern ?? '/api/*'], config.apiOrigin.originPath);
    }
    if (config.appOrigin) {
      dynamicOrigin('app-origin', originHost(this.ctx, { layer: config.appOrigin.layer ?? 'dr' }) as string, config.appOrigin.pathPatterns ?? DEFAULT_APP_PATTERNS);
    }
    return new CloudfrontDistribution(this, 'distribution', {
      enabled: true,
      comment: `Front end of ${this.ctx.account.name}`,
      aliases: [...config.domainNames],
      isIpv6Enabled: true,
      httpVersion: 'http2and3',
      priceClass: config.priceClass ?? 'PriceClass_100',
      defaultRootObject: config.defaultRootObject ?? 'index.html',
      webAclId: parts.webAclArn,
      origin: origins,
      defaultCacheBehavior: {
        targetOriginId: s3OriginId,
        viewerProtocolPolicy: 'redirect-to-https',
        allowedMethods: ['GET', 'HEAD', 'OPTIONS'],
        cachedMethods: ['GET', 'HEAD'],
        cachePolicyId: MANAGED_POLICY.cachingOptimized,
        responseHeadersPolicyId: headers.id,
        compress: true,
      },
      orderedCacheBehavior,
      viewerCertificate: { acmCertificateArn: parts.certificateArn, sslSupportMethod: 'sni-only', minimumProtocolVersion: 'TLSv1.2_2021' },
      loggingConfig: { bucket: parts.logs.domainName, prefix: 'cloudfront/', includeCookies: false },
      restrictions: { geoRestriction: { restrictionType: 'none' } },
    });
  }

  /** The front end's Cognito user pool (UserPool module), its SPA client (code flow) and hosted UI. */
  private userPool(auth: CdnAuthConfig): { pool: UserPool; clientId: string } {
    const pool = new UserPool(this, 'user-pool', {
      name: this.resourceName('users'),
      region: this.ctx.region,
      minimumPasswordLength: auth.minimumPasswordLength,
      selfSignUp: auth.selfSignUp,
      domainPrefix: domainPrefixOf(auth, this.ctx),
      protect: auth.protect ?? isProduction(this.ctx.account),
    });
    const client = pool.addClient('user-pool-client', { name: this.resourceName('spa'), callbackUrls: auth.callbackUrls, logoutUrls: auth.logoutUrls });
    return { pool, clientId: client.id };
  }
}

/** AWS managed rule groups (count nothing, block what they block) then a per-IP rate limit. */
export function webAclRules(metricPrefix: string, waf: CdnWafConfig = {}): Wafv2WebAclRule[] {
  const groups = waf.managedRuleGroups ?? DEFAULT_MANAGED_RULE_GROUPS;
  const visibility = (name: string) => ({ cloudwatchMetricsEnabled: true, metricName: `${metricPrefix}-${name}`, sampledRequestsEnabled: true });
  return [
    ...groups.map((name, priority) => ({
      name,
      priority,
      overrideAction: { none: {} },
      // `statement` is untyped in the generated bindings: Terraform (snake_case) keys.
      statement: { managed_rule_group_statement: { name, vendor_name: 'AWS' } },
      visibilityConfig: visibility(name),
    })),
    {
      name: 'rate-limit',
      priority: groups.length,
      action: { block: {} },
      statement: { rate_based_statement: { limit: waf.rateLimit ?? 2000, aggregate_key_type: 'IP' } },
      visibilityConfig: visibility('rate-limit'),
    },
  ];
}
