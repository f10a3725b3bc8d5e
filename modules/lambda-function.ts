import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { LambdaAlias } from '@cdktf/provider-aws/lib/lambda-alias';
import { LambdaFunction as LambdaFunctionResource } from '@cdktf/provider-aws/lib/lambda-function';
import type { TerraformAsset, TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';
import { policyDocument, serviceTrustPolicy, type PolicyStatement } from './policy';
import { Queue } from './queue';

/** A supported Node.js runtime (nodejs20.x reached end of support in 2026). */
export const DEFAULT_LAMBDA_RUNTIME = 'nodejs22.x';
/** Managed policy for ENIs of functions attached to a VPC (needs `*` resources, which AWS scopes itself). */
export const LAMBDA_VPC_ACCESS_POLICY = 'arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole';
/** X-Ray write actions: they have no resource-level permissions, so they are the one `Resource: '*'` grant. */
export const XRAY_WRITE_ACTIONS = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'];

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
  /** What the function may do, scoped to the ARNs it uses. Logs, X-Ray, DLQ and KMS are added here. @default [] */
  readonly policyStatements?: readonly PolicyStatement[];
  /** Run in these private subnets with these security groups. @default - not in a VPC */
  readonly vpc?: { readonly subnetIds: string[]; readonly securityGroupIds: string[] };
  /** Name of the alias callers use; it points at the version published by the last apply. @default 'live' */
  readonly aliasName?: string;
  /** @default 365 */
  readonly logRetentionDays?: number;
  /** @default the stack's default provider */
  readonly provider?: TerraformProvider;
}

/**
 * A Lambda function that callers reach through an alias of a published version: code from a Terraform asset,
 * active X-Ray tracing, JSON logs to its own KMS-encrypted log group, a KMS-encrypted dead-letter queue for
 * failed asynchronous invocations, environment encrypted with the key, and an execution role granted only the
 * statements given plus its own log group, DLQ, key and X-Ray.
 */
export class LambdaFunction extends Construct {
  readonly function: LambdaFunctionResource;
  readonly alias: LambdaAlias;
  readonly role: IamRole;
  readonly logGroup: CloudwatchLogGroup;
  readonly deadLetterQueue: Queue;
  /** ARN of the alias: what triggers, integrations and permissions use. */
  readonly aliasArn: string;
  /** Invoke ARN of the alias, for API Gateway integrations. */
  readonly aliasInvokeArn: string;
  readonly functionName: string;

  constructor(scope: Construct, id: string, props: LambdaFunctionProps) {
    super(scope, id);
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

    this.role = new IamRole(this, 'role', {
      provider,
      name: `${name}-lambda`,
      assumeRolePolicy: serviceTrustPolicy('lambda.amazonaws.com'),
    });
    const base: PolicyStatement[] = [
      {
        Sid: 'OwnLogGroup',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: `arn:aws:logs:${props.region}:${props.accountId}:log-group:/aws/lambda/${name}:*`,
      },
      { Sid: 'XRayWrite', Effect: 'Allow', Action: XRAY_WRITE_ACTIONS, Resource: '*' },
      { Sid: 'AsyncDeadLetterQueue', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: this.deadLetterQueue.arn },
      { Sid: 'LayerKey', Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: props.kmsKeyArn },
    ];
    const policy = new IamRolePolicy(this, 'policy', {
      provider,
      name: 'least-privilege',
      role: this.role.id,
      policy: policyDocument([...base, ...(props.policyStatements ?? [])]),
    });
    const vpcAccess = props.vpc
      ? new IamRolePolicyAttachment(this, 'vpc-access', { provider, role: this.role.name, policyArn: LAMBDA_VPC_ACCESS_POLICY })
      : undefined;

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
      dependsOn: [this.logGroup, policy, ...(vpcAccess ? [vpcAccess] : [])],
    });
    this.functionName = this.function.functionName;
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
}
