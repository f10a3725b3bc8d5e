import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { SecretsmanagerSecretPolicy } from '@cdktf/provider-aws/lib/secretsmanager-secret-policy';
import { SecretsmanagerSecretRotation } from '@cdktf/provider-aws/lib/secretsmanager-secret-rotation';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import type { FieldProblem } from '../lib/layer-stack';
import { awsName, FieldProblems, integerBetween } from '../lib/validators';
import { keyFromArn } from './kms-key';
import { FUNCTION_INVOKE_ACTIONS, SECRET_READ_ACTIONS } from './perms';
import { allow, policyDocument, type Grantable } from './policy';
import { refuseProblems } from './prop-problems';

/** Moved to modules/perms.ts with the other action lists; re-exported for the callers that import it here. */
export { SECRET_READ_ACTIONS } from './perms';

export interface ManagedSecretRotation {
  /** ARN of the rotation function (same account and region as the secret). */
  readonly functionArn: string;
  /** ARN of that function's execution role: it reads and writes versions, so the resource policy admits it. */
  readonly functionRoleArn: string;
  /** When rotation runs: `rate(30 days)` or a `cron(...)` expression (UTC). @default 'rate(30 days)' */
  readonly schedule?: string;
}

export interface ManagedSecretProps {
  /**
   * Full secret name, e.g. `acme/apps-prd/api/database`: letters, digits and `/_+=.@-`, at most 512 characters, not
   * ending in a hyphen and six characters (Secrets Manager reads that as the random suffix of the ARN).
   */
  readonly name: string;
  readonly description: string;
  /** Customer managed key encrypting every version of the value. */
  readonly kmsKeyArn: string;
  /**
   * IAM role ARNs (an `*` after `role/` matches a path or name prefix) allowed to read the value. The resource policy
   * denies GetSecretValue to every other principal of every account, administrators included; it names them in a
   * condition, so a role created later (by a layer applied after this one) is fine. At least one, counting the rotation
   * function's role.
   */
  readonly readers: readonly string[];
  /** Days a deleted secret can still be restored (7 to 30). @default 30 */
  readonly recoveryWindowDays?: number;
  /** Refuse `terraform destroy` of the secret. @default true */
  readonly protect?: boolean;
  /** Rotation by a Lambda function on a schedule. @default - none: the owner of the value sets new versions */
  readonly rotation?: ManagedSecretRotation;
}

/** Secret names Secrets Manager accepts. https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html */
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]+$/;
/** An IAM role ARN, optionally with `*` in the role path or name (readers are matched with ArnNotLike). */
const READER_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/*-]+$/;
/** Rotation schedules Secrets Manager accepts: `rate(<n> days|hours)` or `cron(...)`. */
const ROTATION_SCHEDULE = /^(rate\(\d+ (hours?|days?)\)|cron\(.+\))$/;

/**
 * A rotation schedule Secrets Manager accepts: `rate(<n> hours)` from 4 to 23 hours, `rate(<n> days)` from 1 to 1000
 * days, or `cron(...)`. https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_RotationRulesType.html
 */
function rotationScheduleProblem(schedule: string): string | undefined {
  if (!ROTATION_SCHEDULE.test(schedule)) return `"${schedule}" must be rate(<n> days|hours) or cron(...)`;
  const rate = /^rate\((\d+) (hours?|days?)\)$/.exec(schedule);
  if (!rate) return undefined;
  const n = Number(rate[1]);
  const ok = rate[2].startsWith('hour') ? n >= 4 && n <= 23 : n >= 1 && n <= 1000;
  return ok ? undefined : `"${schedule}" must be every 4 to 23 hours or every 1 to 1000 days`;
}

/** Props as `managedSecretPropProblems` checks them: the rotation may be given by its schedule alone. */
export type ManagedSecretPropsToCheck = Partial<Omit<ManagedSecretProps, 'rotation'>> & { readonly rotation?: Partial<ManagedSecretRotation> };

/** Problems of the props that need no AWS, by prop name; references (tokens) are left to Terraform. */
export function managedSecretPropProblems(props: ManagedSecretPropsToCheck): FieldProblem[] {
  const problems = new FieldProblems();
  if (props.name !== undefined && !Token.isUnresolved(props.name)) {
    problems.check('name', awsName(props.name, { maxLength: 512, pattern: SECRET_NAME, described: 'letters, digits and /_+=.@-' }));
    if (/-[A-Za-z0-9]{6}$/.test(props.name)) {
      problems.add('name', `"${props.name}" ends with a hyphen and six characters, which Secrets Manager confuses with the ARN suffix`);
    }
  }
  if (props.recoveryWindowDays !== undefined) problems.check('recoveryWindowDays', integerBetween(props.recoveryWindowDays, 7, 30, 'days'));
  (props.readers ?? []).forEach((arn, i) => {
    if (!Token.isUnresolved(arn) && !READER_ARN.test(arn)) problems.add(`readers[${i}]`, `"${arn}" is not an IAM role ARN`);
  });
  if (props.readers !== undefined && props.readers.length === 0 && props.rotation?.functionRoleArn === undefined) {
    problems.add('readers', 'names nobody: a secret needs at least one reader (or a rotation function)');
  }
  if (props.description !== undefined && props.description.length > 2048) {
    problems.add('description', `is ${props.description.length} characters; Secrets Manager accepts 2048`);
  }
  const schedule = props.rotation?.schedule;
  if (schedule !== undefined && !Token.isUnresolved(schedule)) problems.check('rotation.schedule', rotationScheduleProblem(schedule));
  return problems.list;
}

/**
 * A secret principals can be granted to read: by ARN with the key encrypting it (`secretFromArn`, e.g. a secret of the
 * account's secrets layer read from its remote state). The secret's resource policy must admit the principal too (the
 * secrets layer lists the layers referencing a secret with `fromSecrets(...)` as its readers).
 */
export interface ISecret {
  readonly arn: string;
  /** GetSecretValue on the secret, and Decrypt on its key (Secrets Manager decrypts with the caller's permissions). */
  grantRead(grantee: Grantable): void;
}

/** A secret known by ARN only, encrypted with `kmsKeyArn`. */
export function secretFromArn(arn: string, kmsKeyArn: string): ISecret {
  return {
    arn,
    grantRead(grantee: Grantable): void {
      grantee.addToPolicy(allow('ReadSecret', SECRET_READ_ACTIONS, arn));
      keyFromArn(kmsKeyArn).grantDecrypt(grantee);
    },
  };
}

/**
 * A Secrets Manager secret without a value: only the container, KMS-encrypted with a customer managed key, with a
 * resource policy that lets only the listed readers see the value and, optionally, a rotation schedule. The value is
 * put out of band (`aws secretsmanager put-secret-value`), so it never appears in code, config or Terraform state.
 */
export class ManagedSecret extends Construct {
  readonly secret: SecretsmanagerSecret;
  readonly arn: string;
  readonly name: string;

  constructor(scope: Construct, id: string, props: ManagedSecretProps) {
    super(scope, id);
    refuseProblems(scope, id, managedSecretPropProblems(props));
    const readers = [...new Set([...props.readers, ...(props.rotation ? [props.rotation.functionRoleArn] : [])])];
    this.secret = new SecretsmanagerSecret(this, 'secret', {
      name: props.name,
      description: props.description,
      kmsKeyId: props.kmsKeyArn,
      recoveryWindowInDays: props.recoveryWindowDays ?? 30,
      lifecycle: { preventDestroy: props.protect ?? true },
    });
    this.arn = this.secret.arn;
    this.name = props.name;
    new SecretsmanagerSecretPolicy(this, 'policy', {
      secretArn: this.secret.arn,
      blockPublicPolicy: true,
      policy: policyDocument([{
        // A Deny with a condition on the caller's ARN: it needs no principal to exist yet (an Allow naming a role
        // that does not exist is refused by PutResourcePolicy), and it holds against broad IAM grants such as
        // PowerUserAccess. Writing versions (PutSecretValue) stays possible for the deploy role.
        Sid: 'OnlyReadersReadTheValue',
        Effect: 'Deny',
        Principal: '*',
        Action: [...SECRET_READ_ACTIONS],
        Resource: '*',
        Condition: { ArnNotLike: { 'aws:PrincipalArn': readers } },
      }]),
    });
    if (props.rotation) {
      const permission = new LambdaPermission(this, 'rotation-permission', {
        statementId: `secretsmanager-${id}`.slice(0, 100),
        action: FUNCTION_INVOKE_ACTIONS[0],
        functionName: props.rotation.functionArn,
        principal: 'secretsmanager.amazonaws.com',
        sourceArn: this.secret.arn,
      });
      new SecretsmanagerSecretRotation(this, 'rotation', {
        secretId: this.secret.id,
        rotationLambdaArn: props.rotation.functionArn,
        rotationRules: { scheduleExpression: props.rotation.schedule ?? 'rate(30 days)' },
        // The first value is put out of band; rotating at once would run before it exists.
        rotateImmediately: false,
        dependsOn: [permission],
      });
    }
  }
}
