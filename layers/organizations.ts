import { BackupGlobalSettings } from '@cdktf/provider-aws/lib/backup-global-settings';
import { CloudtrailOrganizationDelegatedAdminAccount } from '@cdktf/provider-aws/lib/cloudtrail-organization-delegated-admin-account';
import { GuarddutyOrganizationAdminAccount } from '@cdktf/provider-aws/lib/guardduty-organization-admin-account';
import { Inspector2DelegatedAdminAccount } from '@cdktf/provider-aws/lib/inspector2-delegated-admin-account';
import { Macie2OrganizationAdminAccount } from '@cdktf/provider-aws/lib/macie2-organization-admin-account';
import { OrganizationsAccount } from '@cdktf/provider-aws/lib/organizations-account';
import { OrganizationsDelegatedAdministrator } from '@cdktf/provider-aws/lib/organizations-delegated-administrator';
import { OrganizationsOrganization } from '@cdktf/provider-aws/lib/organizations-organization';
import { OrganizationsOrganizationalUnit } from '@cdktf/provider-aws/lib/organizations-organizational-unit';
import { OrganizationsPolicy } from '@cdktf/provider-aws/lib/organizations-policy';
import { OrganizationsPolicyAttachment } from '@cdktf/provider-aws/lib/organizations-policy-attachment';
import { RamSharingWithOrganization } from '@cdktf/provider-aws/lib/ram-sharing-with-organization';
import { SecurityhubOrganizationAdminAccount } from '@cdktf/provider-aws/lib/securityhub-organization-admin-account';
import type { Construct } from 'constructs';
import type { LayerDeclaration } from '../lib/config';
import { defineContract } from '../lib/contract';
import { LayerStack, type FieldProblem } from '../lib/layer-stack';
import type { LayerContext, Organisation, ResolvedAccount } from '../lib/model';
import { AWS_REGIONS } from '../lib/regions';
import { FieldProblems, renamedField } from '../lib/validators';
import {
  backupPlanProblems, backupPolicyContent, backupRoleName, backupVaultArn, backupVaultName, centralBackupVaultName, DEFAULT_BACKUP_PLANS,
  resolveBackupPlans, type BackupPlans,
} from '../modules/backup-plan';
import { policyDocument, type PolicyStatement } from '../modules/policy';

/** An OU path: a top-level name or `parent/child`, e.g. `workloads/prd`. */
export type OuPath = string;

export interface OrganizationsConfig {
  /**
   * Organisational units as paths; a child lists its parent first (`workloads` before `workloads/prd`).
   * @default ['security', 'infrastructure', 'workloads', 'workloads/devstg', 'workloads/prd']
   */
  readonly organizationalUnits?: readonly OuPath[];
  /** Member account (by name in this project) -> OU path. Every account but the management one must appear. */
  readonly accountOus: Readonly<Record<string, OuPath>>;
  /** Extra service principals given organisation access on top of the security services and SSO. @default [] */
  readonly extraServiceAccessPrincipals?: readonly string[];
  /** Regions allowed besides the project's primaryRegion and drRegion. @default [] */
  readonly extraAllowedRegions?: readonly string[];
  /** Targets (OU paths or `root`) of the region restriction SCP. @default ['infrastructure', 'workloads'] */
  readonly regionRestrictionTargets?: readonly string[];
  /**
   * Account (by name) registered as delegated administrator of GuardDuty, Security Hub, Config, Access Analyzer,
   * CloudTrail, Inspector and Macie, and whose deploy role may change those services despite the protection SCP.
   * @default 'security'
   */
  readonly securityAccount?: string;
  /**
   * Let RAM share resources with the organisation or its OUs (the network hub shares its transit gateway with
   * `organization_arn`): trusted access for `ram.amazonaws.com` plus `aws_ram_sharing_with_organization`.
   * @default true
   */
  readonly ramSharing?: boolean;
  /** Who gets AWS invoices access in member accounts (`ALLOW` or `DENY`). @default 'ALLOW' */
  readonly iamUserAccessToBilling?: 'ALLOW' | 'DENY';
  /**
   * Designate `securityAccount` as delegated administrator of Amazon Inspector in every region in use, so that its
   * monitoring layers scan the organisation. @default true
   */
  readonly inspector?: boolean;
  /**
   * Designate `securityAccount` as delegated administrator of Amazon Macie in every region in use. Designating enables
   * Macie (billed per bucket monitored) in that account and region. @default true
   */
  readonly macie?: boolean;
  /**
   * Organisation backup policies by name: the source of truth of the backup plans of every account they cover (each
   * such account's `backup` layer creates only the vaults, keys and role the policy names). An account is covered by
   * at most one policy. @default {} (no organisation backup policy; backup layers then create their own plans)
   */
  readonly backupPolicies?: Readonly<Record<string, OrganizationBackupPolicyConfig>>;
  /**
   * `prevent_destroy` of the organisation, its OUs and its member accounts: destroying them would close accounts and
   * detach every guard rail. @default true
   */
  readonly protect?: boolean;
}

/** An AWS Organizations backup policy (docs/data-and-dr.md, "Backups"). */
export interface OrganizationBackupPolicyConfig {
  /**
   * Where the policy is attached: OU paths (covering their child OUs), member account names, or `root`. Every account
   * covered must declare a `backup` layer, which creates the vault and role the policy names.
   */
  readonly targets: readonly string[];
  /** Plans by name, the value of the `BackupPlan` tag selecting resources. @default DEFAULT_BACKUP_PLANS (modules/backup-plan.ts) */
  readonly plans?: BackupPlans;
  /**
   * Account whose central vault also receives a copy of every recovery point (rules may opt out with
   * `centralCopyRetentionDays: false`). Turns cross-account backup on for the organisation; the account must declare
   * a `backup` layer (it creates the central vault) and share the region of the covered accounts.
   * @default - no cross-account copy
   */
  readonly centralAccount?: string;
}

export const organizationsContract = defineContract('organizations', {
  organization_id: { description: 'Organisation id (o-...)', mock: 'o-mock000000' },
  organization_arn: { description: 'Organisation ARN', mock: 'arn:aws:organizations::111111111111:organization/o-mock000000' },
  root_id: { description: 'Id of the organisation root (r-...)', mock: 'r-mock' },
  management_account_id: { description: 'Management account id', mock: '111111111111' },
  organizational_unit_paths: { description: 'OU paths, in the order of organizational_unit_ids', mock: ['security', 'infrastructure', 'workloads', 'workloads/devstg', 'workloads/prd'] },
  organizational_unit_ids: { description: 'OU ids, in the order of organizational_unit_paths', mock: ['ou-mock-00000001', 'ou-mock-00000002', 'ou-mock-00000003', 'ou-mock-00000004', 'ou-mock-00000005'] },
  account_names: { description: 'Member account names, in the order of account_ids', mock: ['security', 'shared', 'network', 'apps-devstg', 'apps-prd'] },
  account_ids: { description: 'Member account ids, in the order of account_names', mock: ['222222222222', '333333333333', '444444444444', '555555555555', '666666666666'] },
  scp_ids: { description: 'Service control policy ids (deny-leave, protect-security, deny-root, restrict-regions)', mock: ['p-mock0001', 'p-mock0002', 'p-mock0003', 'p-mock0004'] },
});

export const DEFAULT_OUS: readonly OuPath[] = ['security', 'infrastructure', 'workloads', 'workloads/devstg', 'workloads/prd'];
/** Where the region restriction SCP is attached unless `regionRestrictionTargets` says otherwise. */
const DEFAULT_REGION_RESTRICTION_TARGETS: readonly string[] = ['infrastructure', 'workloads'];

/**
 * Services that keep working whatever the requested region: global or us-east-1 control planes, and Chatbot (a global
 * service whose API only some regions serve: the AWS provider calls us-west-2 from any region but those).
 */
export const GLOBAL_SERVICE_ACTIONS = [
  'a4b:*', 'acm:*', 'aws-marketplace-management:*', 'aws-marketplace:*', 'aws-portal:*', 'budgets:*', 'ce:*',
  'chatbot:*', 'chime:*', 'cloudfront:*', 'config:*', 'cur:*', 'directconnect:*', 'ec2:DescribeRegions', 'ec2:DescribeTransitGateways',
  'ec2:DescribeVpnGateways', 'fms:*', 'globalaccelerator:*', 'health:*', 'iam:*', 'importexport:*', 'kms:*',
  'mobileanalytics:*', 'networkmanager:*', 'organizations:*', 'pricing:*', 'route53:*', 'route53domains:*',
  'route53-recovery-cluster:*', 'route53-recovery-control-config:*', 'route53-recovery-readiness:*', 's3:GetAccountPublic*',
  's3:ListAllMyBuckets', 's3:ListMultiRegionAccessPoints', 's3:PutAccountPublic*', 'shield:*', 'sso:*', 'sts:*',
  'support:*', 'trustedadvisor:*', 'waf-regional:*', 'waf:*', 'wafv2:*', 'wellarchitected:*',
];

/** Actions that would blind the organisation: stopping CloudTrail, GuardDuty, Config, Security Hub, Access Analyzer, Inspector, Macie. */
export const SECURITY_SERVICE_ACTIONS = [
  'cloudtrail:StopLogging', 'cloudtrail:DeleteTrail', 'cloudtrail:UpdateTrail', 'cloudtrail:PutEventSelectors',
  'guardduty:DeleteDetector', 'guardduty:DisassociateFromMasterAccount', 'guardduty:DisassociateFromAdministratorAccount',
  'guardduty:DisassociateMembers', 'guardduty:DeleteMembers', 'guardduty:StopMonitoringMembers', 'guardduty:UpdateDetector',
  'config:DeleteConfigurationRecorder', 'config:StopConfigurationRecorder', 'config:DeleteDeliveryChannel',
  'config:DeleteConfigurationAggregator', 'config:DeleteRetentionConfiguration',
  'securityhub:DisableSecurityHub', 'securityhub:DisassociateFromMasterAccount', 'securityhub:DisassociateFromAdministratorAccount',
  'securityhub:DisassociateMembers', 'securityhub:DeleteMembers', 'securityhub:BatchDisableStandards',
  'access-analyzer:DeleteAnalyzer',
  'inspector2:Disable', 'inspector2:DisassociateMember',
  'macie2:DisableMacie', 'macie2:UpdateMacieSession', 'macie2:DisassociateFromAdministratorAccount', 'macie2:DisassociateFromMasterAccount',
  'macie2:DisassociateMember', 'macie2:DeleteMember',
];

/** Service principals trusted by the organisation for the security services and Identity Center. */
export const SERVICE_ACCESS_PRINCIPALS = [
  'access-analyzer.amazonaws.com', 'cloudtrail.amazonaws.com', 'config.amazonaws.com', 'config-multiaccountsetup.amazonaws.com',
  'guardduty.amazonaws.com', 'malware-protection.guardduty.amazonaws.com', 'securityhub.amazonaws.com', 'sso.amazonaws.com',
];

/**
 * Services delegated through the generic Organizations API. GuardDuty, Security Hub and CloudTrail have their own
 * enable-admin APIs (which also register the delegation in Organizations) and use their own resources below.
 */
const DELEGATED_SERVICES = ['config.amazonaws.com', 'access-analyzer.amazonaws.com'];

function allowedRegions(config: OrganizationsConfig, ctx: LayerContext): string[] {
  const { primaryRegion, drRegion } = ctx.org.project;
  return [...new Set([primaryRegion, ...(drRegion ? [drRegion] : []), ...(config.extraAllowedRegions ?? [])])];
}

/**
 * Regions where the GuardDuty and Security Hub administrator is designated. Both services delegate per region, and the
 * administrator can only configure the organisation where it is designated: the project's primary and DR regions,
 * plus every region where the security account runs a monitoring layer.
 */
export function delegatedAdminRegions(config: OrganizationsConfig, org: Organisation): string[] {
  const { primaryRegion, drRegion } = org.project;
  const security = org.accounts.get(config.securityAccount ?? 'security');
  // Matched by contract name: importing the monitoring layer here would be a circular import (it reads audit, which reads this).
  const monitoring = [...(security?.layers.values() ?? [])]
    .filter((d) => d.enabled && d.kind.contract?.name === 'monitoring')
    .map((d) => d.region ?? security!.region);
  return [...new Set([primaryRegion, ...(drRegion ? [drRegion] : []), ...monitoring])];
}

/** A declaration of the Organizations kind has an OrganizationsConfig: defineLayer ties the two together. */
function isOrganizationsLayer(declaration: LayerDeclaration): declaration is LayerDeclaration & { readonly config: OrganizationsConfig } {
  return declaration.kind === Organizations;
}

/** The enabled organizations layer of the project (in its management account) and its config, if the project has one. */
export function organizationsLayer(org: Organisation): (LayerDeclaration & { readonly config: OrganizationsConfig }) | undefined {
  for (const account of org.accounts.values()) {
    for (const declaration of account.layers.values()) {
      if (declaration.enabled && isOrganizationsLayer(declaration)) return declaration;
    }
  }
  return undefined;
}

/**
 * The account the organizations layer registers as delegated administrator of GuardDuty, Security Hub, Config, Access
 * Analyzer, CloudTrail, Inspector and Macie, or undefined when the project has no organizations layer (an organisation managed elsewhere).
 */
export function delegatedAdministrator(org: Organisation): ResolvedAccount | undefined {
  const layer = organizationsLayer(org);
  return layer ? org.accounts.get(layer.config.securityAccount ?? 'security') : undefined;
}

/** Whether the organizations layer designates the Inspector and Macie administrators (both by default). */
export function scanningServices(config: OrganizationsConfig): { readonly inspector: boolean; readonly macie: boolean } {
  return { inspector: config.inspector ?? true, macie: config.macie ?? true };
}

/**
 * Which of Inspector and Macie the project's organizations layer designates the delegated administrator of, or
 * undefined when the project has no organizations layer (an organisation managed elsewhere designates them itself).
 */
export function scanningDesignations(org: Organisation): { readonly inspector: boolean; readonly macie: boolean } | undefined {
  const layer = organizationsLayer(org);
  return layer ? scanningServices(layer.config) : undefined;
}

/** Trusted-access principals of the designated scanning services (the list on the organisation is authoritative). */
function scanningServicePrincipals(config: OrganizationsConfig): string[] {
  const scanning = scanningServices(config);
  return [...(scanning.inspector ? ['inspector2.amazonaws.com'] : []), ...(scanning.macie ? ['macie.amazonaws.com'] : [])];
}

// --- Backup policies -------------------------------------------------------------------------------------------------

/** The Organizations policy type of backup policies. */
export const BACKUP_POLICY_TYPE = 'BACKUP_POLICY';
/** AWS Organizations refuses a backup policy document longer than this (characters). */
const BACKUP_POLICY_MAX_CHARACTERS = 10000;

/** One organisation backup policy with the accounts it covers. */
export interface CoveredBackupPolicy {
  readonly name: string;
  readonly config: OrganizationBackupPolicyConfig;
  /** Accounts the policy applies to, in the organisation's order. */
  readonly accounts: readonly ResolvedAccount[];
}

/** Accounts under a target of an organizations layer config: `root`, an OU path (and its child OUs) or an account name. */
function accountsUnder(config: OrganizationsConfig, org: Organisation, target: string): ResolvedAccount[] {
  const management = org.project.managementAccount;
  return [...org.accounts.values()].filter((a) => {
    if (target === 'root') return true;
    if (a.name === target) return true;
    const ou = a.name === management ? undefined : config.accountOus?.[a.name];
    return ou !== undefined && (ou === target || ou.startsWith(`${target}/`));
  });
}

function coveredPolicies(config: OrganizationsConfig, org: Organisation): CoveredBackupPolicy[] {
  return Object.entries(config.backupPolicies ?? {}).map(([name, policy]) => {
    const covered = new Set((policy.targets ?? []).flatMap((t) => accountsUnder(config, org, t).map((a) => a.name)));
    return { name, config: policy, accounts: [...org.accounts.values()].filter((a) => covered.has(a.name)) };
  });
}

/** Every organisation backup policy of the project's organizations layer, with the accounts each covers. */
export function organisationBackupPolicies(org: Organisation): CoveredBackupPolicy[] {
  const layer = organizationsLayer(org);
  return layer ? coveredPolicies(layer.config, org) : [];
}

/** The organisation backup policy covering an account, if any. */
export function backupPolicyCovering(org: Organisation, account: string): CoveredBackupPolicy | undefined {
  return organisationBackupPolicies(org).find((p) => p.accounts.some((a) => a.name === account));
}

/** Accounts whose recovery points an account's central vault receives (policies naming it as central account). */
export function centralBackupSources(org: Organisation, account: string): ResolvedAccount[] {
  return organisationBackupPolicies(org).filter((p) => p.config.centralAccount === account).flatMap((p) => p.accounts).filter((a) => a.name !== account);
}

/** Regions an organisation backup policy runs its plans in: the home regions of the accounts it covers. */
export function backupPolicyRegions(policy: CoveredBackupPolicy, org: Organisation): string[] {
  const regions = [...new Set(policy.accounts.map((a) => a.region))];
  return regions.length > 0 ? regions : [org.project.primaryRegion];
}

/** The policy document of a covered policy, exactly as attached. */
export function backupPolicyDocument(policy: CoveredBackupPolicy, org: Organisation): Record<string, unknown> {
  const project = org.project.name;
  const drRegion = org.project.drRegion;
  const central = policy.config.centralAccount ? org.accounts.get(policy.config.centralAccount) : undefined;
  const plans = resolveBackupPlans(policy.config.plans ?? DEFAULT_BACKUP_PLANS, { drRegion, central: central !== undefined });
  return backupPolicyContent(plans, {
    regions: backupPolicyRegions(policy, org),
    vaultName: backupVaultName(project),
    roleName: backupRoleName(project),
    drVaultArn: drRegion ? backupVaultArn(drRegion, '$account', backupVaultName(project)) : undefined,
    centralVaultArn: central ? backupVaultArn(central.region, central.id, centralBackupVaultName(project)) : undefined,
  });
}

/** Whether an account declares an enabled backup layer (by contract name: importing layers/backup here would be circular). */
function declaresBackupLayer(account: ResolvedAccount): boolean {
  return [...account.layers.values()].some((d) => d.enabled && d.kind.contract?.name === 'backup');
}

/** Problems of `backupPolicies`, each under `backupPolicies.<name>.<field>`. */
export function backupPoliciesProblems(config: OrganizationsConfig, ctx: LayerContext, knownTargets: ReadonlySet<string>): FieldProblem[] {
  const problems = new FieldProblems();
  const seenBy = new Map<string, string>();
  for (const policy of coveredPolicies(config, ctx.org)) {
    const at = (field: string) => `backupPolicies.${policy.name}${field ? `.${field}` : ''}`;
    if (!/^[\w+=,.@-]{1,128}$/.test(policy.name)) problems.add(at(''), `"${policy.name}" must be 1 to 128 letters, digits or +=,.@-_ (an Organizations policy name)`);
    const targets = policy.config.targets ?? [];
    if (targets.length === 0) problems.add(at('targets'), 'names no OU, account or root to attach the policy to');
    targets.forEach((t, i) => {
      if (t !== 'root' && !knownTargets.has(t) && !ctx.org.accounts.has(t)) problems.add(at(`targets[${i}]`), `unknown target "${t}" (an OU path, an account name or root)`);
    });
    const central = policy.config.centralAccount;
    problems.nest(at('plans'), backupPlanProblems(policy.config.plans ?? DEFAULT_BACKUP_PLANS, { drRegion: ctx.org.project.drRegion, central: central !== undefined }));
    for (const account of policy.accounts) {
      if (!declaresBackupLayer(account)) {
        problems.add(at('targets'), `covers account ${account.name}, which declares no backup layer: the vault and role the policy names would be missing there and every backup job would fail`);
      }
      const other = seenBy.get(account.name);
      if (other) problems.add(at('targets'), `covers account ${account.name}, already covered by backup policy ${other}: policies of one account merge, so give each account one policy`);
      seenBy.set(account.name, policy.name);
    }
    if (central !== undefined) {
      const centralAccount = ctx.org.accounts.get(central);
      if (!centralAccount) {
        problems.add(at('centralAccount'), `unknown account "${central}"`);
      } else {
        if (!declaresBackupLayer(centralAccount)) problems.add(at('centralAccount'), `account ${central} declares no backup layer to create the central vault`);
        for (const account of policy.accounts.filter((a) => a.region !== centralAccount.region)) {
          problems.add(at('centralAccount'), `account ${account.name} is in ${account.region} but the central vault is in ${centralAccount.region}: one copy cannot change both account and region`);
        }
      }
    }
    const size = JSON.stringify(backupPolicyDocument(policy, ctx.org)).length;
    if (size > BACKUP_POLICY_MAX_CHARACTERS) problems.add(at('plans'), `the policy document would be ${size} characters, over the ${BACKUP_POLICY_MAX_CHARACTERS} AWS Organizations accepts`);
  }
  return problems.list;
}

/** The SCP statements, exported so tests and docs see exactly what is attached. */
export function scpDocuments(config: OrganizationsConfig, ctx: LayerContext): Record<'deny-leave-organization' | 'protect-security-services' | 'deny-root-user' | 'restrict-regions', PolicyStatement[]> {
  const security = ctx.org.accounts.get(config.securityAccount ?? 'security');
  const securityAdmins = security ? [`arn:aws:iam::${security.id}:role/${security.deployRoleName}`] : [];
  return {
    'deny-leave-organization': [{ Sid: 'DenyLeaveOrganization', Effect: 'Deny', Action: 'organizations:LeaveOrganization', Resource: '*' }],
    'protect-security-services': [{
      Sid: 'DenyDisablingSecurityServices',
      Effect: 'Deny',
      Action: SECURITY_SERVICE_ACTIONS,
      Resource: '*',
      ...(securityAdmins.length > 0 ? { Condition: { ArnNotLike: { 'aws:PrincipalArn': securityAdmins } } } : {}),
    }],
    'deny-root-user': [{
      Sid: 'DenyRootUser',
      Effect: 'Deny',
      Action: '*',
      Resource: '*',
      Condition: { StringLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:root' } },
    }],
    'restrict-regions': [{
      Sid: 'DenyOtherRegions',
      Effect: 'Deny',
      NotAction: GLOBAL_SERVICE_ACTIONS,
      Resource: '*',
      Condition: { StringNotEquals: { 'aws:RequestedRegion': allowedRegions(config, ctx) } },
    } as unknown as PolicyStatement],
  };
}

/**
 * The AWS Organization of the project (management account): all features, trusted access for the security
 * services and Identity Center, the OU tree, every member account of the project placed in its OU, delegated
 * administrators, and the guard-rail SCPs.
 */
export class Organizations extends LayerStack {
  static readonly contract = organizationsContract;
  static readonly stateful = true;
  /** Creates the member accounts (and the bootstrap role in each): the first layer of the day-zero sequence after the backend. */
  static readonly bootstrapOrder = 1;
  /** Creates every member account from its e-mail, including those whose id is still 'pending' (lib/organisation.ts). */
  static readonly createsAccounts = true;

  static validate(config: OrganizationsConfig, ctx: LayerContext): FieldProblem[] {
    const problems = new FieldProblems();
    const management = ctx.org.project.managementAccount;
    if (ctx.account.name !== management) problems.add('account', `the organisation lives in the management account, not ${ctx.account.name}`);
    const ous = config.organizationalUnits ?? DEFAULT_OUS;
    const seen = new Set<string>();
    ous.forEach((path, i) => {
      const parts = path.split('/');
      if (parts.length > 5 || parts.some((p) => !/^[a-z][a-z0-9-]{0,127}$/.test(p))) {
        problems.add(`organizationalUnits[${i}]`, `"${path}" must be lowercase names of at most 128 characters joined by "/" (at most 5 levels)`);
      } else if (parts.length > 1 && !seen.has(parts.slice(0, -1).join('/'))) {
        problems.add(`organizationalUnits[${i}]`, `"${path}" needs its parent "${parts.slice(0, -1).join('/')}" listed before it`);
      }
      if (seen.has(path)) problems.add(`organizationalUnits[${i}]`, `"${path}" is listed twice`);
      seen.add(path);
    });
    const known = [...seen].join(', ');
    for (const [account, ou] of Object.entries(config.accountOus ?? {})) {
      if (!ctx.org.accounts.has(account)) problems.add(`accountOus.${account}`, `unknown account "${account}"`);
      else if (account === management) problems.add(`accountOus.${account}`, 'the management account stays at the root and is not created by this layer');
      if (!seen.has(ou)) problems.add(`accountOus.${account}`, `unknown OU "${ou}" (known: ${known})`);
    }
    for (const name of ctx.org.accounts.keys()) {
      if (name !== management && !(name in (config.accountOus ?? {}))) problems.add('accountOus', `member account "${name}" has no OU`);
    }
    (config.regionRestrictionTargets ?? DEFAULT_REGION_RESTRICTION_TARGETS).forEach((target, i) => {
      if (target !== 'root' && !seen.has(target)) problems.add(`regionRestrictionTargets[${i}]`, `unknown OU "${target}" (known: root, ${known})`);
    });
    (config.extraAllowedRegions ?? []).forEach((region, i) => {
      if (!AWS_REGIONS.has(region)) problems.add(`extraAllowedRegions[${i}]`, `"${region}" is not an AWS region`);
    });
    (config.extraServiceAccessPrincipals ?? []).forEach((principal, i) => {
      if (!/^[a-z0-9-]+(\.[a-z0-9-]+)*\.amazonaws\.com$/.test(principal)) {
        problems.add(`extraServiceAccessPrincipals[${i}]`, `"${principal}" is not a service principal (<service>.amazonaws.com)`);
      }
    });
    const securityAccount = config.securityAccount ?? 'security';
    if (!ctx.org.accounts.has(securityAccount)) problems.add('securityAccount', `unknown account "${securityAccount}"`);
    for (const p of backupPoliciesProblems(config, ctx, seen)) problems.add(p.field, p.message);
    // `protect` is the project's one protection flag; the names other layers used for it are not read here.
    problems.check('preventDestroy', renamedField(config, 'preventDestroy', 'protect'));
    problems.check('deletionProtection', renamedField(config, 'deletionProtection', 'protect'));
    return problems.list;
  }

  constructor(scope: Construct, ctx: LayerContext, config: OrganizationsConfig) {
    super(scope, ctx);
    const protect = config.protect ?? true;
    // Backup policies need their policy type enabled on the root and trusted access for AWS Backup.
    const backup = Object.keys(config.backupPolicies ?? {}).length > 0;
    const org = new OrganizationsOrganization(this, 'organization', {
      featureSet: 'ALL',
      awsServiceAccessPrincipals: [...new Set([
        ...SERVICE_ACCESS_PRINCIPALS,
        ...scanningServicePrincipals(config),
        ...(config.ramSharing ?? true ? ['ram.amazonaws.com'] : []),
        ...(backup ? ['backup.amazonaws.com'] : []),
        ...(config.extraServiceAccessPrincipals ?? []),
      ])].sort(),
      enabledPolicyTypes: ['SERVICE_CONTROL_POLICY', ...(backup ? [BACKUP_POLICY_TYPE] : [])],
      lifecycle: { preventDestroy: protect },
    });
    const rootId = org.roots.get(0).id;
    if (config.ramSharing ?? true) new RamSharingWithOrganization(this, 'ram-sharing', { dependsOn: [org] });

    const ous = this.organizationalUnits(config.organizationalUnits ?? DEFAULT_OUS, rootId, protect);
    const members = [...ctx.org.accounts.values()].filter((a) => a.name !== ctx.org.project.managementAccount);
    const accounts = members.map((account) => new OrganizationsAccount(this, `account-${account.name}`, {
      name: `${ctx.org.project.name}-${account.name}`,
      email: account.email,
      parentId: ous.get(config.accountOus[account.name])!.id,
      roleName: ctx.org.project.bootstrapRoleName,
      iamUserAccessToBilling: config.iamUserAccessToBilling ?? 'ALLOW',
      closeOnDeletion: false,
      // role_name is only used at creation and cannot be read back after an import.
      lifecycle: { preventDestroy: protect, ignoreChanges: ['role_name', 'iam_user_access_to_billing'] },
    }));

    const securityAccount = ctx.org.accounts.get(config.securityAccount ?? 'security')!;
    this.delegateAdministration(config, securityAccount, org);
    this.delegateScanning(config, securityAccount, org);

    const targetId = (target: string): string => (target === 'root' ? rootId : ous.get(target)!.id);
    const scps = this.guardRails(config, org, targetId);
    const memberIds = new Map(members.map((a, i) => [a.name, accounts[i].id]));
    this.backupPolicies(config, org, (target) => (target === 'root' || ous.has(target) ? targetId(target) : memberIds.get(target) ?? ctx.org.accounts.get(target)!.id));

    const paths = [...ous.keys()];
    this.publish(organizationsContract, {
      organization_id: org.id,
      organization_arn: org.arn,
      root_id: rootId,
      management_account_id: org.masterAccountId,
      organizational_unit_paths: paths,
      organizational_unit_ids: paths.map((p) => ous.get(p)!.id),
      account_names: members.map((a) => a.name),
      account_ids: accounts.map((a) => a.id),
      scp_ids: scps.map((p) => p.id),
    });
  }

  /** The OU tree by path, each OU under its parent (validate() checks parents are listed first). */
  private organizationalUnits(paths: readonly OuPath[], rootId: string, protect: boolean): Map<string, OrganizationsOrganizationalUnit> {
    const ous = new Map<string, OrganizationsOrganizationalUnit>();
    for (const path of paths) {
      const parts = path.split('/');
      const parent = parts.length > 1 ? ous.get(parts.slice(0, -1).join('/'))!.id : rootId;
      ous.set(path, new OrganizationsOrganizationalUnit(this, `ou-${path.replace(/\//g, '-')}`, {
        name: parts[parts.length - 1],
        parentId: parent,
        lifecycle: { preventDestroy: protect },
      }));
    }
    return ous;
  }

  /**
   * The security account as delegated administrator of Config and Access Analyzer (through Organizations), CloudTrail,
   * and GuardDuty and Security Hub per region (their own enable-admin APIs, which also register the delegation).
   */
  private delegateAdministration(config: OrganizationsConfig, securityAccount: ResolvedAccount, org: OrganizationsOrganization): void {
    for (const service of DELEGATED_SERVICES) {
      new OrganizationsDelegatedAdministrator(this, `delegated-${service.split('.')[0]}`, {
        accountId: securityAccount.id,
        servicePrincipal: service,
        dependsOn: [org],
      });
    }
    // GuardDuty and Security Hub delegate per region (the other services are organisation-wide). Designating enables the
    // service in the administrator account of that region: the monitoring layer there adopts it rather than create it.
    for (const region of delegatedAdminRegions(config, this.ctx.org)) {
      const provider = this.providerFor(region);
      // The primary region keeps the ids it always had, so existing state does not move.
      const suffix = region === this.ctx.region ? '' : `-${region}`;
      new GuarddutyOrganizationAdminAccount(this, `delegated-guardduty${suffix}`, { provider, adminAccountId: securityAccount.id, dependsOn: [org] });
      new SecurityhubOrganizationAdminAccount(this, `delegated-securityhub${suffix}`, { provider, adminAccountId: securityAccount.id, dependsOn: [org] });
    }
    new CloudtrailOrganizationDelegatedAdminAccount(this, 'delegated-cloudtrail', { accountId: securityAccount.id, dependsOn: [org] });
  }

  /** The guard-rail SCPs (scpDocuments), each attached to the root or to its target OUs. */
  private guardRails(config: OrganizationsConfig, org: OrganizationsOrganization, targetId: (target: string) => string): OrganizationsPolicy[] {
    const documents = scpDocuments(config, this.ctx);
    const targets: Record<keyof typeof documents, readonly string[]> = {
      'deny-leave-organization': ['root'],
      'protect-security-services': ['root'],
      'deny-root-user': ['root'],
      'restrict-regions': config.regionRestrictionTargets ?? DEFAULT_REGION_RESTRICTION_TARGETS,
    };
    return (Object.keys(documents) as (keyof typeof documents)[]).map((name) => {
      const policy = new OrganizationsPolicy(this, `scp-${name}`, {
        name: `${this.ctx.org.project.name}-${name}`,
        description: `Guard rail: ${name.replace(/-/g, ' ')}`,
        type: 'SERVICE_CONTROL_POLICY',
        content: policyDocument(documents[name]),
        dependsOn: [org],
      });
      for (const target of targets[name]) {
        new OrganizationsPolicyAttachment(this, `scp-${name}-${target.replace(/\//g, '-')}`, { policyId: policy.id, targetId: targetId(target) });
      }
      return policy;
    });
  }

  /**
   * Amazon Inspector and Amazon Macie, delegated like GuardDuty: per region (each service is regional), through each
   * service's own API, which also registers the delegation in Organizations. Designating the Macie administrator enables
   * Macie in that account and region (the monitoring layer adopts it); Inspector's designation enables no scan.
   */
  private delegateScanning(config: OrganizationsConfig, securityAccount: ResolvedAccount, org: OrganizationsOrganization): void {
    const scanning = scanningServices(config);
    for (const region of delegatedAdminRegions(config, this.ctx.org)) {
      const provider = this.providerFor(region);
      const suffix = region === this.ctx.region ? '' : `-${region}`;
      if (scanning.inspector) {
        new Inspector2DelegatedAdminAccount(this, `delegated-inspector${suffix}`, { provider, accountId: securityAccount.id, dependsOn: [org] });
      }
      if (scanning.macie) {
        new Macie2OrganizationAdminAccount(this, `delegated-macie${suffix}`, { provider, adminAccountId: securityAccount.id, dependsOn: [org] });
      }
    }
  }

  /**
   * The organisation backup policies (docs/data-and-dr.md, "Backups"): one BACKUP_POLICY each, attached to its targets,
   * and, when a policy copies to a central account, cross-account backup turned on for the organisation in the central
   * vault's region (`UpdateGlobalSettings`, a management-account setting). Every global setting is written, with the
   * defaults for the others, because the provider would otherwise show the unset ones as a difference on every plan.
   */
  private backupPolicies(config: OrganizationsConfig, org: OrganizationsOrganization, targetId: (target: string) => string): void {
    const policies = coveredPolicies(config, this.ctx.org);
    for (const policy of policies) {
      const created = new OrganizationsPolicy(this, `backup-policy-${policy.name}`, {
        name: `${this.ctx.org.project.name}-backup-${policy.name}`,
        description: `Backup plans of ${policy.accounts.map((a) => a.name).join(', ')}`,
        type: BACKUP_POLICY_TYPE,
        content: JSON.stringify(backupPolicyDocument(policy, this.ctx.org)),
        dependsOn: [org],
      });
      for (const target of policy.config.targets) {
        new OrganizationsPolicyAttachment(this, `backup-policy-${policy.name}-${target.replace(/\//g, '-')}`, { policyId: created.id, targetId: targetId(target) });
      }
    }
    const centralRegions = [...new Set(policies.flatMap((p) => (p.config.centralAccount ? [this.ctx.org.accounts.get(p.config.centralAccount)!.region] : [])))];
    for (const region of centralRegions) {
      new BackupGlobalSettings(this, region === this.ctx.region ? 'backup-global-settings' : `backup-global-settings-${region}`, {
        provider: this.providerFor(region),
        globalSettings: { isCrossAccountBackupEnabled: 'true', isMpaEnabled: 'false', isDelegatedAdministratorEnabled: 'false' },
        dependsOn: [org],
      });
    }
  }
}
