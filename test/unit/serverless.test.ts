import { Apigatewayv2Authorizer } from '@cdktf/provider-aws/lib/apigatewayv2-authorizer';
import { Apigatewayv2Route } from '@cdktf/provider-aws/lib/apigatewayv2-route';
import { Apigatewayv2Stage } from '@cdktf/provider-aws/lib/apigatewayv2-stage';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { LambdaEventSourceMapping } from '@cdktf/provider-aws/lib/lambda-event-source-mapping';
import { SfnStateMachine } from '@cdktf/provider-aws/lib/sfn-state-machine';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import * as fs from 'fs';
import * as path from 'path';
import { defineLayer } from '../../lib/config';
import { ConfigError } from '../../lib/problems';
import { BaseNetwork } from '../../layers/base-network';
import { Cdn } from '../../layers/cdn';
import { DnsZone } from '../../layers/dns-zone';
import { fromSecrets, Secrets } from '../../layers/secrets';
import { Security } from '../../layers/security';
import { SERVERLESS_FUNCTIONS, Serverless, type ServerlessConfig } from '../../layers/serverless';
import { STATE_MACHINE_LOG_DELIVERY_ACTIONS, XRAY_TRACING_ACTIONS } from '../../modules/perms';
import { XRAY_WRITE_ACTIONS } from '../../modules/lambda-function';
import { account, build, parsed, resources, source, synthStack } from '../helpers';

function config(overrides: Partial<ServerlessConfig> = {}): ServerlessConfig {
  return {
    functions: {
      api: { reservedConcurrency: 5 },
      writer: { reservedConcurrency: 2, timeoutSeconds: 20 },
      stream: { reservedConcurrency: 3 },
      validate: { reservedConcurrency: 2 },
      process: { reservedConcurrency: 2 },
    },
    throttling: { burstLimit: 50, rateLimit: 20 },
    ...overrides,
  };
}

function org(cfg: ServerlessConfig, environment = 'devstg', extraLayers: Record<string, unknown> = {}) {
  return source({
    'apps-x': {
      config: account({ environment }),
      layers: {
        'base-network': defineLayer(BaseNetwork, { vpcCidr: '10.30.0.0/16', natGateways: 'single' as const }),
        serverless: defineLayer(Serverless, cfg),
        ...extraLayers,
      },
    },
  });
}

const synth = (cfg: ServerlessConfig = config(), environment = 'devstg', extra: Record<string, unknown> = {}) =>
  synthStack(org(cfg, environment, extra), 'test-apps-x-serverless');

function refusal(cfg: ServerlessConfig): string {
  try {
    build(org(cfg));
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

type Resource = Record<string, unknown>;
/** The logical key of the resource of `type` matching `pick`. */
function key(tf: string, type: string, pick: (r: Resource) => boolean): string {
  const all = parsed(tf).resource[type] ?? {};
  const found = Object.keys(all).find((k) => pick(all[k]));
  if (!found) throw new Error(`no ${type} matches`);
  return found;
}
const ref = (type: string, k: string, attr: string) => `\${${type}.${k}.${attr}}`;
const policies = (tf: string) => resources(tf, 'aws_iam_role_policy').map((p) => ({ role: p.role as string, doc: JSON.parse(p.policy as string) as { Statement: Resource[] } }));

describe('serverless', () => {
  const devstg = synth();
  /** The test account's id, as the layer key's policy names its root. */
  const accountId = /arn:aws:iam::(\d{12}):root/.exec(String(resources(devstg, 'aws_kms_key')[0].policy))![1];
  const fnKey = (name: string) => key(devstg, 'aws_lambda_function', (r) => r.function_name === `test-apps-x-serverless-${name}`);
  const aliasKey = (name: string) => key(devstg, 'aws_lambda_alias', (r) => r.function_name === ref('aws_lambda_function', fnKey(name), 'function_name'));

  it('publishes a version of every function and points a live alias at it; traced, DLQ, reserved concurrency, supported runtime', () => {
    const functions = resources(devstg, 'aws_lambda_function');
    expect(functions.map((f) => f.function_name).sort()).toEqual(SERVERLESS_FUNCTIONS.map((n) => `test-apps-x-serverless-${n}`).sort());
    for (const f of functions) {
      expect(f).toMatchObject({
        publish: true,
        runtime: 'nodejs22.x',
        tracing_config: { mode: 'Active' },
        dead_letter_config: { target_arn: expect.stringMatching(/^\$\{aws_sqs_queue\..+\.arn\}$/) },
        kms_key_arn: expect.stringContaining('aws_kms_key'),
        filename: expect.stringMatching(/^assets\/handlers\/[0-9a-f]{64}\/handlers\.zip$/),
        source_code_hash: expect.any(String),
      });
    }
    expect(resources(devstg, 'aws_lambda_function').find((f) => f.function_name === 'test-apps-x-serverless-writer')?.reserved_concurrent_executions).toBe(2);
    for (const name of SERVERLESS_FUNCTIONS) {
      const alias = parsed(devstg).resource.aws_lambda_alias[aliasKey(name)];
      expect(alias).toMatchObject({ name: 'live', function_version: ref('aws_lambda_function', fnKey(name), 'version') });
    }
  });

  it('routes the API through the alias: integration URI, invoke permission qualifier and JWT on every route', () => {
    const [integration] = resources(devstg, 'aws_apigatewayv2_integration');
    expect(integration).toMatchObject({ integration_type: 'AWS_PROXY', integration_uri: ref('aws_lambda_alias', aliasKey('api'), 'invoke_arn') });
    const [permission] = resources(devstg, 'aws_lambda_permission');
    expect(permission).toMatchObject({ principal: 'apigateway.amazonaws.com', qualifier: ref('aws_lambda_alias', aliasKey('api'), 'name') });
    expect(permission.source_arn).toMatch(/^\$\{aws_apigatewayv2_api\..+\.execution_arn\}\/\*\/\*\/items$/);
    const routes = resources(devstg, 'aws_apigatewayv2_route');
    expect(routes.map((r) => r.route_key).sort()).toEqual(['GET /items', 'POST /items']);
    for (const r of routes) expect(r).toMatchObject({ authorization_type: 'JWT', authorizer_id: expect.stringContaining('aws_apigatewayv2_authorizer') });
    expect(devstg).toHaveResourceWithProperties(Apigatewayv2Route, { route_key: 'POST /items', authorization_type: 'JWT' });
  });

  it('authorizes with the Cognito pool created here, or with a configured issuer', () => {
    expect(devstg).toHaveResourceWithProperties(Apigatewayv2Authorizer, { authorizer_type: 'JWT', identity_sources: ['$request.header.Authorization'] });
    const [authorizer] = resources(devstg, 'aws_apigatewayv2_authorizer');
    expect(JSON.stringify(authorizer.jwt_configuration)).toMatch(/https:\/\/cognito-idp\.us-east-1\.amazonaws\.com\/\$\{aws_cognito_user_pool\./);
    expect(resources(devstg, 'aws_cognito_user_pool_client')[0]).toMatchObject({ generate_secret: false });

    const external = synth(config({ jwt: { issuer: 'https://login.example.com/', audience: ['web-app'] } }));
    expect(resources(external, 'aws_cognito_user_pool')).toHaveLength(0);
    expect(external).toHaveResourceWithProperties(Apigatewayv2Authorizer, { jwt_configuration: { issuer: 'https://login.example.com/', audience: ['web-app'] } });
  });

  it('names the stage after the environment, throttles its default route and logs access to a KMS-encrypted group', () => {
    expect(devstg).toHaveResourceWithProperties(Apigatewayv2Stage, {
      name: 'devstg',
      auto_deploy: true,
      default_route_settings: { throttling_burst_limit: 50, throttling_rate_limit: 20, detailed_metrics_enabled: true },
    });
    const [stage] = resources(devstg, 'aws_apigatewayv2_stage');
    const logGroupKey = key(devstg, 'aws_cloudwatch_log_group', (r) => r.name === '/aws/apigateway/test-apps-x-serverless/devstg');
    expect(stage.access_log_settings).toMatchObject({ destination_arn: ref('aws_cloudwatch_log_group', logGroupKey, 'arn') });
    expect(JSON.parse((stage.access_log_settings as { format: string }).format)).toMatchObject({ requestId: '$context.requestId' });
    for (const group of resources(devstg, 'aws_cloudwatch_log_group')) expect(group.kms_key_id).toEqual(expect.stringContaining('aws_kms_key'));
    expect(resources(synth(config(), 'prd'), 'aws_apigatewayv2_stage')[0].name).toBe('prd');
  });

  it('keeps a PITR, KMS-encrypted table whose stream triggers a function with bisect, retries and an on-failure queue', () => {
    expect(devstg).toHaveResourceWithProperties(DynamodbTable, {
      point_in_time_recovery: { enabled: true },
      stream_enabled: true,
      stream_view_type: 'NEW_AND_OLD_IMAGES',
      server_side_encryption: { enabled: true, kms_key_arn: expect.stringContaining('aws_kms_key') },
    });
    const failures = key(devstg, 'aws_sqs_queue', (r) => r.name === 'test-apps-x-serverless-stream-failures');
    expect(devstg).toHaveResourceWithProperties(LambdaEventSourceMapping, {
      function_name: ref('aws_lambda_alias', aliasKey('stream'), 'arn'),
      bisect_batch_on_function_error: true,
      maximum_retry_attempts: 3,
      starting_position: 'LATEST',
      destination_config: { on_failure: { destination_arn: ref('aws_sqs_queue', failures, 'arn') } },
    });
    expect(resources(synth(config({ streamMaxRetries: 7 })), 'aws_lambda_event_source_mapping').some((m) => m.maximum_retry_attempts === 7)).toBe(true);
  });

  it('buffers writes in a KMS queue with a DLQ and redrive, consumed by the writer alias', () => {
    const dlq = key(devstg, 'aws_sqs_queue', (r) => r.name === 'test-apps-x-serverless-writes-dlq');
    const writes = parsed(devstg).resource.aws_sqs_queue[key(devstg, 'aws_sqs_queue', (r) => r.name === 'test-apps-x-serverless-writes')];
    expect(JSON.parse(writes.redrive_policy as string)).toEqual({ deadLetterTargetArn: ref('aws_sqs_queue', dlq, 'arn'), maxReceiveCount: 5 });
    expect(writes.visibility_timeout_seconds).toBe(120); // 6 x the writer's 20 s timeout
    for (const q of resources(devstg, 'aws_sqs_queue')) expect(q.kms_master_key_id).toEqual(expect.stringContaining('aws_kms_key'));
    expect(devstg).toHaveResourceWithProperties(LambdaEventSourceMapping, {
      event_source_arn: ref('aws_sqs_queue', key(devstg, 'aws_sqs_queue', (r) => r.name === 'test-apps-x-serverless-writes'), 'arn'),
      function_name: ref('aws_lambda_alias', aliasKey('writer'), 'arn'),
      function_response_types: ['ReportBatchItemFailures'],
    });
  });

  it('fans the KMS topic out to SQS, admitting only that topic through aws:SourceArn', () => {
    const topic = key(devstg, 'aws_sns_topic', () => true);
    expect(parsed(devstg).resource.aws_sns_topic[topic].kms_master_key_id).toEqual(expect.stringContaining('aws_kms_key'));
    const fanout = key(devstg, 'aws_sqs_queue', (r) => r.name === 'test-apps-x-serverless-fanout');
    expect(devstg).toHaveResourceWithProperties(SnsTopicSubscription, { protocol: 'sqs', endpoint: ref('aws_sqs_queue', fanout, 'arn'), raw_message_delivery: true });
    const policy = resources(devstg, 'aws_sqs_queue_policy').find((p) => p.queue_url === ref('aws_sqs_queue', fanout, 'url'));
    const statement = JSON.parse(policy!.policy as string).Statement.find((s: Resource) => s.Sid === 'TopicDelivers');
    expect(statement).toMatchObject({
      Principal: { Service: 'sns.amazonaws.com' },
      Action: 'sqs:SendMessage',
      Condition: { ArnEquals: { 'aws:SourceArn': ref('aws_sns_topic', topic, 'arn') } },
    });
  });

  it('routes item events from a KMS custom bus through a rule to the state machine, with a DLQ scoped to the rule', () => {
    const [bus] = resources(devstg, 'aws_cloudwatch_event_bus');
    expect(bus.kms_key_identifier).toEqual(expect.stringContaining('aws_kms_key'));
    const [rule] = resources(devstg, 'aws_cloudwatch_event_rule');
    expect(JSON.parse(rule.event_pattern as string)).toEqual({ source: ['acme.serverless.items'], 'detail-type': ['ItemChanged'] });
    const [target] = resources(devstg, 'aws_cloudwatch_event_target');
    expect(target).toMatchObject({ arn: expect.stringContaining('aws_sfn_state_machine'), dead_letter_config: { arn: expect.stringContaining('aws_sqs_queue') } });
  });

  it('runs a STANDARD state machine of the two step aliases, traced, logging to an encrypted group (ALL in devstg, ERROR in prd)', () => {
    const logs = key(devstg, 'aws_cloudwatch_log_group', (r) => String(r.name).startsWith('/aws/vendedlogs/states/'));
    expect(devstg).toHaveResourceWithProperties(SfnStateMachine, { type: 'STANDARD', tracing_configuration: { enabled: true } });
    const [machine] = resources(devstg, 'aws_sfn_state_machine');
    expect(machine.logging_configuration).toMatchObject({ level: 'ALL', log_destination: `${ref('aws_cloudwatch_log_group', logs, 'arn')}:*` });
    const definition = JSON.parse(machine.definition as string);
    expect(definition.StartAt).toBe('Validate');
    expect(definition.States.Validate.Parameters.FunctionName).toBe(ref('aws_lambda_alias', aliasKey('validate'), 'arn'));
    expect(definition.States.Process.Parameters.FunctionName).toBe(ref('aws_lambda_alias', aliasKey('process'), 'arn'));
    expect(resources(synth(config(), 'prd'), 'aws_sfn_state_machine')[0]).toMatchObject({ logging_configuration: { level: 'ERROR', include_execution_data: false } });
  });

  describe('the process function\'s secret, held by the account\'s secrets layer', () => {
    const secrets = { secrets: defineLayer(Secrets, { secrets: [{ name: 'serverless/api-key', description: 'Partner API key; put by the integration team' }] }) };
    const withSecret = config({ processSecret: fromSecrets('serverless/api-key') });
    const secretArn = '${element(data.terraform_remote_state.remote-apps-x-secrets.outputs.secret_arns, 0)}';

    it('passes the ARN (never the value) of the secrets layer\'s secret, and lets the process role read and decrypt it', () => {
      const tf = synth(withSecret, 'devstg', secrets);
      expect(resources(tf, 'aws_secretsmanager_secret')).toHaveLength(0);
      expect(tf).not.toMatch(/secret_string/);
      const fn = (name: string) => resources(tf, 'aws_lambda_function').find((f) => f.function_name === `test-apps-x-serverless-${name}`)!;
      expect(fn('process').environment).toEqual({ variables: expect.objectContaining({ SECRET_ARN: secretArn }) });
      const processRole = ref('aws_iam_role', key(tf, 'aws_iam_role', (r) => r.name === 'test-apps-x-serverless-process-lambda'), 'name');
      const statements = policies(tf).filter((p) => p.role === processRole).flatMap((p) => p.doc.Statement);
      expect(statements).toContainEqual({ Sid: 'ReadSecret', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: secretArn });
      expect(statements).toContainEqual({ Sid: 'KmsDecrypt', Effect: 'Allow', Action: 'kms:Decrypt', Resource: '${data.terraform_remote_state.remote-apps-x-secrets.outputs.kms_key_arn}' });
      // No other role reads it.
      expect(policies(tf).filter((p) => p.role !== processRole && JSON.stringify(p.doc).includes('GetSecretValue'))).toEqual([]);
      expect(parsed(tf).output!.secret_arn.value).toBe(secretArn);
    });

    it('makes the process role the secret\'s reader in the secrets layer\'s resource policy (POL-SM-002)', () => {
      const src = org(withSecret, 'devstg', secrets);
      const policy = JSON.parse(resources(synthStack(src, 'test-apps-x-secrets'), 'aws_secretsmanager_secret_policy')[0].policy as string);
      // The role the serverless stack creates, by its name and the account's id: the policy names it before it exists.
      const serverless = synthStack(src, 'test-apps-x-serverless');
      const id = /arn:aws:iam::(\d{12}):root/.exec(String(resources(serverless, 'aws_kms_key')[0].policy))![1];
      expect(resources(serverless, 'aws_iam_role').map((r) => r.name)).toContain('test-apps-x-serverless-process-lambda');
      expect(policy.Statement[0].Condition).toEqual({ ArnNotLike: { 'aws:PrincipalArn': [`arn:aws:iam::${id}:role/test-apps-x-serverless-process-lambda`] } });
    });

    it('reads the secrets layer only when a secret is configured', () => {
      expect(resources(devstg, 'aws_lambda_function').find((f) => f.function_name === 'test-apps-x-serverless-process')!.environment).toEqual({
        variables: { TOPIC_ARN: expect.any(String) },
      });
      expect(parsed(devstg).output!.secret_arn.value).toBe('');
      expect([...build(org(config())).stacks.get('test-apps-x-serverless')!.reads.keys()]).not.toContain('apps-x/secrets');
    });

    it('forgets the secret it created before, without deleting it (the secrets layer imports it)', () => {
      for (const tf of [devstg, synth(withSecret, 'prd', secrets)]) {
        expect((parsed(tf) as unknown as { removed: unknown }).removed).toEqual([
          { from: 'aws_secretsmanager_secret.secret', lifecycle: { destroy: false } },
          { from: 'aws_secretsmanager_secret.api-key_secret_53752553', lifecycle: { destroy: false } },
          { from: 'aws_secretsmanager_secret_policy.api-key_policy_35C4BCE0', lifecycle: { destroy: false } },
        ]);
      }
    });

    it('refuses a secret the secrets layer does not declare, or an account without one', () => {
      expect(refusal(withSecret)).toContain('processSecret: account apps-x has no enabled secrets layer "secrets" declaring secret "serverless/api-key"');
      let message = '';
      try {
        build(org(config({ processSecret: fromSecrets('other') }), 'devstg', secrets));
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toContain('processSecret: secrets layer apps-x/secrets declares no secret "other" (declared: serverless/api-key)');
    });
  });

  it('keeps the addresses the API had before the HttpApi module (moved blocks, nothing replaced)', () => {
    expect((parsed(devstg) as unknown as { moved: unknown }).moved).toEqual([
      { from: 'aws_apigatewayv2_authorizer.jwt-authorizer', to: 'aws_apigatewayv2_authorizer.api-authorizer' },
      { from: 'aws_apigatewayv2_stage.stage', to: 'aws_apigatewayv2_stage.api-stage' },
      { from: 'aws_apigatewayv2_route.route-get-items', to: 'aws_apigatewayv2_route.api-route-get-items' },
      { from: 'aws_apigatewayv2_route.route-post-items', to: 'aws_apigatewayv2_route.api-route-post-items' },
    ]);
    const moved = (parsed(synth(config({ privateIntegration: { enabled: true } }))) as unknown as { moved: { from: string; to: string }[] }).moved;
    expect(moved).toContainEqual({ from: 'aws_apigatewayv2_route.route-private', to: 'aws_apigatewayv2_route.api-route-any-private-proxy' });
    // Everything else kept its address.
    for (const id of ['api', 'api-integration', 'api-invoke', 'api-access-logs', 'state-machine', 'state-machine-logs', 'state-machine-role', 'state-machine-policy',
      'events-role', 'events-policy', 'item-changed', 'item-changed-target', 'bus', 'table', 'alarm-api-5xx']) {
      expect(devstg).toContain(`"${id}": {`);
    }
  });

  it('grants each role only the ARNs it uses: no wildcard action, wildcard resources only for X-Ray and log delivery', () => {
    const allowedStar = new Set<string>([...XRAY_WRITE_ACTIONS, ...XRAY_TRACING_ACTIONS, ...STATE_MACHINE_LOG_DELIVERY_ACTIONS]);
    const tf = synth(config({ processSecret: fromSecrets('serverless/api-key') }), 'devstg', {
      secrets: defineLayer(Secrets, { secrets: [{ name: 'serverless/api-key', description: 'Partner API key; put by the integration team' }] }),
    });
    for (const { doc } of policies(tf)) {
      for (const s of doc.Statement) {
        const actions = ([] as string[]).concat(s.Action as string | string[]);
        for (const a of actions) expect(a).not.toMatch(/\*$/);
        if ([].concat(s.Resource as never).includes('*' as never)) for (const a of actions) expect(allowedStar).toContain(a);
      }
    }
    const roleOf = (name: string) => ref('aws_iam_role', key(tf, 'aws_iam_role', (r) => r.name === `test-apps-x-serverless-${name}-lambda`), 'name');
    const actionsOf = (name: string) => policies(tf).filter((p) => p.role === roleOf(name)).flatMap((p) => p.doc.Statement.flatMap((s) => [].concat(s.Action as never)));
    expect(actionsOf('validate')).not.toEqual(expect.arrayContaining(['dynamodb:PutItem']));
    expect(actionsOf('api')).not.toContain('dynamodb:PutItem');
    expect(actionsOf('api')).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query', 'sqs:SendMessage']));
    expect(actionsOf('writer')).toEqual(expect.arrayContaining(['dynamodb:PutItem', 'sqs:ReceiveMessage', 'sqs:DeleteMessage']));
    expect(actionsOf('writer')).not.toContain('dynamodb:GetItem');
    expect(actionsOf('stream')).toEqual(expect.arrayContaining(['dynamodb:GetRecords', 'events:PutEvents', 'sqs:SendMessage']));
    expect(actionsOf('process')).toEqual(expect.arrayContaining(['secretsmanager:GetSecretValue', 'sns:Publish']));
    expect(actionsOf('api')).not.toContain('secretsmanager:GetSecretValue');
    // No key statement repeats what another one grants on the same key (the hand-written UseKeys statement did).
    for (const { doc } of policies(tf)) {
      const kms = doc.Statement.filter((st) => [].concat(st.Action as never).some((a: string) => a.startsWith('kms:')))
        .map((st) => ({ actions: [].concat(st.Action as never) as string[], keys: [].concat(st.Resource as never) as string[] }));
      for (const a of kms) {
        for (const b of kms) {
          if (a === b || !a.keys.some((k) => b.keys.includes(k))) continue;
          expect(a.actions.every((action) => b.actions.includes(action))).toBe(false);
        }
      }
    }
  });

  it('grants the state machine the two step aliases, log delivery and tracing, and the rule\'s role StartExecution on it only', () => {
    const machine = key(devstg, 'aws_sfn_state_machine', () => true);
    const sfnRole = ref('aws_iam_role', key(devstg, 'aws_iam_role', (r) => r.name === 'test-apps-x-serverless-states'), 'name');
    expect(policies(devstg).find((p) => p.role === sfnRole)!.doc.Statement).toEqual([
      { Sid: 'InvokeSteps', Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: [ref('aws_lambda_alias', aliasKey('validate'), 'arn'), ref('aws_lambda_alias', aliasKey('process'), 'arn')] },
      { Sid: 'LogDelivery', Effect: 'Allow', Action: [...STATE_MACHINE_LOG_DELIVERY_ACTIONS], Resource: '*' },
      { Sid: 'XRay', Effect: 'Allow', Action: [...XRAY_TRACING_ACTIONS], Resource: '*' },
    ]);
    const eventsRole = ref('aws_iam_role', key(devstg, 'aws_iam_role', (r) => r.name === 'test-apps-x-serverless-events'), 'name');
    expect(policies(devstg).find((p) => p.role === eventsRole)!.doc.Statement).toEqual([
      { Sid: 'StartWorkflow', Effect: 'Allow', Action: 'states:StartExecution', Resource: ref('aws_sfn_state_machine', machine, 'arn') },
    ]);
    // Both roles trust their service for this account only.
    for (const name of ['test-apps-x-serverless-states', 'test-apps-x-serverless-events']) {
      const role = resources(devstg, 'aws_iam_role').find((r) => r.name === name)!;
      expect(JSON.parse(role.assume_role_policy as string).Statement[0].Condition).toEqual({ StringEquals: { 'aws:SourceAccount': accountId } });
    }
  });

  it('admits CloudWatch Logs, SNS (to the encrypted queues) and EventBridge to the layer key, each for this account', () => {
    const policy = JSON.parse(resources(devstg, 'aws_kms_key')[0].policy as string) as { Statement: Resource[] };
    expect(policy.Statement.map((st) => st.Sid)).toEqual(['AccountAdministration', 'CloudWatchLogs', 'MessagingServices', 'EventBridge']);
    expect(policy.Statement[2]).toEqual({
      Sid: 'MessagingServices',
      Effect: 'Allow',
      Principal: { Service: 'sns.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      Resource: '*',
      Condition: { StringEquals: { 'aws:SourceAccount': accountId } },
    });
  });

  it('puts the table in the account\'s standard backup plan (tag read by the backup layer)', () => {
    expect(resources(devstg, 'aws_dynamodb_table')[0].tags).toEqual({ BackupPlan: 'standard' });
  });

  it('packages the committed handler folder, one file per function, with no dependencies', () => {
    const dir = path.join(__dirname, '../../assets/serverless');
    for (const name of SERVERLESS_FUNCTIONS) expect(fs.existsSync(path.join(dir, `${name}.js`))).toBe(true);
    expect(fs.existsSync(path.join(dir, 'node_modules'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'package.json'))).toBe(false);
  });

  it('protects production data: table deletion protection, key and table kept on destroy', () => {
    const prd = synth(config(), 'prd');
    expect(prd).toHaveResourceWithProperties(DynamodbTable, { deletion_protection_enabled: true, lifecycle: { prevent_destroy: true } });
    expect(devstg).toHaveResourceWithProperties(DynamodbTable, { deletion_protection_enabled: false });
    // The pool made here (no cdn pool, no jwt) is the UserPool module's: threat protection, kept on destroy in production.
    expect(resources(prd, 'aws_cognito_user_pool')[0]).toMatchObject({
      deletion_protection: 'ACTIVE',
      lifecycle: { prevent_destroy: true },
      user_pool_tier: 'PLUS',
      user_pool_add_ons: { advanced_security_mode: 'ENFORCED' },
      password_policy: { minimum_length: 14, password_history_size: 5 },
    });
    expect(resources(devstg, 'aws_cognito_user_pool')[0]).toMatchObject({ deletion_protection: 'INACTIVE', lifecycle: { prevent_destroy: false } });
    expect(resources(synth(config({ protect: true })), 'aws_cognito_user_pool')[0]).toMatchObject({ lifecycle: { prevent_destroy: true } });
  });

  it('stays out of the VPC by default and, when asked, reads private subnets from base-network; NLB + VPC link only when enabled', () => {
    expect(parsed(devstg).data).toBeUndefined();
    expect(resources(devstg, 'aws_lb')).toHaveLength(0);
    const inVpc = synth(config({ lambdasInVpc: true, privateIntegration: { enabled: true, port: 8080, targetIps: ['10.30.1.10'] } }));
    for (const f of resources(inVpc, 'aws_lambda_function')) {
      expect(f.vpc_config).toMatchObject({ subnet_ids: '${data.terraform_remote_state.remote-apps-x-base-network.outputs.private_subnet_ids}' });
    }
    expect(resources(inVpc, 'aws_lb')[0]).toMatchObject({ load_balancer_type: 'network', internal: true });
    expect(resources(inVpc, 'aws_apigatewayv2_vpc_link')).toHaveLength(1);
    expect(resources(inVpc, 'aws_apigatewayv2_integration').some((i) => i.connection_type === 'VPC_LINK')).toBe(true);
    expect(resources(inVpc, 'aws_apigatewayv2_route').find((r) => r.route_key === 'ANY /private/{proxy+}')).toMatchObject({ authorization_type: 'JWT' });
  });

  it('can take its data and logs keys from the security layer', () => {
    const tf = synth(config({ useSecurityLayerKeys: true }), 'devstg', { security: defineLayer(Security, { identityAccount: 'apps-x' }) });
    const [table] = resources(tf, 'aws_dynamodb_table');
    expect(JSON.stringify(table.server_side_encryption)).toContain('remote-apps-x-security.outputs.data_kms_key_arn');
    for (const group of resources(tf, 'aws_cloudwatch_log_group')) expect(group.kms_key_id).toContain('remote-apps-x-security.outputs.logs_kms_key_arn');
    // Messaging stays on the layer key, whose policy admits SNS and EventBridge.
    expect(resources(tf, 'aws_sns_topic')[0].kms_master_key_id).toContain('aws_kms_key');
    // The api function reads the table with the data key and buffers writes with the layer key: both granted.
    const apiRole = ref('aws_iam_role', key(tf, 'aws_iam_role', (r) => r.name === 'test-apps-x-serverless-api-lambda'), 'name');
    const kmsResources = policies(tf).filter((p) => p.role === apiRole).flatMap((p) => p.doc.Statement)
      .filter((st) => [].concat(st.Action as never).some((a: string) => a.startsWith('kms:'))).flatMap((st) => [].concat(st.Resource as never));
    expect(kmsResources).toEqual(expect.arrayContaining([
      '${data.terraform_remote_state.remote-apps-x-security.outputs.data_kms_key_arn}',
      ref('aws_kms_key', Object.keys(parsed(tf).resource.aws_kms_key)[0], 'arn'),
    ]));
  });

  it('can trust the cdn layer\'s Cognito pool (issuer region from the pool id) instead of creating one', () => {
    const cdn = defineLayer(Cdn, {
      domainNames: ['app.x.example.com'],
      contentSecurityPolicy: "default-src 'self'",
      auth: { domainPrefix: 'x-app', callbackUrls: ['https://app.x.example.com/callback'], logoutUrls: ['https://app.x.example.com/'] },
    });
    const tf = synth(config({ useCdnUserPool: true }), 'devstg', { cdn, 'dns-zone': defineLayer(DnsZone, { zoneName: 'x.example.com' }) });
    expect(resources(tf, 'aws_cognito_user_pool')).toHaveLength(0);
    const [authorizer] = resources(tf, 'aws_apigatewayv2_authorizer');
    expect(authorizer.jwt_configuration).toEqual({
      issuer: 'https://cognito-idp.${element(split("_", data.terraform_remote_state.remote-apps-x-cdn.outputs.user_pool_id), 0)}.amazonaws.com/${data.terraform_remote_state.remote-apps-x-cdn.outputs.user_pool_id}',
      audience: ['${data.terraform_remote_state.remote-apps-x-cdn.outputs.user_pool_client_id}'],
    });
    const { auth: _auth, ...noAuth } = (cdn.config as object) as { auth: unknown };
    expect(refusal(config({ useCdnUserPool: true }))).toContain('useCdnUserPool: account apps-x has no enabled cdn layer to trust: account apps-x declares no layer "cdn"');
    let message = '';
    try {
      build(org(config({ useCdnUserPool: true }), 'devstg', { cdn: defineLayer(Cdn, noAuth as never), 'dns-zone': defineLayer(DnsZone, { zoneName: 'x.example.com' }) }));
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('useCdnUserPool: the cdn layer of this account has no auth');
  });

  it('serves the API on api.<zone> with a DNS-validated certificate, TLS 1.2, an alias record and the stage under /api', () => {
    const tf = synth(config({ customDomain: { subdomain: 'api' } }), 'devstg', { 'dns-zone': defineLayer(DnsZone, { zoneName: 'x.example.com' }) });
    // The name comes from the dns-zone layer's config (known at synth), so the records and the preflight can read it.
    expect(resources(tf, 'aws_acm_certificate')[0]).toMatchObject({ domain_name: 'api.x.example.com', validation_method: 'DNS' });
    const validation = resources(tf, 'aws_route53_record').filter((r) => String(r.name).includes('domain_validation_options'));
    expect(validation.map((r) => [r.zone_id, r.ttl])).toEqual([['${data.terraform_remote_state.remote-apps-x-dns-zone.outputs.zone_id}', 300]]);
    expect(resources(tf, 'aws_apigatewayv2_domain_name')[0].domain_name_configuration).toMatchObject({
      endpoint_type: 'REGIONAL', security_policy: 'TLS_1_2', certificate_arn: expect.stringContaining('aws_acm_certificate_validation'),
    });
    expect(resources(tf, 'aws_apigatewayv2_api_mapping')[0]).toMatchObject({ api_mapping_key: 'api', stage: expect.stringContaining('aws_apigatewayv2_stage') });
    expect(resources(tf, 'aws_route53_record').find((r) => r.type === 'A')).toMatchObject({
      zone_id: '${data.terraform_remote_state.remote-apps-x-dns-zone.outputs.zone_id}',
      name: 'api.x.example.com',
      alias: expect.objectContaining({ name: expect.stringContaining('target_domain_name') }),
    });
    expect(resources(devstg, 'aws_apigatewayv2_domain_name')).toHaveLength(0);
  });

  it('alarms on every dead-letter queue, function errors, failed workflows and API 5xx, notifying the configured topic', () => {
    const alarms = resources(devstg, 'aws_cloudwatch_metric_alarm');
    const dlqAlarms = alarms.filter((a) => a.metric_name === 'ApproximateNumberOfMessagesVisible');
    expect(dlqAlarms).toHaveLength(4 + SERVERLESS_FUNCTIONS.length);
    expect(alarms.filter((a) => a.metric_name === 'Errors')).toHaveLength(SERVERLESS_FUNCTIONS.length);
    expect(alarms.map((a) => a.metric_name)).toEqual(expect.arrayContaining(['ExecutionsFailed', '5xx']));
    for (const a of alarms) expect(a.alarm_actions).toEqual([]);
    const topic = 'arn:aws:sns:us-east-1:111111111111:alarms';
    for (const a of resources(synth(config({ alarmTopicArn: topic })), 'aws_cloudwatch_metric_alarm')) expect(a.alarm_actions).toEqual([topic]);
    expect(refusal(config({ alarmTopicArn: 'alarms' }))).toContain('alarmTopicArn: "alarms" is not an SNS topic ARN');
    const viaSecurity = synth(config({ useSecurityAlarmTopic: true }), 'devstg', { security: defineLayer(Security, { identityAccount: 'apps-x' }) });
    for (const a of resources(viaSecurity, 'aws_cloudwatch_metric_alarm')) {
      expect(a.alarm_actions).toEqual(['${data.terraform_remote_state.remote-apps-x-security.outputs.sns_topic_arn}']);
    }
    expect(refusal(config({ useSecurityAlarmTopic: true, alarmTopicArn: topic }))).toContain('useSecurityAlarmTopic: cannot be combined with alarmTopicArn');
  });

  it('refuses bad configuration with the field and the reason', () => {
    const bad = config({
      functions: { ...config().functions, api: { reservedConcurrency: 0, timeoutSeconds: 60 } },
      throttling: { burstLimit: 0, rateLimit: 10 },
      runtime: 'nodejs18.x',
      jwt: { issuer: 'http://insecure', audience: [] },
      stateMachineLogLevel: 'DEBUG' as 'ALL',
      corsAllowOrigins: ['*'],
      useCdnUserPool: true,
      customDomain: { subdomain: 'API_', basePath: '/api/' },
    });
    const message = refusal(bad);
    expect(message).toContain('test/apps-x/serverless: functions.api.reservedConcurrency: 0 must be a whole number from 1 to 1000');
    expect(message).toContain('functions.api.timeoutSeconds: 60 exceeds 29 s: an HTTP API waits at most 30 s for an integration');
    expect(message).toContain('throttling: needs a burstLimit');
    expect(message).toContain('runtime: "nodejs18.x" is not a supported Node.js runtime');
    expect(message).toContain('jwt.issuer: "http://insecure" must be an https URL');
    expect(message).toContain('jwt.audience: must list at least one audience');
    expect(message).toContain('stateMachineLogLevel: "DEBUG" must be ALL, ERROR or FATAL');
    expect(message).toContain('corsAllowOrigins[0]: "*" must be an https origin');
    expect(message).toContain('useCdnUserPool: cannot be combined with jwt');
    expect(message).toContain('customDomain.subdomain: "API_" must be one lowercase DNS label');
    expect(message).toContain('customDomain.zoneLayer: account apps-x has no enabled dns-zone layer "dns-zone" to hold the name');
    expect(message).toContain('customDomain.basePath: "/api/" is not a mapping key');
    const { process: _omit, ...missing } = config().functions;
    expect(refusal(config({ functions: missing as ServerlessConfig['functions'] }))).toContain('functions.process: is missing');
  });
});
