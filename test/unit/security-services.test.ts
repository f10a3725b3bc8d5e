/**
 * Issue 14 items 3 and 5: chat notifications of the security layer (AWS Chatbot), and Inspector and Macie delegated by
 * the organizations layer and enabled for the organisation by the monitoring layer; their policy-pack and preflight
 * rules; the example organisation.
 */
import { Testing } from 'cdktf';
import * as path from 'path';
import { defineLayer } from '../../lib/config';
import { readProjectFolder } from '../../lib/organisation';
import { checkStack, formatFinding, RULES_BY_ID } from '../../lib/policy';
import { runPreflight } from '../../lib/preflight/engine';
import { PREFLIGHT_RULES_BY_ID } from '../../lib/preflight/rules';
import { Audit } from '../../layers/audit';
import { Monitoring, type MonitoringConfig } from '../../layers/monitoring';
import { Organizations, SECURITY_SERVICE_ACTIONS, GLOBAL_SERVICE_ACTIONS, type OrganizationsConfig } from '../../layers/organizations';
import { PENDING_CHAT_ID, Security, type SecurityConfig } from '../../layers/security';
import { IDS as FX, fixtureOrg, id } from '../fixtures/preflight-org';
import { account, build, parsed, REAL, resources, SANDBOX, source, synthStack } from '../helpers';

const IDS = { management: '111111111111', security: '222222222222', 'apps-devstg': '555555555555', 'apps-prd': '666666666666' } as const;
const ORG: OrganizationsConfig = { accountOus: { security: 'security', 'apps-devstg': 'workloads/devstg', 'apps-prd': 'workloads/prd' } };
const SLACK = { workspaceId: 'T07EA123LEP', channelId: 'C07EZ1ABC23' };
const TEAMS = { tenantId: '5f4f15d2-b958-422a-8333-124aa8bf0925', teamId: '74361522-da01-438d-aa2e-ac7918c6bb92', channelId: '19%3ab6ef35dc342d56ba5654e6fc6d25a071%40thread.tacv2' };

interface Layers {
  organizations?: OrganizationsConfig;
  monitoring?: MonitoringConfig;
  prdSecurity?: SecurityConfig;
  prdRegion?: string;
}

/** Management (organizations), security (audit, monitoring in both regions), and two workload accounts with a security layer. */
function org(layers: Layers = {}) {
  const security = defineLayer(Security, {});
  return source({
    management: {
      config: account({ id: IDS.management, environment: 'management' }),
      layers: { organizations: defineLayer(Organizations, layers.organizations ?? ORG), security },
    },
    security: {
      config: account({ id: IDS.security, environment: 'security' }),
      layers: {
        audit: defineLayer(Audit, {}),
        monitoring: defineLayer(Monitoring, layers.monitoring ?? {}),
        'monitoring-dr': defineLayer(Monitoring, layers.monitoring ?? {}, { region: 'us-west-2' }),
        security,
      },
    },
    'apps-devstg': { config: account({ id: IDS['apps-devstg'], environment: 'devstg' }), layers: { security } },
    'apps-prd': {
      config: account({ id: IDS['apps-prd'], environment: 'prd', ...(layers.prdRegion ? { region: layers.prdRegion } : {}) }),
      layers: { security: defineLayer(Security, layers.prdSecurity ?? {}) },
    },
  }, layers.prdRegion ? { availabilityZones: { 'us-east-1': ['us-east-1a'], 'us-west-2': ['us-west-2a'], [layers.prdRegion]: [`${layers.prdRegion}a`] } } : {});
}

type Statement = { Sid?: string; Effect: string; Action: string | string[]; Principal?: unknown; Resource?: unknown; Condition?: unknown };
const statements = (policy: unknown): Statement[] => JSON.parse(policy as string).Statement;
const imports = (text: string): { id: string; to: string }[] => (parsed(text) as { import?: { id: string; to: string }[] }).import ?? [];
const prdSecurity = (layers: Layers, mode = REAL) => synthStack(org(layers), 'test-apps-prd-security', mode);

describe('chat notifications (security layer)', () => {
  it('delivers the notifications topic to Slack through Chatbot, with a read-only role, a read-only guardrail and logs kept in us-east-1', () => {
    const text = prdSecurity({ prdSecurity: { chat: { slack: SLACK } } });
    const tf = parsed(text);
    const [channel] = resources(text, 'aws_chatbot_slack_channel_configuration');
    const topic = Object.keys(tf.resource.aws_sns_topic)[0];
    expect(channel).toMatchObject({
      configuration_name: 'test-apps-prd-chat-slack',
      slack_team_id: SLACK.workspaceId,
      slack_channel_id: SLACK.channelId,
      sns_topic_arns: [`\${aws_sns_topic.${topic}.arn}`],
      guardrail_policy_arns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
      logging_level: 'ERROR',
      user_authorization_required: false,
    });
    // The channel role: assumed by Chatbot only, allowed AWS's notification template (CloudWatch reads) and nothing else.
    const roleAddress = /\$\{aws_iam_role\.([^.]+)\.arn\}/.exec(channel.iam_role_arn as string)![1];
    const role = tf.resource.aws_iam_role[roleAddress];
    expect(role.name).toBe('test-apps-prd-chat-slack');
    expect(statements(role.assume_role_policy)).toEqual([{ Effect: 'Allow', Principal: { Service: 'chatbot.amazonaws.com' }, Action: 'sts:AssumeRole' }]);
    const inline = resources(text, 'aws_iam_role_policy').filter((p) => p.role === `\${aws_iam_role.${roleAddress}.name}`);
    expect(inline.flatMap((p) => statements(p.policy))).toEqual([
      { Sid: 'ChatNotifications', Effect: 'Allow', Action: ['cloudwatch:Describe*', 'cloudwatch:Get*', 'cloudwatch:List*'], Resource: '*' },
    ]);
    expect(resources(text, 'aws_iam_role_policy_attachment').filter((a) => a.role === `\${aws_iam_role.${roleAddress}.name}`)).toEqual([]);
    // The log group Chatbot writes to, created first with a retention and the logs key (this layer is in us-east-1).
    const logs = resources(text, 'aws_cloudwatch_log_group').find((g) => g.name === '/aws/chatbot/test-apps-prd-chat-slack')!;
    expect(logs).toMatchObject({ retention_in_days: 365, provider: 'aws' });
    expect(logs.kms_key_id).toMatch(/^\$\{aws_kms_key\.logs-key_[^.]+\.arn\}$/);
    expect(tf.output!.chat_configuration_arns.value).toEqual([`\${aws_chatbot_slack_channel_configuration.${Object.keys(tf.resource.aws_chatbot_slack_channel_configuration)[0]}.chat_configuration_arn}`]);
  });

  it('configures Microsoft Teams with the tenant, team and URL-encoded channel ids, and settings from config', () => {
    const text = prdSecurity({ prdSecurity: { chat: { teams: TEAMS, loggingLevel: 'INFO', logRetentionDays: 90, guardrailPolicyArns: [`arn:aws:iam::${IDS['apps-prd']}:policy/chat-read`] } } });
    expect(resources(text, 'aws_chatbot_teams_channel_configuration')).toEqual([expect.objectContaining({
      configuration_name: 'test-apps-prd-chat-teams',
      tenant_id: TEAMS.tenantId,
      team_id: TEAMS.teamId,
      channel_id: TEAMS.channelId,
      logging_level: 'INFO',
      guardrail_policy_arns: [`arn:aws:iam::${IDS['apps-prd']}:policy/chat-read`],
    })]);
    expect(resources(text, 'aws_cloudwatch_log_group').find((g) => g.name === '/aws/chatbot/test-apps-prd-chat-teams')).toMatchObject({ retention_in_days: 90 });
  });

  it('keeps the channel logs in us-east-1 through a regional provider when the account lives elsewhere, without the regional logs key', () => {
    const text = prdSecurity({ prdRegion: 'eu-west-1', prdSecurity: { chat: { slack: SLACK } } });
    const logs = resources(text, 'aws_cloudwatch_log_group').find((g) => g.name === '/aws/chatbot/test-apps-prd-chat-slack')!;
    expect(logs.provider).toBe('aws.us_east_1');
    expect(logs.kms_key_id).toBeUndefined();
    expect(parsed(text).provider.aws.map((p) => [p.alias ?? 'default', p.region])).toEqual([['default', 'eu-west-1'], ['us_east_1', 'us-east-1']]);
  });

  it('plans pending ids with offline ids in the sandbox and leaves the channel out of a real synth until the workspace is authorised', () => {
    const pending: SecurityConfig = { chat: { slack: { workspaceId: PENDING_CHAT_ID, channelId: PENDING_CHAT_ID } } };
    const sandbox = prdSecurity({ prdSecurity: pending }, SANDBOX);
    expect(resources(sandbox, 'aws_chatbot_slack_channel_configuration')).toEqual([expect.objectContaining({ slack_team_id: 'TSANDBOX000', slack_channel_id: 'CSANDBOX000' })]);
    const real = prdSecurity({ prdSecurity: pending });
    for (const type of ['aws_chatbot_slack_channel_configuration', 'aws_chatbot_teams_channel_configuration']) expect(resources(real, type)).toEqual([]);
    expect(resources(real, 'aws_iam_role').map((r) => r.name)).not.toContain('test-apps-prd-chat-slack');
    expect(parsed(real).output!.chat_configuration_arns.value).toEqual([]);
    // Only the pending field is replaced: a known workspace id stays.
    const half = prdSecurity({ prdSecurity: { chat: { slack: { workspaceId: SLACK.workspaceId, channelId: PENDING_CHAT_ID } } } }, SANDBOX);
    expect(resources(half, 'aws_chatbot_slack_channel_configuration')[0]).toMatchObject({ slack_team_id: SLACK.workspaceId, slack_channel_id: 'CSANDBOX000' });
  });

  it('refuses ids of the wrong shape, no destination, write guardrails, an empty guardrail list and bad log settings, naming the field', () => {
    const refused = (chat: SecurityConfig['chat']) => () => build(org({ prdSecurity: { chat } }));
    expect(refused({ slack: { workspaceId: 'acme', channelId: 'general' } }))
      .toThrow(/test\/apps-prd\/security: chat\.slack\.workspaceId: "acme" is not a Slack workspace id[\s\S]*chat\.slack\.channelId: "general" is not a Slack channel id/);
    expect(refused({ teams: { tenantId: 'acme.onmicrosoft.com', teamId: TEAMS.teamId, channelId: '19:abc@thread.tacv2' } }))
      .toThrow(/chat\.teams\.tenantId: "acme\.onmicrosoft\.com" is not a tenant id[\s\S]*chat\.teams\.channelId: "19:abc@thread\.tacv2" is not a Teams channel id/);
    expect(refused({})).toThrow(/chat: names no channel: set slack or teams/);
    expect(refused({ slack: SLACK, guardrailPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'] }))
      .toThrow(/chat\.guardrailPolicyArns\[0\]: "arn:aws:iam::aws:policy\/AdministratorAccess" grants write actions/);
    expect(refused({ slack: SLACK, guardrailPolicyArns: ['arn:aws:iam::aws:policy/AmazonS3FullAccess'] })).toThrow(/grants write actions/);
    expect(refused({ slack: SLACK, guardrailPolicyArns: [] })).toThrow(/chat\.guardrailPolicyArns: is empty: Chatbot would apply AdministratorAccess/);
    expect(refused({ slack: SLACK, guardrailPolicyArns: ['ReadOnlyAccess'] })).toThrow(/chat\.guardrailPolicyArns\[0\]: "ReadOnlyAccess" is not an IAM policy ARN/);
    expect(refused({ slack: SLACK, logRetentionDays: 100 })).toThrow(/chat\.logRetentionDays: 100 is not a CloudWatch Logs retention/);
    expect(refused({ slack: SLACK, loggingLevel: 'DEBUG' as 'INFO' })).toThrow(/chat\.loggingLevel: "DEBUG" must be ERROR, INFO or NONE/);
    // A pending id is not a malformed id.
    expect(() => build(org({ prdSecurity: { chat: { slack: { workspaceId: PENDING_CHAT_ID, channelId: PENDING_CHAT_ID } } } }))).not.toThrow();
  });

  it('lets the region restriction SCP pass Chatbot, whose API the provider calls in us-west-2 whatever the region', () => {
    expect(GLOBAL_SERVICE_ACTIONS).toContain('chatbot:*');
  });
});

describe('Inspector and Macie: delegation (organizations layer)', () => {
  const tf = (config: OrganizationsConfig = ORG) => synthStack(org({ organizations: config }), 'test-management-organizations');

  it('designates the security account as Inspector and Macie administrator in every region in use, with trusted access', () => {
    const text = tf();
    const inspector = parsed(text).resource.aws_inspector2_delegated_admin_account;
    const macie = parsed(text).resource.aws_macie2_organization_admin_account;
    expect(Object.keys(inspector).sort()).toEqual(['delegated-inspector', 'delegated-inspector-us-west-2']);
    expect(inspector['delegated-inspector']).toMatchObject({ account_id: IDS.security, provider: 'aws', depends_on: ['aws_organizations_organization.organization'] });
    expect(inspector['delegated-inspector-us-west-2']).toMatchObject({ account_id: IDS.security, provider: 'aws.us_west_2' });
    expect(Object.keys(macie).sort()).toEqual(['delegated-macie', 'delegated-macie-us-west-2']);
    expect(macie['delegated-macie-us-west-2']).toMatchObject({ admin_account_id: IDS.security, provider: 'aws.us_west_2' });
    expect(resources(text, 'aws_organizations_organization')[0].aws_service_access_principals).toEqual(expect.arrayContaining(['inspector2.amazonaws.com', 'macie.amazonaws.com']));
  });

  it('designates neither when switched off, and drops their trusted access', () => {
    const text = tf({ ...ORG, inspector: false, macie: false });
    expect(resources(text, 'aws_inspector2_delegated_admin_account')).toEqual([]);
    expect(resources(text, 'aws_macie2_organization_admin_account')).toEqual([]);
    const principals = resources(text, 'aws_organizations_organization')[0].aws_service_access_principals as string[];
    expect(principals).not.toContain('inspector2.amazonaws.com');
    expect(principals).not.toContain('macie.amazonaws.com');
  });

  it('denies disabling Inspector and Macie to everyone but the security account deploy role', () => {
    for (const action of ['inspector2:Disable', 'inspector2:DisassociateMember', 'macie2:DisableMacie', 'macie2:DisassociateFromAdministratorAccount', 'macie2:DeleteMember']) {
      expect(SECURITY_SERVICE_ACTIONS).toContain(action);
    }
    const scp = resources(tf(), 'aws_organizations_policy').find((p) => p.name === 'test-protect-security-services')!;
    expect(JSON.parse(scp.content as string).Statement[0].Action).toEqual(expect.arrayContaining(['inspector2:Disable', 'macie2:DisableMacie']));
  });
});

describe('Inspector and Macie: the organisation (monitoring layer)', () => {
  const monitoring = (layers: Layers = {}, mode = REAL, stack = 'test-security-monitoring') => synthStack(org(layers), stack, mode);
  const members = [IDS.management, IDS['apps-devstg'], IDS['apps-prd']].sort();

  it('enables every Inspector scan in the administrator, auto-enables it for new accounts and associates then enables every member', () => {
    const text = monitoring();
    const tf = parsed(text);
    expect(resources(text, 'aws_inspector2_organization_configuration')).toEqual([expect.objectContaining({
      auto_enable: { ec2: true, ecr: true, lambda: true, lambda_code: true },
      depends_on: ['aws_inspector2_enabler.inspector'],
    })]);
    expect(tf.resource.aws_inspector2_enabler.inspector).toMatchObject({ account_ids: [IDS.security], resource_types: ['EC2', 'ECR', 'LAMBDA', 'LAMBDA_CODE'] });
    const associations = tf.resource.aws_inspector2_member_association;
    expect(Object.values(associations).map((a) => a.account_id).sort()).toEqual(members);
    const enabler = tf.resource.aws_inspector2_enabler['inspector-members'];
    expect((enabler.account_ids as string[]).sort()).toEqual(members);
    expect(enabler.account_ids).not.toContain(IDS.security);
    expect((enabler.depends_on as string[]).sort()).toEqual(Object.keys(associations).map((k) => `aws_inspector2_member_association.${k}`).sort());
  });

  it('adopts the Macie session the designation enabled on real AWS and creates it in the sandbox, with auto-enable and every member by e-mail', () => {
    const src = org();
    const text = synthStack(src, 'test-security-monitoring');
    expect(resources(text, 'aws_macie2_account')).toEqual([expect.objectContaining({ status: 'ENABLED', finding_publishing_frequency: 'FIFTEEN_MINUTES' })]);
    expect(imports(text)).toContainEqual({ id: IDS.security, to: 'aws_macie2_account.macie' });
    expect(resources(text, 'aws_macie2_organization_configuration')).toEqual([expect.objectContaining({ auto_enable: true })]);
    const macieMembers = resources(text, 'aws_macie2_member');
    expect(macieMembers.map((m) => m.account_id).sort()).toEqual(members);
    expect(macieMembers.find((m) => m.account_id === IDS['apps-prd'])).toMatchObject({ email: src.accounts['apps-prd'].config.email, status: 'ENABLED' });
    // No invite: an organisation member needs none, and the provider reads a member back as invited (a false would disassociate it).
    expect(macieMembers.every((m) => !('invite' in m))).toBe(true);
    expect(imports(monitoring({}, SANDBOX)).map((i) => i.to)).not.toContain('aws_macie2_account.macie');
  });

  it('configures the DR region too, where the organizations layer designates both services', () => {
    const text = monitoring({}, REAL, 'test-security-monitoring-dr');
    expect(resources(text, 'aws_inspector2_organization_configuration')).toHaveLength(1);
    expect(resources(text, 'aws_macie2_organization_configuration')).toHaveLength(1);
    expect(parsed(text).provider.aws[0].region).toBe('us-west-2');
  });

  it('adopts the memberships auto-enable already made for accounts that joined later, on real AWS only', () => {
    const text = monitoring({ monitoring: { autoEnrolledAccounts: ['apps-prd'] } });
    expect(imports(text)).toEqual(expect.arrayContaining([
      { id: IDS['apps-prd'], to: 'aws_inspector2_member_association.inspector-member-apps-prd' },
      { id: IDS['apps-prd'], to: 'aws_macie2_member.macie-member-apps-prd' },
    ]));
    expect(imports(text).filter((i) => i.to.includes('apps-devstg'))).toEqual([]);
    expect(imports(monitoring({ monitoring: { autoEnrolledAccounts: ['apps-prd'] } }, SANDBOX))).toEqual([]);
  });

  it('follows the designations: nothing of a service the organizations layer does not designate, and chosen scans only', () => {
    const off = monitoring({ organizations: { ...ORG, inspector: false, macie: false } });
    for (const type of ['aws_inspector2_organization_configuration', 'aws_inspector2_enabler', 'aws_macie2_account', 'aws_macie2_member']) expect(resources(off, type)).toEqual([]);
    expect(parsed(off).output!.inspector_resource_types.value).toEqual([]);
    expect(parsed(off).output!.macie_enabled.value).toBe(false);
    const ecrOnly = monitoring({ monitoring: { inspectorScans: ['ECR'], macie: false } });
    expect(resources(ecrOnly, 'aws_inspector2_organization_configuration')[0].auto_enable).toEqual({ ec2: false, ecr: true, lambda: false, lambda_code: false });
    expect(resources(ecrOnly, 'aws_macie2_account')).toEqual([]);
  });

  it('refuses scans without a designation, Lambda code without Lambda, repeated scans and unknown enrolled accounts', () => {
    const refused = (layers: Layers) => () => build(org(layers));
    expect(refused({ organizations: { ...ORG, inspector: false }, monitoring: { inspectorScans: ['EC2'] } }))
      .toThrow(/test\/security\/monitoring: inspectorScans: the organizations layer designates no Inspector administrator/);
    expect(refused({ organizations: { ...ORG, macie: false }, monitoring: { macie: true } }))
      .toThrow(/monitoring: macie: the organizations layer designates no Macie administrator/);
    expect(refused({ monitoring: { inspectorScans: ['EC2', 'LAMBDA_CODE'] } })).toThrow(/inspectorScans: LAMBDA_CODE needs LAMBDA/);
    expect(refused({ monitoring: { inspectorScans: ['EC2', 'EC2'] } })).toThrow(/inspectorScans: lists EC2 twice/);
    expect(refused({ monitoring: { inspectorScans: ['RDS' as 'EC2'] } })).toThrow(/inspectorScans\[0\]: "RDS" must be EC2, ECR, LAMBDA or LAMBDA_CODE/);
    expect(refused({ monitoring: { autoEnrolledAccounts: ['ghost', 'security'] } }))
      .toThrow(/autoEnrolledAccounts\[0\]: unknown account "ghost"[\s\S]*autoEnrolledAccounts\[1\]: security is the administrator/);
  });
});

describe('policy pack and preflight rules for chat and scanning', () => {
  it('passes the policy pack on the chat channel and the scanning services of a synthesized organisation', () => {
    const { stacks } = build(org({ prdSecurity: { chat: { slack: SLACK } } }));
    const reports = ['test-apps-prd-security', 'test-security-monitoring', 'test-management-organizations'].map((s) => checkStack(stacks.get(s)!));
    expect(reports.flatMap((r) => r.findings).map(formatFinding)).toEqual([]);
    expect(reports[0].inspected).toMatchObject({ 'POL-CHAT-001': 1, 'POL-CHAT-002': 1 });
    expect(reports[1].inspected).toMatchObject({ 'POL-INS-001': 1, 'POL-MAC-001': 2 });
  });

  it('PF-API-006 wants the Inspector and Macie administrators designated where their organisation is configured', () => {
    const rule = PREFLIGHT_RULES_BY_ID.get('PF-API-006')!;
    const configured = (designated: boolean) => fixtureOrg([
      {
        account: 'management', layer: 'organizations',
        resources: designated ? {
          aws_inspector2_delegated_admin_account: { i: { account_id: FX.security } },
          aws_macie2_organization_admin_account: { m: { admin_account_id: FX.security } },
        } : {},
      },
      {
        account: 'security', layer: 'monitoring', dependsOn: [id('management', 'organizations')],
        resources: {
          aws_inspector2_organization_configuration: { o: { auto_enable: { ec2: true, ecr: true } } },
          aws_macie2_organization_configuration: { o: { auto_enable: true } },
        },
      },
    ]);
    const found = runPreflight(configured(false), [rule]).findings;
    expect(found.map((f) => f.address).sort()).toEqual(['aws_inspector2_organization_configuration.o', 'aws_macie2_organization_configuration.o']);
    expect(found[0].message).toMatch(/is not designated (Inspector|Macie) delegated administrator in us-east-1/);
    expect(runPreflight(configured(true), [rule]).findings).toEqual([]);
  });

  it('PF-API-007 refuses creating the Macie session the designation enabled, unless an import block adopts it', () => {
    const rule = PREFLIGHT_RULES_BY_ID.get('PF-API-007')!;
    const session = (adopted: boolean) => fixtureOrg([
      { account: 'management', layer: 'organizations', resources: { aws_macie2_organization_admin_account: { m: { admin_account_id: FX.security } } } },
      {
        account: 'security', layer: 'monitoring', dependsOn: [id('management', 'organizations')],
        resources: { aws_macie2_account: { macie: { status: 'ENABLED' } } },
        ...(adopted ? { imports: { 'aws_macie2_account.macie': FX.security } } : {}),
      },
    ]);
    const [finding] = runPreflight(session(false), [rule]).findings;
    expect(finding.message).toContain('creates a Macie session in us-east-1');
    expect(runPreflight(session(true), [rule]).findings).toEqual([]);
  });

  it('the rules are registered', () => {
    for (const id of ['POL-CHAT-001', 'POL-CHAT-002', 'POL-CHAT-003', 'POL-INS-001', 'POL-MAC-001']) expect(RULES_BY_ID.get(id)).toBeDefined();
  });
});

describe('example organisation (projects/acme)', () => {
  const acme = readProjectFolder(path.resolve(__dirname, '../../projects/acme'));

  it('sends the security and apps-prd notifications to Slack: planned in the sandbox, left out of a real synth while the ids are pending', () => {
    const sandbox = build(acme, SANDBOX).stacks;
    const real = build(acme, REAL).stacks;
    for (const name of ['security', 'apps-prd']) {
      const planned = Testing.synth(sandbox.get(`acme-${name}-security`)!);
      expect(resources(planned, 'aws_chatbot_slack_channel_configuration')).toEqual([expect.objectContaining({ configuration_name: `acme-${name}-chat-slack` })]);
      expect(resources(Testing.synth(real.get(`acme-${name}-security`)!), 'aws_chatbot_slack_channel_configuration')).toEqual([]);
    }
  });

  it('enables Inspector and Macie for the organisation in both monitored regions', () => {
    const { stacks } = build(acme, REAL);
    for (const layer of ['monitoring', 'monitoring-dr']) {
      const text = Testing.synth(stacks.get(`acme-security-${layer}`)!);
      expect(resources(text, 'aws_inspector2_organization_configuration')).toHaveLength(1);
      expect(resources(text, 'aws_macie2_organization_configuration')).toHaveLength(1);
    }
  });
});
