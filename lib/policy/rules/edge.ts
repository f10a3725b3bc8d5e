/** Load balancers, CloudFront and API Gateway. */
import { block, blocks, isSet, refersTo, resourcesPointingAt, strings, truthy, type JsonObject, type ResourceView, type Rule, type StackView } from '../model';

/** ELB security policies that allow TLS 1.2 or newer only. */
export function isModernElbPolicy(policy: string): boolean {
  return /^ELBSecurityPolicy-(TLS13-1-[23]|TLS-1-2|FS-1-2)/.test(policy);
}

/** CloudFront viewer minimum protocol versions accepted. */
export const CLOUDFRONT_MIN_TLS: readonly string[] = ['TLSv1.2_2021', 'TLSv1.2_2025', 'TLSv1.3_2025'];

function isApplicationLb(lb: ResourceView): boolean {
  return lb.config.load_balancer_type === undefined || lb.config.load_balancer_type === 'application';
}

function s3Origin(origin: JsonObject, stack: StackView): boolean {
  if (isSet(origin.s3_origin_config)) return true;
  const domain = strings(origin.domain_name).join('');
  if (/s3-website|\.website\./.test(domain) || /website_endpoint|website_domain/.test(domain)) return false;
  if (/\.s3[.-]([a-z0-9-]+\.)?amazonaws\.com/.test(domain)) return true;
  if (/bucket_regional_domain_name|bucket_domain_name/.test(domain)) return true;
  return stack.ofType('aws_s3_bucket').some((b) => refersTo(domain, b.address));
}

function cacheBehaviors(d: ResourceView): JsonObject[] {
  return [...blocks(d.config.default_cache_behavior), ...blocks(d.config.ordered_cache_behavior)];
}

export const edgeRules: Rule[] = [
  {
    id: 'POL-ALB-001',
    title: 'HTTPS/TLS listeners use a TLS 1.2+ security policy',
    description: 'Set `ssl_policy` to ELBSecurityPolicy-TLS13-1-2-2021-06 (recommended) or another TLS13-1-2/TLS-1-2/FS-1-2 ' +
      'policy. Without it the listener gets ELBSecurityPolicy-2016-08, which accepts TLS 1.0.',
    severity: 'error',
    checkov: ['CKV_AWS_103'],
    controls: ['FSBP ELB.17'],
    resourceTypes: ['aws_lb_listener', 'aws_alb_listener'],
    check(listener) {
      const protocol = String(listener.config.protocol ?? '');
      if (protocol !== 'HTTPS' && protocol !== 'TLS') return undefined;
      const policy = listener.config.ssl_policy;
      if (typeof policy !== 'string' || policy === '') return `${protocol} listener without ssl_policy (defaults to TLS 1.0)`;
      return policy.includes('${') || isModernElbPolicy(policy) ? undefined : `ssl_policy ${policy} allows TLS older than 1.2`;
    },
  },
  {
    id: 'POL-ALB-002',
    title: 'HTTP listeners only redirect to HTTPS',
    description: 'A plain-HTTP listener must have a single default action of type `redirect` with protocol HTTPS ' +
      '(status HTTP_301); content is only served over HTTPS.',
    severity: 'error',
    checkov: ['CKV_AWS_2', 'CKV2_AWS_20'],
    controls: ['FSBP ELB.1'],
    resourceTypes: ['aws_lb_listener', 'aws_alb_listener'],
    check(listener) {
      if (listener.config.protocol !== 'HTTP') return undefined;
      const actions = blocks(listener.config.default_action);
      const ok = actions.length > 0 && actions.every((a) => a.type === 'redirect' && block(a.redirect)?.protocol === 'HTTPS');
      return ok ? undefined : 'HTTP listener does not redirect to HTTPS';
    },
  },
  {
    id: 'POL-ALB-003',
    title: 'Application load balancers drop invalid header fields',
    description: '`drop_invalid_header_fields = true` removes headers that could be used for request smuggling.',
    severity: 'error',
    checkov: ['CKV_AWS_131'],
    controls: ['FSBP ELB.4'],
    resourceTypes: ['aws_lb', 'aws_alb'],
    check: (lb) => !isApplicationLb(lb) || truthy(lb.config.drop_invalid_header_fields) ? undefined : 'drop_invalid_header_fields is not true',
  },
  {
    id: 'POL-ALB-004',
    title: 'Application load balancers write access logs',
    description: '`access_logs { enabled = true, bucket = <SSE-S3 log bucket> }` (ELB log delivery does not support SSE-KMS).',
    severity: 'error',
    checkov: ['CKV_AWS_91'],
    controls: ['FSBP ELB.5'],
    resourceTypes: ['aws_lb', 'aws_alb'],
    check(lb) {
      if (!isApplicationLb(lb)) return undefined;
      const logs = block(lb.config.access_logs);
      return logs && truthy(logs.enabled) && isSet(logs.bucket) ? undefined : 'access_logs are not enabled';
    },
  },
  {
    id: 'POL-CF-001',
    title: 'CloudFront never serves plain HTTP',
    description: 'Every cache behaviour uses viewer_protocol_policy `redirect-to-https` or `https-only`, never `allow-all`.',
    severity: 'error',
    checkov: ['CKV_AWS_34'],
    controls: ['FSBP CloudFront.3'],
    resourceTypes: ['aws_cloudfront_distribution'],
    check: (d) => cacheBehaviors(d).filter((b) => b.viewer_protocol_policy === 'allow-all')
      .map((b) => `cache behaviour ${String(b.path_pattern ?? 'default')} allows HTTP (allow-all)`),
  },
  {
    id: 'POL-CF-002',
    title: 'CloudFront viewers need TLSv1.2_2021 or newer',
    description: `viewer_certificate uses an ACM certificate (us-east-1) with minimum_protocol_version one of ` +
      `${CLOUDFRONT_MIN_TLS.join(', ')}. The default *.cloudfront.net certificate accepts TLS 1.0, so it is refused.`,
    severity: 'error',
    checkov: ['CKV_AWS_174'],
    controls: ['FSBP CloudFront.7'],
    resourceTypes: ['aws_cloudfront_distribution'],
    check(d) {
      const cert = block(d.config.viewer_certificate) ?? {};
      if (truthy(cert.cloudfront_default_certificate)) return 'uses the default CloudFront certificate (TLS 1.0 allowed)';
      const version = String(cert.minimum_protocol_version ?? 'TLSv1');
      return CLOUDFRONT_MIN_TLS.includes(version) ? undefined : `minimum_protocol_version is ${version}`;
    },
  },
  {
    id: 'POL-CF-003',
    title: 'CloudFront distributions are protected by WAF',
    description: 'Set `web_acl_id` to the ARN of a CLOUDFRONT-scope WAFv2 web ACL (created in us-east-1).',
    severity: 'error',
    checkov: ['CKV_AWS_68'],
    controls: ['FSBP CloudFront.6'],
    resourceTypes: ['aws_cloudfront_distribution'],
    check: (d) => isSet(d.config.web_acl_id) ? undefined : 'web_acl_id is not set',
  },
  {
    id: 'POL-CF-004',
    title: 'CloudFront distributions log requests',
    description: 'Either `logging_config { bucket }` (standard logs to an S3 log bucket) or CloudWatch log delivery ' +
      '(`aws_cloudwatch_log_delivery_source` whose resource_arn is the distribution).',
    severity: 'error',
    checkov: ['CKV_AWS_86'],
    controls: ['FSBP CloudFront.5'],
    resourceTypes: ['aws_cloudfront_distribution'],
    check(d, stack) {
      if (isSet(block(d.config.logging_config)?.bucket)) return undefined;
      const v2 = resourcesPointingAt(stack, 'aws_cloudwatch_log_delivery_source', (c) => c.resource_arn, d, []);
      return v2.length > 0 ? undefined : 'no logging_config and no log delivery source';
    },
  },
  {
    id: 'POL-CF-005',
    title: 'S3 origins use origin access control',
    description: 'Each S3 origin sets `origin_access_control_id` (OAC, SigV4) and the bucket policy admits ' +
      'cloudfront.amazonaws.com with aws:SourceArn = the distribution. Legacy origin access identities are refused.',
    severity: 'error',
    checkov: ['CKV2_AWS_46'],
    controls: ['FSBP CloudFront.13'],
    resourceTypes: ['aws_cloudfront_distribution'],
    check: (d, stack) => blocks(d.config.origin).filter((o) => s3Origin(o, stack) && !isSet(o.origin_access_control_id))
      .map((o) => `S3 origin ${String(o.origin_id ?? '?')} has no origin_access_control_id`),
  },
  {
    id: 'POL-APIGW-001',
    title: 'API Gateway stages write access logs',
    description: '`access_log_settings { destination_arn = <log group ARN>, format = ... }` on every stage (REST and HTTP/WebSocket).',
    severity: 'error',
    checkov: ['CKV_AWS_76', 'CKV_AWS_95'],
    controls: ['FSBP APIGateway.9', 'FSBP APIGateway.1'],
    resourceTypes: ['aws_api_gateway_stage', 'aws_apigatewayv2_stage'],
    check: (stage) => isSet(block(stage.config.access_log_settings)?.destination_arn) ? undefined : 'no access_log_settings.destination_arn',
  },
  {
    id: 'POL-APIGW-002',
    title: 'API routes and methods require authorization',
    description: 'HTTP/WebSocket routes set `authorization_type` (JWT, AWS_IAM or CUSTOM; the default is NONE) and REST ' +
      'methods set `authorization` other than NONE. CORS preflight (OPTIONS) methods and WebSocket `$disconnect` are exempt. ' +
      'A deliberately public route (health check) needs a suppression saying so.',
    severity: 'error',
    checkov: ['CKV_AWS_309', 'CKV_AWS_59'],
    controls: ['FSBP APIGateway.8'],
    resourceTypes: ['aws_apigatewayv2_route', 'aws_api_gateway_method'],
    check(route) {
      if (route.type === 'aws_api_gateway_method') {
        if (route.config.http_method === 'OPTIONS') return undefined;
        return route.config.authorization === 'NONE' || !isSet(route.config.authorization) ? `method ${String(route.config.http_method)} has authorization NONE` : undefined;
      }
      const key = String(route.config.route_key ?? '');
      if (key === '$disconnect' || key.startsWith('OPTIONS ')) return undefined;
      const type = route.config.authorization_type ?? 'NONE';
      return type === 'NONE' ? `route "${key}" has authorization_type NONE` : undefined;
    },
  },
];
