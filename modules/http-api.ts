import { Apigatewayv2Api } from '@cdktf/provider-aws/lib/apigatewayv2-api';
import { Apigatewayv2ApiMapping } from '@cdktf/provider-aws/lib/apigatewayv2-api-mapping';
import { Apigatewayv2Authorizer } from '@cdktf/provider-aws/lib/apigatewayv2-authorizer';
import { Apigatewayv2DomainName } from '@cdktf/provider-aws/lib/apigatewayv2-domain-name';
import { Apigatewayv2Integration } from '@cdktf/provider-aws/lib/apigatewayv2-integration';
import { Apigatewayv2Route } from '@cdktf/provider-aws/lib/apigatewayv2-route';
import { Apigatewayv2Stage } from '@cdktf/provider-aws/lib/apigatewayv2-stage';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import { Token, type TerraformProvider } from 'cdktf';
import type { Construct } from 'constructs';
import type { FieldProblem } from '../lib/layer-stack';
import { awsName, FieldProblems, logRetentionDays } from '../lib/validators';
import { DnsValidatedCertificate } from './dns-validated-certificate';
import type { LambdaFunction } from './lambda-function';
import { FUNCTION_INVOKE_ACTIONS } from './perms';
import { refuseProblems } from './prop-problems';

/**
 * The longest an HTTP API waits for an integration: 30 s, a quota that cannot be raised (unlike a REST API's 29 s).
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html
 */
export const HTTP_API_INTEGRATION_TIMEOUT_SECONDS = 30;

/** What every access log line records: the request, the route, the answer, and why an integration or authorizer failed. */
export const HTTP_API_ACCESS_LOG_FORMAT = {
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  requestTime: '$context.requestTime',
  httpMethod: '$context.httpMethod',
  routeKey: '$context.routeKey',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  integrationError: '$context.integrationErrorMessage',
  authorizerError: '$context.authorizer.error',
  sub: '$context.authorizer.claims.sub',
} as const;

export interface HttpApiJwt {
  /** Issuer URL of the tokens, e.g. `https://cognito-idp.<region>.amazonaws.com/<pool id>` (a UserPool's `issuer`). */
  readonly issuer: string;
  /** Audiences (app client ids) accepted. */
  readonly audience: readonly string[];
}

export interface HttpApiCors {
  /** Browser origins allowed: https, no path, no wildcard. */
  readonly allowOrigins: readonly string[];
  /** @default ['GET', 'POST'] */
  readonly allowMethods?: readonly string[];
  /** @default ['authorization', 'content-type'] */
  readonly allowHeaders?: readonly string[];
  /** Seconds browsers cache the preflight answer. @default 300 */
  readonly maxAgeSeconds?: number;
}

export interface HttpApiCustomDomain {
  /** Name in a public hosted zone of this account, e.g. `api.prd.acme.example.com`. */
  readonly name: string;
  /** That zone: the certificate's validation record and the alias record are written there. */
  readonly zoneId: string;
  /** Mapping key: requests to `/<basePath>/items` reach `GET /items`. @default - the stage at the root of the name */
  readonly basePath?: string;
}

export interface HttpApiProps {
  /** API name, `<prefix>` of the layer (1 to 128 characters). */
  readonly name: string;
  /** @default - none */
  readonly description?: string;
  /** The one stage (one per environment): letters, digits, - and _. */
  readonly stageName: string;
  /** @default - none */
  readonly stageDescription?: string;
  /** Variables of the stage (e.g. the alias integrations call). @default - none */
  readonly stageVariables?: Readonly<Record<string, string>>;
  /** Default route throttling of the stage: requests per second, and the burst above it. */
  readonly throttling: { readonly burstLimit: number; readonly rateLimit: number };
  /** Every route requires a token of this issuer (JWT authorizer on the Authorization header). */
  readonly jwt: HttpApiJwt;
  /** Access logs of the stage: `/aws/apigateway/<name>/<stage>`, encrypted, kept this many days. */
  readonly accessLogs: { readonly retentionDays: number; readonly kmsKeyArn: string };
  /** @default - no CORS (browsers only call it from the same origin, e.g. through CloudFront) */
  readonly cors?: HttpApiCors;
  /** Custom domain: a DNS-validated certificate, a regional TLS 1.2 domain, an alias record and the stage mapping. @default - the execute-api endpoint only */
  readonly customDomain?: HttpApiCustomDomain;
  /** @default the stack's default provider */
  readonly provider?: TerraformProvider;
}

const STAGE = /^[A-Za-z0-9_-]{1,128}$/;
const ISSUER = /^https:\/\/[^\s/]+(\/[^\s]*)?$/;
const ROUTE_KEY = /^(\$default|(ANY|GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) \/\S*)$/;
const MAPPING_KEY = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;

/**
 * Problems of the props that need no AWS, by prop name: the names API Gateway accepts, a usable throttle, an https
 * issuer, origins a browser sends, a mapping key, and a log retention CloudWatch Logs accepts.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html
 */
export function httpApiPropProblems(props: Partial<HttpApiProps>): FieldProblem[] {
  const problems = new FieldProblems();
  if (props.name !== undefined && !Token.isUnresolved(props.name)) problems.check('name', awsName(props.name, { maxLength: 128 }));
  if (props.stageName !== undefined && !STAGE.test(props.stageName)) problems.add('stageName', `"${props.stageName}" may hold only letters, digits, - and _`);
  if ('throttling' in props) {
    const t = props.throttling;
    if (!t || !(Number.isInteger(t.burstLimit) && t.burstLimit >= 1) || !(t.rateLimit > 0)) {
      problems.add('throttling', 'needs a burstLimit (whole number >= 1) and a rateLimit (> 0 requests per second)');
    }
  }
  if (props.jwt) {
    if (!Token.isUnresolved(props.jwt.issuer ?? '') && !ISSUER.test(props.jwt.issuer ?? '')) problems.add('jwt.issuer', `"${String(props.jwt.issuer)}" must be an https URL`);
    if (!Array.isArray(props.jwt.audience) || props.jwt.audience.length === 0) problems.add('jwt.audience', 'must list at least one audience (app client id)');
  }
  (props.cors?.allowOrigins ?? []).forEach((origin, i) => {
    if (origin === '*' || !/^https:\/\/[^\s/*]+$/.test(origin)) problems.add(`cors.allowOrigins[${i}]`, `"${origin}" must be an https origin without path or wildcard`);
  });
  const basePath = props.customDomain?.basePath;
  if (basePath !== undefined && !MAPPING_KEY.test(basePath)) {
    problems.add('customDomain.basePath', `"${basePath}" is not a mapping key (path segments without leading or trailing /)`);
  }
  if (props.accessLogs !== undefined) problems.check('accessLogs.retentionDays', logRetentionDays(props.accessLogs.retentionDays));
  return problems.list;
}

/** A construct id from a route key: `GET /items` gives `get-items`. */
function routeSlug(routeKey: string): string {
  return routeKey.replace(/[^A-Za-z]+/g, '-').replace(/^-+|-+$/g, '').toLowerCase();
}

/** The path of a route key as an execute-api ARN matches it (`{param}` and `{proxy+}` segments match anything). */
function invokePath(routeKey: string): string {
  const path = routeKey.split(' ')[1] ?? '/*';
  return path.replace(/\{[^}]+\}/g, '*');
}

/**
 * An API Gateway HTTP API behind a JWT authorizer: one auto-deployed stage with default throttling, detailed metrics
 * and JSON access logs to an encrypted log group, optional CORS and an optional custom domain. Routes are added with
 * `addFunctionRoutes` (Lambda proxy integrations of a function's alias) and `addVpcLinkRoute` (private services behind
 * an NLB); every route requires a valid token.
 *
 * Resources are created directly in `scope` with ids `<id>`, `<id>-authorizer`, `<id>-stage`, `<id>-access-logs`,
 * `<id>-route-<route key>`, and `<id>-certificate`, `<id>-domain`, `<id>-mapping`, `<id>-alias` for the custom domain:
 * flat Terraform addresses in a layer, so another API resource beside it keeps its own.
 */
export class HttpApi {
  readonly api: Apigatewayv2Api;
  readonly authorizer: Apigatewayv2Authorizer;
  readonly stage: Apigatewayv2Stage;
  readonly accessLogs: CloudwatchLogGroup;
  readonly id: string;
  /** The stage's name (a token: resources using it wait for the stage). */
  readonly stageName: string;
  /** The custom domain name, when one is configured. */
  readonly domainName?: string;
  /** Routes by route key. */
  readonly routes = new Map<string, Apigatewayv2Route>();

  constructor(private readonly scope: Construct, private readonly constructId: string, private readonly props: HttpApiProps) {
    refuseProblems(scope, constructId, httpApiPropProblems(props));
    const provider = props.provider;
    const id = constructId;
    const cors = props.cors && props.cors.allowOrigins.length > 0 ? props.cors : undefined;
    this.api = new Apigatewayv2Api(scope, id, {
      provider,
      name: props.name,
      protocolType: 'HTTP',
      description: props.description,
      corsConfiguration: cors
        ? {
            allowOrigins: [...cors.allowOrigins],
            allowMethods: [...(cors.allowMethods ?? ['GET', 'POST'])],
            allowHeaders: [...(cors.allowHeaders ?? ['authorization', 'content-type'])],
            maxAge: cors.maxAgeSeconds ?? 300,
          }
        : undefined,
    });
    this.id = this.api.id;
    this.authorizer = new Apigatewayv2Authorizer(scope, `${id}-authorizer`, {
      provider,
      apiId: this.api.id,
      name: 'jwt',
      authorizerType: 'JWT',
      identitySources: ['$request.header.Authorization'],
      jwtConfiguration: { issuer: props.jwt.issuer, audience: [...props.jwt.audience] },
    });
    this.accessLogs = new CloudwatchLogGroup(scope, `${id}-access-logs`, {
      provider,
      name: `/aws/apigateway/${props.name}/${props.stageName}`,
      retentionInDays: props.accessLogs.retentionDays,
      kmsKeyId: props.accessLogs.kmsKeyArn,
    });
    this.stage = new Apigatewayv2Stage(scope, `${id}-stage`, {
      provider,
      apiId: this.api.id,
      name: props.stageName,
      autoDeploy: true,
      description: props.stageDescription,
      stageVariables: props.stageVariables ? { ...props.stageVariables } : undefined,
      defaultRouteSettings: {
        throttlingBurstLimit: props.throttling.burstLimit,
        throttlingRateLimit: props.throttling.rateLimit,
        detailedMetricsEnabled: true,
      },
      accessLogSettings: { destinationArn: this.accessLogs.arn, format: JSON.stringify(HTTP_API_ACCESS_LOG_FORMAT) },
    });
    this.stageName = this.stage.name;
    if (props.customDomain) this.domainName = this.addCustomDomain(props.customDomain);
  }

  /** `https://<api id>.execute-api.<region>.amazonaws.com`. */
  get endpoint(): string {
    return this.api.apiEndpoint;
  }

  /**
   * Routes served by a function through its alias (Lambda proxy, payload 2.0), waiting the function's timeout plus a
   * second, at most the 30 s an HTTP API allows, and the permission letting API Gateway invoke the alias for these
   * paths of this API only. Integration `<id>-integration`, permission `<id>-invoke`; one call per function (the
   * permission's statement id is fixed).
   */
  addFunctionRoutes(id: string, fn: LambdaFunction, routeKeys: readonly string[]): Apigatewayv2Integration {
    this.refuseRouteKeys(id, routeKeys);
    const integration = new Apigatewayv2Integration(this.scope, `${id}-integration`, {
      provider: this.props.provider,
      apiId: this.api.id,
      integrationType: 'AWS_PROXY',
      integrationUri: fn.aliasInvokeArn,
      payloadFormatVersion: '2.0',
      timeoutMilliseconds: Math.min(HTTP_API_INTEGRATION_TIMEOUT_SECONDS * 1000, fn.timeoutSeconds * 1000 + 1000),
    });
    for (const routeKey of routeKeys) this.route(routeKey, integration);
    const paths = [...new Set(routeKeys.map(invokePath))];
    new LambdaPermission(this.scope, `${id}-invoke`, {
      provider: this.props.provider,
      statementId: 'HttpApiInvoke',
      action: FUNCTION_INVOKE_ACTIONS[0],
      functionName: fn.functionName,
      qualifier: fn.alias.name,
      principal: 'apigateway.amazonaws.com',
      // Any stage and method of this API, on the routes' path (or any path when the routes have several).
      sourceArn: paths.length === 1 ? `${this.api.executionArn}/*/*${paths[0]}` : `${this.api.executionArn}/*`,
    });
    return integration;
  }

  /**
   * A route to private services through a VPC link to an NLB listener (HTTP proxy, payload 1.0), behind the same JWT
   * authorizer. Integration `<id>-integration`.
   */
  addVpcLinkRoute(id: string, routeKey: string, target: { readonly vpcLinkId: string; readonly listenerArn: string }): Apigatewayv2Integration {
    this.refuseRouteKeys(id, [routeKey]);
    const integration = new Apigatewayv2Integration(this.scope, `${id}-integration`, {
      provider: this.props.provider,
      apiId: this.api.id,
      integrationType: 'HTTP_PROXY',
      integrationMethod: 'ANY',
      connectionType: 'VPC_LINK',
      connectionId: target.vpcLinkId,
      integrationUri: target.listenerArn,
      payloadFormatVersion: '1.0',
    });
    this.route(routeKey, integration);
    return integration;
  }

  private refuseRouteKeys(id: string, routeKeys: readonly string[]): void {
    refuseProblems(this.scope, id, routeKeys.flatMap((key, i) => (ROUTE_KEY.test(key)
      ? []
      : [{ field: `routeKeys[${i}]`, message: `"${key}" is not a route key (METHOD /path, or $default)` }])));
  }

  private route(routeKey: string, integration: Apigatewayv2Integration): void {
    this.routes.set(routeKey, new Apigatewayv2Route(this.scope, `${this.constructId}-route-${routeSlug(routeKey)}`, {
      provider: this.props.provider,
      apiId: this.api.id,
      routeKey,
      target: `integrations/${integration.id}`,
      authorizationType: 'JWT',
      authorizerId: this.authorizer.id,
    }));
  }

  /** ACM certificate validated in the zone, regional TLS 1.2 domain name, stage mapping, alias record. */
  private addCustomDomain(domain: HttpApiCustomDomain): string {
    const id = this.constructId;
    const provider = this.props.provider;
    const certificate = new DnsValidatedCertificate(this.scope, `${id}-certificate`, { provider, domainNames: [domain.name], zoneId: domain.zoneId });
    const domainName = new Apigatewayv2DomainName(this.scope, `${id}-domain`, {
      provider,
      domainName: domain.name,
      domainNameConfiguration: { certificateArn: certificate.arn, endpointType: 'REGIONAL', securityPolicy: 'TLS_1_2' },
    });
    new Apigatewayv2ApiMapping(this.scope, `${id}-mapping`, {
      provider,
      apiId: this.api.id,
      domainName: domainName.id,
      stage: this.stage.name,
      apiMappingKey: domain.basePath,
    });
    new Route53Record(this.scope, `${id}-alias`, {
      provider,
      zoneId: domain.zoneId,
      name: domain.name,
      type: 'A',
      alias: {
        name: domainName.domainNameConfiguration.targetDomainName,
        zoneId: domainName.domainNameConfiguration.hostedZoneId,
        evaluateTargetHealth: false,
      },
    });
    return domainName.domainName;
  }
}
