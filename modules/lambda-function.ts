import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { LambdaAlias } from '@cdktf/provider-aws/lib/lambda-alias';
import { LambdaFunction as LambdaFunctionResource } from '@cdktf/provider-aws/lib/lambda-function';
import { Token, type TerraformAsset, type TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';
import type { FieldProblem } from '../lib/layer-stack';
import { awsName, FieldProblems, integerAtLeast, lambdaMemoryMb, lambdaTimeoutSeconds, logRetentionDays } from '../lib/validators';
import { keyFromArn } from './kms-key';
import { FUNCTION_INVOKE_ACTIONS, KEY_ENCRYPT_DECRYPT_ACTIONS, LOG_STREAM_WRITE_ACTIONS, QUEUE_DEAD_LETTER_ACTIONS, XRAY_WRITE_ACTIONS } from './perms';
import { allow, type Grantable, type PolicyStatement } from './policy';
import { refuseProblems } from './prop-problems';
import { Queue } from './queue';
import { ServiceRole } from './role';

/** A supported Node.js runtime (nodejs20.x reached end of support in 2026). */
export const DEFAULT_LAMBDA_RUNTIME = 'nodejs22.x';
/** Managed policy for ENIs of functions attached to a VPC (needs `*` resources, which AWS scopes itself). */
export const LAMBDA_VPC_ACCESS_POLICY = 'arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole';
/** Moved to modules/perms.ts with the other action lists; re-exported for the callers that import it here. */
export { XRAY_WRITE_ACTIONS } from './perms';

export interface LambdaFunctionProps {
  readonly functionName: string;
  /** Zip of the handler folder: `folderArchive(stack, id, { path })` (modules/folder-archive.ts). */
  readonly code: TerraformAsset;
  /** `<file>.<export>` inside the archive, e.g. `api.handler`. */
  readonly handler: string;
  /** Account and region of the function (log group ARN in the role policy). */
  readonly accountId: string;
  readonly region: string;
  /** Customer managed key for environment variables and the DLQ. */
  readonly kmsKeyArn: string;
  /** Key of the log group; its policy must admit CloudWatch Logs. @default kmsKeyArn */
  readonly logsKmsKeyArn?: string;
  /** @default DEFAULT_LAMBDA_RUNTIME */
  readonly runtime?: string;
  /** @default 256 */
  readonly memorySize?: number;
  /** @default 10 */
  readonly timeoutSeconds?: number;
  /** Reserved concurrency (CKV_AWS_115): a ceiling that also guarantees capacity. @default - unreserved */
  readonly reservedConcurrency?: number;
  /** Plain configuration only: pass secrets as Secrets Manager ARNs, never values. @default {} */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * What the function may do, scoped to the ARNs it uses. Logs, X-Ray, DLQ and KMS are added here. Prefer grants on
   * the function once it exists (`table.grantReadData(fn)`). @default []
   */
  readonly policyStatements?: readonly PolicyStatement[];
  /** Run in these private subnets with these security groups. @default - not in a VPC */
  readonly vpc?: { readonly subnetIds: string[]; readonly securityGroupIds: string[] };
  /** Name of the alias callers use; it points at the version published by the last apply. @default 'live' */
  readonly aliasName?: string;
  /** Days the function's logs are kept: one of the retentions CloudWatch Logs accepts. @default 365 */
  readonly logRetentionDays?: number;
  /** @default the stack's default provider */
  readonly provider?: TerraformProvider;
}

/** The suffix of the execution role's name: `<functionName>-lambda`, at most the 64 characters IAM allows. */
const ROLE_SUFFIX = '-lambda';

/**
 * Name of the execution role of the function `functionName`: what another layer names before the function exists (the
 * readers of a secret of the secrets layer).
 */
export function lambdaRoleName(functionName: string): string {
  return `${functionName}${ROLE_SUFFIX}`;
}

/**
 * Problems of the props that need no AWS, by prop name: Lambda's limits, and the log retention every layer checks the
 * same way (lib/validators.ts). https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html
 */
export function lambdaFunctionPropProblems(props: Partial<LambdaFunctionProps>): FieldProblem[] {
  const problems = new FieldProblems();
  if (props.functionName !== undefined && !Token.isUnresolved(props.functionName)) {
    problems.check('functionName', awsName(props.functionName, {
      maxLength: 64 - ROLE_SUFFIX.length, pattern: /^[A-Za-z0-9_-]+$/, described: 'letters, digits, - and _ (the role adds -lambda)',
    }));
  }
  if (props.memorySize !== undefined) problems.check('memorySize', lambdaMemoryMb(props.memorySize));
  if (props.timeoutSeconds !== undefined) problems.check('timeoutSeconds', lambdaTimeoutSeconds(props.timeoutSeconds));
  if (props.reservedConcurrency !== undefined) problems.check('reservedConcurrency', integerAtLeast(props.reservedConcurrency, 0));
  problems.check('logRetentionDays', logRetentionDays(props.logRetentionDays ?? 365));
  if (props.aliasName !== undefined && !/^(?!\d+$)[A-Za-z0-9_-]{1,128}$/.test(props.aliasName)) {
    problems.add('aliasName', `"${props.aliasName}" must be 1 to 128 letters, digits, - and _, not only digits`);
  }
  for (const key of Object.keys(props.environment ?? {})) {
    if (!/^[A-Za-z][A-Za-z0-9_]+$/.test(key)) problems.add(`environment.${key}`, 'must start with a letter and hold only letters, digits and _ (at least 2)');
  }
  return problems.list;
}

/**
 * A Lambda function that callers reach through an alias of a published version: code from a Terraform asset,
 * active X-Ray tracing, JSON logs to its own KMS-encrypted log group, a KMS-encrypted dead-letter queue for
 * failed asynchronous invocations, environment encrypted with the key, and an execution role granted only the
 * statements given plus its own log group, DLQ, key and X-Ray.
 */
export class LambdaFunction extends Construct implements Grantable {
  readonly function: LambdaFunctionResource;
  readonly alias: LambdaAlias;
  /** The execution role: grants to the function (`bucket.grantRead(fn)`) land in its policy. */
  readonly role: ServiceRole;
  readonly logGroup: CloudwatchLogGroup;
  readonly deadLetterQueue: Queue;
  /** ARN of the alias: what triggers, integrations and permissions use. */
  readonly aliasArn: string;
  /** Invoke ARN of the alias, for API Gateway integrations. */
  readonly aliasInvokeArn: string;
  readonly functionName: string;
  /** Seconds an invocation may run: what an integration calling the function waits for. */
  readonly timeoutSeconds: number;

  constructor(scope: Construct, id: string, props: LambdaFunctionProps) {
    super(scope, id);
    refuseProblems(scope, id, lambdaFunctionPropProblems(props));
    const provider = props.provider;
    const name = props.functionName;

    this.logGroup = new CloudwatchLogGroup(this, 'logs', {
      provider,
      name: `/aws/lambda/${name}`,
      retentionInDays: props.logRetentionDays ?? 365,
      kmsKeyId: props.logsKmsKeyArn ?? props.kmsKeyArn,
    });
    this.deadLetterQueue = new Queue(this, 'dlq', {
      provider,
      name: `${name}-async-dlq`,
      kmsKeyArn: props.kmsKeyArn,
      deadLetterQueue: false,
      messageRetentionSeconds: 1209600,
    });

    this.role = new ServiceRole(this, 'role', {
      provider,
      name: lambdaRoleName(name),
      service: 'lambda.amazonaws.com',
      managedPolicyArns: props.vpc ? [LAMBDA_VPC_ACCESS_POLICY] : [],
      ids: { policy: 'policy', managedPolicies: ['vpc-access'] },
    });
    this.role.addToPolicy(allow('OwnLogGroup', LOG_STREAM_WRITE_ACTIONS, `arn:aws:logs:${props.region}:${props.accountId}:log-group:/aws/lambda/${name}:*`));
    // X-Ray write actions have no resource-level permissions: the one `Resource: '*'` grant.
    this.role.addToPolicy(allow('XRayWrite', XRAY_WRITE_ACTIONS, '*'));
    this.deadLetterQueue.grant(this.role, 'AsyncDeadLetterQueue', QUEUE_DEAD_LETTER_ACTIONS);
    // The environment and the dead-letter queue are encrypted with this key.
    keyFromArn(props.kmsKeyArn).grant(this.role, 'LayerKey', KEY_ENCRYPT_DECRYPT_ACTIONS);
    for (const statement of props.policyStatements ?? []) this.role.addToPolicy(statement);

    this.function = new LambdaFunctionResource(this, 'function', {
      provider,
      functionName: name,
      role: this.role.arn,
      runtime: props.runtime ?? DEFAULT_LAMBDA_RUNTIME,
      handler: props.handler,
      filename: props.code.path,
      sourceCodeHash: props.code.assetHash,
      architectures: ['arm64'],
      memorySize: props.memorySize ?? 256,
      timeout: props.timeoutSeconds ?? 10,
      publish: true,
      reservedConcurrentExecutions: props.reservedConcurrency,
      kmsKeyArn: props.kmsKeyArn,
      tracingConfig: { mode: 'Active' },
      deadLetterConfig: { targetArn: this.deadLetterQueue.arn },
      loggingConfig: { logFormat: 'JSON', logGroup: this.logGroup.name, applicationLogLevel: 'INFO', systemLogLevel: 'WARN' },
      environment: props.environment && Object.keys(props.environment).length > 0 ? { variables: { ...props.environment } } : undefined,
      vpcConfig: props.vpc ? { subnetIds: props.vpc.subnetIds, securityGroupIds: props.vpc.securityGroupIds } : undefined,
      // The role must be able to write logs and reach its DLQ before the first version is published.
      dependsOn: [this.logGroup, ...this.role.permissions],
    });
    this.functionName = this.function.functionName;
    this.timeoutSeconds = props.timeoutSeconds ?? 10;
    this.alias = new LambdaAlias(this, 'alias', {
      provider,
      name: props.aliasName ?? 'live',
      description: `Version of ${name} published by the last apply`,
      functionName: this.function.functionName,
      functionVersion: this.function.version,
    });
    this.aliasArn = this.alias.arn;
    this.aliasInvokeArn = this.alias.invokeArn;
  }

  /** Adds a statement to the execution role's policy: what grant methods call (`table.grantReadData(fn)`). */
  addToPolicy(statement: PolicyStatement): void {
    this.role.addToPolicy(statement);
  }

  /** Invoke the function through its alias (a state machine's task, another function); `sid` names the statement. */
  grantInvoke(grantee: Grantable, sid = 'LambdaInvoke'): void {
    grantee.addToPolicy(allow(sid, FUNCTION_INVOKE_ACTIONS, this.aliasArn));
  }
}
