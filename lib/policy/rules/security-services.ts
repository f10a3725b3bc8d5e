/** Chat notifications (AWS Chatbot) and the organisation's scanning services (Inspector, Macie). */
import { block, isSet, policyStatements, refersTo, strings, truthy, type Json, type ResourceView, type Rule, type StackView } from '../model';

const CHAT_CONFIGURATIONS = ['aws_chatbot_slack_channel_configuration', 'aws_chatbot_teams_channel_configuration'];

/** AWS managed policies that grant writes (or everything): never a chat channel's guardrail or role. */
const WRITE_MANAGED_POLICY = /:iam::aws:policy\/(.*\/)?(AdministratorAccess|PowerUserAccess[^/]*|[^/]*FullAccess[^/]*)$/;

/**
 * IAM actions that only read: the verb after the service prefix. A wildcard counts when what it can match still reads
 * (`cloudwatch:Get*`), never a bare `*` or `service:*`.
 */
const READ_VERB = /^[a-z0-9-]+:(Describe|Get|List|BatchGet|Search|Lookup|View)[A-Za-z0-9]*\*?$/;

/** The aws_iam_role a value interpolates (`${aws_iam_role.x.arn}`), if it is in the stack. */
function roleOf(value: Json, stack: StackView): ResourceView | undefined {
  return stack.ofType('aws_iam_role').find((r) => refersTo(value, r.address));
}

export const securityServiceRules: Rule[] = [
  {
    id: 'POL-CHAT-001',
    title: 'Chat channels name guardrail policies, none of which grants writes',
    description: 'AWS Chatbot applies AdministratorAccess as the guardrail of a channel configuration that names none, so ' +
      'any channel member could change the account from chat. Set `guardrail_policy_arns` to ReadOnlyAccess or a read-only ' +
      'customer policy (modules/chat-channel.ts); AdministratorAccess, PowerUserAccess and *FullAccess are refused.',
    severity: 'error',
    checkov: [],
    controls: [],
    resourceTypes: CHAT_CONFIGURATIONS,
    check(channel) {
      const guardrails = strings(channel.config.guardrail_policy_arns);
      if (guardrails.length === 0) return 'guardrail_policy_arns is not set: Chatbot applies AdministratorAccess';
      return guardrails.filter((arn) => WRITE_MANAGED_POLICY.test(arn)).map((arn) => `guardrail ${arn} grants write actions`);
    },
  },
  {
    id: 'POL-CHAT-002',
    title: 'A chat channel role only reads',
    description: 'The channel role is what Chatbot acts with for every member of the channel. Its managed policies are not ' +
      'AdministratorAccess, PowerUserAccess or *FullAccess, and its inline policies allow only Describe/Get/List-style ' +
      'actions (the Notification permissions template: cloudwatch:Describe*, Get*, List*). A role given by literal ARN ' +
      'is not in the stack and is not checked.',
    severity: 'error',
    checkov: [],
    controls: [],
    resourceTypes: CHAT_CONFIGURATIONS,
    check(channel, stack) {
      const role = roleOf(channel.config.iam_role_arn, stack);
      if (!role) return undefined;
      const attached = stack.ofType('aws_iam_role_policy_attachment').filter((a) => refersTo(a.config.role, role.address) || a.config.role === role.config.name);
      const inline = stack.ofType('aws_iam_role_policy').filter((p) => refersTo(p.config.role, role.address) || p.config.role === role.config.name);
      return [
        ...[...attached.flatMap((a) => strings(a.config.policy_arn)), ...strings(role.config.managed_policy_arns)]
          .filter((arn) => WRITE_MANAGED_POLICY.test(arn)).map((arn) => `role ${role.address} has ${arn} attached`),
        ...inline.flatMap((p) => policyStatements(p.config.policy, stack) ?? [])
          .filter((s) => s.Effect === 'Allow')
          .flatMap((s) => s.Action.filter((a) => !READ_VERB.test(a)).map((a) => `role ${role.address} allows ${a} (statement ${s.Sid ?? '(no Sid)'})`)),
      ];
    },
  },
  {
    id: 'POL-CHAT-003',
    title: 'Chat channels log their errors',
    description: 'A channel whose `logging_level` is NONE fails silently (a topic it cannot read, a rejected message). ERROR ' +
      '(the default of modules/chat-channel.ts) or INFO keeps a trace in /aws/chatbot/<name> (us-east-1).',
    severity: 'warning',
    checkov: [],
    controls: [],
    resourceTypes: CHAT_CONFIGURATIONS,
    check: (channel) => channel.config.logging_level === 'NONE' ? 'logging_level is NONE' : undefined,
  },
  {
    id: 'POL-INS-001',
    title: 'Inspector is auto-enabled for EC2, ECR and Lambda in every account that joins the organisation',
    description: 'The delegated administrator\'s `aws_inspector2_organization_configuration` turns on EC2, ECR, Lambda and ' +
      'Lambda code scanning for new accounts (layers/monitoring.ts, `inspectorScans`): a scan type left off is a class ' +
      'of vulnerabilities nobody sees in new accounts.',
    severity: 'warning',
    checkov: [],
    controls: ['FSBP Inspector.1', 'FSBP Inspector.2', 'FSBP Inspector.3', 'FSBP Inspector.4'],
    resourceTypes: ['aws_inspector2_organization_configuration'],
    check(configuration) {
      const auto = block(configuration.config.auto_enable);
      const off = ['ec2', 'ecr', 'lambda', 'lambda_code'].filter((k) => !truthy(auto?.[k]));
      return off.length === 0 ? undefined : `auto_enable leaves ${off.join(', ')} off for new accounts`;
    },
  },
  {
    id: 'POL-MAC-001',
    title: 'Macie is enabled in the administrator account and auto-enabled in every account that joins the organisation',
    description: '`aws_macie2_organization_configuration` sets `auto_enable = true`, and the administrator\'s ' +
      '`aws_macie2_account` is not PAUSED (layers/monitoring.ts): otherwise new accounts\' buckets are never inventoried ' +
      'for sensitive data.',
    severity: 'warning',
    checkov: [],
    controls: ['FSBP Macie.1'],
    resourceTypes: ['aws_macie2_organization_configuration', 'aws_macie2_account'],
    check(resource) {
      if (resource.type === 'aws_macie2_account') return resource.config.status === 'PAUSED' ? 'status is PAUSED' : undefined;
      return isSet(resource.config.auto_enable) && truthy(resource.config.auto_enable) ? undefined : 'auto_enable is not true';
    },
  },
];
