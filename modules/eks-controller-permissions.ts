/**
 * Least-privilege permissions of the Kubernetes controllers the eks layer gives an AWS identity (through EKS Pod
 * Identity, modules/pod-identity-role.ts): statements built from the action lists of modules/perms.ts, narrowed to
 * this account, region, VPC, cluster and hosted zones. Each function names the upstream policy it narrows.
 */
import {
  CLUSTER_AUTOSCALER_DISCOVER_ACTIONS, CLUSTER_AUTOSCALER_NODEGROUP_READ_ACTIONS, CLUSTER_AUTOSCALER_SCALE_ACTIONS,
  DNS_CHANGE_STATUS_ACTIONS, DNS_RECORD_CHANGE_ACTIONS, DNS_RECORD_READ_ACTIONS, DNS_ZONE_LIST_ACTIONS, DNS_ZONE_LOOKUP_ACTIONS,
  KEY_AWS_RESOURCE_GRANT_ACTIONS, KEY_EBS_VOLUME_ACTIONS,
  LB_CONTROLLER_CREATE_BALANCER_ACTIONS, LB_CONTROLLER_CREATE_SECURITY_GROUP_ACTIONS, LB_CONTROLLER_DESCRIBE_ACTIONS,
  LB_CONTROLLER_LISTENER_ACTIONS, LB_CONTROLLER_MANAGE_BALANCER_ACTIONS, LB_CONTROLLER_MANAGE_SECURITY_GROUP_ACTIONS,
  LB_CONTROLLER_OPEN_SECURITY_GROUP_ACTIONS, LB_CONTROLLER_SERVICE_LINKED_ROLE_ACTIONS, LB_CONTROLLER_TAG_LISTENER_ACTIONS,
  LB_CONTROLLER_TAG_ON_CREATE_ACTIONS, LB_CONTROLLER_TAG_SECURITY_GROUP_ACTIONS, LB_CONTROLLER_TARGET_ACTIONS,
  LB_CONTROLLER_WAF_SHIELD_ACTIONS,
} from './perms';
import type { PolicyStatement } from './policy';

/** A one-action list renders as a string, the form IAM shows and these policies were first written in. */
function act(actions: readonly string[]): string | string[] {
  return actions.length === 1 ? actions[0] : [...actions];
}

/** `arn:aws:route53:::hostedzone/<id>` of each zone id (literal or a reference to another layer's output). */
export function hostedZoneArns(zoneIds: readonly string[]): string[] {
  return zoneIds.map((id) => `arn:aws:route53:::hostedzone/${id}`);
}

/**
 * external-dns: change and read records in the given zones only, and list the account's zones to find them. AWS
 * documents these three actions as enough for the external-dns add-on (its suggested AmazonRoute53FullAccess is not
 * used). https://docs.aws.amazon.com/eks/latest/userguide/community-addons.html#external-dns
 */
export function externalDnsStatements(zoneArns: readonly string[]): PolicyStatement[] {
  return [
    { Sid: 'ChangeRecordsInOwnZones', Effect: 'Allow', Action: [...DNS_RECORD_CHANGE_ACTIONS, ...DNS_RECORD_READ_ACTIONS], Resource: [...zoneArns] },
    { Sid: 'ListZones', Effect: 'Allow', Action: act(DNS_ZONE_LIST_ACTIONS), Resource: '*' },
  ];
}

/**
 * cert-manager answering ACME DNS-01 challenges through Route 53: the cert-manager policy, with changes narrowed to
 * TXT records named `_acme-challenge.*` of the given zones (Route 53's record-level condition keys).
 * https://cert-manager.io/docs/configuration/acme/dns01/route53/
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/specifying-conditions-route53.html
 */
export function certManagerDns01Statements(zoneArns: readonly string[]): PolicyStatement[] {
  return [
    { Sid: 'WaitForChanges', Effect: 'Allow', Action: act(DNS_CHANGE_STATUS_ACTIONS), Resource: 'arn:aws:route53:::change/*' },
    { Sid: 'ReadRecordsInOwnZones', Effect: 'Allow', Action: act(DNS_RECORD_READ_ACTIONS), Resource: [...zoneArns] },
    {
      Sid: 'ChallengeRecordsOnly',
      Effect: 'Allow',
      Action: act(DNS_RECORD_CHANGE_ACTIONS),
      Resource: [...zoneArns],
      Condition: {
        'ForAllValues:StringEquals': { 'route53:ChangeResourceRecordSetsRecordTypes': ['TXT'] },
        'ForAllValues:StringLike': { 'route53:ChangeResourceRecordSetsNormalizedRecordNames': ['_acme-challenge.*'] },
      },
    },
    { Sid: 'FindZones', Effect: 'Allow', Action: act(DNS_ZONE_LOOKUP_ACTIONS), Resource: '*' },
  ];
}

/**
 * The EBS CSI driver creating volumes encrypted with a customer managed key (the account's default EBS key set by the
 * security layer): AWS's additional policy for the driver's role, next to AmazonEBSCSIDriverPolicy (which grants no KMS).
 * https://docs.aws.amazon.com/eks/latest/userguide/csi-iam-role.html
 */
export function ebsCsiVolumeKeyStatements(keyArn: string): PolicyStatement[] {
  return [
    {
      Sid: 'VolumeKeyGrantsForEbs',
      Effect: 'Allow',
      Action: [...KEY_AWS_RESOURCE_GRANT_ACTIONS],
      Resource: keyArn,
      Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
    },
    { Sid: 'VolumeKey', Effect: 'Allow', Action: [...KEY_EBS_VOLUME_ACTIONS], Resource: keyArn },
  ];
}

/**
 * The cluster autoscaler: discover (no resource-level permissions), read this cluster's node groups, and resize only
 * the Auto Scaling groups EKS tags `k8s.io/cluster-autoscaler/<cluster>=owned` (every managed node group's group).
 * https://github.com/kubernetes/autoscaler/blob/master/cluster-autoscaler/cloudprovider/aws/README.md
 */
export function clusterAutoscalerStatements(region: string, accountId: string, clusterName: string): PolicyStatement[] {
  return [
    { Sid: 'Discover', Effect: 'Allow', Action: [...CLUSTER_AUTOSCALER_DISCOVER_ACTIONS], Resource: '*' },
    {
      Sid: 'DescribeNodegroups',
      Effect: 'Allow',
      Action: [...CLUSTER_AUTOSCALER_NODEGROUP_READ_ACTIONS],
      Resource: `arn:aws:eks:${region}:${accountId}:nodegroup/${clusterName}/*/*`,
    },
    {
      Sid: 'ScaleOwnGroups',
      Effect: 'Allow',
      Action: [...CLUSTER_AUTOSCALER_SCALE_ACTIONS],
      Resource: `arn:aws:autoscaling:${region}:${accountId}:autoScalingGroup:*:autoScalingGroupName/*`,
      Condition: { StringEquals: { [`aws:ResourceTag/k8s.io/cluster-autoscaler/${clusterName}`]: 'owned' } },
    },
  ];
}

/**
 * The AWS Load Balancer Controller policy (v2.x iam_policy.json) narrowed to this account, region and VPC: mutations
 * only on resources tagged `elbv2.k8s.aws/cluster`, security groups only in the cluster's VPC.
 */
export function loadBalancerControllerStatements(region: string, accountId: string, vpcArn: string): PolicyStatement[] {
  const elb = `arn:aws:elasticloadbalancing:${region}:${accountId}`;
  const sgs = `arn:aws:ec2:${region}:${accountId}:security-group/*`;
  const balancers = [`${elb}:targetgroup/*/*`, `${elb}:loadbalancer/net/*/*`, `${elb}:loadbalancer/app/*/*`];
  const tagged = { Null: { 'aws:ResourceTag/elbv2.k8s.aws/cluster': 'false' } };
  return [
    {
      Sid: 'ServiceLinkedRole',
      Effect: 'Allow',
      Action: act(LB_CONTROLLER_SERVICE_LINKED_ROLE_ACTIONS),
      Resource: `arn:aws:iam::${accountId}:role/aws-service-role/elasticloadbalancing.amazonaws.com/*`,
      Condition: { StringEquals: { 'iam:AWSServiceName': 'elasticloadbalancing.amazonaws.com' } },
    },
    { Sid: 'Describe', Effect: 'Allow', Action: [...LB_CONTROLLER_DESCRIBE_ACTIONS], Resource: '*' },
    { Sid: 'CreateSecurityGroup', Effect: 'Allow', Action: act(LB_CONTROLLER_CREATE_SECURITY_GROUP_ACTIONS), Resource: [sgs, vpcArn] },
    {
      Sid: 'TagNewSecurityGroups',
      Effect: 'Allow',
      Action: act(LB_CONTROLLER_TAG_SECURITY_GROUP_ACTIONS),
      Resource: sgs,
      Condition: { StringEquals: { 'ec2:CreateAction': 'CreateSecurityGroup' }, Null: { 'aws:RequestTag/elbv2.k8s.aws/cluster': 'false' } },
    },
    {
      Sid: 'ManageOwnSecurityGroups',
      Effect: 'Allow',
      Action: [...LB_CONTROLLER_MANAGE_SECURITY_GROUP_ACTIONS],
      Resource: sgs,
      Condition: { ...tagged, ArnEquals: { 'ec2:Vpc': vpcArn } },
    },
    {
      Sid: 'OpenNodeSecurityGroupsToBalancers',
      Effect: 'Allow',
      Action: [...LB_CONTROLLER_OPEN_SECURITY_GROUP_ACTIONS],
      Resource: sgs,
      Condition: { ArnEquals: { 'ec2:Vpc': vpcArn } },
    },
    {
      Sid: 'CreateTaggedBalancers',
      Effect: 'Allow',
      Action: [...LB_CONTROLLER_CREATE_BALANCER_ACTIONS],
      Resource: balancers,
      Condition: { Null: { 'aws:RequestTag/elbv2.k8s.aws/cluster': 'false' } },
    },
    {
      Sid: 'TagOnCreate',
      Effect: 'Allow',
      Action: act(LB_CONTROLLER_TAG_ON_CREATE_ACTIONS),
      Resource: balancers,
      Condition: {
        StringEquals: { 'elasticloadbalancing:CreateAction': ['CreateTargetGroup', 'CreateLoadBalancer'] },
        Null: { 'aws:RequestTag/elbv2.k8s.aws/cluster': 'false' },
      },
    },
    { Sid: 'ManageTaggedBalancers', Effect: 'Allow', Action: [...LB_CONTROLLER_MANAGE_BALANCER_ACTIONS], Resource: balancers, Condition: tagged },
    {
      Sid: 'ListenersAndRules',
      Effect: 'Allow',
      Action: [...LB_CONTROLLER_LISTENER_ACTIONS],
      Resource: [
        `${elb}:loadbalancer/net/*/*`, `${elb}:loadbalancer/app/*/*`,
        `${elb}:listener/net/*/*/*`, `${elb}:listener/app/*/*/*`,
        `${elb}:listener-rule/net/*/*/*`, `${elb}:listener-rule/app/*/*/*`,
      ],
    },
    {
      Sid: 'TagListenersAndRules',
      Effect: 'Allow',
      Action: [...LB_CONTROLLER_TAG_LISTENER_ACTIONS],
      Resource: [`${elb}:listener/net/*/*/*`, `${elb}:listener/app/*/*/*`, `${elb}:listener-rule/net/*/*/*`, `${elb}:listener-rule/app/*/*/*`],
    },
    { Sid: 'Targets', Effect: 'Allow', Action: [...LB_CONTROLLER_TARGET_ACTIONS], Resource: `${elb}:targetgroup/*/*` },
    {
      Sid: 'WafAndShieldOnBalancers',
      Effect: 'Allow',
      Action: [...LB_CONTROLLER_WAF_SHIELD_ACTIONS],
      Resource: [...balancers, `arn:aws:wafv2:${region}:${accountId}:regional/webacl/*/*`, `arn:aws:shield::${accountId}:protection/*`],
    },
  ];
}
