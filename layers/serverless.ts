import { Apigatewayv2VpcLink } from '@cdktf/provider-aws/lib/apigatewayv2-vpc-link';
import { LambdaEventSourceMapping } from '@cdktf/provider-aws/lib/lambda-event-source-mapping';
import { Lb } from '@cdktf/provider-aws/lib/lb';
import { LbListener } from '@cdktf/provider-aws/lib/lb-listener';
import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group';
import { LbTargetGroupAttachment } from '@cdktf/provider-aws/lib/lb-target-group-attachment';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { Fn } from 'cdktf';
import type { Construct } from 'constructs';
import * as path from 'path';
import { defineContract } from '../lib/contract';
import { isProduction } from '../lib/environment';
import { declaredLayer } from '../lib/layer-presence';
import { LayerStack, type FieldProblem } from '../lib/layer-stack';
import type { LayerContext } from '../lib/model';
import { resourceName, roleArn } from '../lib/naming';
import { arnOf, FieldProblems, integerBetween, logRetentionDays, port } from '../lib/validators';
import { dnsClaimProblems, NO_DNS_CLAIMS, type DnsClaims } from '../modules/dns-claims';
import { DynamoTable } from '../modules/dynamo-table';
import { EncryptedTopic } from '../modules/encrypted-topic';
import { EventBus } from '../modules/event-bus';
import { folderArchive } from '../modules/folder-archive';
import { HTTP_API_INTEGRATION_TIMEOUT_SECONDS, HttpApi, httpApiPropProblems, type HttpApiJwt } from '../modules/http-api';
import { KmsKey } from '../modules/kms-key';
import { LambdaFunction, lambdaFunctionPropProblems, lambdaRoleName } from '../modules/lambda-function';
import { secretFromArn, type ISecret } from '../modules/managed-secret';
import { MetricAlarm, type AlarmMetric } from '../modules/metric-alarm';
import { Queue, queuePropProblems, serviceSendStatement } from '../modules/queue';
import { ServiceRole } from '../modules/role';
import { StateMachine, stateMachinePropProblems, type StateMachineLogLevel } from '../modules/state-machine';
import { UserPool } from '../modules/user-pool';
import { baseNetworkContract } from './base-network';
import { Cdn, cdnContract } from './cdn';
import { DEFAULT_ZONE_LAYER, dnsZoneContract, subZoneName, subZoneNameProblems } from './dns-zone';
import { resolveSecretRef, secretRefProblems, type SecretReader, type SecretRef } from './secrets';
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
  /** Days Lambda, API and state-machine logs are kept. @default 365 in production, 30 elsewhere */
  readonly logRetentionDays?: number;
  /** Step Functions log level; execution data is logged outside production only. @default 'ERROR' in production, 'ALL' elsewhere */
  readonly stateMachineLogLevel?: StateMachineLogLevel;
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
   * Encrypt the table and Lambda environments with the security layer's data key and log groups with its logs key.
   * Messaging (SQS, SNS, EventBridge) always uses this layer's key, whose policy admits SNS and EventBridge.
   * @default false (this layer's key for everything)
   */
  readonly useSecurityLayerKeys?: boolean;
  /**
   * SNS topic notified by the layer's alarms (messages in any dead-letter queue, function errors, failed workflow
   * executions, API 5xx), e.g. the security layer's `sns_topic_arn`. @default - alarms without actions
   */
  readonly alarmTopicArn?: string;
  /** Notify the account's notification topic published by the security layer instead. Excludes alarmTopicArn. @default false */
  readonly useSecurityAlarmTopic?: boolean;
  /**
   * The credential the process function reads at run time, a secret of this account's secrets layer:
   * `fromSecrets('serverless/api-key')`. Its ARN is passed in `SECRET_ARN` (never the value), the function's role may
   * read it and decrypt it with the secrets key, and the secrets layer lists that role as the secret's only reader.
   * @default - none (SECRET_ARN is not set)
   */
  readonly processSecret?: SecretRef;
  /** Deletion protection of the table and user pool, destroy protection of the key and the table. @default true in production */
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
  secret_arn: { description: 'Secret the process function reads (a secret of the secrets layer), empty without one', mock: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:acme/mock/serverless/api-key-AbCdEf' },
  kms_key_arn: { description: 'KMS key of the layer (messaging, and everything unless the security keys are used)', mock: 'arn:aws:kms:us-east-1:111111111111:key/00000000-0000-0000-0000-000000005e71' },
  function_alias_arns: { description: 'Alias ARNs of the functions, in SERVERLESS_FUNCTIONS order', mock: ['arn:aws:lambda:us-east-1:111111111111:function:acme-mock-api:live'] },
});

const EVENT_SOURCE = 'acme.serverless.items';
/** Routes of the api function. */
const ITEM_ROUTES = ['GET /items', 'POST /items'];
/** The layer of this account whose user pool `useCdnUserPool` trusts. */
const CDN_LAYER = 'cdn';

/**
 * Addresses of resources the HTTP API module now names `<id>-<part>`: moved blocks carry their state over, so Terraform
 * renames them instead of replacing them.
 */
const FORMER_API_ADDRESSES = { authorizer: 'aws_apigatewayv2_authorizer.jwt-authorizer', stage: 'aws_apigatewayv2_stage.stage' } as const;
const FORMER_ROUTE_ADDRESSES: Readonly<Record<string, string>> = {
  'GET /items': 'aws_apigatewayv2_route.route-get-items',
  'POST /items': 'aws_apigatewayv2_route.route-post-items',
};
const FORMER_PRIVATE_ROUTE_ADDRESS = 'aws_apigatewayv2_route.route-private';
/**
 * The secret this layer made before the secrets layer held it (its two addresses, and its resource policy). Terraform
 * forgets them without deleting anything; the secrets layer imports the secret (docs/serverless-and-multi-tier.md).
 */
const FORMER_SECRET_ADDRESSES = [
  'aws_secretsmanager_secret.secret',
  'aws_secretsmanager_secret.api-key_secret_53752553',
  'aws_secretsmanager_secret_policy.api-key_policy_35C4BCE0',
];

/** The layer's name prefix, as the constructor derives it: what other layers name before the layer is applied. */
function layerPrefix(ctx: LayerContext): string {
  return resourceName(ctx.org.project.name, ctx.account.name, 'serverless');
}

/** Module problems under this config's field names: `names` maps a module field (or its prefix) to the config's. */
function renamed(problems: readonly FieldProblem[], names: Readonly<Record<string, string>>): FieldProblem[] {
  return problems.map((p) => {
    const from = Object.keys(names).find((k) => p.field === k || p.field.startsWith(`${k}[`) || p.field.startsWith(`${k}.`));
    return from === undefined ? p : { field: names[from] + p.field.slice(from.length), message: p.message };
  });
}

type Functions = Record<ServerlessFunctionName, LambdaFunction>;

/** The queues, topic and bus between the functions. */
interface Messaging {
  readonly writeQueue: Queue;
  readonly streamFailures: Queue;
  readonly topic: EncryptedTopic;
  readonly fanout: Queue;
  readonly bus: EventBus;
}

/** The keys of the layer: its own always encrypts messaging; the security layer's optionally take data and logs. */
interface Keys {
  readonly layer: KmsKey;
  readonly messaging: string;
  readonly data: string;
  readonly logs: string;
}

/**
 * The serverless patterns of the source documents: an HTTP API with a Cognito JWT authorizer in front of Lambda
 * aliases, buffered writes through SQS into DynamoDB, the table's stream turned into EventBridge events that start
 * a Step Functions workflow of two functions, whose result fans out through SNS to SQS. Everything is encrypted
 * with KMS, every function is traced and has a dead-letter queue, and every role holds only the grants it uses.
 */
export class Serverless extends LayerStack {
  static readonly contract = serverlessContract;
  /** Holds the table and the key. */
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

  /** The process function's role reads `processSecret`: the secrets layer makes it the secret's reader. */
  static secretReaders(config: ServerlessConfig, ctx: LayerContext): SecretReader[] {
    if (!config.processSecret) return [];
    return [{ ref: config.processSecret, principalArn: roleArn(ctx.account.id, lambdaRoleName(`${layerPrefix(ctx)}-process`)), field: 'processSecret' }];
  }

  static validate(config: ServerlessConfig, ctx: LayerContext): FieldProblem[] {
    const problems = new FieldProblems();
    const add = (list: readonly FieldProblem[]) => list.forEach((p) => problems.add(p.field, p.message));
    const retention = config.logRetentionDays ?? (isProduction(ctx.account) ? 365 : 30);
    for (const name of SERVERLESS_FUNCTIONS) {
      const f = config.functions?.[name];
      if (!f) {
        problems.add(`functions.${name}`, 'is missing (every function needs a reserved concurrency)');
        continue;
      }
      // A reserved concurrency of 0 would disable the function: at least 1 here.
      problems.check(`functions.${name}.reservedConcurrency`, integerBetween(f.reservedConcurrency, 1, 1000));
      problems.nest(`functions.${name}`, renamed(lambdaFunctionPropProblems({ memorySize: f.memoryMb, timeoutSeconds: f.timeoutSeconds }), { memorySize: 'memoryMb' }));
    }
    const apiTimeout = config.functions?.api?.timeoutSeconds;
    // The integration waits the function's timeout plus a second (HttpApi.addFunctionRoutes), within the HTTP API's limit.
    const apiTimeoutLimit = HTTP_API_INTEGRATION_TIMEOUT_SECONDS - 1;
    if (apiTimeout !== undefined && apiTimeout > apiTimeoutLimit) {
      problems.add('functions.api.timeoutSeconds', `${apiTimeout} exceeds ${apiTimeoutLimit} s: an HTTP API waits at most ${HTTP_API_INTEGRATION_TIMEOUT_SECONDS} s for an integration, one second more than the function runs`);
    }
    if (config.runtime !== undefined && !/^nodejs(2[02-9]|[3-9]\d)\.x$/.test(config.runtime)) {
      problems.add('runtime', `"${config.runtime}" is not a supported Node.js runtime (nodejs22.x or newer; the handlers are JavaScript)`);
    }
    problems.check('logRetentionDays', logRetentionDays(retention));
    // The modules' rules (API stage, throttling, issuer, origins, mapping key; workflow log level; write queue), under
    // this config's field names.
    add(renamed(httpApiPropProblems({
      stageName: config.stageName,
      throttling: config.throttling,
      jwt: config.jwt,
      cors: { allowOrigins: config.corsAllowOrigins ?? [] },
      customDomain: config.customDomain ? { name: 'api', zoneId: 'zone', basePath: config.customDomain.basePath } : undefined,
    }), { 'cors.allowOrigins': 'corsAllowOrigins' }));
    add(renamed(stateMachinePropProblems({ logs: { retentionDays: retention, kmsKeyArn: 'key', level: config.stateMachineLogLevel } }), { 'logs.level': 'stateMachineLogLevel' })
      .filter((p) => p.field !== 'logs.retentionDays'));
    add(renamed(queuePropProblems({ maxReceiveCount: config.writeQueueMaxReceiveCount }), { maxReceiveCount: 'writeQueueMaxReceiveCount' }));
    if (config.streamMaxRetries !== undefined) problems.check('streamMaxRetries', integerBetween(config.streamMaxRetries, 0, 10000));
    // Where the tokens, the name, the secret and the alarms come from.
    if (config.useCdnUserPool && config.jwt) problems.add('useCdnUserPool', 'cannot be combined with jwt: choose one issuer');
    if (config.useCdnUserPool) {
      const cdn = declaredLayer(ctx.org, ctx.account.name, CDN_LAYER, Cdn);
      if (typeof cdn === 'string') problems.add('useCdnUserPool', `account ${ctx.account.name} has no enabled cdn layer to trust: ${cdn}`);
      else if (!Cdn.facts(cdn.config).userPool) problems.add('useCdnUserPool', 'the cdn layer of this account has no auth (its user pool outputs are empty)');
    }
    if (config.customDomain) add([...subZoneNameProblems('customDomain', config.customDomain, ctx), ...dnsClaimProblems(ctx, Serverless.dnsClaims(config, ctx))]);
    if (config.processSecret) add(secretRefProblems(ctx, 'processSecret', config.processSecret));
    if (config.useSecurityAlarmTopic && config.alarmTopicArn !== undefined) problems.add('useSecurityAlarmTopic', 'cannot be combined with alarmTopicArn: choose one topic');
    if (config.alarmTopicArn !== undefined) problems.check('alarmTopicArn', arnOf(config.alarmTopicArn, { service: 'sns', resource: /^[\w-]+$/, described: 'an SNS topic ARN' }));
    const pi = config.privateIntegration;
    if (pi?.enabled) {
      problems.check('privateIntegration.port', port(pi.port ?? 80));
      (pi.targetIps ?? []).forEach((ip, i) => {
        if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) problems.add(`privateIntegration.targetIps[${i}]`, `"${ip}" is not an IPv4 address`);
      });
    }
    return problems.list;
  }

  constructor(scope: Construct, ctx: LayerContext, config: ServerlessConfig) {
    super(scope, ctx);
    const production = isProduction(ctx.account);
    const protect = config.protect ?? production;
    const retention = config.logRetentionDays ?? (production ? 365 : 30);
    const prefix = layerPrefix(ctx);
    const keys = this.keys(config, prefix, protect);

    // Data and messaging: the table and its stream, buffered writes, stream failures, the fan-out topic, the bus.
    const table = new DynamoTable(this, 'table', {
      name: `${prefix}-items`,
      partitionKey: { name: 'pk' },
      sortKey: { name: 'sk' },
      kmsKeyArn: keys.data,
      stream: 'NEW_AND_OLD_IMAGES',
      protect,
    });
    const messaging = this.messaging(config, prefix, keys);
    const secret = config.processSecret ? this.secret(config.processSecret) : undefined;
    // The secret this layer made before is forgotten by Terraform, not deleted: the secrets layer holds it now.
    this.addOverride('removed', FORMER_SECRET_ADDRESSES.map((from) => ({ from, lifecycle: { destroy: false } })));

    // Functions, what each may do, and what triggers them.
    const fns = this.functions(config, prefix, keys, retention, table, messaging, secret);
    table.grantReadData(fns.api);
    messaging.writeQueue.grantSendMessages(fns.api);
    messaging.writeQueue.grantConsumeMessages(fns.writer);
    table.grantWriteData(fns.writer);
    table.grantStreamRead(fns.stream);
    messaging.streamFailures.grantSendMessages(fns.stream);
    messaging.bus.grantPutEvents(fns.stream);
    messaging.topic.grantPublish(fns.process);
    secret?.grantRead(fns.process);
    this.triggers(config, table, messaging, fns);

    const workflow = this.workflow(config, prefix, keys, retention, fns);
    const eventsDlq = this.itemChangedRule(prefix, keys, messaging.bus, workflow);
    const { api, jwt } = this.api(config, prefix, keys, retention, fns.api, protect);
    this.alarms(config, prefix, { ...messaging, eventsDlq, fns, workflow, api });

    this.publish(serverlessContract, {
      api_id: api.id,
      api_endpoint: api.endpoint,
      custom_domain_name: api.domainName ?? '',
      stage_name: api.stageName,
      stage_invoke_url: api.stage.invokeUrl,
      jwt_issuer: jwt.issuer,
      jwt_audience: [...jwt.audience],
      table_name: table.name,
      table_arn: table.arn,
      write_queue_url: messaging.writeQueue.url,
      write_queue_arn: messaging.writeQueue.arn,
      topic_arn: messaging.topic.arn,
      fanout_queue_url: messaging.fanout.url,
      event_bus_name: messaging.bus.name,
      event_bus_arn: messaging.bus.arn,
      state_machine_arn: workflow.arn,
      secret_arn: secret?.arn ?? '',
      kms_key_arn: keys.layer.arn,
      function_alias_arns: SERVERLESS_FUNCTIONS.map((name) => fns[name].aliasArn),
    });
  }

  /** This layer's key (logs, SNS to SQS, EventBridge), and the security layer's data and logs keys when asked for. */
  private keys(config: ServerlessConfig, prefix: string, protect: boolean): Keys {
    const { region, account } = this.ctx;
    const layer = new KmsKey(this, 'key', {
      alias: prefix,
      description: `Encrypts the serverless application of ${account.name}`,
      accountId: account.id,
      protect,
    });
    layer.grantToService('logs', { region, accountId: account.id });
    // The topic delivers to encrypted queues, and the bus is encrypted with this key (EventBridge also needs DescribeKey).
    layer.grantToService('sqs-senders', { services: ['sns.amazonaws.com'], accountId: account.id });
    layer.grantToService('events', { accountId: account.id });
    const security = config.useSecurityLayerKeys ? this.remote(securityContract) : undefined;
    return {
      layer,
      messaging: layer.arn,
      data: security ? security.get('data_kms_key_arn') : layer.arn,
      logs: security ? security.get('logs_kms_key_arn') : layer.arn,
    };
  }

  /** Buffered writes (with a DLQ), failed stream batches, the topic of processed items fanned out to a queue, the bus. */
  private messaging(config: ServerlessConfig, prefix: string, keys: Keys): Messaging {
    const kmsKeyArn = keys.messaging;
    const writeQueue = new Queue(this, 'write-queue', {
      name: `${prefix}-writes`,
      kmsKeyArn,
      maxReceiveCount: config.writeQueueMaxReceiveCount ?? 5,
      // At least six times the consumer's timeout, as Lambda asks of an event source queue.
      visibilityTimeoutSeconds: 6 * (config.functions.writer.timeoutSeconds ?? 10),
    });
    const streamFailures = new Queue(this, 'stream-failures', { name: `${prefix}-stream-failures`, kmsKeyArn, deadLetterQueue: false, messageRetentionSeconds: 1209600 });
    const topic = new EncryptedTopic(this, 'topic', { name: `${prefix}-items`, kmsKeyArn, accountId: this.ctx.account.id });
    const fanout = new Queue(this, 'fanout-queue', {
      name: `${prefix}-fanout`,
      kmsKeyArn,
      policyStatements: (queueArn) => [serviceSendStatement('TopicDelivers', 'sns.amazonaws.com', queueArn, topic.arn)],
    });
    new SnsTopicSubscription(this, 'fanout-subscription', { topicArn: topic.arn, protocol: 'sqs', endpoint: fanout.arn, rawMessageDelivery: true });
    const bus = new EventBus(this, 'bus', { name: prefix, kmsKeyArn });
    return { writeQueue, streamFailures, topic, fanout, bus };
  }

  /** The write queue and the table stream, each through the function's alias. */
  private triggers(config: ServerlessConfig, table: DynamoTable, messaging: Messaging, fns: Functions): void {
    new LambdaEventSourceMapping(this, 'writes-trigger', {
      eventSourceArn: messaging.writeQueue.arn,
      functionName: fns.writer.aliasArn,
      batchSize: 10,
      maximumBatchingWindowInSeconds: 1,
      functionResponseTypes: ['ReportBatchItemFailures'],
      scalingConfig: { maximumConcurrency: Math.max(2, config.functions.writer.reservedConcurrency) },
    });
    new LambdaEventSourceMapping(this, 'stream-trigger', {
      eventSourceArn: table.table.streamArn,
      functionName: fns.stream.aliasArn,
      startingPosition: 'LATEST',
      batchSize: 100,
      maximumBatchingWindowInSeconds: 5,
      bisectBatchOnFunctionError: true,
      maximumRetryAttempts: config.streamMaxRetries ?? 3,
      maximumRecordAgeInSeconds: 3600,
      destinationConfig: { onFailure: { destinationArn: messaging.streamFailures.arn } },
    });
  }

  /** Anything parked in a dead-letter queue, function errors, failed workflows, API 5xx: each on its first occurrence. */
  private alarms(
    config: ServerlessConfig,
    prefix: string,
    watched: Messaging & { readonly eventsDlq: Queue; readonly fns: Functions; readonly workflow: StateMachine; readonly api: HttpApi },
  ): void {
    const alarmTopicArn = config.useSecurityAlarmTopic ? this.remote(securityContract).get('sns_topic_arn') : config.alarmTopicArn;
    const alarm = (id: string, description: string, metric: AlarmMetric) =>
      new MetricAlarm(this, `alarm-${id}`, { name: `${prefix}-${id}`, description, metric, threshold: 0, alarmTopicArn });
    const { fns } = watched;
    const parked: [string, { readonly name: string }][] = [
      ['writes-dlq', watched.writeQueue.dlq!],
      ['stream-failures', watched.streamFailures],
      ['events-dlq', watched.eventsDlq],
      ['fanout-dlq', watched.fanout.dlq!],
      ...SERVERLESS_FUNCTIONS.map((name): [string, Queue] => [`${name}-async-dlq`, fns[name].deadLetterQueue]),
    ];
    for (const [id, queue] of parked) {
      alarm(id, `Messages waiting in ${id}: inspect and redrive (docs/serverless-and-multi-tier.md)`, {
        namespace: 'AWS/SQS', metricName: 'ApproximateNumberOfMessagesVisible', dimensions: { QueueName: queue.name }, statistic: 'Maximum',
      });
    }
    for (const name of SERVERLESS_FUNCTIONS) {
      alarm(`${name}-errors`, `Function ${name} failed`, { namespace: 'AWS/Lambda', metricName: 'Errors', dimensions: { FunctionName: fns[name].functionName }, statistic: 'Sum' });
    }
    alarm('workflow-failed', 'Workflow executions failed', { namespace: 'AWS/States', metricName: 'ExecutionsFailed', dimensions: { StateMachineArn: watched.workflow.arn }, statistic: 'Sum' });
    alarm('api-5xx', 'The API answered 5xx', { namespace: 'AWS/ApiGateway', metricName: '5xx', dimensions: { ApiId: watched.api.id, Stage: watched.api.stageName }, statistic: 'Sum' });
  }

  /** The secret of the secrets layer the process function reads (validate() checked the reference). */
  private secret(ref: SecretRef): ISecret {
    const resolved = resolveSecretRef(this.ctx, ref, (contract, options) => this.remote(contract, options));
    return secretFromArn(resolved.secretArn, resolved.kmsKeyArn);
  }

  /** One archive of the handler folder; one function (and alias) per handler, in base-network's subnets when asked. */
  private functions(
    config: ServerlessConfig, prefix: string, keys: Keys, retention: number, table: DynamoTable, messaging: Messaging, secret: ISecret | undefined,
  ): Functions {
    const code = folderArchive(this, 'handlers', { path: path.resolve(__dirname, '..', config.handlerDir ?? 'assets/serverless') });
    const vpc = config.lambdasInVpc ? this.lambdaVpc(config, prefix) : undefined;
    // Names and ARNs only: a secret is read at run time from its ARN, never passed as a value.
    const environment: Record<ServerlessFunctionName, Record<string, string>> = {
      api: { TABLE_NAME: table.name, WRITE_QUEUE_URL: messaging.writeQueue.url },
      writer: { TABLE_NAME: table.name },
      stream: { EVENT_BUS_NAME: messaging.bus.name, EVENT_SOURCE },
      validate: {},
      process: { TOPIC_ARN: messaging.topic.arn, ...(secret ? { SECRET_ARN: secret.arn } : {}) },
    };
    const make = (name: ServerlessFunctionName) => new LambdaFunction(this, `fn-${name}`, {
      functionName: `${prefix}-${name}`,
      code,
      handler: `${name}.handler`,
      accountId: this.ctx.account.id,
      region: this.ctx.region,
      kmsKeyArn: keys.data,
      logsKmsKeyArn: keys.logs,
      runtime: config.runtime,
      memorySize: config.functions[name].memoryMb,
      timeoutSeconds: config.functions[name].timeoutSeconds,
      reservedConcurrency: config.functions[name].reservedConcurrency,
      logRetentionDays: retention,
      environment: environment[name],
      vpc,
    });
    return Object.fromEntries(SERVERLESS_FUNCTIONS.map((name) => [name, make(name)])) as Functions;
  }

  /** A security group with HTTPS egress only, in base-network's private subnets. */
  private lambdaVpc(config: ServerlessConfig, prefix: string): { subnetIds: string[]; securityGroupIds: string[] } {
    const network = this.remote(baseNetworkContract, { account: config.networkAccount });
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
    return { subnetIds: network.get('private_subnet_ids'), securityGroupIds: [sg.id] };
  }

  /** Validate then process, logged and traced; its role may invoke the two step aliases only. */
  private workflow(config: ServerlessConfig, prefix: string, keys: Keys, retention: number, fns: Functions): StateMachine {
    const production = isProduction(this.ctx.account);
    const lambdaRetry = [{
      ErrorEquals: ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'],
      IntervalSeconds: 2,
      MaxAttempts: 3,
      BackoffRate: 2,
    }];
    const catchAll = [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Failed' }];
    const step = (fn: LambdaFunction, next: { Next: string } | { End: true }) => ({
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: fn.aliasArn, 'Payload.$': '$' },
      OutputPath: '$.Payload',
      Retry: lambdaRetry,
      Catch: catchAll,
      ...next,
    });
    return new StateMachine(this, 'state-machine', {
      name: prefix,
      accountId: this.ctx.account.id,
      invokes: [fns.validate, fns.process],
      logs: { retentionDays: retention, kmsKeyArn: keys.logs, level: config.stateMachineLogLevel ?? (production ? 'ERROR' : 'ALL'), includeExecutionData: !production },
      definition: {
        Comment: 'Validates an item change, then processes it and publishes the result',
        StartAt: 'Validate',
        States: {
          Validate: step(fns.validate, { Next: 'Process' }),
          Process: step(fns.process, { End: true }),
          Failed: { Type: 'Fail', Error: 'ItemProcessingFailed', Cause: 'A step failed after its retries' },
        },
      },
    });
  }

  /** The stream function's ItemChanged events start the workflow; undeliverable events go to a DLQ (returned). */
  private itemChangedRule(prefix: string, keys: Keys, bus: EventBus, workflow: StateMachine): Queue {
    const rule = bus.addRule('item-changed', {
      name: `${prefix}-item-changed`,
      description: 'Item changes from the table stream start the workflow',
      eventPattern: { source: [EVENT_SOURCE], 'detail-type': ['ItemChanged'] },
    });
    const deadLetters = new Queue(this, 'events-dlq', {
      name: `${prefix}-events-dlq`,
      kmsKeyArn: keys.messaging,
      deadLetterQueue: false,
      messageRetentionSeconds: 1209600,
      policyStatements: (queueArn) => [serviceSendStatement('RuleDeadLetters', 'events.amazonaws.com', queueArn, rule.arn)],
    });
    const role = new ServiceRole(this, 'events-role', {
      name: `${prefix}-events`,
      service: 'events.amazonaws.com',
      sourceAccount: this.ctx.account.id,
      policyName: 'start-workflow',
      ids: { policy: 'events-policy' },
    });
    workflow.grantStartExecution(role);
    rule.addTarget({ targetId: 'workflow', arn: workflow.arn, roleArn: role.arn, deadLetterQueueArn: deadLetters.arn });
    return deadLetters;
  }

  /**
   * The HTTP API: JWT authorizer (a configured issuer, the cdn layer's pool, or a pool made here), the item routes to
   * the api alias, the stage with throttling and access logs, the custom domain, and the optional private integration.
   */
  private api(config: ServerlessConfig, prefix: string, keys: Keys, retention: number, fn: LambdaFunction, protect: boolean): { api: HttpApi; jwt: HttpApiJwt } {
    const { ctx } = this;
    const jwt = this.jwtIssuer(config, prefix, protect);
    const domain = config.customDomain;
    const api = new HttpApi(this, 'api', {
      name: prefix,
      description: `Serverless API of ${ctx.account.name}`,
      stageName: config.stageName ?? ctx.account.environment,
      stageDescription: `${ctx.account.environment} stage; integrations call the functions' live aliases`,
      stageVariables: { lambdaAlias: fn.alias.name },
      throttling: config.throttling,
      jwt,
      accessLogs: { retentionDays: retention, kmsKeyArn: keys.logs },
      cors: (config.corsAllowOrigins ?? []).length > 0 ? { allowOrigins: config.corsAllowOrigins! } : undefined,
      // validate() checked the label and the dns-zone layer, so the name is known here (no remote zone_name token).
      customDomain: domain
        ? { name: subZoneName(ctx, domain)!.name, zoneId: this.remote(dnsZoneContract, { layer: domain.zoneLayer ?? DEFAULT_ZONE_LAYER }).get('zone_id'), basePath: domain.basePath ?? 'api' }
        : undefined,
    });
    api.addFunctionRoutes('api', fn, ITEM_ROUTES);
    api.authorizer.moveFromId(FORMER_API_ADDRESSES.authorizer);
    api.stage.moveFromId(FORMER_API_ADDRESSES.stage);
    for (const routeKey of ITEM_ROUTES) api.routes.get(routeKey)!.moveFromId(FORMER_ROUTE_ADDRESSES[routeKey]);
    if (config.privateIntegration?.enabled) this.privateIntegration(config, prefix, config.privateIntegration, api);
    return { api, jwt };
  }

  /** The issuer the authorizer trusts: configured, the cdn layer's user pool, or a user pool and client made here. */
  private jwtIssuer(config: ServerlessConfig, prefix: string, protect: boolean): HttpApiJwt {
    if (config.jwt) return config.jwt;
    if (config.useCdnUserPool) {
      const cdn = this.remote(cdnContract, { layer: CDN_LAYER });
      const poolId = cdn.get('user_pool_id');
      // A pool id starts with its region (`us-east-1_AbC123`): the cdn layer's pool may live in another region.
      return { issuer: `https://cognito-idp.${Fn.element(Fn.split('_', poolId), 0)}.amazonaws.com/${poolId}`, audience: [cdn.get('user_pool_client_id')] };
    }
    const pool = new UserPool(this, 'user-pool', { name: prefix, region: this.ctx.region, protect });
    const client = pool.addClient('user-pool-client', { name: `${prefix}-api` });
    return { issuer: pool.issuer, audience: [client.id] };
  }

  /** Internal NLB in the private subnets and a VPC link, routed from the API under the JWT authorizer. */
  private privateIntegration(config: ServerlessConfig, prefix: string, pi: PrivateIntegrationConfig, api: HttpApi): void {
    const network = this.remote(baseNetworkContract, { account: config.networkAccount });
    const vpcId = network.get('vpc_id');
    const subnetIds = network.get('private_subnet_ids');
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
      securityGroupId: nlbSg.id, ipProtocol: 'tcp', fromPort: port, toPort: port, cidrIpv4: network.get('vpc_cidr_block'), description: 'To private targets in the VPC',
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
    const routeKey = pi.routeKey ?? 'ANY /private/{proxy+}';
    api.addVpcLinkRoute('private', routeKey, { vpcLinkId: link.id, listenerArn: listener.arn });
    api.routes.get(routeKey)!.moveFromId(FORMER_PRIVATE_ROUTE_ADDRESS);
  }
}
