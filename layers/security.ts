import { EbsDefaultKmsKey } from '@cdktf/provider-aws/lib/ebs-default-kms-key';
import { EbsEncryptionByDefault } from '@cdktf/provider-aws/lib/ebs-encryption-by-default';
import { IamAccountPasswordPolicy } from '@cdktf/provider-aws/lib/iam-account-password-policy';
import { IamServiceLinkedRole } from '@cdktf/provider-aws/lib/iam-service-linked-role';
import { S3AccountPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-account-public-access-block';
import type { Construct } from 'constructs';
import { defineContract, type OutputsOf, type RemoteOutputs } from '../lib/contract';
import { LayerStack, type FieldProblem } from '../lib/layer-stack';
import { deployAccessOf, isManagementAccount } from '../lib/identity';
import { declaresLayer } from '../lib/layer-presence';
import type { LayerContext } from '../lib/model';
import { FieldProblems, integerBetween } from '../lib/validators';
import { AssumableRole } from '../modules/assumable-role';
import {
  CHAT_LOG_REGION, ChatChannel, chatChannelProblems, slackChannelProblems, teamsChannelProblems,
  type ChatDestination, type ChatLoggingLevel, type SlackChannel, type TeamsChannel,
} from '../modules/chat-channel';
import { DeployAccess } from '../modules/deploy-access';
import { EncryptedTopic } from '../modules/encrypted-topic';
import { autoScalingServiceLinkedRoleArn, KmsKey } from '../modules/kms-key';
import {
  DATA_READ_ACTIONS, LONG_LIVED_CREDENTIAL_ACTIONS, ORGANIZATION_READ_ACTIONS, ROLE_MANAGEMENT_ACTIONS,
} from '../modules/perms';
import { allow } from '../modules/policy';
import { delegatedAdministrator } from './organizations';

/** CIS AWS Foundations 1.8 / 1.9 and the usual companions (CKV_AWS_9..15). */
export interface PasswordPolicyConfig {
  /** CIS 1.8 asks for at least 14. @default 14 */
  readonly minimumLength?: number;
  /** CIS 1.9 asks for 24. @default 24 */
  readonly reusePrevention?: number;
  /** @default 90 */
  readonly maxAgeDays?: number;
}

export interface SecurityConfig {
  /**
   * Account (by name in this project) whose Identity Center sessions may assume the deploy, ReadOnly and Auditor
   * roles of every account (sessions of the same permission sets in this account are trusted too). Leverage keeps
   * identities in the management account (or a dedicated security account).
   * @default the project's managementAccount
   */
  readonly identityAccount?: string;
  /**
   * Exact ARNs of further automation roles of the identity account (a Terraform runner such as Atlantis) trusted by
   * the deploy role and the state reader. Never wildcards; the role must exist before this layer is applied. The
   * GitHub Actions apply role (project `ci`) is trusted without being listed here.
   * @default []
   */
  readonly automationPrincipalArns?: readonly string[];
  /** Longest session of the human roles, seconds (3600..43200). @default 3600 */
  readonly maxSessionDurationSeconds?: number;
  /** @default the CIS values: 14 characters, 24 remembered, 90 days, every character class */
  readonly passwordPolicy?: PasswordPolicyConfig;
  /** Waiting period of a scheduled KMS key deletion (7..30). @default 30 */
  readonly keyDeletionWindowDays?: number;
  /** E-mail addresses subscribed to the notifications topic. @default [] */
  readonly notificationEmails?: readonly string[];
  /**
   * How this layer holds `AWSServiceRoleForAutoScaling`, the service-linked role EC2 Auto Scaling (EKS managed node
   * groups included) launches instances with. The data key, the account's default EBS key, must name it in its policy
   * or every launch with an encrypted volume fails, and a key policy naming a role that does not exist is refused.
   * `create` makes it (a new account: the role appears only when Auto Scaling is first used); `import` adopts the role
   * of an account that already has one (creating it again fails with "has been taken in this account") through a
   * Terraform import block on the next real plan. Either way it is in this layer's state before any key names it.
   * @default 'create'
   */
  readonly autoScalingServiceLinkedRole?: 'create' | 'import';
  /**
   * Give the DevOps role read access to AWS Organizations (accounts, OUs, roots, delegated administrators, trusted
   * services), which PowerUserAccess leaves out but the organisation-wide Config aggregator, the GuardDuty, Security
   * Hub, Inspector and Macie organisation configurations and the organisation Access Analyzer need when the delegated
   * administrator applies them.
   * @default true in the account the organizations layer names as delegated administrator (`securityAccount`)
   */
  readonly organizationReadAccess?: boolean;
  /**
   * Deliver the notifications topic to Slack or Microsoft Teams channels through AWS Chatbot (Amazon Q Developer in
   * chat applications). The workspace or tenant must first be authorised in this account's Chatbot console (no API
   * can); until then write the ids as `'pending'` (PENDING_CHAT_ID): the sandbox plans the channel with offline ids, a
   * real synth leaves it out. @default - no chat channel
   */
  readonly chat?: ChatNotificationsConfig;
}

/** A value only the Chatbot console of the account gives, not known yet (like an account id before it exists). */
export const PENDING_CHAT_ID = 'pending';

export interface ChatNotificationsConfig {
  /** @default - no Slack channel */
  readonly slack?: SlackChannel;
  /** @default - no Microsoft Teams channel */
  readonly teams?: TeamsChannel;
  /** What any member of the channels can do at most (IAM policy ARNs; no write policies). @default ['arn:aws:iam::aws:policy/ReadOnlyAccess'] */
  readonly guardrailPolicyArns?: readonly string[];
  /** @default 'ERROR' */
  readonly loggingLevel?: ChatLoggingLevel;
  /** Retention of the channels' log groups (us-east-1). @default 365 */
  readonly logRetentionDays?: number;
}

export const securityContract = defineContract('security', {
  data_kms_key_arn: { description: 'KMS key for data at rest (EBS default, RDS, S3, DynamoDB, EKS secrets)', mock: 'arn:aws:kms:us-east-1:111111111111:key/00000000-0000-0000-0000-00000000da7a' },
  logs_kms_key_arn: { description: 'KMS key for CloudWatch log groups and notifications of this account and region', mock: 'arn:aws:kms:us-east-1:111111111111:key/00000000-0000-0000-0000-0000000010a5' },
  secrets_kms_key_arn: { description: 'KMS key for Secrets Manager secrets and SSM SecureString parameters', mock: 'arn:aws:kms:us-east-1:111111111111:key/00000000-0000-0000-0000-00000000ec7e' },
  devops_role_arn: { description: 'Role the deploy automation and DevOps people assume', mock: 'arn:aws:iam::111111111111:role/DevOps' },
  read_only_role_arn: { description: 'Read-only role for people', mock: 'arn:aws:iam::111111111111:role/ReadOnly' },
  auditor_role_arn: { description: 'Security audit role for people and tools', mock: 'arn:aws:iam::111111111111:role/Auditor' },
  sns_topic_arn: { description: 'Encrypted notifications topic of the account (alarms, events)', mock: 'arn:aws:sns:us-east-1:111111111111:acme-mock-notifications' },
  autoscaling_service_linked_role_arn: {
    description: 'AWSServiceRoleForAutoScaling, held by this layer: key policies of EBS keys name it (read it to be applied after it exists)',
    mock: 'arn:aws:iam::111111111111:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling',
  },
  chat_configuration_arns: {
    description: 'AWS Chatbot configurations the notifications topic delivers to (empty: no chat channel, or its ids still pending)',
    mock: ['arn:aws:chatbot::111111111111:chat-configuration/slack-channel/acme-mock-chat-slack'],
  },
});

/**
 * The Auto Scaling service-linked role, for a key policy of a layer (EBS keys of Auto Scaling groups): the security
 * layer's output when the account declares that layer (`security` reads it), which orders the layer after the layer that creates the role
 * (KMS refuses a key policy naming a role that does not exist yet); otherwise the role's well-known ARN, for an account
 * that has it already (it has launched instances with Auto Scaling before).
 */
export function autoScalingRoleArn(ctx: LayerContext, security: () => RemoteOutputs<OutputsOf<typeof securityContract>>): string {
  return declaresLayer(ctx, securityContract) ? security().get('autoscaling_service_linked_role_arn') : autoScalingServiceLinkedRoleArn(ctx.account.id);
}

const AWS_POLICY = 'arn:aws:iam::aws:policy';
/** The management account's deploy role also runs the organizations and identities layers (PowerUserAccess excludes Organizations). */
const MANAGEMENT_DEPLOY_POLICIES = [`${AWS_POLICY}/AWSOrganizationsFullAccess`, `${AWS_POLICY}/AWSSSOMasterAccountAdministrator`];

/** The chat settings, under `chat.`: a destination, ids of the right shape (or pending), read-only guardrails. */
function chatProblems(chat: ChatNotificationsConfig): FieldProblem[] {
  const problems = new FieldProblems();
  if (chat.slack === undefined && chat.teams === undefined) problems.add('chat', 'names no channel: set slack or teams (or remove chat)');
  const known = (ids: object, check: FieldProblem[]) => check.filter((p) => (ids as Record<string, string>)[p.field] !== PENDING_CHAT_ID);
  if (chat.slack) problems.nest('chat.slack', known(chat.slack, slackChannelProblems(chat.slack)));
  if (chat.teams) problems.nest('chat.teams', known(chat.teams, teamsChannelProblems(chat.teams)));
  problems.nest('chat', chatChannelProblems(chat));
  return problems.list;
}

/** Resolved identity account id and the automation principals, shared by validate() and the constructor. */
function trust(config: SecurityConfig, ctx: LayerContext): { accountId?: string; automation: readonly string[] } {
  const identity = ctx.org.accounts.get(config.identityAccount ?? ctx.org.project.managementAccount);
  const automation = config.automationPrincipalArns ?? [];
  return { accountId: identity?.id, automation };
}

/**
 * Leverage security-base + security-keys, once per account: CIS password policy, EBS encryption by default,
 * account-wide S3 public-access block, one rotated KMS key per purpose, the DevOps / ReadOnly / Auditor roles
 * trusted only by the identity account, and an encrypted notifications topic, optionally delivered to Slack or Microsoft
 * Teams channels (AWS Chatbot, read-only).
 */
export class Security extends LayerStack {
  static readonly contract = securityContract;
  static readonly stateful = true;
  /** Creates the deploy role, so the day-zero sequence applies it with the bootstrap identity, after organizations and identities. */
  static readonly bootstrapOrder = 3;

  static validate(config: SecurityConfig, ctx: LayerContext): FieldProblem[] {
    const problems: FieldProblem[] = [];
    const identityName = config.identityAccount ?? ctx.org.project.managementAccount;
    const { accountId, automation } = trust(config, ctx);
    if (!accountId) {
      problems.push({ field: 'identityAccount', message: `unknown account "${identityName}" (known: ${[...ctx.org.accounts.keys()].join(', ')})` });
    }
    automation.forEach((arn, i) => {
      const field = `automationPrincipalArns[${i}]`;
      if (arn.includes('*')) problems.push({ field, message: `"${arn}" contains a wildcard; trust exact role ARNs only` });
      else if (!/^arn:aws:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(arn)) problems.push({ field, message: `"${arn}" is not an IAM role ARN` });
      else if (accountId && !arn.startsWith(`arn:aws:iam::${accountId}:`)) {
        problems.push({ field, message: `"${arn}" is not in the identity account ${identityName} (${accountId})` });
      }
    });
    const duration = config.maxSessionDurationSeconds ?? 3600;
    if (!Number.isInteger(duration) || duration < 3600 || duration > 43200) {
      problems.push({ field: 'maxSessionDurationSeconds', message: `${duration} must be a whole number of seconds between 3600 and 43200` });
    }
    const pw = config.passwordPolicy ?? {};
    if ((pw.minimumLength ?? 14) < 14) problems.push({ field: 'passwordPolicy.minimumLength', message: `${pw.minimumLength} is below the CIS 1.8 minimum of 14` });
    else {
      // IAM UpdateAccountPasswordPolicy: MinimumPasswordLength 6..128, MaxPasswordAge 1..1095, whole numbers.
      const bad = integerBetween(pw.minimumLength ?? 14, 14, 128, 'characters');
      if (bad) problems.push({ field: 'passwordPolicy.minimumLength', message: bad });
    }
    if ((pw.reusePrevention ?? 24) < 24 || (pw.reusePrevention ?? 24) > 24) {
      problems.push({ field: 'passwordPolicy.reusePrevention', message: `${pw.reusePrevention} must be 24 (CIS 1.9; IAM allows at most 24)` });
    }
    const age = pw.maxAgeDays ?? 90;
    if (!Number.isInteger(age) || age < 1 || age > 90) problems.push({ field: 'passwordPolicy.maxAgeDays', message: `${age} must be a whole number of days between 1 and 90` });
    const window = config.keyDeletionWindowDays ?? 30;
    if (!Number.isInteger(window) || window < 7 || window > 30) {
      problems.push({ field: 'keyDeletionWindowDays', message: `${window} must be a whole number of days between 7 and 30` });
    }
    const slr = config.autoScalingServiceLinkedRole ?? 'create';
    if (slr !== 'create' && slr !== 'import') {
      problems.push({ field: 'autoScalingServiceLinkedRole', message: `"${String(slr)}" must be create or import` });
    }
    (config.notificationEmails ?? []).forEach((email, i) => {
      if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) problems.push({ field: `notificationEmails[${i}]`, message: `"${email}" is not an e-mail address` });
    });
    if (config.chat !== undefined) problems.push(...chatProblems(config.chat));
    return problems;
  }

  constructor(scope: Construct, ctx: LayerContext, config: SecurityConfig) {
    super(scope, ctx);
    this.accountBaseline(config);
    const { dataKey, logsKey, secretsKey, autoScalingRole } = this.keys(config);
    const { devops, readOnly, auditor } = this.roles(config);
    const topic = new EncryptedTopic(this, 'notifications', {
      name: this.resourceName('notifications'),
      kmsKeyArn: logsKey.arn,
      accountId: ctx.account.id,
      publisherServices: ['cloudwatch.amazonaws.com', 'events.amazonaws.com'],
      emailSubscriptions: config.notificationEmails,
    });
    const chat = this.chatChannels(config.chat, topic.arn, logsKey);

    this.publish(securityContract, {
      data_kms_key_arn: dataKey.arn,
      logs_kms_key_arn: logsKey.arn,
      secrets_kms_key_arn: secretsKey.arn,
      devops_role_arn: devops.arn,
      read_only_role_arn: readOnly.arn,
      auditor_role_arn: auditor.arn,
      sns_topic_arn: topic.arn,
      autoscaling_service_linked_role_arn: autoScalingRole.arn,
      chat_configuration_arns: chat.map((c) => c.arn),
    });
  }

  /** CIS password policy and the account-wide S3 public-access block. */
  private accountBaseline(config: SecurityConfig): void {
    const pw = config.passwordPolicy ?? {};
    new IamAccountPasswordPolicy(this, 'password-policy', {
      minimumPasswordLength: pw.minimumLength ?? 14,
      passwordReusePrevention: pw.reusePrevention ?? 24,
      maxPasswordAge: pw.maxAgeDays ?? 90,
      requireLowercaseCharacters: true,
      requireUppercaseCharacters: true,
      requireNumbers: true,
      requireSymbols: true,
      allowUsersToChangePassword: true,
      hardExpiry: false,
    });
    new S3AccountPublicAccessBlock(this, 's3-public-access', {
      accountId: this.ctx.account.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
  }

  /**
   * One rotated key per purpose, each granting the services AWS documents for it, and EBS encryption by default with the
   * data key. Auto Scaling launches instances through its service-linked role, which the default EBS key must name.
   */
  private keys(config: SecurityConfig): { dataKey: KmsKey; logsKey: KmsKey; secretsKey: KmsKey; autoScalingRole: IamServiceLinkedRole } {
    const { account, region, org } = this.ctx;
    const key = (purpose: string, description: string): KmsKey => new KmsKey(this, `${purpose}-key`, {
      alias: this.resourceName(purpose),
      description: `${description} (${account.name})`,
      accountId: account.id,
      deletionWindowInDays: config.keyDeletionWindowDays ?? 30,
    });
    const autoScalingRole = new IamServiceLinkedRole(this, 'autoscaling-service-linked-role', {
      awsServiceName: 'autoscaling.amazonaws.com',
    });
    if ((config.autoScalingServiceLinkedRole ?? 'create') === 'import' && !org.mode.sandbox) {
      autoScalingRole.importFrom(autoScalingServiceLinkedRoleArn(account.id));
    }
    const dataKey = key('data', 'Encrypts data at rest: EBS by default, databases, buckets, tables');
    // The role's arn attribute (not the literal ARN) makes the key wait for the role: KMS refuses unknown principals.
    dataKey.grantToService('autoscaling', { serviceLinkedRoleArn: autoScalingRole.arn });
    const logsKey = key('logs', `Encrypts CloudWatch Logs and notifications in ${region}`);
    logsKey.grantToService('logs', { region, accountId: account.id });
    logsKey.grantToService('sns-publishers', { services: ['cloudwatch.amazonaws.com'], accountId: account.id });
    logsKey.grantToService('events', { accountId: account.id });
    const secretsKey = key('secrets', 'Encrypts Secrets Manager secrets and SSM SecureString parameters');

    const ebsDefault = new EbsEncryptionByDefault(this, 'ebs-encryption', { enabled: true });
    new EbsDefaultKmsKey(this, 'ebs-default-key', { keyArn: dataKey.arn, dependsOn: [ebsDefault] });
    return { dataKey, logsKey, secretsKey, autoScalingRole };
  }

  /** The deploy role (with the state reader and CI roles), ReadOnly and Auditor, trusted only by the identity account. */
  private roles(config: SecurityConfig): { devops: AssumableRole; readOnly: AssumableRole; auditor: AssumableRole } {
    const { org, account } = this.ctx;
    const { accountId: identityAccountId, automation } = trust(config, this.ctx);
    const readOrganization = config.organizationReadAccess ?? delegatedAdministrator(org)?.name === account.name;
    const trusted = identityAccountId ?? account.id;
    const maxSessionDuration = config.maxSessionDurationSeconds ?? 3600;
    const sets = org.project.permissionSets;
    const access = new DeployAccess(this, 'deploy-access', { ...deployAccessOf(org, account, automation), identityAccountId: trusted });
    const devops = new AssumableRole(this, 'devops-role', {
      name: account.deployRoleName,
      description: 'Deploys the layers of this account: Identity Center deploy permission sets, the CI apply role, listed automation',
      trustedAccountId: trusted,
      accountId: account.id,
      permissionSets: sets.deploy,
      automationPrincipalArns: [...automation, ...access.deployRoleTrusts],
      managedPolicyArns: [`${AWS_POLICY}/PowerUserAccess`, ...(isManagementAccount(org, account) ? MANAGEMENT_DEPLOY_POLICIES : [])],
      inlinePolicy: [
        allow('ManageRolesAndPolicies', ROLE_MANAGEMENT_ACTIONS, '*'),
        ...(readOrganization ? [allow('ReadOrganization', ORGANIZATION_READ_ACTIONS, '*')] : []),
        { Sid: 'NoLongLivedCredentials', Effect: 'Deny', Action: LONG_LIVED_CREDENTIAL_ACTIONS, Resource: '*' },
      ],
      maxSessionDuration,
    });
    const readOnly = new AssumableRole(this, 'read-only-role', {
      name: 'ReadOnly',
      description: 'Read-only access for people (Identity Center read-only permission sets)',
      trustedAccountId: trusted,
      accountId: account.id,
      permissionSets: sets.readOnly,
      managedPolicyArns: [`${AWS_POLICY}/ReadOnlyAccess`],
      inlinePolicy: [{ Sid: 'NoDataReads', Effect: 'Deny', Action: DATA_READ_ACTIONS, Resource: '*' }],
      maxSessionDuration,
    });
    const auditor = new AssumableRole(this, 'auditor-role', {
      name: 'Auditor',
      description: 'Security audit (configuration metadata, no data) for people (Identity Center audit permission sets)',
      trustedAccountId: trusted,
      accountId: account.id,
      permissionSets: sets.audit,
      managedPolicyArns: [`${AWS_POLICY}/SecurityAudit`, `${AWS_POLICY}/job-function/ViewOnlyAccess`],
      maxSessionDuration,
    });
    return { devops, readOnly, auditor };
  }

  /**
   * A Chatbot channel per configured destination, receiving the notifications topic. Ids still `'pending'` become
   * offline ids in the sandbox, and leave the channel out of a real synth: its workspace is not authorised yet.
   */
  private chatChannels(chat: ChatNotificationsConfig | undefined, topicArn: string, logsKey: KmsKey): ChatChannel[] {
    const destinations: [string, ChatDestination | undefined][] = [
      ['slack', chat?.slack && this.resolvedChatIds({ slack: chat.slack })],
      ['teams', chat?.teams && this.resolvedChatIds({ teams: chat.teams })],
    ];
    return destinations.filter((d): d is [string, ChatDestination] => d[1] !== undefined).map(([kind, destination]) => new ChatChannel(this, `chat-${kind}`, {
      name: this.resourceName('chat', kind),
      destination,
      topicArns: [topicArn],
      guardrailPolicyArns: chat?.guardrailPolicyArns,
      loggingLevel: chat?.loggingLevel,
      logRetentionDays: chat?.logRetentionDays,
      // Chatbot logs in us-east-1; the logs key is regional and admits CloudWatch Logs of its own region only.
      logKmsKeyArn: this.ctx.region === CHAT_LOG_REGION ? logsKey.arn : undefined,
      logProvider: this.providerFor(CHAT_LOG_REGION),
    }));
  }

  /** The destination with pending ids replaced by offline ones (sandbox), or undefined when an id is pending (real). */
  private resolvedChatIds(destination: ChatDestination): ChatDestination | undefined {
    const ids = 'slack' in destination ? destination.slack : destination.teams;
    if (!Object.values(ids).includes(PENDING_CHAT_ID)) return destination;
    if (!this.ctx.org.mode.sandbox) return undefined;
    const offline = (value: string, example: string): string => (value === PENDING_CHAT_ID ? example : value);
    return 'slack' in destination
      ? { slack: { workspaceId: offline(destination.slack.workspaceId, 'TSANDBOX000'), channelId: offline(destination.slack.channelId, 'CSANDBOX000') } }
      : {
        teams: {
          tenantId: offline(destination.teams.tenantId, '00000000-0000-4000-8000-000000000000'),
          teamId: offline(destination.teams.teamId, '00000000-0000-4000-8000-000000000001'),
          channelId: offline(destination.teams.channelId, '19%3asandbox%40thread.tacv2'),
        },
      };
  }
}
