/**
 * Access to an account's Terraform state (the base-tf-backend bucket, lock table and their KMS key): the statements
 * a role needs to read state or to hold a lock, and the state-reader role every remote-state read assumes.
 * Callers never type S3, DynamoDB or KMS actions (aws-cdk-lib's `grantRead` idea).
 */
import type { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import type { TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';
import { identityCenterTrustStatement } from './assumable-role';
import {
  ROLE_ASSUME_ACTIONS, STATE_DECRYPT_ACTIONS, STATE_LIST_ACTIONS, STATE_LOCK_ACTIONS, STATE_LOCK_KEY_ACTIONS, STATE_READ_ACTIONS,
} from './perms';
import { oneOrMany, type PolicyStatement } from './policy';
import { Role } from './role';

/** Where an account keeps its state: names are derived (lib/naming.ts), the key is the backend's KMS key. */
export interface StateBackendLocation {
  readonly accountId: string;
  /** Region of the bucket, lock table and key. */
  readonly region: string;
  /** `arn:aws:s3:::<project>-<account>-terraform-backend-<account id>` */
  readonly bucketArn: string;
  readonly lockTableArn: string;
}

/**
 * The backend's key is created by base-tf-backend; rather than reading its ARN, decryption is allowed for any key of
 * the account, but only through S3 (objects of the state bucket) or DynamoDB, so the grant reaches nothing else.
 */
function stateKeyStatement(location: StateBackendLocation, sid: string, actions: readonly string[], services: string[]): PolicyStatement {
  return {
    Sid: sid,
    Effect: 'Allow',
    Action: [...actions],
    Resource: `arn:aws:kms:${location.region}:${location.accountId}:key/*`,
    Condition: { StringEquals: { 'kms:ViaService': services.map((s) => `${s}.${location.region}.amazonaws.com`) } },
  };
}

/** Read every state object of the account (what `terraform_remote_state` and `terraform init` need). */
export function stateReadStatements(location: StateBackendLocation): PolicyStatement[] {
  return [
    { Sid: 'ListStates', Effect: 'Allow', Action: oneOrMany(STATE_LIST_ACTIONS), Resource: location.bucketArn },
    { Sid: 'ReadStates', Effect: 'Allow', Action: [...STATE_READ_ACTIONS], Resource: `${location.bucketArn}/*` },
    stateKeyStatement(location, 'DecryptStates', STATE_DECRYPT_ACTIONS, ['s3']),
  ];
}

/** Take and release state locks (and read the state digest) in the account's lock table: what a plan needs besides reading. */
export function stateLockStatements(location: StateBackendLocation): PolicyStatement[] {
  return [
    {
      Sid: 'StateLocks',
      Effect: 'Allow',
      Action: [...STATE_LOCK_ACTIONS],
      Resource: location.lockTableArn,
    },
    stateKeyStatement(location, 'EncryptLocks', STATE_LOCK_KEY_ACTIONS, ['dynamodb']),
  ];
}

export interface StateReaderRoleProps {
  /** The role name, the same in every account (lib/naming.ts `STATE_READER_ROLE_NAME`). */
  readonly name: string;
  readonly location: StateBackendLocation;
  /** Identity account whose Identity Center sessions of `permissionSets` may read (besides this account's own). */
  readonly trustedAccountId: string;
  readonly permissionSets: readonly string[];
  /**
   * Roles of the same name in every account of the organisation that may read (the CI plan and apply roles): trusted
   * through those accounts' roots with an `aws:PrincipalArn` condition on the name, so they need not exist yet and the
   * policy grows by one account id per account (IAM's trust policy quota is 2,048 characters, raisable to 4,096).
   * @default - none
   */
  readonly organisationRoles?: { readonly accountIds: readonly string[]; readonly roleNames: readonly string[] };
  /** Exact ARNs of further roles that may read (a Terraform runner); they must exist. Never wildcards. @default [] */
  readonly principalArns?: readonly string[];
  /** @default 3600 */
  readonly maxSessionDuration?: number;
  /** @default the stack's default provider */
  readonly provider?: TerraformProvider;
}

/**
 * The role every remote-state read of this account's layers assumes (lib/identity.ts): it reads state objects and
 * nothing else, so a layer of another account, a CI plan job or a person reading outputs never needs the deploy role.
 */
export class StateReaderRole extends Construct {
  readonly role: IamRole;
  readonly arn: string;

  constructor(scope: Construct, id: string, props: StateReaderRoleProps) {
    super(scope, id);
    const statements: PolicyStatement[] = [identityCenterTrustStatement([props.trustedAccountId, props.location.accountId], props.permissionSets)];
    const org = props.organisationRoles;
    if (org && org.accountIds.length > 0 && org.roleNames.length > 0) {
      statements.push({
        Sid: 'OrganisationRoles',
        Effect: 'Allow',
        Principal: { AWS: [...new Set(org.accountIds)].map((id) => `arn:aws:iam::${id}:root`) },
        Action: oneOrMany(ROLE_ASSUME_ACTIONS),
        // The account segment is free, but the principal is one of the roots above: these role names in those accounts only.
        Condition: { ArnLike: { 'aws:PrincipalArn': org.roleNames.map((name) => `arn:aws:iam::*:role/${name}`) } },
      });
    }
    const exact = [...new Set(props.principalArns ?? [])];
    if (exact.length > 0) statements.push({ Sid: 'Automation', Effect: 'Allow', Principal: { AWS: exact }, Action: oneOrMany(ROLE_ASSUME_ACTIONS) });
    const reader = new Role(this, 'role', {
      provider: props.provider,
      name: props.name,
      description: 'Reads the Terraform state of this account for remote-state reads; nothing else',
      assumedBy: { statements },
      maxSessionDuration: props.maxSessionDuration ?? 3600,
      policyName: `${props.name}-read`,
      ids: { policy: 'read' },
    });
    for (const statement of stateReadStatements(props.location)) reader.addToPolicy(statement);
    this.role = reader.role;
    this.arn = reader.arn;
  }
}
