/**
 * The modules the serverless and cdn layers are wired from: HttpApi, UserPool, StateMachine and EventBus. Each checked
 * alone in a plain stack: the resources and addresses it makes, the grants it adds, and the props it refuses.
 */
import { TerraformAsset, TerraformOutput, TerraformStack, Testing } from 'cdktf';
import * as path from 'path';
import { EventBus, eventBusPropProblems, eventRulePropProblems } from '../../modules/event-bus';
import { HttpApi, httpApiPropProblems, type HttpApiProps } from '../../modules/http-api';
import { LambdaFunction } from '../../modules/lambda-function';
import { ServiceRole } from '../../modules/role';
import { StateMachine, stateMachinePropProblems } from '../../modules/state-machine';
import { UserPool, userPoolClientPropProblems, userPoolPropProblems } from '../../modules/user-pool';
import { parsed, resources } from '../helpers';

const KEY = 'arn:aws:kms:us-east-1:111111111111:key/00000000-0000-0000-0000-000000000001';

function stack(): TerraformStack {
  return new TerraformStack(Testing.app(), 'test');
}

function fn(scope: TerraformStack, name: string, timeoutSeconds?: number): LambdaFunction {
  const code = new TerraformAsset(scope, `${name}-code`, { path: path.join(__dirname, '../../assets/serverless') });
  return new LambdaFunction(scope, name, {
    functionName: `test-${name}`, code, handler: `${name}.handler`, accountId: '111111111111', region: 'us-east-1', kmsKeyArn: KEY, timeoutSeconds,
  });
}

const API: HttpApiProps = {
  name: 'test-api',
  stageName: 'dev',
  throttling: { burstLimit: 10, rateLimit: 5 },
  jwt: { issuer: 'https://login.example.com/', audience: ['app'] },
  accessLogs: { retentionDays: 30, kmsKeyArn: KEY },
};

describe('HttpApi', () => {
  it('makes the API, JWT authorizer, throttled stage and encrypted access logs at flat addresses', () => {
    const s = stack();
    new HttpApi(s, 'api', { ...API, cors: { allowOrigins: ['https://app.example.com'] } });
    const tf = parsed(Testing.synth(s));
    expect(Object.keys(tf.resource).sort()).toEqual(['aws_apigatewayv2_api', 'aws_apigatewayv2_authorizer', 'aws_apigatewayv2_stage', 'aws_cloudwatch_log_group']);
    expect(tf.resource.aws_apigatewayv2_api.api).toMatchObject({
      protocol_type: 'HTTP',
      cors_configuration: { allow_origins: ['https://app.example.com'], allow_methods: ['GET', 'POST'], allow_headers: ['authorization', 'content-type'], max_age: 300 },
    });
    expect(tf.resource.aws_apigatewayv2_authorizer['api-authorizer']).toMatchObject({
      authorizer_type: 'JWT', identity_sources: ['$request.header.Authorization'], jwt_configuration: { issuer: 'https://login.example.com/', audience: ['app'] },
    });
    expect(tf.resource.aws_cloudwatch_log_group['api-access-logs']).toMatchObject({ name: '/aws/apigateway/test-api/dev', retention_in_days: 30, kms_key_id: KEY });
    expect(tf.resource.aws_apigatewayv2_stage['api-stage']).toMatchObject({
      name: 'dev',
      auto_deploy: true,
      default_route_settings: { throttling_burst_limit: 10, throttling_rate_limit: 5, detailed_metrics_enabled: true },
      access_log_settings: { destination_arn: '${aws_cloudwatch_log_group.api-access-logs.arn}' },
    });
  });

  it('routes a function\'s alias behind the authorizer, waits its timeout plus a second, and lets API Gateway invoke it on those paths only', () => {
    const s = stack();
    const api = new HttpApi(s, 'api', API);
    api.addFunctionRoutes('items', fn(s, 'items', 12), ['GET /items/{id}', 'PUT /items/{id}']);
    api.addFunctionRoutes('slow', fn(s, 'slow', 60), ['GET /slow', 'POST /other']);
    const tf = parsed(Testing.synth(s));
    expect(tf.resource.aws_apigatewayv2_integration['items-integration']).toMatchObject({ integration_type: 'AWS_PROXY', payload_format_version: '2.0', timeout_milliseconds: 13000 });
    // Never more than the 30 s an HTTP API waits (a quota AWS does not raise).
    expect(tf.resource.aws_apigatewayv2_integration['slow-integration'].timeout_milliseconds).toBe(30000);
    expect(tf.resource.aws_apigatewayv2_route['api-route-get-items-id']).toMatchObject({
      route_key: 'GET /items/{id}', authorization_type: 'JWT', authorizer_id: '${aws_apigatewayv2_authorizer.api-authorizer.id}',
      target: 'integrations/${aws_apigatewayv2_integration.items-integration.id}',
    });
    expect(tf.resource.aws_lambda_permission['items-invoke']).toMatchObject({
      statement_id: 'HttpApiInvoke', principal: 'apigateway.amazonaws.com', source_arn: '${aws_apigatewayv2_api.api.execution_arn}/*/*/items/*',
    });
    expect(tf.resource.aws_lambda_permission['slow-invoke'].source_arn).toBe('${aws_apigatewayv2_api.api.execution_arn}/*');
    expect([...api.routes.keys()]).toEqual(['GET /items/{id}', 'PUT /items/{id}', 'GET /slow', 'POST /other']);
  });

  it('serves a custom domain: DNS-validated certificate, regional TLS 1.2 domain, mapping under the base path, alias record', () => {
    const s = stack();
    const api = new HttpApi(s, 'api', { ...API, customDomain: { name: 'api.dev.example.com', zoneId: 'Z123', basePath: 'v1' } });
    new TerraformOutput(s, 'domain', { value: api.domainName });
    const tf = Testing.synth(s);
    expect(resources(tf, 'aws_acm_certificate')[0]).toMatchObject({ domain_name: 'api.dev.example.com', validation_method: 'DNS' });
    expect(parsed(tf).resource.aws_apigatewayv2_domain_name['api-domain'].domain_name_configuration).toMatchObject({ endpoint_type: 'REGIONAL', security_policy: 'TLS_1_2' });
    expect(parsed(tf).resource.aws_apigatewayv2_api_mapping['api-mapping']).toMatchObject({ api_mapping_key: 'v1', stage: '${aws_apigatewayv2_stage.api-stage.name}' });
    expect(parsed(tf).resource.aws_route53_record['api-alias']).toMatchObject({ zone_id: 'Z123', name: 'api.dev.example.com', type: 'A' });
    expect(parsed(tf).output!.domain.value).toBe('${aws_apigatewayv2_domain_name.api-domain.domain_name}');
  });

  it('refuses what API Gateway or CloudWatch Logs would refuse, and route keys that are not routes', () => {
    expect(httpApiPropProblems({
      ...API,
      stageName: 'dev stage',
      throttling: { burstLimit: 0, rateLimit: 5 },
      jwt: { issuer: 'http://login.example.com', audience: [] },
      cors: { allowOrigins: ['*', 'https://app.example.com/path'] },
      customDomain: { name: 'api.example.com', zoneId: 'Z', basePath: '/v1' },
      accessLogs: { retentionDays: 42, kmsKeyArn: KEY },
    }).map((p) => p.field)).toEqual([
      'stageName', 'throttling', 'jwt.issuer', 'jwt.audience', 'cors.allowOrigins[0]', 'cors.allowOrigins[1]', 'customDomain.basePath', 'accessLogs.retentionDays',
    ]);
    expect(httpApiPropProblems(API)).toEqual([]);
    const s = stack();
    const api = new HttpApi(s, 'api', API);
    expect(() => api.addFunctionRoutes('bad', fn(s, 'bad'), ['/items'])).toThrow(/bad: routeKeys\[0\]: "\/items" is not a route key/);
    expect(() => new HttpApi(stack(), 'api', { ...API, stageName: 'dev stage' })).toThrow(/api: stageName: "dev stage" may hold only letters, digits, - and _/);
  });
});

describe('UserPool', () => {
  it('has e-mail usernames, optional TOTP, enforced threat protection, a strong password policy, and protection by default', () => {
    const s = stack();
    new UserPool(s, 'user-pool', { name: 'test-users', region: 'us-east-1' });
    expect(resources(Testing.synth(s), 'aws_cognito_user_pool')[0]).toMatchObject({
      username_attributes: ['email'],
      auto_verified_attributes: ['email'],
      mfa_configuration: 'OPTIONAL',
      software_token_mfa_configuration: { enabled: true },
      user_pool_tier: 'PLUS',
      user_pool_add_ons: { advanced_security_mode: 'ENFORCED' },
      password_policy: { minimum_length: 14, require_lowercase: true, require_uppercase: true, require_numbers: true, require_symbols: true, password_history_size: 5 },
      admin_create_user_config: { allow_admin_create_user_only: true },
      deletion_protection: 'ACTIVE',
      lifecycle: { prevent_destroy: true },
    });
  });

  it('drops to the Essentials plan without threat protection, and can leave the pool unprotected', () => {
    const s = stack();
    new UserPool(s, 'user-pool', { name: 'test-users', region: 'us-east-1', threatProtection: 'OFF', protect: false, selfSignUp: true });
    const [pool] = resources(Testing.synth(s), 'aws_cognito_user_pool');
    expect(pool).toMatchObject({ user_pool_tier: 'ESSENTIALS', deletion_protection: 'INACTIVE', lifecycle: { prevent_destroy: false }, admin_create_user_config: { allow_admin_create_user_only: false } });
    expect(pool).not.toHaveProperty('user_pool_add_ons');
  });

  it('makes secretless clients: SRP only, or the OAuth code flow through the hosted UI when callbacks are given', () => {
    const s = stack();
    const pool = new UserPool(s, 'user-pool', { name: 'test-users', region: 'eu-west-1', domainPrefix: 'test-users-111111111111' });
    pool.addClient('api-client', { name: 'api' });
    pool.addClient('spa-client', { name: 'spa', callbackUrls: ['https://app.example.com/cb', 'http://localhost:3000/cb'] });
    new TerraformOutput(s, 'issuer', { value: pool.issuer });
    const tf = parsed(Testing.synth(s));
    expect(tf.resource.aws_cognito_user_pool_client['api-client']).toMatchObject({ generate_secret: false, explicit_auth_flows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] });
    expect(tf.resource.aws_cognito_user_pool_client['api-client']).not.toHaveProperty('allowed_oauth_flows');
    expect(tf.resource.aws_cognito_user_pool_client['spa-client']).toMatchObject({
      allowed_oauth_flows: ['code'], allowed_oauth_scopes: ['openid', 'email', 'profile'],
      callback_urls: ['https://app.example.com/cb', 'http://localhost:3000/cb'], logout_urls: ['https://app.example.com/cb', 'http://localhost:3000/cb'],
      access_token_validity: 60, token_validity_units: [{ access_token: 'minutes', id_token: 'minutes', refresh_token: 'days' }],
    });
    expect(tf.resource.aws_cognito_user_pool_domain['user-pool-domain']).toMatchObject({ domain: 'test-users-111111111111' });
    expect(pool.hostedUiDomain).toBe('test-users-111111111111.auth.eu-west-1.amazoncognito.com');
    expect(tf.output!.issuer.value).toBe('https://cognito-idp.eu-west-1.amazonaws.com/${aws_cognito_user_pool.user-pool.id}');
  });

  it('refuses short passwords, reserved domain prefixes and insecure callbacks', () => {
    expect(userPoolPropProblems({ minimumPasswordLength: 8, domainPrefix: 'my-cognito-app' })).toEqual([
      { field: 'minimumPasswordLength', message: '8 must be between 14 and 99' },
      { field: 'domainPrefix', message: expect.stringContaining('contains "cognito"') },
    ]);
    expect(userPoolClientPropProblems({ callbackUrls: [] })).toEqual([{ field: 'callbackUrls', message: 'lists no URL' }]);
    expect(userPoolClientPropProblems({ callbackUrls: ['http://app.example.com/cb'], logoutUrls: ['ftp://x'] }).map((p) => p.field)).toEqual(['callbackUrls[0]', 'logoutUrls[0]']);
    expect(() => new UserPool(stack(), 'user-pool', { name: 'x', region: 'us-east-1', minimumPasswordLength: 10 })).toThrow(/user-pool: minimumPasswordLength: 10 must be between 14 and 99/);
  });
});

describe('StateMachine', () => {
  it('logs to its own encrypted group, traces, and runs with a role granted the invoked aliases, log delivery and X-Ray only', () => {
    const s = stack();
    const step = fn(s, 'step');
    const machine = new StateMachine(s, 'workflow', {
      name: 'test-flow',
      accountId: '111111111111',
      invokes: [step],
      logs: { retentionDays: 90, kmsKeyArn: KEY, level: 'ALL', includeExecutionData: true },
      definition: { StartAt: 'Step', States: { Step: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', End: true } } },
    });
    const starter = new ServiceRole(s, 'starter', { name: 'starter', service: 'events.amazonaws.com' });
    machine.grantStartExecution(starter);
    const tf = parsed(Testing.synth(s));
    expect(tf.resource.aws_sfn_state_machine.workflow).toMatchObject({
      name: 'test-flow',
      type: 'STANDARD',
      role_arn: '${aws_iam_role.workflow-role.arn}',
      logging_configuration: { log_destination: '${aws_cloudwatch_log_group.workflow-logs.arn}:*', level: 'ALL', include_execution_data: true },
      tracing_configuration: { enabled: true },
      depends_on: ['aws_iam_role_policy.workflow-policy'],
    });
    expect(tf.resource.aws_cloudwatch_log_group['workflow-logs']).toMatchObject({ name: '/aws/vendedlogs/states/test-flow', retention_in_days: 90, kms_key_id: KEY });
    expect(JSON.parse(tf.resource.aws_iam_role['workflow-role'].assume_role_policy as string).Statement[0]).toMatchObject({
      Principal: { Service: 'states.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } },
    });
    const policy = JSON.parse(tf.resource.aws_iam_role_policy['workflow-policy'].policy as string);
    expect(policy.Statement.map((st: { Sid: string }) => st.Sid)).toEqual(['InvokeSteps', 'LogDelivery', 'XRay']);
    expect(policy.Statement[0].Resource).toMatch(/aws_lambda_alias\.step_alias_.*\.arn/);
    expect(JSON.parse(tf.resource.aws_iam_role_policy['starter-policy'].policy as string).Statement).toEqual([
      { Sid: 'StartWorkflow', Effect: 'Allow', Action: 'states:StartExecution', Resource: '${aws_sfn_state_machine.workflow.arn}' },
    ]);
    expect(JSON.parse(tf.resource.aws_sfn_state_machine.workflow.definition as string).StartAt).toBe('Step');
  });

  it('refuses names, levels, retentions and definitions Step Functions would refuse', () => {
    expect(stateMachinePropProblems({
      name: 'my flow', logs: { retentionDays: 10, kmsKeyArn: KEY, level: 'DEBUG' as 'ALL' }, definition: { States: {} },
    }).map((p) => p.field)).toEqual(['name', 'logs.retentionDays', 'logs.level', 'definition']);
  });
});

describe('EventBus', () => {
  it('encrypts the bus, grants PutEvents on it only, and routes a rule to a retried, dead-lettered target', () => {
    const s = stack();
    const bus = new EventBus(s, 'bus', { name: 'test-bus', kmsKeyArn: KEY });
    const producer = new ServiceRole(s, 'producer', { name: 'producer', service: 'lambda.amazonaws.com' });
    bus.grantPutEvents(producer);
    const rule = bus.addRule('changed', { name: 'test-changed', description: 'Changes', eventPattern: { source: ['test.items'] } });
    rule.addTarget({ targetId: 'flow', arn: 'arn:aws:states:us-east-1:111111111111:stateMachine:flow', roleArn: 'arn:aws:iam::111111111111:role/r', deadLetterQueueArn: 'arn:aws:sqs:us-east-1:111111111111:dlq' });
    const tf = parsed(Testing.synth(s));
    expect(tf.resource.aws_cloudwatch_event_bus.bus).toMatchObject({ name: 'test-bus', kms_key_identifier: KEY });
    expect(tf.resource.aws_cloudwatch_event_rule.changed).toMatchObject({ event_bus_name: '${aws_cloudwatch_event_bus.bus.name}', event_pattern: '{"source":["test.items"]}', state: 'ENABLED' });
    expect(tf.resource.aws_cloudwatch_event_target['changed-target']).toMatchObject({
      target_id: 'flow', dead_letter_config: { arn: 'arn:aws:sqs:us-east-1:111111111111:dlq' }, retry_policy: { maximum_event_age_in_seconds: 3600, maximum_retry_attempts: 5 },
    });
    expect(JSON.parse(tf.resource.aws_iam_role_policy['producer-policy'].policy as string).Statement).toEqual([
      { Sid: 'PutEvents', Effect: 'Allow', Action: 'events:PutEvents', Resource: '${aws_cloudwatch_event_bus.bus.arn}' },
    ]);
  });

  it('refuses reserved bus names and patterns that match every event', () => {
    expect(eventBusPropProblems({ name: 'aws.mine' }).map((p) => p.field)).toEqual(['name']);
    expect(eventRulePropProblems({ name: 'a rule', eventPattern: {} }).map((p) => p.field)).toEqual(['name', 'eventPattern']);
  });
});
