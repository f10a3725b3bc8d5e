import { Apigatewayv2Api } from '@cdktf/provider-aws/lib/apigatewayv2-api';
import { Apigatewayv2ApiMapping } from '@cdktf/provider-aws/lib/apigatewayv2-api-mapping';
import { Apigatewayv2Authorizer } from '@cdktf/provider-aws/lib/apigatewayv2-authorizer';
import { Apigatewayv2DomainName } from '@cdktf/provider-aws/lib/apigatewayv2-domain-name';
import { Apigatewayv2Integration } from '@cdktf/provider-aws/lib/apigatewayv2-integration';
import { Apigatewayv2Route } from '@cdktf/provider-aws/lib/apigatewayv2-route';
import { Apigatewayv2Stage } from '@cdktf/provider-aws/lib/apigatewayv2-stage';
import { Apigatewayv2VpcLink } from '@cdktf/provider-aws/lib/apigatewayv2-vpc-link';
import { CloudwatchEventBus } from '@cdktf/provider-aws/lib/cloudwatch-event-bus';
import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { CognitoUserPool } from '@cdktf/provider-aws/lib/cognito-user-pool';
import { CognitoUserPoolClient } from '@cdktf/provider-aws/lib/cognito-user-pool-client';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { LambdaEventSourceMapping } from '@cdktf/provider-aws/lib/lambda-event-source-mapping';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import { Lb } from '@cdktf/provider-aws/lib/lb';
import { LbListener } from '@cdktf/provider-aws/lib/lb-listener';
import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group';
import { LbTargetGroupAttachment } from '@cdktf/provider-aws/lib/lb-target-group-attachment';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { SfnStateMachine } from '@cdktf/provider-aws/lib/sfn-state-machine';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { Fn, Lazy } from 'cdktf';
import type { Construct } from 'constructs';
import * as path from 'path';
import { defineContract } from '../lib/contract';
import { LayerStack, type FieldProblem } from '../lib/layer-stack';
import type { LayerContext } from '../lib/model';
import { FieldProblems, logRetentionDays, port } from '../lib/validators';
import { dnsClaimProblems, NO_DNS_CLAIMS, type DnsClaims } from '../modules/dns-claims';
import { DnsValidatedCertificate } from '../modules/dns-validated-certificate';
import { EncryptedTopic } from '../modules/encrypted-topic';
import { folderArchive } from '../modules/folder-archive';
import { cloudWatchLogsKeyStatement, eventBridgeKeyStatement, KmsKey } from '../modules/kms-key';
import { LambdaFunction, lambdaFunctionPropProblems } from '../modules/lambda-function';
import { ManagedSecret } from '../modules/managed-secret';
import { policyDocument, type PolicyStatement } from '../modules/policy';
import { Queue } from '../modules/queue';
import { baseNetworkContract } from './base-network';
import { cdnContract } from './cdn';
import { DEFAULT_ZONE_LAYER, dnsZoneContract, subZoneName, subZoneNameProblems } from './dns-zone';
import { securityContract } from './security';

/** The functions of the layer, each a handler file in the handler folder. */
export const SERVERLESS_FUNCTIONS = ['api', 'writer', 'stream', 'validate', 'process'] as const;
export type ServerlessFunctionName = (typeof SERVERLESS_FUNCTIONS)[number];

export interface ServerlessFunctionConfig {
  /** Reserved concurrency: the function's ceiling and guaranteed share of the account's concurrency. */
  readonly reservedConcurrency: number;
  /** @default 256 */
  readonly memoryMb?: number;
  /** @default 10 */
  readonly timeoutSeconds?: number;
}

export interface PrivateIntegrationConfig {
  /** Create an internal NLB and an API Gateway VPC link to reach private services. */
  readonly enabled: boolean;
  /** Port the NLB listens on and forwards to. @default 80 */
  readonly port?: number;
  /** Private IP addresses registered as targets (they must be in the VPC). @default [] (register targets later) */
  readonly targetIps?: readonly string[];
  /** Route forwarded to the private services. @default 'ANY /private/{proxy+}' */
  readonly routeKey?: string;
}

export interface ServerlessConfig {
  /** Per-function sizes; reserved concurrency is required so one function cannot starve the account. */
  readonly functions: Readonly<Record<ServerlessFunctionName, ServerlessFunctionConfig>>;
  /** Default route throttling of the stage. */
  readonly throttling: { readonly burstLimit: number; readonly rateLimit: number };
  /** Stage name (one stage per environment). @default the account's environment, e.g. `prd` */
  readonly stageName?: string;
  /**
   * An existing JWT issuer instead of this layer's Cognito user pool (e.g. a pool the cdn layer publishes, or
   * another IdP). @default - a user pool and app client created here
   */
  readonly jwt?: { readonly issuer: string; readonly audience: readonly string[] };
  /**
   * Trust the Cognito user pool of this account's cdn layer (its SPA app client is the audience), so the users of
   * the front end call the API with their tokens. Excludes `jwt`; the cdn layer must configure `auth`.
   * @default false
   */
  readonly useCdnUserPool?: boolean;
  /**
   * Custom domain `<subdomain>.<zone>` of the API in the account's dns-zone layer: a DNS-validated ACM certificate,
   * a regional TLS 1.2 domain name, an alias record, and the stage mapped under `basePath` (so the cdn layer's
   * `/api/*` origin path reaches the routes). @default - only the execute-api endpoint
   */
  readonly customDomain?: {
    /** e.g. `api` gives `api.prd.acme.example.com`. */
    readonly subdomain: string;
    /** Mapping key: requests to `/<basePath>/items` reach `GET /items`. @default 'api' */
    readonly basePath?: string;
    /** The dns-zone layer of this account. @default 'dns-zone' */
    readonly zoneLayer?: string;
  };
  /** Lambda runtime. @default 'nodejs22.x' */
  readonly runtime?: string;
  /** Folder (relative to the repository root) zipped as the functions' code. @default 'assets/serverless' */
  readonly handlerDir?: string;
  /** Days Lambda, API and state-machine logs are kept. @default 365 in prd, 30 elsewhere */
  readonly logRetentionDays?: number;
  /** Step Functions log level. @default 'ERROR' in prd, 'ALL' elsewhere */
  readonly stateMachineLogLevel?: 'ALL' | 'ERROR';
  /** Retries of a failed DynamoDB stream batch before it goes to the on-failure queue. @default 3 */
  readonly streamMaxRetries?: number;
  /** Receives of a buffered write before it moves to the write queue's DLQ. @default 5 */
  readonly writeQueueMaxReceiveCount?: number;
  /** Browser origins allowed by CORS. @default [] (no CORS) */
  readonly corsAllowOrigins?: readonly string[];
  /** Run the functions in the private subnets of base-network. @default false */
  readonly lambdasInVpc?: boolean;
  /** Optional NLB + VPC link to private services. @default - off */
  readonly privateIntegration?: PrivateIntegrationConfig;
  /**
   * Encrypt the table and Lambda environments with the security layer's data key, the secret with its secrets
   * key and log groups with its logs key. Messaging (SQS, SNS, EventBridge) always uses this layer's key, whose
   * policy admits SNS and EventBridge. @default false (this layer's key for everything)
   */
  readonly useSecurityLayerKeys?: boolean;
  /**
   * SNS topic notified by the layer's alarms (messages in any dead-letter queue, function errors, failed workflow
   * executions, API 5xx), e.g. the security layer's `sns_topic_arn`. @default - alarms without actions
   */
  readonly alarmTopicArn?: string;
  /** Notify the account's notification topic published by the security layer instead. Excludes alarmTopicArn. @default false */
  readonly useSecurityAlarmTopic?: boolean;
  /** Deletion protection of the table and user pool, destroy protection of the key. @default true in prd */
  readonly protect?: boolean;
  /** Account whose base-network holds the VPC (only read when lambdasInVpc or privateIntegration). @default this account */
  readonly networkAccount?: string;
}

export const serverlessContract = defineContract('serverless', {
  api_id: { description: 'HTTP API id', mock: 'a1b2c3d4e5' },
  api_endpoint: { description: 'Default endpoint of the HTTP API', mock: 'https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com' },
  custom_domain_name: { description: 'Custom domain of the API, empty without one', mock: 'api.mock.acme.example.com' },
  stage_name: { description: 'Stage of this environment', mock: 'prd' },
  stage_invoke_url: { description: 'Invoke URL of the stage', mock: 'https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/prd' },
  jwt_issuer: { description: 'Issuer the JWT authorizer trusts', mock: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Mock00000' },
  jwt_audience: { description: 'Audiences (app client ids) the JWT authorizer accepts', mock: ['mockclientid0000000000000'] },
  table_name: { description: 'DynamoDB table', mock: 'acme-mock-serverless-items' },
  table_arn: { description: 'ARN of the DynamoDB table', mock: 'arn:aws:dynamodb:us-east-1:111111111111:table/acme-mock-serverless-items' },
  write_queue_url: { description: 'Queue buffering writes to the table', mock: 'https://sqs.us-east-1.amazonaws.com/111111111111/acme-mock-serverless-writes' },
  write_queue_arn: { description: 'ARN of the write queue', mock: 'arn:aws:sqs:us-east-1:111111111111:acme-mock-serverless-writes' },
  topic_arn: { description: 'SNS topic of processed items (fanned out to SQS)', mock: 'arn:aws:sns:us-east-1:111111111111:acme-mock-serverless-items' },
  fanout_queue_url: { description: 'SQS queue subscribed to the topic', mock: 'https://sqs.us-east-1.amazonaws.com/111111111111/acme-mock-serverless-fanout' },
  event_bus_name: { description: 'Custom EventBridge bus', mock: 'acme-mock-serverless' },
  event_bus_arn: { description: 'ARN of the custom bus', mock: 'arn:aws:events:us-east-1:111111111111:event-bus/acme-mock-serverless' },
  state_machine_arn: { description: 'Step Functions state machine', mock: 'arn:aws:states:us-east-1:111111111111:stateMachine:acme-mock-serverless' },
  secret_arn: { description: 'Secrets Manager secret (value set out of band)', mock: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:acme/mock/serverless-AbCdEf' },
  kms_key_arn: { description: 'KMS key of the layer (messaging, and everything unless the security keys are used)', mock: 'arn:aws:kms:us-east-1:111111111111:key/00000000-0000-0000-0000-000000005e71' },
  function_alias_arns: { description: 'Alias ARNs of the functions, in SERVERLESS_FUNCTIONS order', mock: ['arn:aws:lambda:us-east-1:111111111111:function:acme-mock-api:live'] },
});

const ISSUER = /^https:\/\/[^\s/]+(\/[^\s]*)?$/;
const STAGE = /^[A-Za-z0-9_-]{1,128}$/;
/** Actions Step Functions needs to deliver logs to CloudWatch Logs; AWS documents them with `Resource: '*'`. */
export const SFN_LOG_DELIVERY_ACTIONS = [
  'logs:CreateLogDelivery', 'logs:GetLogDelivery', 'logs:UpdateLogDelivery', 'logs:DeleteLogDelivery', 'logs:ListLogDeliveries',
  'logs:PutResourcePolicy', 'logs:DescribeResourcePolicies', 'logs:DescribeLogGroups',
];
const SFN_XRAY_ACTIONS = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'];
const EVENT_SOURCE = 'acme.serverless.items';

/**
 * The serverless patterns of the source documents: an HTTP API with a Cognito JWT authorizer in front of Lambda
 * aliases, buffered writes through SQS into DynamoDB, the table's stream turned into EventBridge events that start
 * a Step Functions workflow of two functions, whose result fans out through SNS to SQS. Everything is encrypted
 * with KMS, every function is traced and has a dead-letter queue, and every role holds only the ARNs it uses.
 */
export class Serverless extends LayerStack {
  static readonly contract = serverlessContract;
  /** Holds the table, the secret and the key. */
  static readonly stateful = true;

  /** The API's custom domain (simple alias to the regional API Gateway domain) and its certificate. */
  static dnsClaims(config: ServerlessConfig, ctx: LayerContext): DnsClaims {
    const api = config.customDomain ? subZoneName(ctx, config.customDomain) : undefined;
    if (!api) return NO_DNS_CLAIMS;
    return {
      records: [{ ...api, type: 'A', routing: 'simple', target: 'alias to the API Gateway regional domain', field: 'customDomain.subdomain', endpoint: true }],
      certificates: [{ ...api, field: 'customDomain.subdomain' }],
    };
  }

  static validate(config: ServerlessConfig, ctx: LayerContext): FieldProblem[] {
    const problems: FieldProblem[] = [];
    for (const name of SERVERLESS_FUNCTIONS) {
      const f = config.functions?.[name];
      if (!f) {
        problems.push({ field: `functions.${name}`, message: 'is missing (every function needs a reserved concurrency)' });
        continue;
      }
      if (!Number.isInteger(f.reservedConcurrency) || f.reservedConcurrency < 1 || f.reservedConcurrency > 1000) {
        problems.push({ field: `functions.${name}.reservedConcurrency`, message: `${String(f.reservedConcurrency)} must be a whole number between 1 and 1000` });
      }
      // The Lambda module's rules for the sizes this config passes through, under this config's field names.
      const sizes = lambdaFunctionPropProblems({ memorySize: f.memoryMb, timeoutSeconds: f.timeoutSeconds }).filter((p) => p.field !== 'logRetentionDays');
      problems.push(...new FieldProblems().nest(`functions.${name}`, sizes.map((p) => ({ ...p, field: p.field === 'memorySize' ? 'memoryMb' : p.field }))).list);
    }
    if (config.functions?.api?.timeoutSeconds !== undefined && config.functions.api.timeoutSeconds > 29) {
      problems.push({ field: 'functions.api.timeoutSeconds', message: `${config.functions.api.timeoutSeconds} exceeds the 29 s an HTTP API waits for an integration` });
    }
    const t = config.throttling;
    if (!t || !(Number.isInteger(t.burstLimit) && t.burstLimit >= 1) || !(t.rateLimit > 0)) {
      problems.push({ field: 'throttling', message: 'needs a burstLimit (whole number >= 1) and a rateLimit (> 0 requests per second)' });
    }
    if (config.stageName !== undefined && !STAGE.test(config.stageName)) {
      problems.push({ field: 'stageName', message: `"${config.stageName}" may hold only letters, digits, - and _` });
    }
    if (config.jwt) {
      if (!ISSUER.test(config.jwt.issuer ?? '')) problems.push({ field: 'jwt.issuer', message: `"${String(config.jwt.issuer)}" must be an https URL` });
      if (!Array.isArray(config.jwt.audience) || config.jwt.audience.length === 0) {
        problems.push({ field: 'jwt.audience', message: 'must list at least one audience (app client id)' });
      }
    }
    if (config.useCdnUserPool && config.jwt) {
      problems.push({ field: 'useCdnUserPool', message: 'cannot be combined with jwt: choose one issuer' });
    }
    if (config.useCdnUserPool) {
      const cdn = ctx.account.layers.get('cdn');
      const auth = (cdn?.config as { auth?: unknown } | undefined)?.auth;
      if (!cdn || !cdn.enabled) problems.push({ field: 'useCdnUserPool', message: `account ${ctx.account.name} has no enabled cdn layer` });
      else if (!auth) problems.push({ field: 'useCdnUserPool', message: 'the cdn layer of this account has no auth (its user pool outputs are empty)' });
    }
    const domain = config.customDomain;
    if (domain) {
      problems.push(...subZoneNameProblems('customDomain', domain, ctx), ...dnsClaimProblems(ctx, Serverless.dnsClaims(config, ctx)));
      if (domain.basePath !== undefined && !/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(domain.basePath)) {
        problems.push({ field: 'customDomain.basePath', message: `"${domain.basePath}" is not a mapping key (path segments without leading or trailing /)` });
      }
    }
    if (config.useSecurityAlarmTopic && config.alarmTopicArn !== undefined) {
      problems.push({ field: 'useSecurityAlarmTopic', message: 'cannot be combined with alarmTopicArn: choose one topic' });
    }
    if (config.alarmTopicArn !== undefined && !/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]+$/.test(config.alarmTopicArn)) {
      problems.push({ field: 'alarmTopicArn', message: `"${config.alarmTopicArn}" is not an SNS topic ARN` });
    }
    if (config.runtime !== undefined && !/^nodejs(2[02-9]|[3-9]\d)\.x$/.test(config.runtime)) {
      problems.push({ field: 'runtime', message: `"${config.runtime}" is not a supported Node.js runtime (nodejs22.x or newer; the handlers are JavaScript)` });
    }
    const retention = config.logRetentionDays === undefined ? undefined : logRetentionDays(config.logRetentionDays);
    if (retention) problems.push({ field: 'logRetentionDays', message: retention });
    if (config.stateMachineLogLevel !== undefined && !['ALL', 'ERROR'].includes(config.stateMachineLogLevel)) {
      problems.push({ field: 'stateMachineLogLevel', message: `"${String(config.stateMachineLogLevel)}" must be ALL or ERROR` });
    }
    if (config.streamMaxRetries !== undefined && (!Number.isInteger(config.streamMaxRetries) || config.streamMaxRetries < 0 || config.streamMaxRetries > 10000)) {
      problems.push({ field: 'streamMaxRetries', message: `${config.streamMaxRetries} must be between 0 and 10000` });
    }
    if (config.writeQueueMaxReceiveCount !== undefined && (!Number.isInteger(config.writeQueueMaxReceiveCount) || config.writeQueueMaxReceiveCount < 1 || config.writeQueueMaxReceiveCount > 1000)) {
      problems.push({ field: 'writeQueueMaxReceiveCount', message: `${config.writeQueueMaxReceiveCount} must be between 1 and 1000` });
    }
    (config.corsAllowOrigins ?? []).forEach((origin, i) => {
      if (origin === '*' || !/^https:\/\/[^\s/*]+$/.test(origin)) {
        problems.push({ field: `corsAllowOrigins[${i}]`, message: `"${origin}" must be an https origin without path or wildcard` });
      }
    });
    const pi = config.privateIntegration;
    if (pi?.enabled) {
      const badPort = port(pi.port ?? 80);
      if (badPort) problems.push({ field: 'privateIntegration.port', message: badPort });
      (pi.targetIps ?? []).forEach((ip, i) => {
        if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) problems.push({ field: `privateIntegration.targetIps[${i}]`, message: `"${ip}" is not an IPv4 address` });
      });
    }
    return problems;
  }

  constructor(scope: Construct, ctx: LayerContext, config: ServerlessConfig) {
    super(scope, ctx);
    const prd = ctx.account.environment === 'prd';
    const protect = config.protect ?? prd;
    const { region } = ctx;
    const accountId = ctx.account.id;
    const retention = config.logRetentionDays ?? (prd ? 365 : 30);
    const stageName = config.stageName ?? ctx.account.environment;
    const prefix = this.resourceName('serverless');

    // Keys: this layer's key always encrypts messaging; the security layer's keys optionally take data, secrets, logs.
    const key = new KmsKey(this, 'key', {
      alias: prefix,
      description: `Encrypts the serverless application of ${ctx.account.name}`,
      accountId,
      preventDestroy: protect,
      serviceStatements: [
        cloudWatchLogsKeyStatement(region, accountId),
        {
          Sid: 'MessagingServices',
          Effect: 'Allow',
          Principal: { Service: 'sns.amazonaws.com' },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          Resource: '*',
          Condition: { StringEquals: { 'aws:SourceAccount': accountId } },
        },
        // The event bus is encrypted with this key: EventBridge also needs DescribeKey.
        eventBridgeKeyStatement(accountId),
      ],
    });
    const security = config.useSecurityLayerKeys ? this.remote(securityContract) : undefined;
    const keys = {
      messaging: key.arn,
      data: security ? security.get('data_kms_key_arn') : key.arn,
      secrets: security ? security.get('secrets_kms_key_arn') : key.arn,
      logs: security ? security.get('logs_kms_key_arn') : key.arn,
    };
    const kmsUse = (...arns: string[]): PolicyStatement => ({
      Sid: 'UseKeys',
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: [...new Set(arns)],
    });

    // Network (only when something runs in or reaches into the VPC).
    const needsNetwork = config.lambdasInVpc === true || config.privateIntegration?.enabled === true;
    const network = needsNetwork ? this.remote(baseNetworkContract, { account: config.networkAccount }) : undefined;
    let lambdaVpc: { subnetIds: string[]; securityGroupIds: string[] } | undefined;
    if (network && config.lambdasInVpc) {
      const sg = new SecurityGroup(this, 'lambda-sg', {
        name: `${prefix}-lambda`,
        description: 'Serverless functions: HTTPS out to AWS APIs only',
        vpcId: network.get('vpc_id'),
        tags: { Name: `${prefix}-lambda` },
        lifecycle: { createBeforeDestroy: true },
      });
      new VpcSecurityGroupEgressRule(this, 'lambda-https-out', {
        securityGroupId: sg.id,
        description: 'HTTPS to AWS APIs through NAT or VPC endpoints',
        ipProtocol: 'tcp',
        fromPort: 443,
        toPort: 443,
        cidrIpv4: '0.0.0.0/0',
      });
      lambdaVpc = { subnetIds: network.get('private_subnet_ids'), securityGroupIds: [sg.id] };
    }

    // Data: the table (with its stream) and the secret.
    const table = new DynamodbTable(this, 'table', {
      name: `${prefix}-items`,
      billingMode: 'PAY_PER_REQUEST',
      hashKey: 'pk',
      rangeKey: 'sk',
      attribute: [{ name: 'pk', type: 'S' }, { name: 'sk', type: 'S' }],
      pointInTimeRecovery: { enabled: true },
      serverSideEncryption: { enabled: true, kmsKeyArn: keys.data },
      streamEnabled: true,
      streamViewType: 'NEW_AND_OLD_IMAGES',
      deletionProtectionEnabled: protect,
      lifecycle: { preventDestroy: protect },
    });
    // Only the process function's role may read the value (a resource policy, POL-SM-002). The function is made
    // below, with the secret's ARN in its environment: its role ARN is filled in at synth.
    const later: { processFn?: LambdaFunction } = {};
    const secret = new ManagedSecret(this, 'api-key', {
      name: `${ctx.org.project.name}/${ctx.account.name}/serverless/api-key`,
      description: 'Credential the process function reads at run time. The value is set out of band (see docs/serverless-and-multi-tier.md), never in code.',
      kmsKeyArn: keys.secrets,
      readers: [Lazy.stringValue({ produce: () => later.processFn!.role.arn })],
      recoveryWindowDays: prd ? 30 : 7,
      preventDestroy: protect,
    });
    // Same secret as before it had a resource policy: a replace would fail (the name stays reserved while the old
    // one waits out its recovery window).
    secret.secret.moveFromId('aws_secretsmanager_secret.secret');

    // Messaging: buffered writes, stream failures, the fan-out topic and queue, the event bus and its DLQ.
    const fn = (name: ServerlessFunctionName) => config.functions[name];
    const writeQueue = new Queue(this, 'write-queue', {
      name: `${prefix}-writes`,
      kmsKeyArn: keys.messaging,
      maxReceiveCount: config.writeQueueMaxReceiveCount ?? 5,
      visibilityTimeoutSeconds: 6 * (fn('writer').timeoutSeconds ?? 10),
    });
    const streamFailures = new Queue(this, 'stream-failures', {
      name: `${prefix}-stream-failures`,
      kmsKeyArn: keys.messaging,
      deadLetterQueue: false,
      messageRetentionSeconds: 1209600,
    });
    const topic = new EncryptedTopic(this, 'topic', { name: `${prefix}-items`, kmsKeyArn: keys.messaging, accountId });
    const fanout = new Queue(this, 'fanout-queue', {
      name: `${prefix}-fanout`,
      kmsKeyArn: keys.messaging,
      policyStatements: (queueArn) => [{
        Sid: 'TopicDelivers',
        Effect: 'Allow',
        Principal: { Service: 'sns.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: queueArn,
        Condition: { ArnEquals: { 'aws:SourceArn': topic.arn } },
      }],
    });
    new SnsTopicSubscription(this, 'fanout-subscription', {
      topicArn: topic.arn,
      protocol: 'sqs',
      endpoint: fanout.arn,
      rawMessageDelivery: true,
    });
    const bus = new CloudwatchEventBus(this, 'bus', { name: prefix, kmsKeyIdentifier: keys.messaging });

    // Functions: one archive of the handler folder, one alias per function.
    const code = folderArchive(this, 'handlers', { path: path.resolve(__dirname, '..', config.handlerDir ?? 'assets/serverless') });
    const lambda = (name: ServerlessFunctionName, environment: Record<string, string>, statements: PolicyStatement[]) =>
      new LambdaFunction(this, `fn-${name}`, {
        functionName: `${prefix}-${name}`,
        code,
        handler: `${name}.handler`,
        accountId,
        region,
        kmsKeyArn: keys.data,
        logsKmsKeyArn: keys.logs,
        runtime: config.runtime,
        memorySize: fn(name).memoryMb,
        timeoutSeconds: fn(name).timeoutSeconds,
        reservedConcurrency: fn(name).reservedConcurrency,
        logRetentionDays: retention,
        environment,
        policyStatements: statements,
        vpc: lambdaVpc,
      });
    const api = lambda('api', { TABLE_NAME: table.name, WRITE_QUEUE_URL: writeQueue.url }, [
      { Sid: 'ReadItems', Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:Query'], Resource: table.arn },
      { Sid: 'BufferWrites', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: writeQueue.arn },
      kmsUse(keys.data, keys.messaging),
    ]);
    const writer = lambda('writer', { TABLE_NAME: table.name }, [
      {
        Sid: 'ConsumeWrites',
        Effect: 'Allow',
        Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ChangeMessageVisibility'],
        Resource: writeQueue.arn,
      },
      { Sid: 'WriteItems', Effect: 'Allow', Action: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:BatchWriteItem'], Resource: table.arn },
      kmsUse(keys.data, keys.messaging),
    ]);
    const stream = lambda('stream', { EVENT_BUS_NAME: bus.name, EVENT_SOURCE }, [
      {
        Sid: 'ReadStream',
        Effect: 'Allow',
        Action: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'],
        Resource: table.streamArn,
      },
      { Sid: 'FailedBatches', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: streamFailures.arn },
      { Sid: 'PutEvents', Effect: 'Allow', Action: 'events:PutEvents', Resource: bus.arn },
      kmsUse(keys.data, keys.messaging),
    ]);
    const validate = lambda('validate', {}, []);
    const processFn = lambda('process', { TOPIC_ARN: topic.arn, SECRET_ARN: secret.arn }, [
      { Sid: 'Publish', Effect: 'Allow', Action: 'sns:Publish', Resource: topic.arn },
      { Sid: 'ReadSecret', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: secret.arn },
      kmsUse(keys.messaging, keys.secrets),
    ]);
    later.processFn = processFn;
    const functions = { api, writer, stream, validate, process: processFn };

    // Triggers: the write queue and the table stream, each through the function's alias.
    new LambdaEventSourceMapping(this, 'writes-trigger', {
      eventSourceArn: writeQueue.arn,
      functionName: writer.aliasArn,
      batchSize: 10,
      maximumBatchingWindowInSeconds: 1,
      functionResponseTypes: ['ReportBatchItemFailures'],
      scalingConfig: { maximumConcurrency: Math.max(2, fn('writer').reservedConcurrency) },
    });
    new LambdaEventSourceMapping(this, 'stream-trigger', {
      eventSourceArn: table.streamArn,
      functionName: stream.aliasArn,
      startingPosition: 'LATEST',
      batchSize: 100,
      maximumBatchingWindowInSeconds: 5,
      bisectBatchOnFunctionError: true,
      maximumRetryAttempts: config.streamMaxRetries ?? 3,
      maximumRecordAgeInSeconds: 3600,
      destinationConfig: { onFailure: { destinationArn: streamFailures.arn } },
    });

    // Workflow: validate then process, logged and traced.
    const sfnLogs = new CloudwatchLogGroup(this, 'state-machine-logs', {
      name: `/aws/vendedlogs/states/${prefix}`,
      retentionInDays: retention,
      kmsKeyId: keys.logs,
    });
    const sfnRole = new IamRole(this, 'state-machine-role', {
      name: `${prefix}-states`,
      assumeRolePolicy: policyDocument([{
        Effect: 'Allow',
        Principal: { Service: 'states.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:SourceAccount': accountId } },
      }]),
    });
    const sfnPolicy = new IamRolePolicy(this, 'state-machine-policy', {
      name: 'least-privilege',
      role: sfnRole.id,
      policy: policyDocument([
        { Sid: 'InvokeSteps', Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: [validate.aliasArn, processFn.aliasArn] },
        { Sid: 'LogDelivery', Effect: 'Allow', Action: SFN_LOG_DELIVERY_ACTIONS, Resource: '*' },
        { Sid: 'XRay', Effect: 'Allow', Action: SFN_XRAY_ACTIONS, Resource: '*' },
      ]),
    });
    const lambdaRetry = [{
      ErrorEquals: ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'],
      IntervalSeconds: 2,
      MaxAttempts: 3,
      BackoffRate: 2,
    }];
    const catchAll = [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Failed' }];
    const logLevel = config.stateMachineLogLevel ?? (prd ? 'ERROR' : 'ALL');
    const stateMachine = new SfnStateMachine(this, 'state-machine', {
      name: prefix,
      type: 'STANDARD',
      roleArn: sfnRole.arn,
      definition: JSON.stringify({
        Comment: 'Validates an item change, then processes it and publishes the result',
        StartAt: 'Validate',
        States: {
          Validate: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            Parameters: { FunctionName: validate.aliasArn, 'Payload.$': '$' },
            OutputPath: '$.Payload',
            Retry: lambdaRetry,
            Catch: catchAll,
            Next: 'Process',
          },
          Process: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            Parameters: { FunctionName: processFn.aliasArn, 'Payload.$': '$' },
            OutputPath: '$.Payload',
            Retry: lambdaRetry,
            Catch: catchAll,
            End: true,
          },
          Failed: { Type: 'Fail', Error: 'ItemProcessingFailed', Cause: 'A step failed after its retries' },
        },
      }),
      loggingConfiguration: { logDestination: `${sfnLogs.arn}:*`, level: logLevel, includeExecutionData: !prd },
      tracingConfiguration: { enabled: true },
      dependsOn: [sfnPolicy],
    });

    // Events: the stream function's ItemChanged events start the workflow; undeliverable events go to a DLQ.
    const rule = new CloudwatchEventRule(this, 'item-changed', {
      name: `${prefix}-item-changed`,
      description: 'Item changes from the table stream start the workflow',
      eventBusName: bus.name,
      eventPattern: JSON.stringify({ source: [EVENT_SOURCE], 'detail-type': ['ItemChanged'] }),
      state: 'ENABLED',
    });
    const eventsDlq = new Queue(this, 'events-dlq', {
      name: `${prefix}-events-dlq`,
      kmsKeyArn: keys.messaging,
      deadLetterQueue: false,
      messageRetentionSeconds: 1209600,
      policyStatements: (queueArn) => [{
        Sid: 'RuleDeadLetters',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: queueArn,
        Condition: { ArnEquals: { 'aws:SourceArn': rule.arn } },
      }],
    });
    const eventsRole = new IamRole(this, 'events-role', {
      name: `${prefix}-events`,
      assumeRolePolicy: policyDocument([{
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:SourceAccount': accountId } },
      }]),
    });
    new IamRolePolicy(this, 'events-policy', {
      name: 'start-workflow',
      role: eventsRole.id,
      policy: policyDocument([{ Sid: 'StartWorkflow', Effect: 'Allow', Action: 'states:StartExecution', Resource: stateMachine.arn }]),
    });
    new CloudwatchEventTarget(this, 'item-changed-target', {
      rule: rule.name,
      eventBusName: bus.name,
      targetId: 'workflow',
      arn: stateMachine.arn,
      roleArn: eventsRole.arn,
      deadLetterConfig: { arn: eventsDlq.arn },
      retryPolicy: { maximumEventAgeInSeconds: 3600, maximumRetryAttempts: 5 },
    });

    // API: Cognito (or configured) JWT authorizer, routes to the api alias, stage with throttling and access logs.
    let issuer: string;
    let audience: string[];
    if (config.jwt) {
      issuer = config.jwt.issuer;
      audience = [...config.jwt.audience];
    } else if (config.useCdnUserPool) {
      const cdn = this.remote(cdnContract);
      const poolId = cdn.get('user_pool_id');
      // A pool id starts with its region (`us-east-1_AbC123`): the cdn layer's pool may live in another region.
      issuer = `https://cognito-idp.${Fn.element(Fn.split('_', poolId), 0)}.amazonaws.com/${poolId}`;
      audience = [cdn.get('user_pool_client_id')];
    } else {
      const pool = new CognitoUserPool(this, 'user-pool', {
        name: prefix,
        deletionProtection: protect ? 'ACTIVE' : 'INACTIVE',
        usernameAttributes: ['email'],
        autoVerifiedAttributes: ['email'],
        mfaConfiguration: 'OPTIONAL',
        softwareTokenMfaConfiguration: { enabled: true },
        adminCreateUserConfig: { allowAdminCreateUserOnly: true },
        accountRecoverySetting: { recoveryMechanism: [{ name: 'verified_email', priority: 1 }] },
        passwordPolicy: {
          minimumLength: 14,
          requireLowercase: true,
          requireUppercase: true,
          requireNumbers: true,
          requireSymbols: true,
          temporaryPasswordValidityDays: 3,
        },
      });
      const client = new CognitoUserPoolClient(this, 'user-pool-client', {
        name: `${prefix}-api`,
        userPoolId: pool.id,
        generateSecret: false,
        explicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
        preventUserExistenceErrors: 'ENABLED',
        enableTokenRevocation: true,
        accessTokenValidity: 1,
        idTokenValidity: 1,
        refreshTokenValidity: 30,
        tokenValidityUnits: [{ accessToken: 'hours', idToken: 'hours', refreshToken: 'days' }],
      });
      issuer = `https://cognito-idp.${region}.amazonaws.com/${pool.id}`;
      audience = [client.id];
    }

    const httpApi = new Apigatewayv2Api(this, 'api', {
      name: prefix,
      protocolType: 'HTTP',
      description: `Serverless API of ${ctx.account.name}`,
      corsConfiguration: (config.corsAllowOrigins ?? []).length > 0
        ? { allowOrigins: [...(config.corsAllowOrigins ?? [])], allowMethods: ['GET', 'POST'], allowHeaders: ['authorization', 'content-type'], maxAge: 300 }
        : undefined,
    });
    const authorizer = new Apigatewayv2Authorizer(this, 'jwt-authorizer', {
      apiId: httpApi.id,
      name: 'jwt',
      authorizerType: 'JWT',
      identitySources: ['$request.header.Authorization'],
      jwtConfiguration: { issuer, audience },
    });
    const integration = new Apigatewayv2Integration(this, 'api-integration', {
      apiId: httpApi.id,
      integrationType: 'AWS_PROXY',
      integrationUri: api.aliasInvokeArn,
      payloadFormatVersion: '2.0',
      timeoutMilliseconds: Math.min(29000, (fn('api').timeoutSeconds ?? 10) * 1000 + 1000),
    });
    for (const routeKey of ['GET /items', 'POST /items']) {
      new Apigatewayv2Route(this, `route-${routeKey.replace(/[^A-Za-z]+/g, '-').toLowerCase()}`, {
        apiId: httpApi.id,
        routeKey,
        target: `integrations/${integration.id}`,
        authorizationType: 'JWT',
        authorizerId: authorizer.id,
      });
    }
    new LambdaPermission(this, 'api-invoke', {
      statementId: 'HttpApiInvoke',
      action: 'lambda:InvokeFunction',
      functionName: api.functionName,
      qualifier: api.alias.name,
      principal: 'apigateway.amazonaws.com',
      sourceArn: `${httpApi.executionArn}/*/*/items`,
    });

    if (config.privateIntegration?.enabled && network) {
      this.privateIntegration(prefix, config.privateIntegration, {
        vpcId: network.get('vpc_id'),
        vpcCidr: network.get('vpc_cidr_block'),
        subnetIds: network.get('private_subnet_ids'),
      }, httpApi.id, authorizer.id);
    }

    const accessLogs = new CloudwatchLogGroup(this, 'api-access-logs', {
      name: `/aws/apigateway/${prefix}/${stageName}`,
      retentionInDays: retention,
      kmsKeyId: keys.logs,
    });
    const stage = new Apigatewayv2Stage(this, 'stage', {
      apiId: httpApi.id,
      name: stageName,
      autoDeploy: true,
      description: `${ctx.account.environment} stage; integrations call the functions' live aliases`,
      stageVariables: { lambdaAlias: api.alias.name },
      defaultRouteSettings: {
        throttlingBurstLimit: config.throttling.burstLimit,
        throttlingRateLimit: config.throttling.rateLimit,
        detailedMetricsEnabled: true,
      },
      accessLogSettings: {
        destinationArn: accessLogs.arn,
        format: JSON.stringify({
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
        }),
      },
    });

    // Alarms: anything parked in a dead-letter queue, function errors, failed workflows, API 5xx.
    const alarmTopic = config.useSecurityAlarmTopic ? (security ?? this.remote(securityContract)).get('sns_topic_arn') : config.alarmTopicArn;
    const actions = alarmTopic ? [alarmTopic] : [];
    const alarm = (id: string, description: string, namespace: string, metricName: string, dimensions: Record<string, string>) =>
      new CloudwatchMetricAlarm(this, `alarm-${id}`, {
        alarmName: `${prefix}-${id}`,
        alarmDescription: description,
        namespace,
        metricName,
        dimensions,
        statistic: namespace === 'AWS/SQS' ? 'Maximum' : 'Sum',
        period: 300,
        evaluationPeriods: 1,
        threshold: 0,
        comparisonOperator: 'GreaterThanThreshold',
        treatMissingData: 'notBreaching',
        alarmActions: actions,
        okActions: actions,
      });
    const parked: [string, string][] = [
      ['writes-dlq', writeQueue.dlq!.name],
      ['stream-failures', streamFailures.name],
      ['events-dlq', eventsDlq.name],
      ['fanout-dlq', fanout.dlq!.name],
      ...SERVERLESS_FUNCTIONS.map((name): [string, string] => [`${name}-async-dlq`, functions[name].deadLetterQueue.name]),
    ];
    for (const [id, queueName] of parked) {
      alarm(id, `Messages waiting in ${id}: inspect and redrive (docs/serverless-and-multi-tier.md)`, 'AWS/SQS', 'ApproximateNumberOfMessagesVisible', { QueueName: queueName });
    }
    for (const name of SERVERLESS_FUNCTIONS) {
      alarm(`${name}-errors`, `Function ${name} failed`, 'AWS/Lambda', 'Errors', { FunctionName: functions[name].functionName });
    }
    alarm('workflow-failed', 'Workflow executions failed', 'AWS/States', 'ExecutionsFailed', { StateMachineArn: stateMachine.arn });
    alarm('api-5xx', 'The API answered 5xx', 'AWS/ApiGateway', '5xx', { ApiId: httpApi.id, Stage: stage.name });

    const custom = config.customDomain ? this.customDomain(config.customDomain, httpApi.id, stage.name) : undefined;

    this.publish(serverlessContract, {
      api_id: httpApi.id,
      api_endpoint: httpApi.apiEndpoint,
      custom_domain_name: custom ?? '',
      stage_name: stage.name,
      stage_invoke_url: stage.invokeUrl,
      jwt_issuer: issuer,
      jwt_audience: audience,
      table_name: table.name,
      table_arn: table.arn,
      write_queue_url: writeQueue.url,
      write_queue_arn: writeQueue.arn,
      topic_arn: topic.arn,
      fanout_queue_url: fanout.url,
      event_bus_name: bus.name,
      event_bus_arn: bus.arn,
      state_machine_arn: stateMachine.arn,
      secret_arn: secret.arn,
      kms_key_arn: key.arn,
      function_alias_arns: SERVERLESS_FUNCTIONS.map((name) => functions[name].aliasArn),
    });
  }

  /** ACM certificate validated in the account's sub-zone, regional domain name, alias record, stage mapping. */
  private customDomain(domain: NonNullable<ServerlessConfig['customDomain']>, apiId: string, stageName: string): string {
    const zoneId = this.remote(dnsZoneContract, { layer: domain.zoneLayer ?? DEFAULT_ZONE_LAYER }).get('zone_id');
    // validate() checked the label and the dns-zone layer, so the name is known here (no remote zone_name token).
    const name = subZoneName(this.ctx, domain)!.name;
    const certificate = new DnsValidatedCertificate(this, 'api-certificate', { domainNames: [name], zoneId });
    const domainName = new Apigatewayv2DomainName(this, 'api-domain', {
      domainName: name,
      domainNameConfiguration: { certificateArn: certificate.arn, endpointType: 'REGIONAL', securityPolicy: 'TLS_1_2' },
    });
    new Apigatewayv2ApiMapping(this, 'api-mapping', {
      apiId,
      domainName: domainName.id,
      stage: stageName,
      apiMappingKey: domain.basePath ?? 'api',
    });
    new Route53Record(this, 'api-alias', {
      zoneId,
      name,
      type: 'A',
      alias: {
        name: domainName.domainNameConfiguration.targetDomainName,
        zoneId: domainName.domainNameConfiguration.hostedZoneId,
        evaluateTargetHealth: false,
      },
    });
    return domainName.domainName;
  }

  /** Internal NLB in the private subnets and a VPC link, routed from the API under the JWT authorizer. */
  private privateIntegration(
    prefix: string,
    pi: PrivateIntegrationConfig,
    net: { vpcId: string; vpcCidr: string; subnetIds: string[] },
    apiId: string,
    authorizerId: string,
  ): void {
    const { vpcId, subnetIds } = net;
    const port = pi.port ?? 80;
    const linkSg = new SecurityGroup(this, 'vpc-link-sg', {
      name: `${prefix}-vpc-link`,
      description: 'API Gateway VPC link to the private NLB',
      vpcId,
      tags: { Name: `${prefix}-vpc-link` },
      lifecycle: { createBeforeDestroy: true },
    });
    const nlbSg = new SecurityGroup(this, 'nlb-sg', {
      name: `${prefix}-nlb`,
      description: 'Private NLB reached only through the API VPC link',
      vpcId,
      tags: { Name: `${prefix}-nlb` },
      lifecycle: { createBeforeDestroy: true },
    });
    new VpcSecurityGroupEgressRule(this, 'vpc-link-to-nlb', {
      securityGroupId: linkSg.id, ipProtocol: 'tcp', fromPort: port, toPort: port, referencedSecurityGroupId: nlbSg.id, description: 'VPC link to NLB',
    });
    new VpcSecurityGroupIngressRule(this, 'nlb-from-vpc-link', {
      securityGroupId: nlbSg.id, ipProtocol: 'tcp', fromPort: port, toPort: port, referencedSecurityGroupId: linkSg.id, description: 'From the API VPC link',
    });
    new VpcSecurityGroupEgressRule(this, 'nlb-to-targets', {
      securityGroupId: nlbSg.id, ipProtocol: 'tcp', fromPort: port, toPort: port, cidrIpv4: net.vpcCidr, description: 'To private targets in the VPC',
    });
    const nlb = new Lb(this, 'nlb', {
      name: `${prefix}-nlb`.slice(0, 32).replace(/-+$/, ''),
      loadBalancerType: 'network',
      internal: true,
      subnets: subnetIds,
      securityGroups: [nlbSg.id],
      enableCrossZoneLoadBalancing: true,
    });
    const tg = new LbTargetGroup(this, 'nlb-targets', {
      name: `${prefix}-private`.slice(0, 32).replace(/-+$/, ''),
      port,
      protocol: 'TCP',
      targetType: 'ip',
      vpcId,
      healthCheck: { enabled: true, protocol: 'TCP', port: 'traffic-port' },
    });
    (pi.targetIps ?? []).forEach((ip, i) => new LbTargetGroupAttachment(this, `nlb-target-${i}`, { targetGroupArn: tg.arn, targetId: ip, port }));
    const listener = new LbListener(this, 'nlb-listener', {
      loadBalancerArn: nlb.arn,
      port,
      protocol: 'TCP',
      defaultAction: [{ type: 'forward', targetGroupArn: tg.arn }],
    });
    const link = new Apigatewayv2VpcLink(this, 'vpc-link', { name: `${prefix}-private`, securityGroupIds: [linkSg.id], subnetIds });
    const integration = new Apigatewayv2Integration(this, 'private-integration', {
      apiId,
      integrationType: 'HTTP_PROXY',
      integrationMethod: 'ANY',
      connectionType: 'VPC_LINK',
      connectionId: link.id,
      integrationUri: listener.arn,
      payloadFormatVersion: '1.0',
    });
    new Apigatewayv2Route(this, 'route-private', {
      apiId,
      routeKey: pi.routeKey ?? 'ANY /private/{proxy+}',
      target: `integrations/${integration.id}`,
      authorizationType: 'JWT',
      authorizerId,
    });
  }
}
