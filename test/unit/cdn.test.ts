import { AcmCertificate } from '@cdktf/provider-aws/lib/acm-certificate';
import { CloudfrontOriginAccessControl } from '@cdktf/provider-aws/lib/cloudfront-origin-access-control';
import { CognitoUserPool } from '@cdktf/provider-aws/lib/cognito-user-pool';
import { CognitoUserPoolClient } from '@cdktf/provider-aws/lib/cognito-user-pool-client';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import { Wafv2WebAcl } from '@cdktf/provider-aws/lib/wafv2-web-acl';
import { defineLayer } from '../../lib/config';
import { Cdn, MANAGED_POLICY, type CdnConfig } from '../../layers/cdn';
import { Dns } from '../../layers/dns';
import { BaseNetwork } from '../../layers/base-network';
import { DnsZone } from '../../layers/dns-zone';
import { MultiTier } from '../../layers/multi-tier';
import { account, build, parsed, resources, source, synthStack } from '../helpers';

const DIST_ARN = '${aws_cloudfront_distribution.distribution.arn}';
const CSP = "default-src 'self'; frame-ancestors 'none'";

function cdnConfig(env: string, overrides: Partial<CdnConfig> = {}): CdnConfig {
  return {
    domainNames: [`app.${env}.acme.example.com`],
    contentSecurityPolicy: CSP,
    apiOrigin: { domainName: `api.${env}.acme.example.com` },
    auth: { callbackUrls: [`https://app.${env}.acme.example.com/callback`] },
    ...overrides,
  };
}

function org(overrides: { prd?: Partial<CdnConfig>; eu?: Partial<CdnConfig> } = {}) {
  const layers = (env: string, o?: Partial<CdnConfig>) => ({
    'dns-zone': defineLayer(DnsZone, { zoneName: `${env}.acme.example.com` }),
    cdn: defineLayer(Cdn, cdnConfig(env, o)),
  });
  return source({
    'apps-devstg': { config: account({ id: '555555555555', environment: 'devstg' }), layers: layers('devstg') },
    'apps-prd': { config: account({ id: '666666666666', environment: 'prd' }), layers: layers('prd', overrides.prd) },
    // An account homed outside us-east-1: the certificate and the web ACL must still be created in us-east-1.
    'apps-eu': { config: account({ id: '888888888888', environment: 'prd', region: 'eu-west-1' }), layers: layers('eu', overrides.eu) },
  }, { availabilityZones: { 'us-east-1': ['us-east-1a', 'us-east-1b', 'us-east-1c'], 'eu-west-1': ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'] } });
}

const prd = () => synthStack(org(), 'test-apps-prd-cdn');
const policyOf = (tf: string, type: string, match: (r: Record<string, unknown>) => boolean) =>
  JSON.parse(resources(tf, type).find(match)!.policy as string) as { Statement: Record<string, unknown>[] };

describe('cdn: us-east-1 for certificate and web ACL', () => {
  it('uses the us-east-1 provider alias from an account homed in eu-west-1', () => {
    const tf = synthStack(org(), 'test-apps-eu-cdn');
    const providers = parsed(tf).provider.aws;
    expect(providers).toContainEqual(expect.objectContaining({ alias: 'us_east_1', region: 'us-east-1' }));
    expect(providers).toContainEqual(expect.objectContaining({ region: 'eu-west-1' }));
    expect(tf).toHaveResourceWithProperties(AcmCertificate, { provider: 'aws.us_east_1', domain_name: 'app.eu.acme.example.com', validation_method: 'DNS' });
    expect(resources(tf, 'aws_acm_certificate_validation')[0].provider).toBe('aws.us_east_1');
    expect(tf).toHaveResourceWithProperties(Wafv2WebAcl, { provider: 'aws.us_east_1', scope: 'CLOUDFRONT' });
    // WAF logs go to an aws-waf-logs-* group in us-east-1, encrypted with a key there.
    expect(resources(tf, 'aws_wafv2_web_acl_logging_configuration')[0]).toMatchObject({
      provider: 'aws.us_east_1', resource_arn: '${aws_wafv2_web_acl.web-acl.arn}', log_destination_configs: ['${aws_cloudwatch_log_group.waf-logs.arn}'],
    });
    expect(resources(tf, 'aws_cloudwatch_log_group')[0]).toMatchObject({ provider: 'aws.us_east_1', name: 'aws-waf-logs-test-apps-eu-cdn' });
    const keys = resources(tf, 'aws_kms_key');
    expect(keys.find((k) => String(k.policy).includes('logs.us-east-1.amazonaws.com'))!.provider).toBe('aws.us_east_1');
    expect(keys.find((k) => String(k.policy).includes('cloudfront.amazonaws.com'))!.provider).toBeUndefined();
    // The user pool stays in the account's own region.
    expect(resources(tf, 'aws_cognito_user_pool')[0].provider).toBeUndefined();
    expect(parsed(tf).output!.user_pool_domain.value).toBe('test-apps-eu-users-888888888888.auth.eu-west-1.amazoncognito.com');
  });

  it('needs no alias when the account already lives in us-east-1', () => {
    const tf = prd();
    expect(parsed(tf).provider.aws).toHaveLength(1);
    expect(resources(tf, 'aws_acm_certificate')[0].provider).toBe('aws');
    expect(resources(tf, 'aws_wafv2_web_acl')[0].provider).toBe('aws');
  });
});

describe('cdn: origin access control', () => {
  it('lets only this distribution read the origin bucket, over TLS', () => {
    const tf = prd();
    const policy = policyOf(tf, 'aws_s3_bucket_policy', (r) => String(r.bucket).includes('origin-bucket'));
    expect(policy.Statement).toContainEqual({
      Sid: 'CloudFrontOriginAccessControlRead',
      Effect: 'Allow',
      Principal: { Service: 'cloudfront.amazonaws.com' },
      Action: 's3:GetObject',
      Resource: 'arn:aws:s3:::test-apps-prd-cdn-origin-666666666666/*',
      Condition: { StringEquals: { 'AWS:SourceArn': DIST_ARN } },
    });
    expect(policy.Statement).toContainEqual(expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
    expect(JSON.stringify(policy)).not.toContain('"Principal":"*","Action":"s3:GetObject"');
  });

  it('names the origin and log buckets and the hosted UI prefix with the account id (namespaces shared with every AWS customer)', () => {
    const tf = prd();
    expect(resources(tf, 'aws_s3_bucket').map((b) => b.bucket).sort()).toEqual(['test-apps-prd-cdn-logs-666666666666', 'test-apps-prd-cdn-origin-666666666666']);
    expect(resources(tf, 'aws_cognito_user_pool_domain')[0].domain).toBe('test-apps-prd-users-666666666666');
    // a prefix given in config is used as it is (the preflight's PF-API-009 then asks for the project and account id in it)
    const own = synthStack(org({ prd: { auth: { domainPrefix: 'test-prd-login-666666666666', callbackUrls: ['https://app.prd.acme.example.com/callback'] } } }), 'test-apps-prd-cdn');
    expect(resources(own, 'aws_cognito_user_pool_domain')[0].domain).toBe('test-prd-login-666666666666');
  });

  it('admits CloudFront to the origin key only for this distribution', () => {
    const policy = policyOf(prd(), 'aws_kms_key', (r) => String(r.policy).includes('cloudfront.amazonaws.com'));
    expect(policy.Statement).toContainEqual(expect.objectContaining({
      Principal: { Service: 'cloudfront.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*'],
      Condition: { StringEquals: { 'AWS:SourceArn': DIST_ARN } },
    }));
  });

  it('signs origin requests with OAC and keeps the origin bucket private and KMS-encrypted', () => {
    const tf = prd();
    expect(tf).toHaveResourceWithProperties(CloudfrontOriginAccessControl, { origin_access_control_origin_type: 's3', signing_behavior: 'always', signing_protocol: 'sigv4' });
    const [dist] = resources(tf, 'aws_cloudfront_distribution');
    expect(dist.origin).toContainEqual(expect.objectContaining({
      origin_id: 's3-origin',
      origin_access_control_id: '${aws_cloudfront_origin_access_control.oac.id}',
    }));
    const sse = resources(tf, 'aws_s3_bucket_server_side_encryption_configuration');
    expect(JSON.stringify(sse.find((r) => String(r.bucket).includes('origin-bucket')))).toContain('"sse_algorithm":"aws:kms"');
    expect(dist).toMatchObject({ default_cache_behavior: { target_origin_id: 's3-origin' } });
  });
});

describe('cdn: distribution', () => {
  it('redirects to HTTPS, requires TLSv1.2_2021 with SNI, and attaches the web ACL', () => {
    expect(resources(prd(), 'aws_cloudfront_distribution')[0]).toMatchObject({
      aliases: ['app.prd.acme.example.com'],
      web_acl_id: '${aws_wafv2_web_acl.web-acl.arn}',
      default_cache_behavior: { viewer_protocol_policy: 'redirect-to-https', response_headers_policy_id: '${aws_cloudfront_response_headers_policy.security-headers.id}' },
      viewer_certificate: {
        acm_certificate_arn: expect.stringMatching(/^\$\{aws_acm_certificate_validation\.certificate_validation_[0-9A-F]+\.certificate_arn\}$/),
        minimum_protocol_version: 'TLSv1.2_2021',
        ssl_support_method: 'sni-only',
      },
    });
  });

  it('sends security headers with the configured CSP', () => {
    expect(resources(prd(), 'aws_cloudfront_response_headers_policy')[0]).toMatchObject({
      security_headers_config: {
        strict_transport_security: { access_control_max_age_sec: 63072000, include_subdomains: true, preload: true, override: true },
        content_type_options: { override: true },
        frame_options: { frame_option: 'DENY', override: true },
        referrer_policy: { referrer_policy: 'strict-origin-when-cross-origin', override: true },
        content_security_policy: { content_security_policy: CSP, override: true },
      },
    });
  });

  it('logs to a bucket with ACLs enabled for CloudFront (BucketOwnerPreferred), SSE-S3, while the origin stays owner-enforced', () => {
    const tf = prd();
    expect(resources(tf, 'aws_cloudfront_distribution')[0]).toMatchObject({
      logging_config: { bucket: '${aws_s3_bucket.log-bucket_38F5EEF0.bucket_domain_name}', prefix: 'cloudfront/', include_cookies: false },
    });
    const ownership = resources(tf, 'aws_s3_bucket_ownership_controls');
    expect(ownership.find((r) => String(r.bucket).includes('log-bucket'))!.rule).toEqual({ object_ownership: 'BucketOwnerPreferred' });
    expect(ownership.find((r) => String(r.bucket).includes('origin-bucket'))!.rule).toEqual({ object_ownership: 'BucketOwnerEnforced' });
    const sse = resources(tf, 'aws_s3_bucket_server_side_encryption_configuration').find((r) => String(r.bucket).includes('log-bucket'));
    expect(JSON.stringify(sse)).toContain('"sse_algorithm":"AES256"');
    expect(resources(tf, 'aws_s3_bucket_logging')[0]).toMatchObject({ target_prefix: 's3/origin/' });
  });

  it('evaluates AWS managed rule groups then a per-IP rate limit from config', () => {
    const tf = synthStack(org({ prd: { waf: { rateLimit: 500 } } }), 'test-apps-prd-cdn');
    const [acl] = resources(tf, 'aws_wafv2_web_acl');
    const rules = acl.rule as { name: string; priority: number; statement: Record<string, Record<string, unknown>> }[];
    expect(rules.map((r) => r.name)).toEqual(['AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet', 'AWSManagedRulesAmazonIpReputationList', 'rate-limit']);
    expect(rules[0].statement.managed_rule_group_statement).toEqual({ name: 'AWSManagedRulesCommonRuleSet', vendor_name: 'AWS' });
    expect(rules[3].statement.rate_based_statement).toEqual({ limit: 500, aggregate_key_type: 'IP' });
    expect(acl.default_action).toEqual({ allow: {} });
  });

  it('routes the API path to an HTTPS-only, uncached origin, and has no API behaviour without one', () => {
    const [dist] = resources(prd(), 'aws_cloudfront_distribution');
    expect(dist.origin).toContainEqual(expect.objectContaining({
      domain_name: 'api.prd.acme.example.com',
      custom_origin_config: expect.objectContaining({ origin_protocol_policy: 'https-only', origin_ssl_protocols: ['TLSv1.2'] }),
    }));
    expect(dist.ordered_cache_behavior).toEqual([expect.objectContaining({
      path_pattern: '/api/*',
      target_origin_id: 'api-origin',
      viewer_protocol_policy: 'redirect-to-https',
      cache_policy_id: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
    })]);
    const [staticOnly] = resources(synthStack(org({ prd: { apiOrigin: undefined } }), 'test-apps-prd-cdn'), 'aws_cloudfront_distribution');
    expect(staticOnly.ordered_cache_behavior ?? []).toEqual([]);
    expect(staticOnly.origin).toHaveLength(1);
  });

  it('writes alias A/AAAA and certificate validation records in the account sub-zone', () => {
    const tf = synthStack(org({ prd: { domainNames: ['app.prd.acme.example.com', 'www.prd.acme.example.com'] } }), 'test-apps-prd-cdn');
    const zone = '${data.terraform_remote_state.remote-apps-prd-dns-zone.outputs.zone_id}';
    for (const name of ['app.prd.acme.example.com', 'www.prd.acme.example.com']) {
      for (const type of ['A', 'AAAA']) {
        expect(tf).toHaveResourceWithProperties(Route53Record, {
          zone_id: zone, name, type,
          alias: { name: '${aws_cloudfront_distribution.distribution.domain_name}', zone_id: '${aws_cloudfront_distribution.distribution.hosted_zone_id}', evaluate_target_health: false },
        });
      }
    }
    const validation = resources(tf, 'aws_route53_record').filter((r) => String(r.name).includes('domain_validation_options'));
    expect(validation).toHaveLength(2);
    expect(validation.every((r) => r.zone_id === zone && r.for_each === undefined)).toBe(true);
    expect(String(validation[1].name)).toContain('["www.prd.acme.example.com"].resource_record_name');
    expect(resources(tf, 'aws_acm_certificate')[0].subject_alternative_names).toEqual(['www.prd.acme.example.com']);
  });
});

describe('cdn: delegation', () => {
  const withDns = (delegatedBy?: CdnConfig['delegatedBy']) => {
    const src = org({ prd: { delegatedBy } });
    return {
      ...src,
      accounts: {
        ...src.accounts,
        shared: {
          config: account({ id: '333333333333', environment: 'shared' }),
          layers: { dns: defineLayer(Dns, { publicZones: [{ name: 'other.example.org' }, { name: 'acme.example.com', delegations: [{ account: 'apps-prd' }] }] }) },
        },
      },
    };
  };

  it('reads the delegating dns layer, so it runs after the NS delegation, and publishes the parent zone', () => {
    const { stacks } = build(withDns());
    expect([...stacks.get('test-apps-prd-cdn')!.reads.keys()].sort()).toEqual(['apps-prd/dns-zone', 'shared/dns']);
    // devstg is not delegated by this dns layer: no read.
    expect([...stacks.get('test-apps-devstg-cdn')!.reads.keys()]).toEqual(['apps-devstg/dns-zone']);
    const out = parsed(synthStack(withDns(), 'test-apps-prd-cdn')).output!;
    expect(out.parent_zone_name.value).toBe('acme.example.com');
    expect(out.parent_zone_id.value).toBe('${element(data.terraform_remote_state.remote-shared-dns.outputs.public_zone_ids, 1)}');
    expect(parsed(synthStack(org(), 'test-apps-prd-cdn')).output!.parent_zone_name.value).toBe('');
  });

  it('refuses a delegatedBy layer that does not delegate the sub-zone', () => {
    expect(() => build(withDns({ account: 'shared', layer: 'nope' }))).toThrow(
      /apps-prd\/cdn: delegatedBy: shared\/nope is not an enabled dns layer delegating apps-prd\/dns-zone/,
    );
  });
});

describe('cdn: Cognito', () => {
  it('protects the prd user pool and not the devstg one', () => {
    expect(prd()).toHaveResourceWithProperties(CognitoUserPool, { deletion_protection: 'ACTIVE', lifecycle: { prevent_destroy: true } });
    expect(synthStack(org(), 'test-apps-devstg-cdn')).toHaveResourceWithProperties(CognitoUserPool, {
      deletion_protection: 'INACTIVE', lifecycle: { prevent_destroy: false },
    });
  });

  it('takes the protection of the user pool from auth.protect, production by default', () => {
    const unprotected = synthStack(org({ prd: { auth: { callbackUrls: ['https://app.prd.acme.example.com/callback'], protect: false } } }), 'test-apps-prd-cdn');
    expect(resources(unprotected, 'aws_cognito_user_pool')[0]).toMatchObject({ deletion_protection: 'INACTIVE', lifecycle: { prevent_destroy: false } });
  });

  it('tells other layers whether it has a user pool (typed facts, no cast of its config)', () => {
    expect(Cdn.facts(cdnConfig('prd'))).toEqual({ userPool: true });
    expect(Cdn.facts(cdnConfig('prd', { auth: undefined }))).toEqual({ userPool: false });
  });

  it('has optional TOTP MFA, enforced advanced security and a 14-character password policy', () => {
    expect(resources(prd(), 'aws_cognito_user_pool')[0]).toMatchObject({
      mfa_configuration: 'OPTIONAL',
      software_token_mfa_configuration: { enabled: true },
      user_pool_add_ons: { advanced_security_mode: 'ENFORCED' },
      password_policy: { minimum_length: 14, require_lowercase: true, require_uppercase: true, require_numbers: true, require_symbols: true },
      admin_create_user_config: { allow_admin_create_user_only: true },
    });
  });

  it('gives the SPA a secretless client with the code flow and the configured callbacks, and a hosted UI domain', () => {
    const tf = prd();
    expect(tf).toHaveResourceWithProperties(CognitoUserPoolClient, {
      generate_secret: false,
      allowed_oauth_flows: ['code'],
      allowed_oauth_flows_user_pool_client: true,
      callback_urls: ['https://app.prd.acme.example.com/callback'],
      prevent_user_existence_errors: 'ENABLED',
    });
    expect(resources(tf, 'aws_cognito_user_pool_domain')[0].domain).toBe('test-apps-prd-users-666666666666');
  });

  it('publishes empty user-pool outputs when auth is not configured', () => {
    const tf = synthStack(org({ prd: { auth: undefined } }), 'test-apps-prd-cdn');
    expect(resources(tf, 'aws_cognito_user_pool')).toHaveLength(0);
    expect(parsed(tf).output!.user_pool_id.value).toBe('');
  });
});

describe('cdn: bad config', () => {
  it('refuses a name outside the account sub-zone', () => {
    expect(() => build(org({ prd: { domainNames: ['app.devstg.acme.example.com'] } }))).toThrow(
      /apps-prd\/cdn: domainNames\[0\]: app\.devstg\.acme\.example\.com is not in the account's sub-zone prd\.acme\.example\.com/,
    );
  });

  it('refuses insecure callbacks, weak passwords, a tiny rate limit and an empty CSP', () => {
    const bad = () => build(org({
      prd: {
        contentSecurityPolicy: ' ',
        waf: { rateLimit: 10 },
        auth: { domainPrefix: 'acme-cognito', callbackUrls: ['http://app.prd.acme.example.com/cb'], minimumPasswordLength: 8 },
      },
    }));
    expect(bad).toThrow(/auth\.callbackUrls\[0\]: "http:\/\/app\.prd\.acme\.example\.com\/cb" must be an https:\/\/ URL/);
    expect(bad).toThrow(/auth\.minimumPasswordLength: 8 must be between 14 and 99/);
    expect(bad).toThrow(/waf\.rateLimit: 10 must be a whole number from 100 to 2000000000 requests per 5 minutes/);
    expect(bad).toThrow(/contentSecurityPolicy: must be a non-empty single-line policy/);
    expect(bad).toThrow(/auth\.domainPrefix: acme-cognito contains "cognito", which Cognito does not accept in a domain prefix/);
  });

  it('refuses a log retention the WAF log group cannot take', () => {
    expect(() => build(org({ prd: { logRetentionDays: 100 } }))).toThrow(/apps-prd\/cdn: logRetentionDays: 100 is not a CloudWatch Logs retention/);
  });

  it('refuses a cdn without a dns-zone layer in its account', () => {
    const src = source({ 'apps-prd': { config: account({ environment: 'prd' }), layers: { cdn: defineLayer(Cdn, cdnConfig('prd')) } } });
    expect(() => build(src)).toThrow(/apps-prd\/cdn: zoneLayer: account apps-prd has no enabled dns-zone layer "dns-zone"/);
  });
});

describe('cdn: origins owned by other layers (names derived, never pasted)', () => {
  const withApp = (cdn: Partial<CdnConfig>) => source({
    'apps-prd': {
      config: account({ id: '666666666666', environment: 'prd' }),
      layers: {
        'dns-zone': defineLayer(DnsZone, { zoneName: 'prd.acme.example.com' }),
        'base-network': defineLayer(BaseNetwork, { vpcCidr: '10.40.0.0/16', natGateways: 'single' }),
        'multi-tier': defineLayer(MultiTier, {
          domain: { subdomain: 'web' },
          web: { instanceType: 't3.small', minSize: 1, desiredCapacity: 1, maxSize: 2 },
          app: { instanceType: 't3.small', minSize: 1, desiredCapacity: 1, maxSize: 2 },
        }),
        cdn: defineLayer(Cdn, cdnConfig('prd', cdn)),
      },
    },
  });
  const distribution = (cdn: Partial<CdnConfig>) => resources(synthStack(withApp(cdn), 'test-apps-prd-cdn'), 'aws_cloudfront_distribution')[0];

  it('routes /app/* to the name the application layer owns, over HTTPS, uncached, every method', () => {
    const dist = distribution({ appOrigin: { layer: 'multi-tier' }, apiOrigin: { layer: 'multi-tier', pathPattern: '/v2/*' } });
    expect(dist.origin).toContainEqual(expect.objectContaining({
      origin_id: 'app-origin',
      domain_name: 'web.prd.acme.example.com',
      custom_origin_config: expect.objectContaining({ origin_protocol_policy: 'https-only', https_port: 443 }),
    }));
    expect(dist.ordered_cache_behavior).toContainEqual(expect.objectContaining({
      path_pattern: '/app/*',
      target_origin_id: 'app-origin',
      allowed_methods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'POST', 'PATCH', 'DELETE'],
      cache_policy_id: MANAGED_POLICY.cachingDisabled,
      origin_request_policy_id: MANAGED_POLICY.allViewerExceptHostHeader,
    }));
    // apiOrigin may name a layer too.
    expect(dist.origin).toContainEqual(expect.objectContaining({ origin_id: 'api-origin', domain_name: 'web.prd.acme.example.com' }));
    // The viewer names stay aliases to CloudFront.
    const records = resources(synthStack(withApp({ appOrigin: { layer: 'multi-tier' } }), 'test-apps-prd-cdn'), 'aws_route53_record');
    expect(records.filter((r) => r.name === 'app.prd.acme.example.com').map((r) => r.type)).toEqual(['A', 'AAAA']);
  });

  it('refuses an origin layer that publishes no name, a layer and a name at once, and a path routed twice', () => {
    expect(() => build(withApp({ appOrigin: {} }))).toThrow(/apps-prd\/cdn: appOrigin\.layer: account apps-prd has no enabled layer "dr"/);
    expect(() => build(withApp({ appOrigin: { layer: 'dns-zone' } }))).toThrow(/appOrigin\.layer: layer apps-prd\/dns-zone publishes no DNS name to serve as an origin/);
    expect(() => build(withApp({ apiOrigin: { layer: 'multi-tier', domainName: 'api.prd.acme.example.com' } })))
      .toThrow(/apiOrigin: give exactly one of layer \(a layer of this account publishing the API name\) and domainName/);
    expect(() => build(withApp({ appOrigin: { layer: 'multi-tier', pathPatterns: ['/api/*'] } })))
      .toThrow(/appOrigin\.pathPatterns\[0\]: "\/api\/\*" is routed to another origin already/);
    expect(() => build(withApp({ appOrigin: { layer: 'multi-tier', pathPatterns: [] } }))).toThrow(/appOrigin\.pathPatterns: lists no path pattern/);
  });
});

