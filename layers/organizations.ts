import { CloudtrailOrganizationDelegatedAdminAccount } from '@cdktf/provider-aws/lib/cloudtrail-organization-delegated-admin-account';
import { GuarddutyOrganizationAdminAccount } from '@cdktf/provider-aws/lib/guardduty-organization-admin-account';
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
   * Account (by name) registered as delegated administrator of GuardDuty, Security Hub, Config, Access Analyzer and
   * CloudTrail, and whose deploy role may change those services despite the protection SCP. @default 'security'
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

/** Services that keep working whatever the requested region (global or us-east-1 control planes). */
export const GLOBAL_SERVICE_ACTIONS = [
  'a4b:*', 'acm:*', 'aws-marketplace-management:*', 'aws-marketplace:*', 'aws-portal:*', 'budgets:*', 'ce:*',
  'chime:*', 'cloudfront:*', 'config:*', 'cur:*', 'directconnect:*', 'ec2:DescribeRegions', 'ec2:DescribeTransitGateways',
  'ec2:DescribeVpnGateways', 'fms:*', 'globalaccelerator:*', 'health:*', 'iam:*', 'importexport:*', 'kms:*',
  'mobileanalytics:*', 'networkmanager:*', 'organizations:*', 'pricing:*', 'route53:*', 'route53domains:*',
  'route53-recovery-cluster:*', 'route53-recovery-control-config:*', 'route53-recovery-readiness:*', 's3:GetAccountPublic*',
  's3:ListAllMyBuckets', 's3:ListMultiRegionAccessPoints', 's3:PutAccountPublic*', 'shield:*', 'sso:*', 'sts:*',
  'support:*', 'trustedadvisor:*', 'waf-regional:*', 'waf:*', 'wafv2:*', 'wellarchitected:*',
];

/** Actions that would blind the organisation: stopping CloudTrail, GuardDuty, Config, Security Hub, Access Analyzer. */
export const SECURITY_SERVICE_ACTIONS = [
  'cloudtrail:StopLogging', 'cloudtrail:DeleteTrail', 'cloudtrail:UpdateTrail', 'cloudtrail:PutEventSelectors',
  'guardduty:DeleteDetector', 'guardduty:DisassociateFromMasterAccount', 'guardduty:DisassociateFromAdministratorAccount',
  'guardduty:DisassociateMembers', 'guardduty:DeleteMembers', 'guardduty:StopMonitoringMembers', 'guardduty:UpdateDetector',
  'config:DeleteConfigurationRecorder', 'config:StopConfigurationRecorder', 'config:DeleteDeliveryChannel',
  'config:DeleteConfigurationAggregator', 'config:DeleteRetentionConfiguration',
  'securityhub:DisableSecurityHub', 'securityhub:DisassociateFromMasterAccount', 'securityhub:DisassociateFromAdministratorAccount',
  'securityhub:DisassociateMembers', 'securityhub:DeleteMembers', 'securityhub:BatchDisableStandards',
  'access-analyzer:DeleteAnalyzer',
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
 * Analyzer and CloudTrail, or undefined when the project has no organizations layer (an organisation managed elsewhere).
 */
export function delegatedAdministrator(org: Organisation): ResolvedAccount | undefined {
  const layer = organizationsLayer(org);
  return layer ? org.accounts.get(layer.config.securityAccount ?? 'security') : undefined;
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
    const problems: FieldProblem[] = [];
    const management = ctx.org.project.managementAccount;
    if (ctx.account.name !== management) {
      problems.push({ field: 'account', message: `the organisation lives in the management account, not ${ctx.account.name}` });
    }
    const ous = config.organizationalUnits ?? DEFAULT_OUS;
    const seen = new Set<string>();
    ous.forEach((path, i) => {
      const parts = path.split('/');
      if (parts.length > 5 || parts.some((p) => !/^[a-z][a-z0-9-]{0,127}$/.test(p))) {
        problems.push({ field: `organizationalUnits[${i}]`, message: `"${path}" must be lowercase names of at most 128 characters joined by "/" (at most 5 levels)` });
      } else if (parts.length > 1 && !seen.has(parts.slice(0, -1).join('/'))) {
        problems.push({ field: `organizationalUnits[${i}]`, message: `"${path}" needs its parent "${parts.slice(0, -1).join('/')}" listed before it` });
      }
      if (seen.has(path)) problems.push({ field: `organizationalUnits[${i}]`, message: `"${path}" is listed twice` });
      seen.add(path);
    });
    const known = [...seen].join(', ');
    for (const [account, ou] of Object.entries(config.accountOus ?? {})) {
      if (!ctx.org.accounts.has(account)) problems.push({ field: `accountOus.${account}`, message: `unknown account "${account}"` });
      else if (account === management) problems.push({ field: `accountOus.${account}`, message: 'the management account stays at the root and is not created by this layer' });
      if (!seen.has(ou)) problems.push({ field: `accountOus.${account}`, message: `unknown OU "${ou}" (known: ${known})` });
    }
    for (const name of ctx.org.accounts.keys()) {
      if (name !== management && !(name in (config.accountOus ?? {}))) {
        problems.push({ field: 'accountOus', message: `member account "${name}" has no OU` });
      }
    }
    (config.regionRestrictionTargets ?? ['infrastructure', 'workloads']).forEach((target, i) => {
      if (target !== 'root' && !seen.has(target)) problems.push({ field: `regionRestrictionTargets[${i}]`, message: `unknown OU "${target}" (known: root, ${known})` });
    });
    (config.extraAllowedRegions ?? []).forEach((region, i) => {
      if (!AWS_REGIONS.has(region)) problems.push({ field: `extraAllowedRegions[${i}]`, message: `"${region}" is not an AWS region` });
    });
    (config.extraServiceAccessPrincipals ?? []).forEach((principal, i) => {
      if (!/^[a-z0-9-]+(\.[a-z0-9-]+)*\.amazonaws\.com$/.test(principal)) {
        problems.push({ field: `extraServiceAccessPrincipals[${i}]`, message: `"${principal}" is not a service principal (<service>.amazonaws.com)` });
      }
    });
    const securityAccount = config.securityAccount ?? 'security';
    if (!ctx.org.accounts.has(securityAccount)) problems.push({ field: 'securityAccount', message: `unknown account "${securityAccount}"` });
    return problems;
  }

  constructor(scope: Construct, ctx: LayerContext, config: OrganizationsConfig) {
    super(scope, ctx);
    const org = new OrganizationsOrganization(this, 'organization', {
      featureSet: 'ALL',
      awsServiceAccessPrincipals: [...new Set([
        ...SERVICE_ACCESS_PRINCIPALS,
        ...(config.ramSharing ?? true ? ['ram.amazonaws.com'] : []),
        ...(config.extraServiceAccessPrincipals ?? []),
      ])].sort(),
      enabledPolicyTypes: ['SERVICE_CONTROL_POLICY'],
      lifecycle: { preventDestroy: true },
    });
    const rootId = org.roots.get(0).id;
    if (config.ramSharing ?? true) new RamSharingWithOrganization(this, 'ram-sharing', { dependsOn: [org] });

    const ous = new Map<string, OrganizationsOrganizationalUnit>();
    for (const path of config.organizationalUnits ?? DEFAULT_OUS) {
      const parts = path.split('/');
      const parent = parts.length > 1 ? ous.get(parts.slice(0, -1).join('/'))!.id : rootId;
      ous.set(path, new OrganizationsOrganizationalUnit(this, `ou-${path.replace(/\//g, '-')}`, {
        name: parts[parts.length - 1],
        parentId: parent,
        lifecycle: { preventDestroy: true },
      }));
    }

    const members = [...ctx.org.accounts.values()].filter((a) => a.name !== ctx.org.project.managementAccount);
    const accounts = members.map((account) => new OrganizationsAccount(this, `account-${account.name}`, {
      name: `${ctx.org.project.name}-${account.name}`,
      email: account.email,
      parentId: ous.get(config.accountOus[account.name])!.id,
      roleName: ctx.org.project.bootstrapRoleName,
      iamUserAccessToBilling: config.iamUserAccessToBilling ?? 'ALLOW',
      closeOnDeletion: false,
      // role_name is only used at creation and cannot be read back after an import.
      lifecycle: { preventDestroy: true, ignoreChanges: ['role_name', 'iam_user_access_to_billing'] },
    }));

    const securityAccount = ctx.org.accounts.get(config.securityAccount ?? 'security')!;
    for (const service of DELEGATED_SERVICES) {
      new OrganizationsDelegatedAdministrator(this, `delegated-${service.split('.')[0]}`, {
        accountId: securityAccount.id,
        servicePrincipal: service,
        dependsOn: [org],
      });
    }
    // GuardDuty and Security Hub delegate per region (the other services are organisation-wide). Designating enables the
    // service in the administrator account of that region: the monitoring layer there adopts it rather than create it.
    for (const region of delegatedAdminRegions(config, ctx.org)) {
      const provider = this.providerFor(region);
      // The primary region keeps the ids it always had, so existing state does not move.
      const suffix = region === ctx.region ? '' : `-${region}`;
      new GuarddutyOrganizationAdminAccount(this, `delegated-guardduty${suffix}`, { provider, adminAccountId: securityAccount.id, dependsOn: [org] });
      new SecurityhubOrganizationAdminAccount(this, `delegated-securityhub${suffix}`, { provider, adminAccountId: securityAccount.id, dependsOn: [org] });
    }
    new CloudtrailOrganizationDelegatedAdminAccount(this, 'delegated-cloudtrail', { accountId: securityAccount.id, dependsOn: [org] });

    const documents = scpDocuments(config, ctx);
    const targetId = (target: string): string => (target === 'root' ? rootId : ous.get(target)!.id);
    const targets: Record<keyof typeof documents, readonly string[]> = {
      'deny-leave-organization': ['root'],
      'protect-security-services': ['root'],
      'deny-root-user': ['root'],
      'restrict-regions': config.regionRestrictionTargets ?? ['infrastructure', 'workloads'],
    };
    const scps = (Object.keys(documents) as (keyof typeof documents)[]).map((name) => {
      const policy = new OrganizationsPolicy(this, `scp-${name}`, {
        name: `${ctx.org.project.name}-${name}`,
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
}
