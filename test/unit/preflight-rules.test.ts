/**
 * Every preflight rule fires on a failing fixture and stays silent on a passing one. Fixtures are small synthesized-JSON
 * organisations (test/fixtures/preflight-org.ts) checked with that one rule only; a meta-test refuses a rule without
 * both fixtures.
 */
import { runPreflight, type PreflightFinding } from '../../lib/preflight/engine';
import type { OrgModel } from '../../lib/preflight/model';
import { PREFLIGHT_RULES, PREFLIGHT_RULES_BY_ID } from '../../lib/preflight/rules';
import { BACKUP_PREFLIGHT_CASES } from '../fixtures/preflight-backup-cases';
import { firewallLogBucket, firewallToLogGroups, LOG_DELIVERY_PREFLIGHT_CASES } from '../fixtures/preflight-log-delivery-cases';
import { BOOTSTRAP, IDS, dayZero, doc, fixtureOrg, id, key, role, serviceGrant, type FixtureStack } from '../fixtures/preflight-org';

const ref = (address: string, attribute = 'arn') => `\${${address}.${attribute}}`;
const remote = (name: string, output: string) => `\${data.terraform_remote_state.${name}.outputs.${output}}`;
const asgSlr = `arn:aws:iam::${IDS.apps}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`;
const TRUST_EC2 = doc({ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' });
const POD_TRUST = doc({ Effect: 'Allow', Principal: { Service: 'pods.eks.amazonaws.com' }, Action: ['sts:AssumeRole', 'sts:TagSession'] });
const LOGS_GRANT = serviceGrant('logs.us-east-1.amazonaws.com', ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
  { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:us-east-1:${IDS.apps}:*` } });

/** The security layer creating DevOps (with `inline` statements) and a layer running as DevOps after it. */
function devopsOrg(inline: Record<string, unknown>[], resources: FixtureStack['resources']): OrgModel {
  return fixtureOrg([
    {
      account: 'security', layer: 'security',
      resources: {
        aws_iam_role: { devops: { name: 'DevOps', assume_role_policy: doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${IDS.management}:root` }, Action: 'sts:AssumeRole' }) } },
        aws_iam_role_policy_attachment: { power: { role: ref('aws_iam_role.devops', 'name'), policy_arn: 'arn:aws:iam::aws:policy/PowerUserAccess' } },
        ...(inline.length > 0 ? { aws_iam_role_policy: { inline: { role: ref('aws_iam_role.devops', 'id'), policy: doc(...inline) } } } : {}),
      },
    },
    { account: 'security', layer: 'monitoring', role: role('security', 'DevOps'), dependsOn: [id('security', 'security')], resources },
  ]);
}

function zoneStack(account: 'apps' | 'security', layer: string, name: string): FixtureStack {
  return { account, layer, resources: { aws_route53_zone: { zone: { name } } }, outputs: { zone_id: ref('aws_route53_zone.zone', 'zone_id'), zone_name: name } };
}

function bucket(name: string, extra: Record<string, Record<string, Record<string, unknown>>> = {}): FixtureStack['resources'] {
  return { aws_s3_bucket: { b: { bucket: name } }, ...extra };
}

function eventsKey(...actions: string[]): FixtureStack[] {
  return [{
    account: 'apps', layer: 'serverless',
    resources: {
      aws_kms_key: { k: key('apps', serviceGrant('events.amazonaws.com', actions, { StringEquals: { 'aws:SourceAccount': IDS.apps } })) },
      aws_cloudwatch_event_bus: { bus: { name: 'fx-bus', kms_key_identifier: ref('aws_kms_key.k') } },
    },
  }];
}

function configDelivery(bucketPolicy: Record<string, unknown>[], locked = false, keyStatements: Record<string, unknown>[] = []): OrgModel {
  return fixtureOrg([
    {
      account: 'security', layer: 'audit',
      resources: {
        aws_kms_key: { k: key('security', ...keyStatements) },
        aws_s3_bucket: { archive: { bucket: `fx-archive-${IDS.security}`, ...(locked ? { object_lock_enabled: true } : {}) } },
        aws_s3_bucket_policy: { p: { bucket: ref('aws_s3_bucket.archive', 'id'), policy: doc(...bucketPolicy) } },
      },
      outputs: { bucket: ref('aws_s3_bucket.archive', 'bucket'), key: ref('aws_kms_key.k') },
    },
    {
      account: 'apps', layer: 'compliance', remote: { audit: { account: 'security', layer: 'audit' } },
      resources: { aws_config_delivery_channel: { c: { name: 'fx', s3_bucket_name: remote('audit', 'bucket'), s3_kms_key_arn: remote('audit', 'key') } } },
    },
  ]);
}
const CONFIG_BUCKET_OK = [
  { Effect: 'Allow', Principal: { Service: 'config.amazonaws.com' }, Action: ['s3:GetBucketAcl', 's3:ListBucket'], Resource: ref('aws_s3_bucket.archive'), Condition: { StringEquals: { 'aws:SourceAccount': [IDS.apps] } } },
  { Effect: 'Allow', Principal: { Service: 'config.amazonaws.com' }, Action: 's3:PutObject', Resource: `${ref('aws_s3_bucket.archive')}/AWSLogs/*/Config/*`, Condition: { StringEquals: { 'aws:SourceAccount': [IDS.apps], 's3:x-amz-acl': 'bucket-owner-full-control' } } },
];
const CONFIG_KEY_OK = serviceGrant('config.amazonaws.com', ['kms:Decrypt', 'kms:GenerateDataKey'], { StringEquals: { 'aws:SourceAccount': [IDS.apps, IDS.security] } });

function albLogs(resourcePrefix: string, dependsOnPolicy = true, sse = 'AES256'): OrgModel {
  return fixtureOrg([{
    account: 'apps', layer: 'web',
    resources: {
      aws_s3_bucket: { logs: { bucket: `fx-alb-logs-${IDS.apps}` } },
      aws_s3_bucket_server_side_encryption_configuration: { sse: { bucket: ref('aws_s3_bucket.logs', 'id'), rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: sse } }] } },
      aws_s3_bucket_policy: { p: { bucket: ref('aws_s3_bucket.logs', 'id'), policy: doc({ Effect: 'Allow', Principal: { Service: 'logdelivery.elasticloadbalancing.amazonaws.com' }, Action: 's3:PutObject', Resource: `${ref('aws_s3_bucket.logs')}/${resourcePrefix}/AWSLogs/${IDS.apps}/*` }) } },
      aws_lb: { alb: { name: 'fx-web', access_logs: { bucket: ref('aws_s3_bucket.logs', 'bucket'), prefix: 'alb/web', enabled: true }, ...(dependsOnPolicy ? { depends_on: ['aws_s3_bucket_policy.p'] } : {}) } },
    },
  }]);
}

function cloudfrontLogs(ownership: string): OrgModel {
  return fixtureOrg([{
    account: 'apps', layer: 'cdn',
    resources: {
      aws_s3_bucket: { logs: { bucket: `fx-cdn-logs-${IDS.apps}` } },
      aws_s3_bucket_ownership_controls: { o: { bucket: ref('aws_s3_bucket.logs', 'id'), rule: { object_ownership: ownership } } },
      aws_cloudfront_distribution: { d: { logging_config: { bucket: ref('aws_s3_bucket.logs', 'bucket_domain_name') } } },
    },
  }]);
}

function delegated(adminRegions: string[], detector = false, adopted = false): OrgModel {
  return fixtureOrg([
    {
      account: 'management', layer: 'organizations', aliases: { us_west_2: 'us-west-2' },
      resources: {
        aws_guardduty_organization_admin_account: Object.fromEntries(adminRegions.map((r) => [`admin-${r}`, {
          admin_account_id: IDS.security, ...(r === 'us-east-1' ? {} : { provider: `aws.${r.replace(/-/g, '_')}` }),
        }])),
      },
    },
    {
      account: 'security', layer: 'monitoring-dr', region: 'us-west-2', dependsOn: [id('management', 'organizations')],
      resources: {
        aws_guardduty_organization_configuration: { org: { detector_id: 'x', auto_enable_organization_members: 'ALL' } },
        ...(detector ? { aws_guardduty_detector: { d: { enable: true } } } : {}),
      },
      ...(adopted ? { imports: { 'aws_guardduty_detector.d': '${data.aws_guardduty_detector.enabled.id}' } } : {}),
    },
  ]);
}

function transit(shared: boolean): OrgModel {
  return fixtureOrg([
    { account: 'management', layer: 'organizations', resources: { aws_organizations_organization: { o: { feature_set: 'ALL' } }, ...(shared ? { aws_ram_sharing_with_organization: { r: {} } } : {}) }, outputs: { arn: ref('aws_organizations_organization.o') } },
    {
      account: 'security', layer: 'hub', remote: { org: { account: 'management', layer: 'organizations' } },
      resources: {
        aws_ec2_transit_gateway: { tgw: { description: 'hub' } },
        ...(shared ? {
          aws_ram_resource_share: { s: { name: 'hub', allow_external_principals: false } },
          aws_ram_resource_association: { a: { resource_share_arn: ref('aws_ram_resource_share.s'), resource_arn: ref('aws_ec2_transit_gateway.tgw') } },
          aws_ram_principal_association: { p: { resource_share_arn: ref('aws_ram_resource_share.s'), principal: remote('org', 'arn') } },
        } : {}),
      },
      outputs: { tgw: ref('aws_ec2_transit_gateway.tgw', 'id') },
    },
    { account: 'apps', layer: 'attachment', remote: { hub: { account: 'security', layer: 'hub' } }, resources: { aws_ec2_transit_gateway_vpc_attachment: { a: { transit_gateway_id: remote('hub', 'tgw'), vpc_id: 'vpc-1' } } } },
  ]);
}

/** The shared registry (security account) and a fargate layer of apps pulling `fx/<image>` from it. */
function ecr(pullers: string[], dependsOnRegistry = true, options: { image?: string; viaRegistryLayer?: boolean; pullerAccount?: 'apps' | 'security' } = {}): OrgModel {
  const repository = options.image ?? 'fx/api';
  const puller = options.pullerAccount ?? 'apps';
  // fromRegistry(...): the registry URL is an output of the registry layer, read through remote state.
  const image = options.viaRegistryLayer
    ? `${remote('registry', 'registry_url')}/${repository}:1.0.0`
    : `${IDS.security}.dkr.ecr.us-east-1.amazonaws.com/${repository}:1.0.0`;
  return fixtureOrg([
    {
      account: 'security', layer: 'registry',
      resources: {
        aws_ecr_repository: { r: { name: 'fx/api' } },
        ...(pullers.length > 0 ? { aws_ecr_repository_policy: { p: { repository: ref('aws_ecr_repository.r', 'name'), policy: doc({ Effect: 'Allow', Principal: { AWS: pullers.map((a) => `arn:aws:iam::${a}:root`) }, Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'] }) } } } : {}),
      },
      outputs: { registry_url: `${IDS.security}.dkr.ecr.us-east-1.amazonaws.com`, repository_urls: [ref('aws_ecr_repository.r', 'repository_url')] },
    },
    {
      account: puller, layer: 'fargate', dependsOn: dependsOnRegistry && !options.viaRegistryLayer ? [id('security', 'registry')] : [],
      ...(options.viaRegistryLayer ? { remote: { registry: { account: 'security' as const, layer: 'registry' } } } : {}),
      resources: { aws_ecs_task_definition: { t: { family: 'api', container_definitions: JSON.stringify([{ name: 'api', image }]) } } },
    },
  ]);
}

function records(second: Record<string, unknown>): OrgModel {
  return fixtureOrg([
    { ...zoneStack('apps', 'dns-zone', 'prd.fx.example.com') },
    {
      account: 'apps', layer: 'dr', remote: { zone: { account: 'apps', layer: 'dns-zone' } },
      resources: {
        aws_route53_health_check: { h: { fqdn: 'origin.prd.fx.example.com', type: 'HTTPS' } },
        aws_route53_record: {
          primary: { zone_id: remote('zone', 'zone_id'), name: 'app.prd.fx.example.com', type: 'A', set_identifier: 'primary', failover_routing_policy: { type: 'PRIMARY' }, health_check_id: ref('aws_route53_health_check.h', 'id'), alias: { name: 'a', zone_id: 'Z1', evaluate_target_health: true } },
          second: { zone_id: remote('zone', 'zone_id'), name: 'app', type: 'A', ...second },
        },
      },
    },
  ]);
}

/** A spoke attaching to the hub and routing to it; with `split`, the routes live in a layer after the hub's acceptance. */
function hubRoutes(split: boolean): OrgModel {
  const attachment = { aws_ec2_transit_gateway_vpc_attachment: { a: { transit_gateway_id: remote('hub', 'tgw'), vpc_id: 'vpc-1' } } };
  const route = { aws_route: { r: { route_table_id: 'rtb-1', destination_cidr_block: '10.0.0.0/8', transit_gateway_id: remote('hub', 'tgw'), depends_on: split ? [] : ['aws_ec2_transit_gateway_vpc_attachment.a'] } } };
  return fixtureOrg([
    { account: 'security', layer: 'hub', resources: { aws_ec2_transit_gateway: { tgw: { auto_accept_shared_attachments: 'disable' } } }, outputs: { tgw: ref('aws_ec2_transit_gateway.tgw', 'id') } },
    { account: 'apps', layer: 'attachment', remote: { hub: { account: 'security', layer: 'hub' } }, resources: split ? attachment : { ...attachment, ...route }, outputs: { attachment: ref('aws_ec2_transit_gateway_vpc_attachment.a', 'id') } },
    { account: 'security', layer: 'hub-routes', remote: { att: { account: 'apps', layer: 'attachment' } }, resources: { aws_ec2_transit_gateway_vpc_attachment_accepter: { acc: { transit_gateway_attachment_id: remote('att', 'attachment') } } } },
    ...(split ? [{ account: 'apps' as const, layer: 'routes', remote: { hub: { account: 'security' as const, layer: 'hub' } }, dependsOn: [id('security', 'hub-routes')], resources: route }] : []),
  ]);
}

const CASES: Record<string, { bad: () => OrgModel; good: () => OrgModel }> = {
  'PF-IAM-001': {
    bad: () => fixtureOrg([{ account: 'apps', layer: 'net', role: role('apps', 'Nobody') }], { bootstrap: dayZero('apps') }),
    good: () => fixtureOrg([{ account: 'apps', layer: 'net', role: role('apps', 'DevOps') }], { bootstrap: dayZero('apps') }),
  },
  'PF-IAM-002': {
    // A steady layer that creates the role it assumes, which the day-zero sequence does not apply first.
    bad: () => fixtureOrg([{ account: 'apps', layer: 'platform', role: role('apps', 'Platform'), resources: { aws_iam_role: { d: { name: 'Platform', assume_role_policy: TRUST_EC2 } } } }],
      { bootstrap: dayZero('apps') }),
    // The same layer once the day-zero sequence applies it (through the bootstrap role) before every steady run.
    good: () => fixtureOrg([{ account: 'apps', layer: 'platform', role: role('apps', 'Platform'), resources: { aws_iam_role: { d: { name: 'Platform', assume_role_policy: TRUST_EC2 } } } }],
      { bootstrap: [...dayZero('apps'), { account: 'apps', layer: 'platform', resources: { aws_iam_role: { d: { name: 'Platform', assume_role_policy: TRUST_EC2 } } } }] }),
  },
  'PF-IAM-003': {
    // No day-zero sequence: DevOps comes from a steady security layer that is not upstream of net.
    bad: () => fixtureOrg([
      { account: 'apps', layer: 'security', resources: { aws_iam_role: { d: { name: 'DevOps', assume_role_policy: TRUST_EC2 } } } },
      { account: 'apps', layer: 'net', role: role('apps', 'DevOps') },
    ]),
    good: () => fixtureOrg([
      { account: 'apps', layer: 'security', resources: { aws_iam_role: { d: { name: 'DevOps', assume_role_policy: TRUST_EC2 } } } },
      { account: 'apps', layer: 'net', role: role('apps', 'DevOps'), dependsOn: [id('apps', 'security')] },
      // A remote-state read of an upstream layer that itself ran as the producer account's role.
      { account: 'security', layer: 'security', resources: { aws_iam_role: { d: { name: 'DevOps', assume_role_policy: TRUST_EC2 } } } },
      { account: 'security', layer: 'audit', role: role('security', 'DevOps'), dependsOn: [id('security', 'security')] },
      { account: 'apps', layer: 'compliance', role: role('apps', 'DevOps'), dependsOn: [id('apps', 'security')], remote: { audit: { account: 'security', layer: 'audit', role: role('security', 'DevOps') } } },
    ]),
  },
  'PF-IAM-007': {
    // A member account's day-zero step without assume_role: the caller's session is the management account's.
    bad: () => fixtureOrg([], { bootstrap: [...dayZero(), { account: 'apps', layer: 'base-tf-backend', role: null, step: 'apps/base-tf-backend/backend-local', localState: true }] }),
    good: () => fixtureOrg([], { bootstrap: dayZero('apps') }),
  },
  'PF-IAM-008': {
    // A literal role ARN nobody creates, a role of another account, and an add-on block naming such a role.
    bad: () => fixtureOrg([
      { account: 'security', layer: 'roles', resources: { aws_iam_role: { r: { name: 'Elsewhere', assume_role_policy: POD_TRUST } } }, outputs: { role: ref('aws_iam_role.r') } },
      {
        account: 'apps', layer: 'eks', dependsOn: [id('security', 'roles')], remote: { roles: { account: 'security', layer: 'roles' } },
        resources: {
          aws_eks_pod_identity_association: {
            missing: { cluster_name: 'c', namespace: 'kube-system', service_account: 'aws-load-balancer-controller', role_arn: role('apps', 'LbController') },
            foreign: { cluster_name: 'c', namespace: 'kube-system', service_account: 'cluster-autoscaler', role_arn: remote('roles', 'role') },
          },
          aws_eks_addon: { cni: { cluster_name: 'c', addon_name: 'vpc-cni', addon_version: 'v1.22.4-eksbuild.3', pod_identity_association: [{ service_account: 'aws-node', role_arn: role('apps', 'Cni') }] } },
        },
      },
    ]),
    good: () => fixtureOrg([
      { account: 'apps', layer: 'identity', resources: { aws_iam_role: { r: { name: 'LbController', assume_role_policy: POD_TRUST } } } },
      {
        account: 'apps', layer: 'eks', dependsOn: [id('apps', 'identity')],
        resources: {
          aws_iam_role: { cni: { name: 'Cni', assume_role_policy: POD_TRUST } },
          aws_eks_pod_identity_association: { lb: { cluster_name: 'c', namespace: 'kube-system', service_account: 'aws-load-balancer-controller', role_arn: role('apps', 'LbController') } },
          aws_eks_addon: { cni: { cluster_name: 'c', addon_name: 'vpc-cni', addon_version: 'v1.22.4-eksbuild.3', pod_identity_association: [{ service_account: 'aws-node', role_arn: ref('aws_iam_role.cni') }] } },
        },
      },
    ]),
  },
  'PF-IAM-004': {
    bad: () => fixtureOrg([{
      account: 'apps', layer: 'security',
      resources: { aws_iam_role: { d: { name: 'DevOps', assume_role_policy: doc({ Effect: 'Allow', Principal: { AWS: [role('management', 'TerraformAutomation')] }, Action: 'sts:AssumeRole' }) } } },
    }]),
    good: () => fixtureOrg([
      { account: 'management', layer: 'identities', resources: { aws_iam_role: { ci: { name: 'TerraformAutomation', assume_role_policy: TRUST_EC2 } } } },
      { account: 'apps', layer: 'autoscaling-role', resources: { aws_iam_service_linked_role: { slr: { aws_service_name: 'autoscaling.amazonaws.com' } } } },
      {
        account: 'apps', layer: 'security', dependsOn: [id('management', 'identities'), id('apps', 'autoscaling-role')],
        resources: {
          aws_iam_role: { d: { name: 'DevOps', assume_role_policy: doc({ Effect: 'Allow', Principal: { AWS: [role('management', 'TerraformAutomation')] }, Action: 'sts:AssumeRole' }) } },
          aws_kms_key: { ebs: key('apps', { Effect: 'Allow', Principal: { AWS: asgSlr }, Action: 'kms:Decrypt', Resource: '*' }) },
        },
      },
    ]),
  },
  'PF-IAM-005': {
    bad: () => fixtureOrg([{ account: 'apps', layer: 'eks', resources: { aws_eks_access_entry: { e: { cluster_name: 'c', principal_arn: role('apps', 'PlatformAdmin') } } } }]),
    good: () => fixtureOrg([
      { account: 'apps', layer: 'identity', resources: { aws_iam_role: { r: { name: 'PlatformAdmin', assume_role_policy: TRUST_EC2 } } } },
      { account: 'apps', layer: 'eks', dependsOn: [id('apps', 'identity')], resources: { aws_eks_access_entry: { e: { cluster_name: 'c', principal_arn: role('apps', 'PlatformAdmin') } } } },
    ]),
  },
  'PF-IAM-006': {
    bad: () => devopsOrg([], { aws_config_configuration_aggregator: { a: { name: 'org', organization_aggregation_source: { all_regions: true, role_arn: 'x' } } } }),
    good: () => devopsOrg([{ Effect: 'Allow', Action: ['organizations:Describe*', 'organizations:List*', 'iam:PassRole'], Resource: '*' }],
      { aws_config_configuration_aggregator: { a: { name: 'org', organization_aggregation_source: { all_regions: true, role_arn: 'x' } } } }),
  },
  'PF-KMS-001': {
    bad: () => fixtureOrg([{ account: 'apps', layer: 'logs', resources: { aws_kms_key: { k: key('apps') }, aws_cloudwatch_log_group: { g: { name: '/fx/app', kms_key_id: ref('aws_kms_key.k') } } } }]),
    good: () => fixtureOrg([{ account: 'apps', layer: 'logs', resources: { aws_kms_key: { k: key('apps', LOGS_GRANT) }, aws_cloudwatch_log_group: { g: { name: '/fx/app', kms_key_id: ref('aws_kms_key.k') } } } }]),
  },
  'PF-KMS-002': {
    bad: () => fixtureOrg(eventsKey('kms:Decrypt', 'kms:GenerateDataKey*')),
    good: () => fixtureOrg(eventsKey('kms:Decrypt', 'kms:GenerateDataKey*', 'kms:DescribeKey')),
  },
  'PF-KMS-003': {
    // The topic lives in the security layer; an alarm of another layer publishes to it through remote state.
    bad: () => fixtureOrg([
      { account: 'apps', layer: 'security', resources: { aws_kms_key: { k: key('apps') }, aws_sns_topic: { t: { name: 'fx-alarms', kms_master_key_id: ref('aws_kms_key.k') } } }, outputs: { topic: ref('aws_sns_topic.t') } },
      { account: 'apps', layer: 'app', remote: { sec: { account: 'apps', layer: 'security' } }, resources: { aws_cloudwatch_metric_alarm: { a: { alarm_name: 'x', alarm_actions: [remote('sec', 'topic')] } } } },
    ]),
    good: () => fixtureOrg([
      { account: 'apps', layer: 'security', resources: { aws_kms_key: { k: key('apps', serviceGrant('cloudwatch.amazonaws.com', ['kms:Decrypt', 'kms:GenerateDataKey*'], { StringEquals: { 'aws:SourceAccount': IDS.apps } })) }, aws_sns_topic: { t: { name: 'fx-alarms', kms_master_key_id: ref('aws_kms_key.k') } } }, outputs: { topic: ref('aws_sns_topic.t') } },
      { account: 'apps', layer: 'app', remote: { sec: { account: 'apps', layer: 'security' } }, resources: { aws_cloudwatch_metric_alarm: { a: { alarm_name: 'x', alarm_actions: [remote('sec', 'topic')] } } } },
    ]),
  },
  'PF-KMS-004': {
    bad: () => fixtureOrg([{ account: 'apps', layer: 'app', resources: { aws_kms_key: { k: key('apps') }, aws_sns_topic: { t: { name: 't' } }, aws_sqs_queue: { q: { name: 'q', kms_master_key_id: ref('aws_kms_key.k') } }, aws_sns_topic_subscription: { s: { topic_arn: ref('aws_sns_topic.t'), protocol: 'sqs', endpoint: ref('aws_sqs_queue.q') } } } }]),
    good: () => fixtureOrg([{ account: 'apps', layer: 'app', resources: { aws_kms_key: { k: key('apps', serviceGrant('sns.amazonaws.com', ['kms:Decrypt', 'kms:GenerateDataKey*'])) }, aws_sns_topic: { t: { name: 't' } }, aws_sqs_queue: { q: { name: 'q', kms_master_key_id: ref('aws_kms_key.k') } }, aws_sns_topic_subscription: { s: { topic_arn: ref('aws_sns_topic.t'), protocol: 'sqs', endpoint: ref('aws_sqs_queue.q') } } } }]),
  },
  'PF-KMS-005': {
    bad: () => fixtureOrg([
      { account: 'apps', layer: 'security', resources: { aws_kms_key: { data: key('apps') }, aws_ebs_default_kms_key: { d: { key_arn: ref('aws_kms_key.data') } } } },
      { account: 'apps', layer: 'eks', resources: { aws_eks_node_group: { g: { cluster_name: 'c', node_group_name: 'n' } } } },
    ]),
    good: () => fixtureOrg([
      { account: 'apps', layer: 'security', resources: { aws_kms_key: { data: key('apps', { Effect: 'Allow', Principal: { AWS: asgSlr }, Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey', 'kms:CreateGrant'], Resource: '*' }) }, aws_ebs_default_kms_key: { d: { key_arn: ref('aws_kms_key.data') } } } },
      { account: 'apps', layer: 'eks', resources: { aws_eks_node_group: { g: { cluster_name: 'c', node_group_name: 'n' } } } },
    ]),
  },
  'PF-KMS-006': {
    bad: () => fixtureOrg([{ account: 'security', layer: 'audit', resources: { aws_kms_key: { k: key('security') }, aws_cloudtrail: { t: { name: 'trail', s3_bucket_name: 'b', kms_key_id: ref('aws_kms_key.k') } } } }]),
    good: () => fixtureOrg([{ account: 'security', layer: 'audit', resources: { aws_kms_key: { k: key('security', serviceGrant('cloudtrail.amazonaws.com', ['kms:GenerateDataKey*', 'kms:DescribeKey'], { StringEquals: { 'aws:SourceArn': `arn:aws:cloudtrail:us-east-1:${IDS.security}:trail/trail` } })) }, aws_cloudtrail: { t: { name: 'trail', s3_bucket_name: 'b', kms_key_id: ref('aws_kms_key.k') } } } }]),
  },
  'PF-KMS-007': {
    bad: () => configDelivery(CONFIG_BUCKET_OK, false, [serviceGrant('config.amazonaws.com', ['kms:Decrypt', 'kms:GenerateDataKey'], { StringEquals: { 'aws:SourceAccount': [IDS.security] } })]),
    good: () => configDelivery(CONFIG_BUCKET_OK, false, [CONFIG_KEY_OK]),
  },
  'PF-XACC-001': {
    bad: () => configDelivery(CONFIG_BUCKET_OK.map((s) => ({ ...s, Condition: { StringEquals: { 'aws:SourceAccount': [IDS.security] } } })), false, [CONFIG_KEY_OK]),
    good: () => configDelivery(CONFIG_BUCKET_OK, false, [CONFIG_KEY_OK]),
  },
  'PF-XACC-002': {
    bad: () => fixtureOrg([
      { account: 'security', layer: 'keys', resources: { aws_kms_key: { k: key('security') } }, outputs: { key: ref('aws_kms_key.k') } },
      { account: 'apps', layer: 'data', remote: { keys: { account: 'security', layer: 'keys' } }, resources: { aws_dynamodb_table: { t: { name: 'fx-t', server_side_encryption: { enabled: true, kms_key_arn: remote('keys', 'key') } } } } },
    ]),
    good: () => fixtureOrg([
      { account: 'security', layer: 'keys', resources: { aws_kms_key: { k: key('security', { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${IDS.apps}:root` }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*', 'kms:DescribeKey', 'kms:CreateGrant'], Resource: '*' }) } }, outputs: { key: ref('aws_kms_key.k') } },
      { account: 'apps', layer: 'data', remote: { keys: { account: 'security', layer: 'keys' } }, resources: { aws_dynamodb_table: { t: { name: 'fx-t', server_side_encryption: { enabled: true, kms_key_arn: remote('keys', 'key') } } } } },
    ]),
  },
  // fromRegistry(...): the image reads the registry URL from the registry layer; its repository policy must admit apps.
  'PF-XACC-003': { bad: () => ecr([IDS.data], true, { viaRegistryLayer: true }), good: () => ecr([IDS.apps], true, { viaRegistryLayer: true }) },
  'PF-XACC-004': { bad: () => transit(false), good: () => transit(true) },
  'PF-DNS-001': {
    bad: () => fixtureOrg([
      zoneStack('apps', 'dns-zone', 'prd.fx.example.com'),
      { account: 'apps', layer: 'cdn', remote: { zone: { account: 'apps', layer: 'dns-zone' } }, resources: { aws_route53_record: { alias: { zone_id: remote('zone', 'zone_id'), name: 'app.prd.fx.example.com', type: 'A', alias: { name: 'd.cloudfront.net', zone_id: 'Z2FDTNDATAQYW2' } } } } },
      { account: 'apps', layer: 'dr', remote: { zone: { account: 'apps', layer: 'dns-zone' } }, resources: { aws_route53_record: { p: { zone_id: remote('zone', 'zone_id'), name: `app.${remote('zone', 'zone_name')}`, type: 'A', set_identifier: 'p', failover_routing_policy: { type: 'PRIMARY' } } } } },
    ]),
    good: () => records({ set_identifier: 'secondary', failover_routing_policy: { type: 'SECONDARY' }, alias: { name: 'b', zone_id: 'Z1' } }),
  },
  'PF-DNS-002': {
    bad: () => fixtureOrg([
      { account: 'apps', layer: 'network', resources: { aws_vpc: { v: { cidr_block: '10.1.0.0/16' } } }, outputs: { vpc: ref('aws_vpc.v', 'id') } },
      { account: 'security', layer: 'dns', remote: { net: { account: 'apps', layer: 'network' } }, resources: { aws_route53_zone: { z: { name: 'fx.internal' } }, aws_route53_vpc_association_authorization: { a: { zone_id: ref('aws_route53_zone.z', 'zone_id'), vpc_id: remote('net', 'vpc') } } }, outputs: { zone: ref('aws_route53_zone.z', 'zone_id') } },
    ]),
    good: () => fixtureOrg([
      { account: 'apps', layer: 'network', resources: { aws_vpc: { v: { cidr_block: '10.1.0.0/16' } } }, outputs: { vpc: ref('aws_vpc.v', 'id') } },
      { account: 'security', layer: 'dns', remote: { net: { account: 'apps', layer: 'network' } }, resources: { aws_route53_zone: { z: { name: 'fx.internal' } }, aws_route53_vpc_association_authorization: { a: { zone_id: ref('aws_route53_zone.z', 'zone_id'), vpc_id: remote('net', 'vpc') } } }, outputs: { zone: ref('aws_route53_zone.z', 'zone_id') } },
      { account: 'apps', layer: 'dns-association', remote: { dns: { account: 'security', layer: 'dns' }, net: { account: 'apps', layer: 'network' } }, resources: { aws_route53_zone_association: { a: { zone_id: remote('dns', 'zone'), vpc_id: remote('net', 'vpc') } } } },
    ]),
  },
  'PF-DNS-003': {
    bad: () => records({ set_identifier: 'secondary', weighted_routing_policy: { weight: 1 } }),
    good: () => records({ set_identifier: 'secondary', failover_routing_policy: { type: 'SECONDARY' }, alias: { name: 'b', zone_id: 'Z1' } }),
  },
  'PF-DNS-004': {
    bad: () => fixtureOrg([{ account: 'apps', layer: 'web', resources: { aws_route53_zone: { z: { name: 'fx.example.com' } }, aws_acm_certificate: { c: { domain_name: 'app.other.example.org', validation_method: 'DNS' } }, aws_route53_record: { v: { zone_id: ref('aws_route53_zone.z', 'zone_id'), name: '${tolist(aws_acm_certificate.c.domain_validation_options).0.resource_record_name}', type: 'CNAME' } } } }]),
    good: () => fixtureOrg([{ account: 'apps', layer: 'web', resources: { aws_route53_zone: { z: { name: 'fx.example.com' } }, aws_acm_certificate: { c: { domain_name: 'app.fx.example.com', validation_method: 'DNS' } }, aws_route53_record: { v: { zone_id: ref('aws_route53_zone.z', 'zone_id'), name: '${tolist(aws_acm_certificate.c.domain_validation_options).0.resource_record_name}', type: 'CNAME' } } } }]),
  },
  'PF-API-001': { bad: () => configDelivery(CONFIG_BUCKET_OK, true, [CONFIG_KEY_OK]), good: () => configDelivery(CONFIG_BUCKET_OK, false, [CONFIG_KEY_OK]) },
  'PF-API-002': { bad: () => albLogs('alb'), good: () => albLogs('alb/web') },
  'PF-API-003': { bad: () => cloudfrontLogs('BucketOwnerEnforced'), good: () => cloudfrontLogs('BucketOwnerPreferred') },
  'PF-API-004': {
    bad: () => fixtureOrg([{ account: 'apps', layer: 'cdn', region: 'us-west-2', resources: { aws_wafv2_web_acl: { w: { name: 'fx', scope: 'CLOUDFRONT' } } } }]),
    good: () => fixtureOrg([{ account: 'apps', layer: 'cdn', region: 'us-west-2', aliases: { us_east_1: 'us-east-1' }, resources: { aws_wafv2_web_acl: { w: { name: 'fx', scope: 'CLOUDFRONT', provider: 'aws.us_east_1' } } } }]),
  },
  'PF-API-005': {
    bad: () => fixtureOrg([{ account: 'apps', layer: 'web', resources: { aws_acm_certificate: { c: { domain_name: 'x.fx.example.com', provider: 'aws.us_west_2' } }, aws_lb_listener: { l: { certificate_arn: ref('aws_acm_certificate.c') } } }, aliases: { us_west_2: 'us-west-2' } }]),
    good: () => fixtureOrg([{ account: 'apps', layer: 'web', resources: { aws_acm_certificate: { c: { domain_name: 'x.fx.example.com' } }, aws_lb_listener: { l: { certificate_arn: ref('aws_acm_certificate.c') } } } }]),
  },
  'PF-API-006': { bad: () => delegated(['us-east-1']), good: () => delegated(['us-east-1', 'us-west-2']) },
  'PF-API-007': { bad: () => delegated(['us-east-1', 'us-west-2'], true), good: () => delegated(['us-east-1', 'us-west-2'], false) },
  'PF-API-008': {
    bad: () => fixtureOrg([{ account: 'apps', layer: 'db', resources: { aws_dax_cluster: { d: { cluster_name: 'fx-apps-devstg-daxxxx' } } } }]),
    good: () => fixtureOrg([{ account: 'apps', layer: 'db', resources: { aws_dax_cluster: { d: { cluster_name: 'fx-apps-devstg-daxxx' } } } }]),
  },
  'PF-API-009': {
    bad: () => fixtureOrg([{ account: 'apps', layer: 'data', resources: bucket('fx-apps-data') }]),
    good: () => fixtureOrg([{ account: 'apps', layer: 'data', resources: bucket(`fx-apps-data-${IDS.apps}`) }]),
  },
  'PF-API-010': {
    bad: () => fixtureOrg([{ account: 'apps', layer: 'a', resources: { aws_iam_role: { r: { name: 'fx-worker', assume_role_policy: TRUST_EC2 } } } }, { account: 'apps', layer: 'b', region: 'us-west-2', resources: { aws_iam_role: { r: { name: 'fx-worker', assume_role_policy: TRUST_EC2 } } } }]),
    good: () => fixtureOrg([{ account: 'apps', layer: 'a', resources: { aws_iam_role: { r: { name: 'fx-worker', assume_role_policy: TRUST_EC2 } } } }, { account: 'data', layer: 'b', resources: { aws_iam_role: { r: { name: 'fx-worker', assume_role_policy: TRUST_EC2 } } } }]),
  },
  'PF-API-011': {
    bad: () => fixtureOrg([{ account: 'apps', layer: 'compliance', resources: { aws_config_configuration_recorder: { r: { name: 'a' } } } }, { account: 'apps', layer: 'monitoring', resources: { aws_config_configuration_recorder: { r: { name: 'b' } } } }]),
    good: () => fixtureOrg([{ account: 'apps', layer: 'compliance', resources: { aws_config_configuration_recorder: { r: { name: 'a' } } } }, { account: 'apps', layer: 'monitoring', region: 'us-west-2', resources: { aws_config_configuration_recorder: { r: { name: 'b' } } } }]),
  },
  'PF-API-012': {
    bad: () => fixtureOrg([{ account: 'apps', layer: 'dr', region: 'us-west-2', aliases: { us_east_1: 'us-east-1' }, resources: { aws_kms_key: { k: { ...key('apps'), provider: 'aws.us_east_1' } }, aws_dynamodb_table_replica: { r: { global_table_arn: 'x', kms_key_arn: ref('aws_kms_key.k') } } } }]),
    good: () => fixtureOrg([{ account: 'apps', layer: 'dr', region: 'us-west-2', resources: { aws_kms_key: { k: key('apps') }, aws_dynamodb_table_replica: { r: { global_table_arn: 'x', kms_key_arn: ref('aws_kms_key.k') } } } }]),
  },
  'PF-API-013': {
    bad: () => fixtureOrg([{ account: 'apps', layer: 'cdn', resources: { aws_wafv2_web_acl: { w: { name: 'fx', scope: 'CLOUDFRONT' } }, aws_cloudwatch_log_group: { g: { name: '/fx/waf' } }, aws_wafv2_web_acl_logging_configuration: { l: { resource_arn: ref('aws_wafv2_web_acl.w'), log_destination_configs: [ref('aws_cloudwatch_log_group.g')] } } } }]),
    good: () => fixtureOrg([{ account: 'apps', layer: 'cdn', resources: { aws_wafv2_web_acl: { w: { name: 'fx', scope: 'CLOUDFRONT' } }, aws_cloudwatch_log_group: { g: { name: 'aws-waf-logs-fx' } }, aws_wafv2_web_acl_logging_configuration: { l: { resource_arn: ref('aws_wafv2_web_acl.w'), log_destination_configs: [ref('aws_cloudwatch_log_group.g')] } } } }]),
  },
  'PF-ORD-001': {
    bad: () => fixtureOrg([{ account: 'apps', layer: 'web', resources: { aws_lb_listener: { l: { certificate_arn: `arn:aws:acm:us-east-1:${IDS.apps}:certificate/0p0r0d00-0000-4000-8000-000000000001` } } } }]),
    good: () => fixtureOrg([{ account: 'apps', layer: 'web', resources: { aws_acm_certificate: { c: { domain_name: 'x.fx.example.com' } }, aws_lb_listener: { l: { certificate_arn: ref('aws_acm_certificate.c') } } } }]),
  },
  'PF-ORD-002': {
    bad: () => fixtureOrg([{ account: 'apps', layer: 'lake', resources: bucket(`fx-raw-${IDS.apps}`) }, { account: 'apps', layer: 'crawler', resources: { aws_glue_crawler: { c: { name: 'c', s3_target: { path: `s3://fx-raw-${IDS.apps}/events/` } } } } }]),
    good: () => fixtureOrg([{ account: 'apps', layer: 'lake', resources: bucket(`fx-raw-${IDS.apps}`) }, { account: 'apps', layer: 'crawler', dependsOn: [id('apps', 'lake')], resources: { aws_glue_crawler: { c: { name: 'c', s3_target: { path: `s3://fx-raw-${IDS.apps}/events/` } } } } }]),
  },
  'PF-ORD-003': { bad: () => ecr([IDS.apps], false), good: () => ecr([IDS.apps], false, { viaRegistryLayer: true }) },
  'PF-ORD-004': { bad: () => albLogs('alb/web', false), good: () => albLogs('alb/web', true) },
  'PF-ORD-005': {
    bad: () => hubRoutes(false),
    good: () => hubRoutes(true),
  },
  'PF-VER-001': {
    bad: () => fixtureOrg([{ account: 'apps', layer: 'eks', resources: { aws_eks_cluster: { c: { name: 'c', version: '1.31', upgrade_policy: { support_type: 'STANDARD' } } } } }]),
    good: () => fixtureOrg([{ account: 'apps', layer: 'eks', resources: { aws_eks_cluster: { c: { name: 'c', version: '1.35', upgrade_policy: { support_type: 'STANDARD' } } } } }]),
  },
  'PF-VER-002': {
    bad: () => fixtureOrg([{ account: 'apps', layer: 'eks', resources: { aws_eks_cluster: { c: { name: 'c', version: '1.35' } }, aws_eks_addon: { p: { cluster_name: ref('aws_eks_cluster.c', 'name'), addon_name: 'kube-proxy', addon_version: 'v1.31.3-eksbuild.2' } } } }]),
    good: () => fixtureOrg([{ account: 'apps', layer: 'eks', resources: { aws_eks_cluster: { c: { name: 'c', version: '1.35' } }, aws_eks_addon: { p: { cluster_name: ref('aws_eks_cluster.c', 'name'), addon_name: 'kube-proxy', addon_version: 'v1.35.0-eksbuild.1' } } } }]),
  },
  'PF-VER-003': {
    bad: () => fixtureOrg([{ account: 'apps', layer: 'db', resources: { aws_rds_cluster: { c: { cluster_identifier: 'c', engine: 'aurora-postgresql', engine_version: '13', lifecycle: { ignore_changes: ['engine_version'] } } } } }]),
    good: () => fixtureOrg([{ account: 'apps', layer: 'db', resources: { aws_rds_cluster: { c: { cluster_identifier: 'c', engine: 'aurora-postgresql', engine_version: '16', lifecycle: { ignore_changes: ['engine_version'] } } } } }]),
  },
  'PF-VER-004': {
    bad: () => fixtureOrg([{ account: 'apps', layer: 'db', resources: { aws_rds_cluster: { c: { cluster_identifier: 'c', engine: 'aurora-postgresql', engine_version: '16.6' } }, aws_rds_cluster_instance: { i: { cluster_identifier: ref('aws_rds_cluster.c', 'id'), auto_minor_version_upgrade: true } } } }]),
    good: () => fixtureOrg([{ account: 'apps', layer: 'db', resources: { aws_rds_cluster: { c: { cluster_identifier: 'c', engine: 'aurora-postgresql', engine_version: '16.6', lifecycle: { ignore_changes: ['engine_version'] } } }, aws_rds_cluster_instance: { i: { cluster_identifier: ref('aws_rds_cluster.c', 'id'), auto_minor_version_upgrade: true } } } }]),
  },
  'PF-VER-005': {
    bad: () => fixtureOrg([{ account: 'apps', layer: 'fn', resources: { aws_lambda_function: { f: { function_name: 'f', runtime: 'nodejs18.x' } } } }]),
    good: () => fixtureOrg([{ account: 'apps', layer: 'fn', resources: { aws_lambda_function: { f: { function_name: 'f', runtime: 'nodejs22.x' } } } }]),
  },
  ...BACKUP_PREFLIGHT_CASES,
  ...LOG_DELIVERY_PREFLIGHT_CASES,
};

function findings(ruleId: string, org: OrgModel): readonly PreflightFinding[] {
  return runPreflight(org, [PREFLIGHT_RULES_BY_ID.get(ruleId)!]).findings;
}

describe('preflight rules', () => {
  it('have a failing and a passing fixture each', () => {
    expect(PREFLIGHT_RULES.map((r) => r.id).filter((ruleId) => !CASES[ruleId])).toEqual([]);
    expect(Object.keys(CASES).filter((ruleId) => !PREFLIGHT_RULES_BY_ID.has(ruleId))).toEqual([]);
  });

  it('link an AWS documentation page and have unique ids', () => {
    for (const rule of PREFLIGHT_RULES) expect(rule.docs).toMatch(/^https:\/\/docs\.aws\.amazon\.com\//);
    expect(new Set(PREFLIGHT_RULES.map((r) => r.id)).size).toBe(PREFLIGHT_RULES.length);
  });

  describe.each(Object.entries(CASES))('%s', (ruleId, { bad, good }) => {
    it('reports the failing fixture with stack, address, message and fix', () => {
      const found = findings(ruleId, bad());
      expect(found.length).toBeGreaterThan(0);
      for (const f of found) {
        expect(f.stack).toMatch(/^fx-/);
        expect(f.address).not.toBe('-');
        expect(f.message.length).toBeGreaterThan(20);
        expect(f.fix.length).toBeGreaterThan(10);
      }
    });

    it('passes the passing fixture', () => {
      expect(findings(ruleId, good())).toEqual([]);
    });
  });
});

describe('preflight rule details', () => {
  it('PF-LOGS-001 names the log group without a delivery policy, a group nobody creates, and the bucket and key refusing the delivery', () => {
    const messages = findings('PF-LOGS-001', LOG_DELIVERY_PREFLIGHT_CASES['PF-LOGS-001'].bad()).map((f) => `${f.stack} ${f.address}: ${f.message}`);
    expect(messages).toEqual(expect.arrayContaining([
      expect.stringMatching(/^fx-data-network-firewall aws_networkfirewall_logging_configuration.logging: sends ALERT logs to group \/aws\/network-firewall\/fx\/alert, but no CloudWatch Logs resource policy of data \(us-east-1\) grants delivery.logs.amazonaws.com logs:CreateLogStream, logs:PutLogEvents/),
      expect.stringMatching(/^fx-security-log-buckets aws_s3_bucket.logs: fx-data-network-firewall-s3: .* does not grant delivery.logs.amazonaws.com s3:GetBucketAcl, s3:PutObject for account data/),
      expect.stringMatching(/^fx-security-log-buckets aws_kms_key.k: .*does not grant delivery.logs.amazonaws.com kms:GenerateDataKey for account 444444444444/),
    ]));
    expect(messages).toHaveLength(4);
    const missing = findings('PF-LOGS-001', fixtureOrg([firewallToLogGroups({ groupName: '/aws/network-firewall/elsewhere' }), firewallLogBucket(true)]));
    expect(missing.map((f) => f.message)).toEqual(['sends ALERT logs to group /aws/network-firewall/elsewhere, which no layer creates in data (us-east-1): delivery fails']);
  });

  it('PF-IAM-008 names each association whose role is missing or of another account', () => {
    const messages = findings('PF-IAM-008', CASES['PF-IAM-008'].bad()).map((f) => `${f.address}: ${f.message}`).sort();
    expect(messages).toEqual([
      expect.stringMatching(/^aws_eks_addon\.cni: the Pod Identity association of add-on vpc-cni\/aws-node names arn:aws:iam::333333333333:role\/Cni, which no layer creates/),
      expect.stringMatching(/^aws_eks_pod_identity_association\.foreign: .*kube-system\/cluster-autoscaler names a role of account security, but EKS only associates roles of the cluster's account \(apps\)/),
      expect.stringMatching(/^aws_eks_pod_identity_association\.missing: .*kube-system\/aws-load-balancer-controller names arn:aws:iam::333333333333:role\/LbController, which no layer creates/),
    ]);
  });

  it('names the role nobody creates and the role a layer creates for itself', () => {
    const [nobody] = findings('PF-IAM-001', CASES['PF-IAM-001'].bad());
    expect(nobody).toMatchObject({ stack: 'fx-apps-net', address: 'provider.aws' });
    expect(nobody.message).toContain(role('apps', 'Nobody'));
    const [self] = findings('PF-IAM-002', CASES['PF-IAM-002'].bad());
    expect(self.message).toContain('which only this layer creates (fx-apps-platform (aws_iam_role.d)) and the day-zero sequence does not apply before');
  });

  describe('day-zero sequence (make bootstrap-org)', () => {
    const assumeRules = ['PF-IAM-001', 'PF-IAM-002', 'PF-IAM-003', 'PF-IAM-007'];
    const all = (org: OrgModel) => assumeRules.flatMap((r) => findings(r, org));

    it('accepts the sequence: the caller in management, then each member through the role Organizations created, then every steady layer through DevOps', () => {
      const org = fixtureOrg([
        { account: 'management', layer: 'cost', role: role('management', 'DevOps') },
        { account: 'apps', layer: 'net', role: role('apps', 'DevOps'), remote: { cost: { account: 'management', layer: 'cost', role: role('management', 'DevOps') } } },
      ], { bootstrap: dayZero('security', 'apps') });
      expect(all(org)).toEqual([]);
    });

    it('refuses a member step before the organisation creates its account (the bootstrap role does not exist yet)', () => {
      const sequence = dayZero('apps');
      // the member's backend moved before the organizations step
      const early = [sequence[0], sequence[1], sequence[4], sequence[2], sequence[3], ...sequence.slice(5)];
      const found = findings('PF-IAM-003', fixtureOrg([], { bootstrap: early }));
      expect(found).toEqual([expect.objectContaining({
        stack: 'fx-apps-base-tf-backend',
        address: 'provider.aws',
        message: expect.stringContaining(`day-zero step apps/base-tf-backend/backend-local: provider.aws assumes ${role('apps', BOOTSTRAP)}, created by day-zero step management/organizations/apply (aws_organizations_account.apps), which the day-zero sequence does not apply before this step`),
      })]);
    });

    it('refuses a member account that Organizations does not create (no bootstrap role there)', () => {
      const found = findings('PF-IAM-001', fixtureOrg([], { bootstrap: [...dayZero(), ...dayZero('apps').slice(4)] }));
      // every step of apps: the backend's two steps and security
      expect(found.map((f) => `${f.stack} ${f.address}`)).toEqual(['fx-apps-base-tf-backend provider.aws', 'fx-apps-base-tf-backend provider.aws', 'fx-apps-security provider.aws']);
      expect(found.map((f) => f.message.split(':')[0])).toEqual(['day-zero step apps/base-tf-backend/backend-local', 'day-zero step apps/base-tf-backend/backend-migrate', 'day-zero step apps/security/apply']);
      expect(found.every((f) => f.message.includes('Organizations does not create with the account'))).toBe(true);
    });

    it('refuses a day-zero step that assumes the role it creates (the old member security layer assumed the DevOps it created)', () => {
      const sequence = dayZero('apps').map((s) => (s.account === 'apps' && s.layer === 'security' ? { ...s, role: role('apps', 'DevOps') } : s));
      const found = findings('PF-IAM-002', fixtureOrg([], { bootstrap: sequence }));
      expect(found).toEqual([expect.objectContaining({ stack: 'fx-apps-security', address: 'provider.aws' })]);
      expect(found[0].message).toContain(`day-zero step apps/security/apply: provider.aws, terraform.backend.s3 assume ${role('apps', 'DevOps')}, which only this layer creates`);
    });

    it('without an organizations layer, no account starts from the caller session and no member has a bootstrap role', () => {
      const sequence = dayZero('apps').filter((s) => s.layer !== 'organizations');
      expect(findings('PF-IAM-007', fixtureOrg([], { bootstrap: sequence })).map((f) => f.message)).toContainEqual(
        expect.stringContaining('no layer creates or imports the organisation'));
      expect(findings('PF-IAM-001', fixtureOrg([], { bootstrap: sequence })).map((f) => f.stack)).toContain('fx-apps-base-tf-backend');
    });
  });

  it('finds a service-linked role named before any layer creates it', () => {
    const org = fixtureOrg([{ account: 'apps', layer: 'multi-tier', resources: {
      aws_kms_key: { ebs: key('apps', { Effect: 'Allow', Principal: { AWS: asgSlr }, Action: 'kms:Decrypt', Resource: '*' }) },
      aws_autoscaling_group: { g: { name: 'web' } },
    } }]);
    const [f] = findings('PF-IAM-004', org);
    expect(f.address).toBe('aws_kms_key.ebs');
    expect(f.message).toContain('the service creates it only when');
    expect(f.fix).toContain('aws_iam_service_linked_role');
  });

  it('reads a key policy principal that references the service-linked role, in the same stack or through remote state', () => {
    const volumeGrant = (principal: string) => ({ Effect: 'Allow', Principal: { AWS: principal }, Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey', 'kms:CreateGrant'], Resource: '*' });
    const slr = { aws_iam_service_linked_role: { asg: { aws_service_name: 'autoscaling.amazonaws.com' } } };
    const org = fixtureOrg([
      { account: 'apps', layer: 'security', outputs: { asg_role: '${aws_iam_service_linked_role.asg.arn}' }, resources: {
        ...slr,
        aws_kms_key: { data: key('apps', volumeGrant('${aws_iam_service_linked_role.asg.arn}')) },
        aws_ebs_default_kms_key: { d: { key_arn: ref('aws_kms_key.data') } },
      } },
      { account: 'apps', layer: 'multi-tier', remote: { security: { account: 'apps', layer: 'security' } }, resources: {
        aws_kms_key: { ebs: key('apps', volumeGrant(remote('security', 'asg_role'))) },
        aws_launch_template: { lt: { name: 'web', block_device_mappings: { ebs: { encrypted: 'true', kms_key_id: ref('aws_kms_key.ebs') } } } },
        aws_autoscaling_group: { g: { name: 'web' } },
      } },
      { account: 'apps', layer: 'eks', dependsOn: [id('apps', 'security')], resources: { aws_eks_node_group: { g: { cluster_name: 'c', node_group_name: 'n' } } } },
    ]);
    expect(findings('PF-KMS-005', org)).toEqual([]);
    expect(findings('PF-IAM-004', org)).toEqual([]);
    // The same policies with an unresolvable principal still fail: the reference is what satisfies the rule.
    const unresolved = fixtureOrg([
      { account: 'apps', layer: 'security', resources: { aws_kms_key: { data: key('apps', volumeGrant('${aws_iam_role.unknown.arn}')) }, aws_ebs_default_kms_key: { d: { key_arn: ref('aws_kms_key.data') } } } },
      { account: 'apps', layer: 'eks', resources: { aws_eks_node_group: { g: { cluster_name: 'c', node_group_name: 'n' } } } },
    ]);
    expect(findings('PF-KMS-005', unresolved).length).toBeGreaterThan(0);
  });

  describe('container images read from the registry layer (fromRegistry)', () => {
    it('follows the registry URL token to the registry layer and its repository policy', () => {
      const [f] = findings('PF-XACC-003', CASES['PF-XACC-003'].bad());
      expect(f).toMatchObject({ stack: 'fx-security-registry', address: 'aws_ecr_repository.r' });
      expect(f.message).toContain(`pulls ${IDS.security}.dkr.ecr.us-east-1.amazonaws.com/fx/api:1.0.0 (registry URL read from fx-security-registry), but the repository policy does not allow account ${IDS.apps}`);
    });

    it('refuses an image whose repository the registry layer does not create', () => {
      const [f] = findings('PF-XACC-003', ecr([IDS.apps], true, { viaRegistryLayer: true, image: 'fx/missing' }));
      expect(f).toMatchObject({ stack: 'fx-apps-fargate', address: 'aws_ecs_task_definition.t' });
      expect(f.message).toContain('that layer creates no repository fx/missing in us-east-1');
      // in the registry's own account it is not cross-account: the ordering rule warns instead
      expect(findings('PF-XACC-003', ecr([], true, { viaRegistryLayer: true, image: 'fx/missing', pullerAccount: 'security' }))).toEqual([]);
      const [warning] = findings('PF-ORD-003', ecr([], true, { viaRegistryLayer: true, image: 'fx/missing', pullerAccount: 'security' }));
      expect(warning.message).toContain('with the registry URL read from fx-security-registry, which creates no repository fx/missing');
    });

    it('still checks a literal image URI against the repository of the registry account', () => {
      expect(findings('PF-XACC-003', ecr([]))).toHaveLength(1);
      expect(findings('PF-XACC-003', ecr([IDS.apps]))).toEqual([]);
    });
  });

  it('accepts a GuardDuty detector that an import block adopts from the delegation', () => {
    expect(findings('PF-API-007', delegated(['us-east-1', 'us-west-2'], true))).toHaveLength(1);
    expect(findings('PF-API-007', delegated(['us-east-1', 'us-west-2'], true, true))).toEqual([]);
  });

  it('follows a key through remote state to the producer stack and reports it there', () => {
    const [f] = findings('PF-KMS-003', CASES['PF-KMS-003'].bad());
    expect(f).toMatchObject({ stack: 'fx-apps-security', address: 'aws_kms_key.k' });
    expect(f.message).toContain('fx-apps-app: aws_cloudwatch_metric_alarm.a');
    expect(f.message).toContain('cloudwatch.amazonaws.com');
  });

  it('refuses a simple record and failover records for the same name across layers', () => {
    const found = findings('PF-DNS-001', CASES['PF-DNS-001'].bad());
    expect(found.map((f) => f.stack).sort()).toEqual(['fx-apps-cdn', 'fx-apps-dr']);
    expect(found[0].message).toContain('app.prd.fx.example.com A');
  });

  it('follows an element of a list output to the zone it names (dns-association reads private_zone_ids[n])', () => {
    const zones = (index: number) => fixtureOrg([
      { account: 'apps', layer: 'network', resources: { aws_vpc: { v: { cidr_block: '10.1.0.0/16' } } }, outputs: { vpc: ref('aws_vpc.v', 'id') } },
      {
        account: 'security', layer: 'dns', remote: { net: { account: 'apps', layer: 'network' } },
        resources: {
          aws_route53_zone: { tools: { name: 'tools.internal' }, fx: { name: 'fx.internal' } },
          aws_route53_vpc_association_authorization: { a: { zone_id: ref('aws_route53_zone.fx', 'zone_id'), vpc_id: remote('net', 'vpc') } },
        },
        outputs: { private_zone_ids: [ref('aws_route53_zone.tools', 'zone_id'), ref('aws_route53_zone.fx', 'zone_id')] },
      },
      {
        account: 'apps', layer: 'dns-association', remote: { dns: { account: 'security', layer: 'dns' }, net: { account: 'apps', layer: 'network' } },
        resources: { aws_route53_zone_association: { a: { zone_id: `\${element(data.terraform_remote_state.dns.outputs.private_zone_ids, ${index})}`, vpc_id: remote('net', 'vpc') } } },
      },
    ]);
    expect(findings('PF-DNS-002', zones(1))).toEqual([]);
    // index 0 is the other zone: fx.internal's authorisation is left without an association
    expect(findings('PF-DNS-002', zones(0))).toEqual([expect.objectContaining({ stack: 'fx-security-dns', address: 'aws_route53_vpc_association_authorization.a' })]);
  });

  it('warns about routes in a layer of their own that does not run after the hub accepts, and routes to a hub never attached', () => {
    const attachment = { aws_ec2_transit_gateway_vpc_attachment: { a: { transit_gateway_id: remote('hub', 'tgw'), vpc_id: 'vpc-1' } } };
    const route = { aws_route: { r: { route_table_id: 'rtb-1', destination_cidr_block: '10.0.0.0/8', transit_gateway_id: remote('hub', 'tgw') } } };
    const hub = { account: 'security' as const, layer: 'hub', resources: { aws_ec2_transit_gateway: { tgw: { auto_accept_shared_attachments: 'disable' } } }, outputs: { tgw: ref('aws_ec2_transit_gateway.tgw', 'id') } };
    const routes = (dependsOn: string[]) => ({ account: 'apps' as const, layer: 'routes', remote: { hub: { account: 'security' as const, layer: 'hub' } }, dependsOn, resources: route });
    const split = (dependsOn: string[]) => fixtureOrg([
      hub,
      { account: 'apps', layer: 'attachment', remote: { hub: { account: 'security', layer: 'hub' } }, resources: attachment, outputs: { attachment: ref('aws_ec2_transit_gateway_vpc_attachment.a', 'id') } },
      { account: 'security', layer: 'hub-routes', remote: { att: { account: 'apps', layer: 'attachment' } }, resources: { aws_ec2_transit_gateway_vpc_attachment_accepter: { acc: { transit_gateway_attachment_id: remote('att', 'attachment') } } } },
      routes(dependsOn),
    ]);
    // After the attachment but not after the accepter: still pendingAcceptance.
    const [early] = findings('PF-ORD-005', split([id('apps', 'attachment')]));
    expect(early).toMatchObject({ stack: 'fx-apps-routes', address: 'aws_route.r', severity: 'warning' });
    expect(early.message).toContain('through fx-apps-attachment: aws_ec2_transit_gateway_vpc_attachment.a, which stays pendingAcceptance until fx-security-hub-routes accepts it, a layer that does not run before this one');
    expect(findings('PF-ORD-005', split([id('security', 'hub-routes')]))).toEqual([]);
    // No attachment anywhere in the account: the transit gateway is never a valid target.
    const [never] = findings('PF-ORD-005', fixtureOrg([hub, routes([])]));
    expect(never.message).toContain('no layer of apps attaches a VPC to it in us-east-1');
  });

  it('judges support windows on the configured day', () => {
    const eks = () => fixtureOrg([{ account: 'apps', layer: 'eks', resources: { aws_eks_cluster: { c: { name: 'c', version: '1.34', upgrade_policy: { support_type: 'STANDARD' } } } } }], { today: '2026-01-01' });
    expect(findings('PF-VER-001', eks())).toEqual([]);
    const late = fixtureOrg([{ account: 'apps', layer: 'eks', resources: { aws_eks_cluster: { c: { name: 'c', version: '1.34', upgrade_policy: { support_type: 'STANDARD' } } } } }], { today: '2026-11-30' });
    expect(findings('PF-VER-001', late)[0].message).toContain('ends on 2026-12-02, in 2 days');
  });

  it('reports a rule that throws as an error finding instead of passing', () => {
    const broken = { ...PREFLIGHT_RULES[0], id: 'PF-TEST-001', check: () => { throw new Error('boom'); } };
    const report = runPreflight(fixtureOrg([]), [broken]);
    expect(report.findings).toEqual([expect.objectContaining({ ruleId: 'PF-TEST-001', severity: 'error', message: expect.stringContaining('boom') })]);
  });
});
