import { IdentitystoreGroup } from '@cdktf/provider-aws/lib/identitystore-group';
import { SsoadminAccountAssignment } from '@cdktf/provider-aws/lib/ssoadmin-account-assignment';
import { SsoadminManagedPolicyAttachment } from '@cdktf/provider-aws/lib/ssoadmin-managed-policy-attachment';
import { SsoadminPermissionSet } from '@cdktf/provider-aws/lib/ssoadmin-permission-set';
import { SsoadminPermissionSetInlinePolicy } from '@cdktf/provider-aws/lib/ssoadmin-permission-set-inline-policy';
import type { Construct } from 'constructs';
import { defineContract } from '../lib/contract';
import { LayerStack, type FieldProblem } from '../lib/layer-stack';
import type { LayerContext } from '../lib/model';
import { suppress } from '../lib/policy';
import { policyDocument, type PolicyStatement } from '../modules/policy';

export interface PermissionSetConfig {
  readonly description: string;
  /** AWS managed policy ARNs. @default [] */
  readonly managedPolicyArns?: readonly string[];
  /** Inline policy statements. @default - none */
  readonly inlinePolicy?: readonly PolicyStatement[];
  /** ISO-8601 duration, PT1H..PT12H. @default 'PT1H' */
  readonly sessionDuration?: string;
  /**
   * The break-glass set: may carry AdministratorAccess (policy rule POL-IAM-002 is suppressed for it, with the
   * reason in the report). Give it to a small group only. @default false
   */
  readonly breakGlass?: boolean;
}

export interface IdentitiesConfig {
  /**
   * ARN of the IAM Identity Center instance (from the console or `aws sso-admin list-instances` once).
   * Config, never the `aws_ssoadmin_instances` data source, which calls AWS.
   */
  readonly instanceArn: string;
  /** Identity store id of that instance, `d-xxxxxxxxxx`. */
  readonly identityStoreId: string;
  /** Groups created in the identity store: name -> description. People are added by the IdP (SCIM) or by hand. */
  readonly groups: Readonly<Record<string, string>>;
  /**
   * Permission sets by name; merged over the defaults (Administrator, DevOps, ReadOnly, SecurityAuditor, FinOps).
   * @default DEFAULT_PERMISSION_SETS
   */
  readonly permissionSets?: Readonly<Record<string, PermissionSetConfig>>;
  /** Account name -> group name -> permission set names given to that group in that account. */
  readonly assignments: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
}

const AWS_POLICY = 'arn:aws:iam::aws:policy';

/** The five Leverage permission sets. Administrator is the break-glass set: short sessions, few people. */
export const DEFAULT_PERMISSION_SETS: Readonly<Record<string, PermissionSetConfig>> = {
  Administrator: {
    description: 'Break-glass full administration, short sessions',
    managedPolicyArns: [`${AWS_POLICY}/AdministratorAccess`],
    sessionDuration: 'PT1H',
    breakGlass: true,
  },
  DevOps: {
    description: 'Builds and operates the platform; no IAM users or access keys',
    managedPolicyArns: [`${AWS_POLICY}/PowerUserAccess`, `${AWS_POLICY}/IAMReadOnlyAccess`],
    inlinePolicy: [{
      Sid: 'NoLongLivedCredentials',
      Effect: 'Deny',
      Action: ['iam:CreateUser', 'iam:CreateAccessKey', 'iam:CreateLoginProfile'],
      Resource: '*',
    }],
    sessionDuration: 'PT4H',
  },
  ReadOnly: {
    description: 'Reads configuration and metrics',
    managedPolicyArns: [`${AWS_POLICY}/ReadOnlyAccess`],
    // The security layers' ReadOnly roles trust this set by its role ARN pattern; ReadOnlyAccess itself cannot assume roles.
    inlinePolicy: [{ Sid: 'AssumeReadOnlyRoles', Effect: 'Allow', Action: 'sts:AssumeRole', Resource: 'arn:aws:iam::*:role/ReadOnly' }],
    sessionDuration: 'PT8H',
  },
  SecurityAuditor: {
    description: 'Audits configuration for the security team',
    managedPolicyArns: [`${AWS_POLICY}/SecurityAudit`, `${AWS_POLICY}/job-function/ViewOnlyAccess`],
    inlinePolicy: [{ Sid: 'AssumeAuditRoles', Effect: 'Allow', Action: 'sts:AssumeRole', Resource: ['arn:aws:iam::*:role/Auditor', 'arn:aws:iam::*:role/ReadOnly'] }],
    sessionDuration: 'PT8H',
  },
  FinOps: {
    description: 'Billing, budgets and cost explorer',
    managedPolicyArns: [`${AWS_POLICY}/job-function/Billing`, `${AWS_POLICY}/AWSBudgetsReadOnlyAccess`],
    sessionDuration: 'PT4H',
  },
};

export const identitiesContract = defineContract('identities', {
  permission_set_names: { description: 'Permission set names, in the order of permission_set_arns', mock: ['Administrator', 'DevOps', 'ReadOnly', 'SecurityAuditor', 'FinOps'] },
  permission_set_arns: { description: 'Permission set ARNs', mock: ['arn:aws:sso:::permissionSet/ssoins-mock/ps-mock1'] },
  group_names: { description: 'Identity store group names, in the order of group_ids', mock: ['devops'] },
  group_ids: { description: 'Identity store group ids', mock: ['00000000-0000-0000-0000-000000000001'] },
});

function permissionSets(config: IdentitiesConfig): Record<string, PermissionSetConfig> {
  return { ...DEFAULT_PERMISSION_SETS, ...(config.permissionSets ?? {}) };
}

/**
 * IAM Identity Center (management account): groups, permission sets and the assignment of groups to accounts
 * with permission sets, all from config. People authenticate once and get short-lived role sessions.
 */
export class Identities extends LayerStack {
  static readonly contract = identitiesContract;
  /** Creates the permission sets whose sessions the deploy roles trust: applied on day zero, before the security layers. */
  static readonly bootstrapOrder = 2;

  static validate(config: IdentitiesConfig, ctx: LayerContext): FieldProblem[] {
    const problems: FieldProblem[] = [];
    if (!/^arn:aws:sso:::instance\/ssoins-[0-9a-f]{16}$/.test(config.instanceArn ?? '')) {
      problems.push({ field: 'instanceArn', message: `"${config.instanceArn}" is not an Identity Center instance ARN (arn:aws:sso:::instance/ssoins-<16 hex>)` });
    }
    if (!/^d-[0-9a-f]{10}$/.test(config.identityStoreId ?? '')) {
      problems.push({ field: 'identityStoreId', message: `"${config.identityStoreId}" is not an identity store id (d-<10 hex>)` });
    }
    const sets = permissionSets(config);
    for (const [name, description] of Object.entries(config.groups ?? {})) {
      // Identity Store CreateGroup: DisplayName 1..1024, Description up to 1024.
      if (name.length < 1 || name.length > 1024) problems.push({ field: `groups.${name}`, message: 'a group name must be 1 to 1024 characters' });
      if (description.length > 1024) problems.push({ field: `groups.${name}`, message: `the description is ${description.length} characters; Identity Center accepts 1024` });
    }
    for (const [name, set] of Object.entries(sets)) {
      // sso-admin CreatePermissionSet: Name 1..32 of [\w+=,.@-], Description 1..700; inline policy up to 32768 characters.
      if (!/^[\w+=,.@-]{1,32}$/.test(name)) problems.push({ field: `permissionSets.${name}`, message: `"${name}" is not a permission set name (1-32 of letters, digits and _+=,.@-)` });
      if (typeof set.description !== 'string' || set.description.length < 1 || set.description.length > 700) {
        problems.push({ field: `permissionSets.${name}.description`, message: 'must be 1 to 700 characters' });
      }
      (set.managedPolicyArns ?? []).forEach((arn, i) => {
        if (!/^arn:aws[a-z-]*:iam::(aws|\d{12}):policy\/[\w+=,.@/-]+$/.test(arn)) {
          problems.push({ field: `permissionSets.${name}.managedPolicyArns[${i}]`, message: `"${arn}" is not an IAM managed policy ARN` });
        }
      });
      if (set.inlinePolicy && JSON.stringify({ Version: '2012-10-17', Statement: set.inlinePolicy }).length > 32768) {
        problems.push({ field: `permissionSets.${name}.inlinePolicy`, message: 'is longer than the 32768 characters Identity Center accepts' });
      }
      const duration = set.sessionDuration ?? 'PT1H';
      const hours = /^PT(\d{1,2})H$/.exec(duration);
      if (!hours || Number(hours[1]) < 1 || Number(hours[1]) > 12) {
        problems.push({ field: `permissionSets.${name}.sessionDuration`, message: `"${duration}" must be PT1H..PT12H` });
      }
      for (const statement of set.inlinePolicy ?? []) {
        const actions = ([] as string[]).concat(statement.Action);
        if (statement.Effect === 'Allow' && actions.includes('*') && ([] as string[]).concat(statement.Resource ?? '*').includes('*')) {
          problems.push({ field: `permissionSets.${name}.inlinePolicy`, message: 'allows "*" on "*"; use a managed policy for break-glass sets' });
        }
      }
    }
    const icRegion = ctx.org.project.identityCenter?.region;
    if (icRegion && icRegion !== ctx.region) {
      problems.push({ field: 'region', message: `runs in ${ctx.region} but Identity Center is in ${icRegion} (project identityCenter.region): declare it with { region: '${icRegion}' }` });
    }
    // The roles of every account trust these permission sets by name (lib/identity.ts): a missing one locks people out.
    for (const [group, names] of Object.entries(ctx.org.project.permissionSets)) {
      for (const name of names) {
        if (!(name in sets)) {
          problems.push({ field: 'permissionSets', message: `project identityCenter.${group}PermissionSets names "${name}", which is not a permission set here (known: ${Object.keys(sets).join(', ')})` });
        }
      }
    }
    for (const [account, groups] of Object.entries(config.assignments ?? {})) {
      if (!ctx.org.accounts.has(account)) problems.push({ field: `assignments.${account}`, message: `unknown account "${account}"` });
      for (const [group, names] of Object.entries(groups)) {
        if (!(group in config.groups)) problems.push({ field: `assignments.${account}.${group}`, message: `unknown group "${group}" (known: ${Object.keys(config.groups).join(', ')})` });
        for (const name of names) {
          if (!(name in sets)) problems.push({ field: `assignments.${account}.${group}`, message: `unknown permission set "${name}" (known: ${Object.keys(sets).join(', ')})` });
        }
      }
    }
    return problems;
  }

  constructor(scope: Construct, ctx: LayerContext, config: IdentitiesConfig) {
    super(scope, ctx);
    const instanceArn = config.instanceArn;
    const sets = new Map<string, SsoadminPermissionSet>();
    for (const [name, set] of Object.entries(permissionSets(config))) {
      const resource = new SsoadminPermissionSet(this, `permission-set-${name}`, {
        instanceArn,
        name,
        description: set.description,
        sessionDuration: set.sessionDuration ?? 'PT1H',
      });
      (set.managedPolicyArns ?? []).forEach((managedPolicyArn, i) => {
        const attachment = new SsoadminManagedPolicyAttachment(this, `permission-set-${name}-managed-${i}`, {
          instanceArn,
          permissionSetArn: resource.arn,
          managedPolicyArn,
        });
        if (set.breakGlass) {
          suppress(attachment, 'POL-IAM-002', `${name} is the break-glass permission set: ${set.sessionDuration ?? 'PT1H'} sessions, ` +
            'assigned only to a small administrators group, every use recorded by the organisation trail');
        }
      });
      if (set.inlinePolicy && set.inlinePolicy.length > 0) {
        new SsoadminPermissionSetInlinePolicy(this, `permission-set-${name}-inline`, {
          instanceArn,
          permissionSetArn: resource.arn,
          inlinePolicy: policyDocument(set.inlinePolicy),
        });
      }
      sets.set(name, resource);
    }

    const groups = new Map<string, IdentitystoreGroup>();
    for (const [name, description] of Object.entries(config.groups)) {
      groups.set(name, new IdentitystoreGroup(this, `group-${name}`, { identityStoreId: config.identityStoreId, displayName: name, description }));
    }

    for (const [accountName, byGroup] of Object.entries(config.assignments)) {
      const account = ctx.org.accounts.get(accountName)!;
      for (const [group, names] of Object.entries(byGroup)) {
        for (const name of names) {
          new SsoadminAccountAssignment(this, `assignment-${accountName}-${group}-${name}`, {
            instanceArn,
            permissionSetArn: sets.get(name)!.arn,
            principalId: groups.get(group)!.groupId,
            principalType: 'GROUP',
            targetId: account.id,
            targetType: 'AWS_ACCOUNT',
          });
        }
      }
    }

    this.publish(identitiesContract, {
      permission_set_names: [...sets.keys()],
      permission_set_arns: [...sets.values()].map((s) => s.arn),
      group_names: [...groups.keys()],
      group_ids: [...groups.values()].map((g) => g.groupId),
    });
  }
}
