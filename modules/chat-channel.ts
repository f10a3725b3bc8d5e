import { ChatbotSlackChannelConfiguration } from '@cdktf/provider-aws/lib/chatbot-slack-channel-configuration';
import { ChatbotTeamsChannelConfiguration } from '@cdktf/provider-aws/lib/chatbot-teams-channel-configuration';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import type { TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';
import type { FieldProblem } from '../lib/layer-stack';
import { awsName, FieldProblems, logRetentionDays, oneOf } from '../lib/validators';
import { CHAT_NOTIFICATION_ACTIONS } from './perms';
import { allow } from './policy';
import { ServiceRole } from './role';

/**
 * AWS Chatbot, renamed "Amazon Q Developer in chat applications" in 2025: the API, the IAM prefix (`chatbot:`), the
 * service principal and the Terraform resources (`aws_chatbot_*`) keep the Chatbot name.
 *
 * What no API can do: the Slack workspace or the Microsoft Teams tenant must first be authorised in the Chatbot console
 * of each AWS account (an OAuth flow in the browser); the workspace, team and tenant ids are copied from there. A
 * configuration naming a workspace that this account has not authorised is refused at apply.
 * https://docs.aws.amazon.com/chatbot/latest/adminguide/slack-setup.html
 */

/** Slack: ids from the Chatbot console (workspace) and the channel's "Copy link" (channel). */
export interface SlackChannel {
  /** Workspace (team) id, e.g. `T07EA123LEP`. */
  readonly workspaceId: string;
  /** Channel id, e.g. `C07EZ1ABC23` (public or private channel; invite the Chatbot app to a private one). */
  readonly channelId: string;
}

/** Microsoft Teams: ids from the Chatbot console (tenant, team) and the channel's "Get link to channel" (channel). */
export interface TeamsChannel {
  /** Microsoft Entra tenant id (a UUID). */
  readonly tenantId: string;
  /** Team (group) id (a UUID). */
  readonly teamId: string;
  /** Channel id as it appears, URL-encoded, in the channel link: `19%3a...%40thread.tacv2`. */
  readonly channelId: string;
}

export type ChatDestination = { readonly slack: SlackChannel } | { readonly teams: TeamsChannel };

/** What the channel writes to CloudWatch Logs. */
export type ChatLoggingLevel = 'ERROR' | 'INFO' | 'NONE';
export const CHAT_LOGGING_LEVELS: readonly ChatLoggingLevel[] = ['ERROR', 'INFO', 'NONE'];

/**
 * The guardrail of a channel unless configured: the most any channel member can do, whatever role they pick. Chatbot
 * applies AdministratorAccess when a configuration names no guardrail, so one is always set.
 */
export const READ_ONLY_GUARDRAIL = 'arn:aws:iam::aws:policy/ReadOnlyAccess';

/** Chatbot writes each configuration's logs to this group, in us-east-1 whatever the configuration's region. */
export const CHAT_LOG_REGION = 'us-east-1';
export function chatLogGroupName(configurationName: string): string {
  return `/aws/chatbot/${configurationName}`;
}

export interface ChatChannelProps {
  /**
   * Configuration name, unique in the account (Chatbot configurations are global, not regional); also the name of the
   * channel role and of the log group `/aws/chatbot/<name>`. Letters, digits, `-`, `_`; at most 64 characters (the role).
   */
  readonly name: string;
  readonly destination: ChatDestination;
  /** SNS topics whose messages the channel receives (Chatbot subscribes itself to them). */
  readonly topicArns: readonly string[];
  /**
   * IAM policies that cap what any member of the channel can do (AWS managed or customer managed, by ARN). Policies that
   * grant writes (AdministratorAccess, PowerUserAccess, `*FullAccess`) are refused by `chatChannelProblems`.
   * @default [READ_ONLY_GUARDRAIL]
   */
  readonly guardrailPolicyArns?: readonly string[];
  /** @default 'ERROR' */
  readonly loggingLevel?: ChatLoggingLevel;
  /** Days the channel's log group keeps events (one of the retentions CloudWatch Logs accepts). @default 365 */
  readonly logRetentionDays?: number;
  /**
   * Key of the log group. It lives in us-east-1, so the key must be a us-east-1 key admitting logs.us-east-1.amazonaws.com.
   * @default - CloudWatch Logs' own encryption
   */
  readonly logKmsKeyArn?: string;
  /** A provider of us-east-1 in the same account (LayerStack.providerFor('us-east-1')), for the log group. */
  readonly logProvider: TerraformProvider;
  /**
   * Provider of the configuration. Any region of the account: the AWS provider sends Chatbot calls to one of the
   * regions that serve the Chatbot API (us-east-2, us-west-2, eu-west-1, ap-southeast-1; us-west-2 from any other).
   * @default the stack's default provider
   */
  readonly provider?: TerraformProvider;
}

const NAME: Parameters<typeof awsName>[1] = { maxLength: 64, pattern: /^[A-Za-z0-9_-]+$/, described: 'letters, digits, "-" and "_" (a Chatbot configuration and IAM role name)' };
const SLACK_WORKSPACE = /^T[A-Z0-9]{8,12}$/;
const SLACK_CHANNEL = /^[CG][A-Z0-9]{8,12}$/;
const UUID = /^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$/;
/** The pattern of the CreateMicrosoftTeamsChannelConfiguration API (the channel id from the link, URL-encoded). */
const TEAMS_CHANNEL = /^([a-zA-Z0-9-_=+/.,])*%3[aA]([a-zA-Z0-9-_=+/.,])*%40([a-zA-Z0-9-_=+/.,])*$/;
const POLICY_ARN = /^arn:aws(-[a-z]+)*:iam::(aws|\d{12}):policy\/([\w+=,.@/-]+)$/;
/** AWS managed policies that grant writes: a guardrail must never let chat change the account. */
const WRITE_POLICY = /^(AdministratorAccess|PowerUserAccess)|FullAccess/;

/** Problems of a Slack channel's ids, by field. */
export function slackChannelProblems(slack: SlackChannel): FieldProblem[] {
  const problems = new FieldProblems();
  if (!SLACK_WORKSPACE.test(slack.workspaceId)) {
    problems.add('workspaceId', `"${slack.workspaceId}" is not a Slack workspace id (T followed by 8 to 12 capital letters or digits, from the Chatbot console)`);
  }
  if (!SLACK_CHANNEL.test(slack.channelId)) {
    problems.add('channelId', `"${slack.channelId}" is not a Slack channel id (C or G followed by 8 to 12 capital letters or digits, the end of the channel link)`);
  }
  return problems.list;
}

/** Problems of a Microsoft Teams channel's ids, by field. */
export function teamsChannelProblems(teams: TeamsChannel): FieldProblem[] {
  const problems = new FieldProblems();
  if (!UUID.test(teams.tenantId)) problems.add('tenantId', `"${teams.tenantId}" is not a tenant id (a UUID, from the Chatbot console)`);
  if (!UUID.test(teams.teamId)) problems.add('teamId', `"${teams.teamId}" is not a team id (a UUID, from the Chatbot console)`);
  if (!TEAMS_CHANNEL.test(teams.channelId)) {
    problems.add('channelId', `"${teams.channelId}" is not a Teams channel id as the channel link has it, URL-encoded (19%3a...%40thread.tacv2)`);
  }
  return problems.list;
}

/** Problems of the channel settings every destination shares (ids are checked by the functions above), by prop name. */
export function chatChannelProblems(props: Partial<Omit<ChatChannelProps, 'destination' | 'logProvider' | 'provider'>>): FieldProblem[] {
  const problems = new FieldProblems();
  if (props.name !== undefined) problems.check('name', awsName(props.name, NAME));
  const guardrails = props.guardrailPolicyArns ?? [READ_ONLY_GUARDRAIL];
  if (guardrails.length === 0) problems.add('guardrailPolicyArns', 'is empty: Chatbot would apply AdministratorAccess; name a read-only policy such as ReadOnlyAccess');
  guardrails.forEach((arn, i) => {
    const match = POLICY_ARN.exec(arn);
    if (!match) problems.add(`guardrailPolicyArns[${i}]`, `"${arn}" is not an IAM policy ARN`);
    else if (match[2] === 'aws' && WRITE_POLICY.test(match[3].split('/').pop()!)) {
      problems.add(`guardrailPolicyArns[${i}]`, `"${arn}" grants write actions: chat must not change the account; use ReadOnlyAccess or a read-only policy`);
    }
  });
  if (props.loggingLevel !== undefined) problems.check('loggingLevel', oneOf(props.loggingLevel, CHAT_LOGGING_LEVELS));
  problems.check('logRetentionDays', logRetentionDays(props.logRetentionDays ?? 365));
  return problems.list;
}

/**
 * A Slack or Microsoft Teams channel receiving the messages of SNS topics through AWS Chatbot, with a read-only channel
 * role (AWS's notification template: CloudWatch reads for the alarm graphs), a read-only guardrail and the channel's
 * log group (us-east-1, with a retention: Chatbot would create it itself, keeping logs forever).
 *
 * Nothing else is needed on the topics: Chatbot subscribes its endpoint to them through its service-linked role
 * (AWSServiceRoleForAWSChatbot, created on first use; the deploy role may create service-linked roles), and SNS decrypts
 * an encrypted topic's messages before delivering them, so only the publishers need the topic key.
 * https://docs.aws.amazon.com/chatbot/latest/adminguide/understanding-permissions.html
 */
export class ChatChannel extends Construct {
  readonly role: ServiceRole;
  readonly logGroup: CloudwatchLogGroup;
  readonly configuration: ChatbotSlackChannelConfiguration | ChatbotTeamsChannelConfiguration;
  /** ARN of the chat configuration. */
  readonly arn: string;

  constructor(scope: Construct, id: string, props: ChatChannelProps) {
    super(scope, id);
    const { name, provider } = props;
    this.role = new ServiceRole(this, 'role', {
      provider,
      name,
      description: 'AWS Chatbot channel role: reads what alarm notifications show, changes nothing',
      service: 'chatbot.amazonaws.com',
    });
    this.role.addToPolicy(allow('ChatNotifications', CHAT_NOTIFICATION_ACTIONS, '*'));
    this.logGroup = new CloudwatchLogGroup(this, 'logs', {
      provider: props.logProvider,
      name: chatLogGroupName(name),
      retentionInDays: props.logRetentionDays ?? 365,
      kmsKeyId: props.logKmsKeyArn,
    });
    const common = {
      provider,
      configurationName: name,
      iamRoleArn: this.role.arn,
      snsTopicArns: [...props.topicArns],
      guardrailPolicyArns: [...(props.guardrailPolicyArns ?? [READ_ONLY_GUARDRAIL])],
      loggingLevel: props.loggingLevel ?? 'ERROR',
      userAuthorizationRequired: false,
      dependsOn: [...this.role.permissions, this.logGroup],
    };
    this.configuration = 'slack' in props.destination
      ? new ChatbotSlackChannelConfiguration(this, 'slack', {
        ...common,
        slackTeamId: props.destination.slack.workspaceId,
        slackChannelId: props.destination.slack.channelId,
      })
      : new ChatbotTeamsChannelConfiguration(this, 'teams', {
        ...common,
        tenantId: props.destination.teams.tenantId,
        teamId: props.destination.teams.teamId,
        channelId: props.destination.teams.channelId,
      });
    this.arn = this.configuration.chatConfigurationArn;
  }
}
