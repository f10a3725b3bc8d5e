import { IdentitystoreGroup } from '@cdktf/provider-aws/lib/identitystore-group';
import { SsoadminAccountAssignment } from '@cdktf/provider-aws/lib/ssoadmin-account-assignment';
import type { Construct } from 'constructs';
import { defineContract } from '../lib/contract';
import { LayerStack, type FieldProblem } from '../lib/layer-stack';
import type { LayerContext } from '../lib/model';
import { suppress } from '../lib/policy';
import { arnOf, FieldProblems, knownAccount } from '../lib/validators';
import { LONG_LIVED_CREDENTIAL_ACTIONS, ROLE_ASSUME_ACTIONS } from '../modules/perms';
import { PermissionSet, permissionSetPropProblems } from '../modules/permission-set';
import { oneOrMany, type PolicyStatement } from '../modules/policy';

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
    inlinePolicy: [{ Sid: 'NoLongLivedCredentials', Effect: 'Deny', Action: [...LONG_LIVED_CREDENTIAL_ACTIONS], Resource: '*' }],
    sessionDuration: 'PT4H',
  },
  ReadOnly: {
    description: 'Reads configuration and metrics',
    managedPolicyArns: [`${AWS_POLICY}/ReadOnlyAccess`],
    // The security layers' ReadOnly roles trust this set by its role ARN pattern; ReadOnlyAccess itself cannot assume roles.
    inlinePolicy: [{ Sid: 'AssumeReadOnlyRoles', Effect: 'Allow', Action: oneOrMany(ROLE_ASSUME_ACTIONS), Resource: 'arn:aws:iam::*:role/ReadOnly' }],
    sessionDuration: 'PT8H',
  },
  SecurityAuditor: {
    description: 'Audits configuration for the security team',
    managedPolicyArns: [`${AWS_POLICY}/SecurityAudit`, `${AWS_POLICY}/job-function/ViewOnlyAccess`],
    inlinePolicy: [{ Sid: 'AssumeAuditRoles', Effect: 'Allow', Action: oneOrMany(ROLE_ASSUME_ACTIONS), Resource: ['arn:aws:iam::*:role/Auditor', 'arn:aws:iam::*:role/ReadOnly'] }],
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
  // The mock lists the usual group names so layers looking groups up by name (client-vpn) plan in the sandbox.
  group_names: { description: 'Identity store group names, in the order of group_ids', mock: ['devops', 'administrators', 'developers', 'security', 'finops'] },
  group_ids: {
    description: 'Identity store group ids',
    mock: ['00000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-000000000002', '00000000-0000-0000-0000-000000000003', '00000000-0000-0000-0000-000000000004', '00000000-0000-0000-0000-000000000005'],
  },
});

/** An Identity Center instance ARN, as `aws sso-admin list-instances` prints it. */
const INSTANCE_ARN = {
  service: 'sso', hasAccount: false, resource: /^instance\/ssoins-[0-9a-f]{16}$/,
  described: 'an Identity Center instance ARN (arn:aws:sso:::instance/ssoins-<16 hex>)',
};

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
    const problems = new FieldProblems();
    problems.check('instanceArn', arnOf(config.instanceArn ?? '', INSTANCE_ARN));
    if (!/^d-[0-9a-f]{10}$/.test(config.identityStoreId ?? '')) {
      problems.add('identityStoreId', `"${config.identityStoreId}" is not an identity store id (d-<10 hex>)`);
    }
    const sets = permissionSets(config);
    for (const [name, description] of Object.entries(config.groups ?? {})) {
      // Identity Store CreateGroup: DisplayName 1..1024, Description up to 1024 (the groups are this layer's own resources).
      if (name.length < 1 || name.length > 1024) problems.add(`groups.${name}`, 'a group name must be 1 to 1024 characters');
      if (description.length > 1024) problems.add(`groups.${name}`, `the description is ${description.length} characters; Identity Center accepts 1024`);
    }
    for (const [name, set] of Object.entries(sets)) problems.nest(`permissionSets.${name}`, permissionSetPropProblems({ ...set, name }));
    const icRegion = ctx.org.project.identityCenter?.region;
    if (icRegion && icRegion !== ctx.region) {
      problems.add('region', `runs in ${ctx.region} but Identity Center is in ${icRegion} (project identityCenter.region): declare it with { region: '${icRegion}' }`);
    }
    // The roles of every account trust these permission sets by name (lib/identity.ts): a missing one locks people out.
    const trusted = ctx.org.project.permissionSets;
    for (const group of Object.keys(trusted) as (keyof typeof trusted)[]) {
      for (const name of trusted[group].filter((n) => !(n in sets))) {
        problems.add('permissionSets', `project identityCenter.${group}PermissionSets names "${name}", which is not a permission set here (known: ${Object.keys(sets).join(', ')})`);
      }
    }
    for (const [account, groups] of Object.entries(config.assignments ?? {})) {
      problems.check(`assignments.${account}`, knownAccount(ctx.org, account));
      for (const [group, names] of Object.entries(groups)) {
        const field = `assignments.${account}.${group}`;
        if (!(group in config.groups)) problems.add(field, `unknown group "${group}" (known: ${Object.keys(config.groups).join(', ')})`);
        for (const name of names.filter((n) => !(n in sets))) problems.add(field, `unknown permission set "${name}" (known: ${Object.keys(sets).join(', ')})`);
      }
    }
    return problems.list;
  }

  constructor(scope: Construct, ctx: LayerContext, config: IdentitiesConfig) {
    super(scope, ctx);
    const sets = new Map(Object.entries(permissionSets(config)).map(([name, set]) => [name, this.permissionSet(config.instanceArn, name, set)]));
    const groups = new Map(Object.entries(config.groups).map(([name, description]) => [name, new IdentitystoreGroup(this, `group-${name}`, {
      identityStoreId: config.identityStoreId,
      displayName: name,
      description,
    })]));

    for (const [accountName, byGroup] of Object.entries(config.assignments)) {
      const account = ctx.org.accounts.get(accountName)!;
      for (const [group, names] of Object.entries(byGroup)) {
        for (const name of names) {
          new SsoadminAccountAssignment(this, `assignment-${accountName}-${group}-${name}`, {
            instanceArn: config.instanceArn,
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

  /** One permission set; the break-glass set may carry AdministratorAccess, with the reason in the policy report. */
  private permissionSet(instanceArn: string, name: string, set: PermissionSetConfig): PermissionSet {
    const permissionSet = new PermissionSet(this, `permission-set-${name}`, { ...set, instanceArn, name });
    if (set.breakGlass) {
      for (const attachment of permissionSet.managedPolicyAttachments) {
        suppress(attachment, 'POL-IAM-002', `${name} is the break-glass permission set: ${set.sessionDuration ?? 'PT1H'} sessions, ` +
          'assigned only to a small administrators group, every use recorded by the organisation trail');
      }
    }
    return permissionSet;
  }
}
