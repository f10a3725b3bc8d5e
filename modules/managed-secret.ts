import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { SecretsmanagerSecretPolicy } from '@cdktf/provider-aws/lib/secretsmanager-secret-policy';
import { SecretsmanagerSecretRotation } from '@cdktf/provider-aws/lib/secretsmanager-secret-rotation';
import { Construct } from 'constructs';
import { keyFromArn } from './kms-key';
import { FUNCTION_INVOKE_ACTIONS, SECRET_READ_ACTIONS } from './perms';
import { allow, policyDocument, type Grantable } from './policy';

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
  /** Full secret name, e.g. `acme/apps-prd/api/database`. */
  readonly name: string;
  readonly description: string;
  /** Customer managed key encrypting every version of the value. */
  readonly kmsKeyArn: string;
  /**
   * IAM role ARNs (an `*` after `role/` matches a path or name prefix) allowed to read the value. The resource policy
   * denies GetSecretValue to every other principal of every account, administrators included; it names them in a
   * condition, so a role created later (by a layer applied after this one) is fine.
   */
  readonly readers: readonly string[];
  /** Days a deleted secret can still be restored (7 to 30). @default 30 */
  readonly recoveryWindowDays?: number;
  /** Refuse `terraform destroy` of the secret. @default true */
  readonly protect?: boolean;
  /**
   * @deprecated Use `protect`. Kept only until the serverless and secrets layers pass `protect`; it will be removed.
   * @default true
   */
  readonly preventDestroy?: boolean;
  /** Rotation by a Lambda function on a schedule. @default - none: the owner of the value sets new versions */
  readonly rotation?: ManagedSecretRotation;
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
    const readers = [...new Set([...props.readers, ...(props.rotation ? [props.rotation.functionRoleArn] : [])])];
    if (readers.length === 0) throw new Error(`${this.node.path}: a secret needs at least one reader`);
    this.secret = new SecretsmanagerSecret(this, 'secret', {
      name: props.name,
      description: props.description,
      kmsKeyId: props.kmsKeyArn,
      recoveryWindowInDays: props.recoveryWindowDays ?? 30,
      lifecycle: { preventDestroy: props.protect ?? props.preventDestroy ?? true },
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
